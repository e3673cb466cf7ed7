#include "livercell/stats/table.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "livercell/base/csv.h"

namespace livercell::stats {
namespace {

bool IsNa(std::string_view cell) { return cell.empty() || cell == "NA"; }

bool ParseNumber(std::string_view cell, double* value) {
  if (cell == "TRUE") {
    *value = 1;
    return true;
  }
  if (cell == "FALSE") {
    *value = 0;
    return true;
  }
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), *value);
  return ec == std::errc() && end == cell.data() + cell.size();
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

base::Result<Table> Table::FromRows(std::vector<std::string> header,
                                    const std::vector<std::vector<std::string>>& rows) {
  Table table;
  table.rows_ = rows.size();
  for (std::size_t c = 0; c < header.size(); ++c) {
    Column column;
    column.name = header[c];
    column.missing.resize(rows.size());
    column.numbers.resize(rows.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::string& cell = rows[r][c];
      if (IsNa(cell)) {
        column.missing[r] = true;
        continue;
      }
      double value = 0;
      if (column.numeric && ParseNumber(cell, &value)) {
        column.numbers[r] = value;
      } else {
        column.numeric = false;
      }
    }
    if (!column.numeric) {
      column.numbers.clear();
      column.strings.resize(rows.size());
      for (std::size_t r = 0; r < rows.size(); ++r) {
        if (!column.missing[r]) column.strings[r] = rows[r][c];
      }
    }
    table.columns_.push_back(std::move(column));
  }
  return table;
}

base::Result<Table> Table::ReadCsv(const std::string& path) {
  LC_ASSIGN_OR_RETURN(std::unique_ptr<base::CsvReader> csv, base::CsvReader::Open(path));
  LC_ASSIGN_OR_RETURN(const bool any, csv->Next());
  if (!any) {
    base::Status status = base::InvalidArgumentError("the CSV is empty: expected a header row");
    status.SetPath(path);
    return status;
  }
  std::vector<std::string> header(csv->fields().begin(), csv->fields().end());
  std::vector<std::vector<std::string>> rows;
  for (;;) {
    LC_ASSIGN_OR_RETURN(const bool more, csv->Next());
    if (!more) break;
    if (csv->fields().size() == 1 && csv->fields()[0].empty()) continue;
    if (csv->fields().size() != header.size()) {
      base::Status status = base::InvalidArgumentError(fmt::format(
          "{} fields, the header has {}", csv->fields().size(), header.size()));
      status.SetPath(fmt::format("{} line {}", path, csv->line()));
      return status;
    }
    rows.emplace_back(csv->fields().begin(), csv->fields().end());
  }
  return FromRows(std::move(header), rows);
}

base::Result<const Column*> Table::Find(std::string_view name) const {
  const Column* best = nullptr;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const Column& column : columns_) {
    if (column.name == name) return &column;
    const std::size_t d = EditDistance(column.name, name);
    if (d < best_distance) {
      best_distance = d;
      best = &column;
    }
  }
  const std::string hint =
      best != nullptr && best_distance <= 2 ? fmt::format(" (did you mean \"{}\"?)", best->name) : "";
  base::Status status =
      base::InvalidArgumentError(fmt::format("unknown column \"{}\"{}", name, hint));
  status.SetPath("--formula").SetValue(std::string(name));
  return status;
}

}  // namespace livercell::stats
