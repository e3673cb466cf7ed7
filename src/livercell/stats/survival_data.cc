#include "livercell/stats/survival_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <numeric>
#include <string_view>

#include "livercell/stats/first_seen.h"

namespace livercell::stats {
namespace {

base::Status DataError(std::string message, std::string column) {
  base::Status status = base::InvalidArgumentError(std::move(message));
  status.SetPath("--csv").SetValue(std::move(column));
  return status;
}

base::Result<double> ParseLiteral(const std::string& literal, const std::string& column) {
  double value = 0;
  const auto [end, ec] = std::from_chars(literal.data(), literal.data() + literal.size(), value);
  if (ec != std::errc() || end != literal.data() + literal.size()) {
    return DataError(fmt::format("\"{}\" is not a number, but {} is numeric", literal, column),
                     column);
  }
  return value;
}

}  // namespace

base::Result<std::vector<int>> EventIndicator(const Column& col, const EventSpec& spec,
                                              const Rows& rows) {
  std::vector<int> events;
  events.reserve(rows.size());
  if (spec.op == EventSpec::Op::kColumn) {
    if (!col.numeric) {
      return DataError(
          fmt::format("the event column {} is text; use {} == \"value\"", col.name, col.name),
          col.name);
    }
    double max_value = 0;
    for (const std::uint32_t r : rows) {
      const double v = col.numbers[r];
      if (v != 0 && v != 1 && v != 2) {
        return DataError(fmt::format("the event column {} holds {}; Surv() needs 0/1, "
                                     "TRUE/FALSE or 1/2 (or write {} == k)",
                                     col.name, LevelText(v), col.name),
                         col.name);
      }
      max_value = std::max(max_value, v);
    }
    // R's Surv(): when the largest status is 2 the coding is 1 = censored, 2 = event.
    for (const std::uint32_t r : rows) {
      const double v = col.numbers[r];
      if (max_value == 2 && v == 0) {
        return DataError(fmt::format("the event column {} mixes 0 with 1/2 coding; write {} == 2 "
                                     "(or > 0) to say which values are events",
                                     col.name, col.name),
                         col.name);
      }
      events.push_back(max_value == 2 ? v == 2 : v == 1);
    }
    return events;
  }
  std::vector<double> numbers;
  if (col.numeric) {
    for (const std::string& literal : spec.values) {
      LC_ASSIGN_OR_RETURN(const double v, ParseLiteral(literal, col.name));
      numbers.push_back(v);
    }
  } else if (spec.op == EventSpec::Op::kGreater) {
    return DataError(fmt::format("{} > … needs a numeric column", col.name), col.name);
  }
  if (!col.numeric) {
    std::vector<int> text_hit(col.texts.size());
    for (std::size_t k = 0; k < col.texts.size(); ++k) {
      text_hit[k] =
          std::find(spec.values.begin(), spec.values.end(), col.texts[k]) != spec.values.end();
    }
    for (const std::uint32_t r : rows) events.push_back(text_hit[col.codes[r]]);
    return events;
  }
  for (const std::uint32_t r : rows) {
    const double v = col.numbers[r];
    const bool hit = spec.op == EventSpec::Op::kGreater
                         ? v > numbers[0]
                         : std::find(numbers.begin(), numbers.end(), v) != numbers.end();
    events.push_back(hit ? 1 : 0);
  }
  return events;
}

std::string LevelText(double value) { return fmt::format("{:.15g}", value); }

namespace {

// Sorts the distinct values and renumbers the codes to match.
template <typename T>
std::vector<T> SortLevels(const std::vector<T>& values, std::vector<int>& code) {
  std::vector<int> by_value(values.size());
  std::iota(by_value.begin(), by_value.end(), 0);
  std::sort(by_value.begin(), by_value.end(), [&](int a, int b) {
    return values[static_cast<std::size_t>(a)] < values[static_cast<std::size_t>(b)];
  });
  std::vector<int> rank(values.size());
  std::vector<T> sorted;
  for (std::size_t r = 0; r < by_value.size(); ++r) {
    rank[static_cast<std::size_t>(by_value[r])] = static_cast<int>(r);
    sorted.push_back(values[static_cast<std::size_t>(by_value[r])]);
  }
  for (int& c : code) c = rank[static_cast<std::size_t>(c)];
  return sorted;
}

}  // namespace

Factor MakeFactor(const Column& column, const Rows& rows) {
  Factor factor;
  factor.code.resize(rows.size());
  if (column.numeric) {
    FirstSeenCodes<double> codes;
    for (std::size_t i = 0; i < rows.size(); ++i)
      factor.code[i] = static_cast<int>(codes.Code(column.numbers[rows[i]]));
    factor.numbers = SortLevels(codes.Values(), factor.code);
    for (double v : factor.numbers) factor.levels.push_back(LevelText(v));
  } else {
    // Text: the column's own codes, renumbered among the values present in text order.
    std::vector<int> seen(column.texts.size(), -1);
    std::vector<std::string_view> present;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      int& code = seen[column.codes[rows[i]]];
      if (code < 0) {
        code = static_cast<int>(present.size());
        present.push_back(column.Text(rows[i]));
      }
      factor.code[i] = code;
    }
    for (std::string_view v : SortLevels(present, factor.code)) factor.levels.emplace_back(v);
  }
  return factor;
}

Rows CompleteRows(const Table& table, const std::vector<const Column*>& columns,
                  std::size_t* dropped) {
  Rows rows;
  rows.reserve(table.rows());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool missing = false;
    for (const Column* c : columns) missing = missing || c->IsMissing(r);
    if (!missing) rows.push_back(static_cast<std::uint32_t>(r));
  }
  *dropped = table.rows() - rows.size();
  return rows;
}

Grouping CombineLevels(const std::vector<const Column*>& columns, const Rows& rows) {
  Grouping out;
  std::vector<Factor> factors;
  for (const Column* c : columns) factors.push_back(MakeFactor(*c, rows));
  if (factors.empty()) {
    out.group.assign(rows.size(), 0);
    out.names = {"all"};
    return out;
  }
  if (factors.size() == 1) {  // every level is present: its code is the group
    out.group = std::move(factors[0].code);
    for (const std::string& level : factors[0].levels)
      out.names.push_back(columns[0]->name + "=" + level);
    return out;
  }
  std::vector<std::uint64_t> key(rows.size(), 0);
  for (const Factor& factor : factors) {
    const std::uint64_t radix = factor.levels.size();
    for (std::size_t i = 0; i < rows.size(); ++i)
      key[i] = key[i] * radix + static_cast<std::uint64_t>(factor.code[i]);
  }
  std::vector<std::uint64_t> present = key;
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  for (const std::uint64_t k : present) {
    // Decode the mixed-radix key back into level names.
    std::vector<std::string> parts(columns.size());
    std::uint64_t rest = k;
    for (std::size_t g = columns.size(); g-- > 0;) {
      const std::uint64_t radix = factors[g].levels.size();
      parts[g] = columns[g]->name + "=" + factors[g].levels[rest % radix];
      rest /= radix;
    }
    out.names.push_back(fmt::format("{}", fmt::join(parts, ", ")));
  }
  out.group.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.group[i] = static_cast<int>(std::lower_bound(present.begin(), present.end(), key[i]) -
                                    present.begin());
  }
  return out;
}

base::Result<SurvivalData> BuildSurvivalData(const Table& table, const Formula& formula) {
  if (!formula.start.empty()) {
    return DataError("Surv(start, stop, event) is for Cox models; curves need Surv(time, event)",
                     formula.start);
  }
  LC_ASSIGN_OR_RETURN(const Column* time, table.Find(formula.stop));
  LC_ASSIGN_OR_RETURN(const Column* event, table.Find(formula.event.column));
  if (!time->numeric) {
    return DataError(fmt::format("the time column {} must be numeric", time->name), time->name);
  }
  std::vector<const Column*> groups;
  for (const Term& term : formula.terms) {
    if (term.kind == Term::Kind::kLog) {
      return DataError(fmt::format("{} cannot group a curve; use the column itself", term.label),
                       term.label);
    }
    for (const std::string& name : term.columns) {
      LC_ASSIGN_OR_RETURN(const Column* column, table.Find(name));
      groups.push_back(column);
    }
  }
  SurvivalData data;
  std::vector<const Column*> used = {time, event};
  used.insert(used.end(), groups.begin(), groups.end());
  Rows rows = CompleteRows(table, used, &data.n_dropped);
  for (const std::uint32_t r : rows) {
    if (time->numbers[r] < 0) {
      return DataError(fmt::format("negative time {} in row {}", time->numbers[r], r + 1),
                       time->name);
    }
  }
  if (rows.empty()) {
    return DataError(
        fmt::format("no rows left: all {} have a missing value in a used column", table.rows()),
        formula.text);
  }
  LC_ASSIGN_OR_RETURN(data.event, EventIndicator(*event, formula.event, rows));
  data.time.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) data.time[i] = time->numbers[rows[i]];
  Grouping grouping = CombineLevels(groups, rows);
  data.group = std::move(grouping.group);
  data.group_names = std::move(grouping.names);
  data.rows = std::move(rows);
  return data;
}

}  // namespace livercell::stats
