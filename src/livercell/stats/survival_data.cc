#include "livercell/stats/survival_data.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

namespace livercell::stats {
namespace {

// A level of one grouping column: numeric (sorted numerically) or text (sorted as bytes).
struct Level {
  bool numeric;
  double number;
  std::string text;
  bool operator<(const Level& o) const {
    if (numeric != o.numeric) return numeric;
    return numeric ? number < o.number : text < o.text;
  }
};

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
      return DataError(fmt::format("the event column {} is text; use {} == \"value\"", col.name,
                                   col.name),
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
    return DataError(fmt::format("no rows left: all {} have a missing value in a used column",
                                 table.rows()),
                     formula.text);
  }
  LC_ASSIGN_OR_RETURN(data.event, EventIndicator(*event, formula.event, rows));
  // Group key per row, then R's order of the combined levels.
  std::map<std::vector<Level>, int> index;
  std::vector<std::vector<Level>> keys;
  for (std::size_t r : rows) {
    std::vector<Level> key;
    for (const Column* g : groups) {
      key.push_back(g->numeric ? Level{true, g->numbers[r], ""} : Level{false, 0, g->strings[r]});
    }
    index.emplace(key, 0);
    keys.push_back(std::move(key));
  }
  int next = 0;
  for (auto& [key, id] : index) {
    id = next++;
    std::string name;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (i > 0) name += ", ";
      name += groups[i]->name + "=" + (key[i].numeric ? LevelText(key[i].number) : key[i].text);
    }
    data.group_names.push_back(groups.empty() ? "all" : name);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    data.time.push_back(time->numbers[rows[i]]);
    data.group.push_back(index.at(keys[i]));
  }
  return data;
}

}  // namespace livercell::stats
