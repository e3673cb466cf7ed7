#include "livercell/stats/survival_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>

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
                                              const std::vector<std::size_t>& rows) {
  std::vector<int> events;
  events.reserve(rows.size());
  if (spec.op == EventSpec::Op::kColumn) {
    if (!col.numeric) {
      return DataError(
          fmt::format("the event column {} is text; use {} == \"value\"", col.name, col.name),
          col.name);
    }
    double max_value = 0;
    for (std::size_t r : rows) {
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
    for (std::size_t r : rows) {
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
  for (std::size_t r : rows) {
    bool hit = false;
    if (col.numeric) {
      const double v = col.numbers[r];
      hit = spec.op == EventSpec::Op::kGreater
                ? v > numbers[0]
                : std::find(numbers.begin(), numbers.end(), v) != numbers.end();
    } else {
      hit = std::find(spec.values.begin(), spec.values.end(), col.strings[r]) != spec.values.end();
    }
    events.push_back(hit ? 1 : 0);
  }
  return events;
}

std::string LevelText(double value) {
  std::string text = fmt::format("{:.15g}", value);
  return text;
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
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool missing = time->IsMissing(r) || event->IsMissing(r);
    for (const Column* g : groups) missing = missing || g->IsMissing(r);
    if (missing) {
      ++data.n_dropped;
      continue;
    }
    if (time->numbers[r] < 0) {
      return DataError(fmt::format("negative time {} in row {}", time->numbers[r], r + 1),
                       time->name);
    }
    rows.push_back(r);
  }
  if (rows.empty()) {
    return DataError(
        fmt::format("no rows left: all {} have a missing value in a used column", table.rows()),
        formula.text);
  }
  LC_ASSIGN_OR_RETURN(data.event, EventIndicator(*event, formula.event, rows));
  // Group ids: each grouping column's levels in R's order, then their combinations (the first
  // column varying slowest), numbered in that order among the combinations present.
  std::vector<std::vector<int>> level_of(groups.size(), std::vector<int>(rows.size()));
  std::vector<std::vector<std::string>> level_names(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Column& c = *groups[g];
    if (c.numeric) {
      std::vector<double> levels;
      for (std::size_t r : rows) levels.push_back(c.numbers[r]);
      std::sort(levels.begin(), levels.end());
      levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
      for (double v : levels) level_names[g].push_back(LevelText(v));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        level_of[g][i] = static_cast<int>(
            std::lower_bound(levels.begin(), levels.end(), c.numbers[rows[i]]) - levels.begin());
      }
    } else {
      std::map<std::string, int> levels;
      for (std::size_t r : rows) levels.emplace(c.strings[r], 0);
      int next = 0;
      for (auto& [name, id] : levels) {
        id = next++;
        level_names[g].push_back(name);
      }
      for (std::size_t i = 0; i < rows.size(); ++i) level_of[g][i] = levels.at(c.strings[rows[i]]);
    }
  }
  std::vector<std::uint64_t> key(rows.size(), 0);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::uint64_t radix = level_names[g].size();
    for (std::size_t i = 0; i < rows.size(); ++i)
      key[i] = key[i] * radix + static_cast<std::uint64_t>(level_of[g][i]);
  }
  std::map<std::uint64_t, int> index;
  for (std::uint64_t k : key) index.emplace(k, 0);
  int next = 0;
  for (auto& [k, id] : index) {
    id = next++;
    if (groups.empty()) {
      data.group_names.push_back("all");
      continue;
    }
    // Decode the mixed-radix key back into level names.
    std::vector<std::string> parts(groups.size());
    std::uint64_t rest = k;
    for (std::size_t g = groups.size(); g-- > 0;) {
      const std::uint64_t radix = level_names[g].size();
      parts[g] = groups[g]->name + "=" + level_names[g][rest % radix];
      rest /= radix;
    }
    data.group_names.push_back(fmt::format("{}", fmt::join(parts, ", ")));
  }
  data.time.reserve(rows.size());
  data.group.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    data.time.push_back(time->numbers[rows[i]]);
    data.group.push_back(index.at(key[i]));
  }
  return data;
}

}  // namespace livercell::stats
