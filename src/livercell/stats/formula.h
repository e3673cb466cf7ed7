// The subset of R's formula language that `livercell stats` accepts (specs/stats.md):
//   Surv(time, EVENT) ~ rhs        or   Surv(start, stop, EVENT) ~ rhs
//   EVENT: col | col == k | col > k | col %in% c(a, b)
//   rhs:   1 | term + term …   term: col | log(col) | factor(col) | strata(col, …)
// Parsing is syntax only; columns are resolved against a Table later.
#ifndef LIVERCELL_STATS_FORMULA_H_
#define LIVERCELL_STATS_FORMULA_H_

#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"

namespace livercell::stats {

struct EventSpec {
  enum class Op { kColumn, kEquals, kGreater, kIn };
  std::string column;
  Op op = Op::kColumn;
  std::vector<std::string> values;  // literals as written (numbers or unquoted strings)
};

struct Term {
  enum class Kind { kColumn, kLog, kFactor, kStrata };
  Kind kind = Kind::kColumn;
  std::vector<std::string> columns;  // one, or several for strata(a, b)
  std::string label;                 // as R prints it: "age", "log(bili)", "factor(edema)"
};

struct Formula {
  std::string start;  // empty unless Surv(start, stop, event)
  std::string stop;   // the time column
  EventSpec event;
  std::vector<Term> terms;  // empty for "~ 1"
  std::string text;
};

// Every column the formula uses (times, event, terms), for reading only those.
std::vector<std::string> FormulaColumns(const Formula& formula);

// Errors (kInvalidArgument, path "--formula") quote the formula with a caret under the
// offending position and say what was expected.
base::Result<Formula> ParseFormula(std::string_view text);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_FORMULA_H_
