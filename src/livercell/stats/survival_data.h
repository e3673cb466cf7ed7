// The model frame for survival curves and tests: time, event (0/1) and group per row, after
// dropping rows with a missing value in any used column (counted, as R's na.action does).
// Groups are the combinations of the right-hand side's columns, named as R names strata
// ("trt=1", "sex=f, stage=3"), or one group "all" for "~ 1"; ordered as R orders factor levels
// (numbers numerically, text alphabetically).
#ifndef LIVERCELL_STATS_SURVIVAL_DATA_H_
#define LIVERCELL_STATS_SURVIVAL_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/formula.h"
#include "livercell/stats/table.h"

namespace livercell::stats {

// Indices of table rows, ascending (tables have fewer than 2^32 rows).
using Rows = std::vector<std::uint32_t>;

// The rows with a value in every one of `columns` (R's na.omit); *dropped counts the others.
Rows CompleteRows(const Table& table, const std::vector<const Column*>& columns,
                  std::size_t* dropped);

struct SurvivalData {
  Rows rows;  // the table rows kept
  std::vector<double> time;
  std::vector<int> event;  // 1 = event, 0 = censored
  std::vector<int> group;  // index into group_names
  std::vector<std::string> group_names;
  std::size_t n_dropped = 0;
};

// Errors: unknown columns (with a suggestion), a text time column, an event column that is
// not 0/1, TRUE/FALSE or 1/2 (R's Surv codings), negative times, and no rows left.
base::Result<SurvivalData> BuildSurvivalData(const Table& table, const Formula& formula);

// The 0/1 event indicator of `rows` of `column` per R's Surv() rules and the formula's event
// expression (col, col == k, col > k, col %in% c(…)).
base::Result<std::vector<int>> EventIndicator(const Column& column, const EventSpec& spec,
                                              const Rows& rows);

// A column's values on `rows` coded as R's factor(): the levels present, in R's order
// (numbers numerically, text in byte order), and each row's level index.
struct Factor {
  std::vector<std::string> levels;
  std::vector<double> numbers;  // numeric columns: the level values, ascending
  std::vector<int> code;        // per entry of `rows`
};
Factor MakeFactor(const Column& column, const Rows& rows);

// Rows grouped by the combinations of several columns' levels, numbered in R's order (the
// first column varying slowest) among the combinations present, and named as R names strata
// ("trt=1", "sex=f, stage=3"); no columns: one group "all".
struct Grouping {
  std::vector<int> group;  // per entry of `rows`
  std::vector<std::string> names;
};
Grouping CombineLevels(const std::vector<const Column*>& columns, const Rows& rows);

// How R prints a numeric factor level: 15 significant digits, no trailing zeros ("0.5", "1").
std::string LevelText(double value);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_SURVIVAL_DATA_H_
