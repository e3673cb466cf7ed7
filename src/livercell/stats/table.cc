#include "livercell/stats/table.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>

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

// Appends one cell to a column, typing it as it goes: a column is numeric until its first
// present cell that is not a number; then it turns to text, earlier numbers keeping their text.
void AppendCell(Column& column, std::string_view cell) {
  const bool na = IsNa(cell);
  column.missing.push_back(na);
  if (!column.numeric) {
    column.strings.emplace_back(na ? std::string_view() : cell);
    return;
  }
  double value = std::numeric_limits<double>::quiet_NaN();
  if (na || ParseNumber(cell, &value)) {
    column.numbers.push_back(value);
    return;
  }
  column.numeric = false;
  for (std::size_t r = 0; r < column.numbers.size(); ++r) {
    column.strings.push_back(column.missing[r] ? "" : fmt::format("{}", column.numbers[r]));
  }
  column.numbers.clear();
  column.strings.emplace_back(cell);
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
    for (const auto& row : rows) AppendCell(column, row[c]);
    table.columns_.push_back(std::move(column));
  }
  return table;
}

namespace {

base::Result<std::string> ReadWhole(const std::string& path) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    base::Status status(
        errno == ENOENT ? base::StatusCode::kNotFound : base::StatusCode::kInvalidArgument,
        fmt::format("cannot open: {}", std::strerror(errno)));
    status.SetPath(path).SetValue(path);
    return status;
  }
  std::string text;
  struct stat st {};
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    // A regular file is read in one go into a buffer of its size (no regrowth copies).
    text.resize(static_cast<std::size_t>(st.st_size));
    text.resize(std::fread(text.data(), 1, text.size(), f));
  } else {
    char buffer[1 << 16];
    for (;;) {
      const std::size_t n = std::fread(buffer, 1, sizeof buffer, f);
      text.append(buffer, n);
      if (n < sizeof buffer) break;
    }
  }
  const bool failed = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (failed) {
    base::Status status(base::StatusCode::kInvalidArgument, "read error");
    status.SetPath(path);
    return status;
  }
  return text;
}

// Reads one field starting at `p`; returns its text (unescaped into `scratch` when quoted)
// and leaves `p` on the delimiter (',' or '\n' or end).
std::string_view Field(const char*& p, const char* end, std::string& scratch, bool* bad_quote) {
  if (p < end && *p == '"') {
    scratch.clear();
    ++p;
    for (;;) {
      if (p >= end) {
        *bad_quote = true;
        return scratch;
      }
      if (*p == '"') {
        if (p + 1 < end && p[1] == '"') {
          scratch.push_back('"');
          p += 2;
          continue;
        }
        ++p;
        break;
      }
      scratch.push_back(*p++);
    }
    return scratch;
  }
  const char* start = p;
  while (p < end && *p != ',' && *p != '\n') ++p;
  const char* stop = p;
  if (stop > start && stop[-1] == '\r') --stop;
  return std::string_view(start, static_cast<std::size_t>(stop - start));
}

}  // namespace

base::Result<Table> Table::ReadCsv(const std::string& path,
                                   const std::vector<std::string>& wanted) {
  LC_ASSIGN_OR_RETURN(const std::string text, ReadWhole(path));
  const char* p = text.data();
  const char* end = p + text.size();
  std::string scratch;
  bool bad_quote = false;
  std::vector<std::string> header;
  while (p < end) {
    header.emplace_back(Field(p, end, scratch, &bad_quote));
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    if (p < end) ++p;  // newline
    break;
  }
  if (header.empty()) {
    base::Status status = base::InvalidArgumentError("the CSV is empty: expected a header row");
    status.SetPath(path);
    return status;
  }
  Table table;
  std::vector<int> slot(header.size(), -1);  // header index → parsed column index, or -1
  for (std::size_t c = 0; c < header.size(); ++c) {
    Column column;
    column.name = header[c];
    const bool parse =
        wanted.empty() || std::find(wanted.begin(), wanted.end(), header[c]) != wanted.end();
    if (parse) slot[c] = static_cast<int>(c);
    table.columns_.push_back(std::move(column));
  }
  // Reserve every parsed column for the number of lines, so that nothing is copied as it grows.
  const auto lines = static_cast<std::size_t>(std::count(p, end, '\n')) + 1;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (slot[c] < 0) continue;
    table.columns_[c].numbers.reserve(lines);
    table.columns_[c].missing.reserve(lines);
  }
  std::size_t rows = 0;
  std::int64_t line = 1;
  while (p < end) {
    ++line;
    if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {  // blank line
      p += *p == '\r' ? 2 : 1;
      continue;
    }
    std::size_t c = 0;
    for (;; ++c) {
      const std::string_view cell = Field(p, end, scratch, &bad_quote);
      if (bad_quote) {
        base::Status status = base::InvalidArgumentError("unterminated quoted field");
        status.SetPath(fmt::format("{} line {}", path, line));
        return status;
      }
      if (c < header.size() && slot[c] >= 0) AppendCell(table.columns_[c], cell);
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      if (p < end) ++p;  // newline
      break;
    }
    if (c + 1 != header.size()) {
      base::Status status = base::InvalidArgumentError(
          fmt::format("{} fields, the header has {}", c + 1, header.size()));
      status.SetPath(fmt::format("{} line {}", path, line));
      return status;
    }
    ++rows;
  }
  table.rows_ = rows;
  return table;
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
  const std::string hint = best != nullptr && best_distance <= 2
                               ? fmt::format(" (did you mean \"{}\"?)", best->name)
                               : "";
  base::Status status =
      base::InvalidArgumentError(fmt::format("unknown column \"{}\"{}", name, hint));
  status.SetPath("--formula").SetValue(std::string(name));
  return status;
}

}  // namespace livercell::stats
