#include "livercell/stats/table.h"

#include <fast_float/fast_float.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "livercell/base/closest.h"
#include "livercell/stats/first_seen.h"

namespace livercell::stats {
namespace {

// Below this size a file is parsed on one thread: starting threads would cost more.
constexpr std::size_t kMinChunkBytes = std::size_t{4} << 20;
constexpr unsigned kMaxChunks = 8;

bool IsNa(std::string_view cell) { return cell.empty() || cell == "NA"; }

// A text column's distinct values, numbered in order of first appearance.
using TextDictionary = FirstSeenCodes<std::string, std::string_view>;

// Powers of ten that are exact doubles.
constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Plain decimals ("12", "-0.25", "3.50"; at most 15 digits): most cells of an analysis file.
// The digits as an integer and the power of ten are both exact doubles, so their quotient,
// rounded once, is the double nearest the decimal, as fast_float would give (Clinger's fast
// path). Scans from `p` up to the first byte that cannot continue one and leaves `p` there;
// false (and `p` unmoved) when no decimal starts at `p` or it has too many digits.
[[gnu::always_inline]] inline bool ScanDecimal(const char*& p, const char* end, double* value) {
  const char* q = p;
  const bool negative = q < end && *q == '-';
  if (negative) ++q;
  std::uint64_t digits = 0;
  int count = 0, fraction = -1;
  for (; q < end; ++q) {
    const char ch = *q;
    if (ch == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    const auto digit = static_cast<unsigned>(ch - '0');
    if (digit > 9) break;
    if (++count > 15) return false;
    digits = digits * 10 + digit;
    if (fraction >= 0) ++fraction;
  }
  if (count == 0) return false;
  const double v = static_cast<double>(digits) / kPowersOfTen[fraction > 0 ? fraction : 0];
  *value = negative ? -v : v;
  p = q;
  return true;
}

// A whole cell that is a plain decimal.
bool ParseDecimal(std::string_view cell, double* value) {
  const char* p = cell.data();
  const char* end = p + cell.size();
  return ScanDecimal(p, end, value) && p == end;
}

bool ParseNumber(std::string_view cell, double* value) {
  // A leading '+' is part of a number, as R reads it ("+7" is 7); a second sign is not.
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '+' && cell[1] != '-') {
    cell.remove_prefix(1);
  }
  if (ParseDecimal(cell, value)) return true;
  if (cell == "TRUE") {
    *value = 1;
    return true;
  }
  if (cell == "FALSE") {
    *value = 0;
    return true;
  }
  const char* end = cell.data() + cell.size();
  const auto [ptr, ec] = fast_float::from_chars(cell.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

// The bytes of the input: a regular file is mapped, anything else (standard input, a pipe)
// read into memory.
class InputText {
 public:
  InputText() = default;
  InputText(const InputText&) = delete;
  InputText& operator=(const InputText&) = delete;
  ~InputText() {
    if (mapped_ != nullptr) munmap(mapped_, size_);
  }

  static base::Result<std::unique_ptr<InputText>> Open(const std::string& path) {
    auto text = std::make_unique<InputText>();
    const int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path);
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      text->size_ = static_cast<std::size_t>(st.st_size);
      void* map = mmap(nullptr, text->size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (map != MAP_FAILED) text->mapped_ = static_cast<char*>(map);
    }
    if (text->mapped_ == nullptr) {
      text->size_ = 0;
      char buffer[1 << 16];
      for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          if (fd != STDIN_FILENO) ::close(fd);
          base::Status status(base::StatusCode::kInvalidArgument,
                              fmt::format("read error: {}", std::strerror(errno)));
          status.SetPath(path);
          return status;
        }
        if (n == 0) break;
        text->owned_.append(buffer, static_cast<std::size_t>(n));
      }
    }
    if (fd != STDIN_FILENO) ::close(fd);
    return text;
  }

  std::string_view view() const {
    return mapped_ != nullptr ? std::string_view(mapped_, size_) : std::string_view(owned_);
  }

 private:
  static base::Status OpenError(const std::string& path) {
    base::Status status(
        errno == ENOENT ? base::StatusCode::kNotFound : base::StatusCode::kInvalidArgument,
        fmt::format("cannot open: {}", std::strerror(errno)));
    status.SetPath(path).SetValue(path);
    return status;
  }

  char* mapped_ = nullptr;
  std::size_t size_ = 0;
  std::string owned_;
};

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

bool IsBlankLine(const char* p, const char* end) {
  return *p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n');
}

const char* SkipBlankLine(const char* p) { return p + (*p == '\r' ? 2 : 1); }

// How many bytes of [begin, end) are `byte`. Eight bytes at a time: a byte of x = word ^
// (byte × 0x0101…) is zero where the word has one; ~((x & 0x7f…) + 0x7f… | x | 0x7f…) has
// the high bit of exactly those bytes set (no carry crosses a byte). Shifted down to one per
// byte they are added up bytewise, at most 255 words at a time, then summed across the bytes
// (pairs into 16-bit lanes, lanes by a multiplication).
std::size_t CountByte(const char* begin, const char* end, char byte) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kLow7 = 0x7f7f7f7f7f7f7f7fULL,
                          kEvenBytes = 0x00ff00ff00ff00ffULL, kLanes = 0x0001000100010001ULL;
  const std::uint64_t pattern = kOnes * static_cast<unsigned char>(byte);
  std::size_t count = 0;
  const char* p = begin;
  while (end - p >= 8) {
    std::uint64_t per_byte = 0;
    for (int k = 0; k < 255 && end - p >= 8; ++k, p += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, sizeof word);
      const std::uint64_t x = word ^ pattern;
      per_byte += (~(((x & kLow7) + kLow7) | x | kLow7)) >> 7;
    }
    const std::uint64_t pairs = (per_byte & kEvenBytes) + ((per_byte >> 8) & kEvenBytes);
    count += static_cast<std::size_t>((pairs * kLanes) >> 48);
  }
  for (; p < end; ++p) count += *p == byte ? 1 : 0;
  return count;
}

// Whether a field's text ends at `p`: a delimiter or the end follows (a '\r' before one is the
// line's end, as Field() takes it).
bool EndsField(const char* p, const char* end) {
  if (p < end && *p == '\r') ++p;
  return p == end || *p == ',' || *p == '\n';
}

// What a scan of records met besides the cells.
struct ScanState {
  bool saw_quote = false;        // a quoted field (which may hold a newline)
  bool bad_quote = false;        // one left open at the end of the text
  const char* bad_at = nullptr;  // the record it starts
};

// Calls visit(record start, field index, cell) for every field up to `last` of every record
// in [begin, end), and end_record(record start, field count) after each record. Stops early
// when end_record returns false or a quote is left open. The fields after `last` are only
// counted (their commas), unless the rest of the line holds a quote. A field for which
// number_slot(field index) gives a place is first tried as a plain decimal read straight from
// the text, stored there instead of visited (one pass over its bytes, not two).
template <typename NumberSlot, typename Visit, typename EndRecord>
bool ForEachRecord(const char* begin, const char* end, std::size_t last, ScanState& state,
                   NumberSlot&& number_slot, Visit&& visit, EndRecord&& end_record) {
  std::string scratch;
  const char* p = begin;
  while (p < end) {
    if (IsBlankLine(p, end)) {
      p = SkipBlankLine(p);
      continue;
    }
    const char* record = p;
    std::size_t c = 0;
    for (;; ++c) {
      double* slot = number_slot(c);
      const char* after = p;
      double value = 0;
      if (slot != nullptr && ScanDecimal(after, end, &value) && EndsField(after, end)) {
        *slot = value;
        p = after < end && *after == '\r' ? after + 1 : after;
      } else {
        state.saw_quote = state.saw_quote || (p < end && *p == '"');
        const std::string_view cell = Field(p, end, scratch, &state.bad_quote);
        if (state.bad_quote) {
          state.bad_at = record;
          return false;
        }
        visit(record, c, cell);
      }
      if (c == last && p < end && *p == ',') {
        const auto rest = static_cast<std::size_t>(end - p);
        const auto* nl = static_cast<const char*>(std::memchr(p, '\n', rest));
        const char* line_end = nl != nullptr ? nl : end;
        const auto span = static_cast<std::size_t>(line_end - p);
        if (std::memchr(p, '"', span) == nullptr) {
          c += CountByte(p, line_end, ',');
          p = line_end;
        }
      }
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      if (p < end) ++p;  // newline
      break;
    }
    if (!end_record(record, c + 1)) return false;
  }
  return true;
}

// Codes the text of column `column` in every record of [begin, end) ("" where NA) into
// `dictionary`, appending to `codes`: used when a column first taken for numbers turns out to
// hold text, to recover its cells as written.
void ColumnText(const char* begin, const char* end, std::size_t column, TextDictionary& dictionary,
                std::vector<std::uint32_t>& codes) {
  ScanState state;
  ForEachRecord(
      begin, end, column, state, [](std::size_t) -> double* { return nullptr; },
      [&](const char*, std::size_t c, std::string_view cell) {
        if (c == column) codes.push_back(dictionary.Code(IsNa(cell) ? std::string_view() : cell));
      },
      [](const char*, std::size_t) { return true; });
}

// One slice of the body (whole records), parsed on its own thread into rows
// [offset, offset + rows) of the table's columns.
struct Chunk {
  const char* begin = nullptr;
  const char* end = nullptr;
  std::size_t lines = 0;   // lines in [begin, end): at most this many records
  std::size_t offset = 0;  // the row of the table its first record fills
  std::size_t rows = 0;
  // Per header position: whether the column held only numbers here, and, once it held text,
  // the codes of this chunk's cells in the chunk's own dictionary.
  std::vector<std::uint8_t> numeric;
  std::vector<std::vector<std::uint32_t>> codes;
  std::vector<TextDictionary> dictionaries;
  std::string error;               // empty when the chunk parsed
  const char* error_at = nullptr;  // the start of the offending record
  bool saw_quote = false;          // a quoted field: the split may have cut through one
};

// The wanted columns' numbers (NaN = missing), by header position, filled in place by every
// chunk.
using Cells = std::vector<Buffer<double>>;

// Newlines in [begin, end), plus one for a last line without: at most this many records.
std::size_t CountLines(const char* begin, const char* end) {
  return CountByte(begin, end, '\n') + (end > begin && end[-1] != '\n' ? 1 : 0);
}

void ParseChunk(Chunk& chunk, std::size_t fields, const std::vector<std::uint8_t>& wanted,
                Cells& cells) {
  chunk.numeric.assign(fields, 1);
  chunk.codes.resize(fields);
  chunk.dictionaries.resize(fields);
  auto visit = [&](const char* record, std::size_t c, std::string_view cell) {
    if (c >= fields || wanted[c] == 0) return;
    const std::size_t row = chunk.offset + chunk.rows;
    const bool na = IsNa(cell);
    if (chunk.numeric[c] == 0) {
      chunk.codes[c].push_back(chunk.dictionaries[c].Code(na ? std::string_view() : cell));
      return;
    }
    double value = std::numeric_limits<double>::quiet_NaN();
    if (na || ParseNumber(cell, &value)) {
      cells[c][row] = value;
      return;
    }
    // Text after all: recover this chunk's earlier cells of the column as written.
    chunk.numeric[c] = 0;
    chunk.codes[c].reserve(chunk.lines);
    ColumnText(chunk.begin, record, c, chunk.dictionaries[c], chunk.codes[c]);
    chunk.codes[c].push_back(chunk.dictionaries[c].Code(cell));
  };
  auto end_record = [&](const char* record, std::size_t count) {
    if (count != fields) {
      chunk.error = fmt::format("{} fields, the header has {}", count, fields);
      chunk.error_at = record;
      return false;
    }
    ++chunk.rows;
    return true;
  };
  ScanState state;
  std::size_t last = 0;
  for (std::size_t c = 0; c < fields; ++c) {
    if (wanted[c] != 0) last = c;
  }
  auto number_slot = [&](std::size_t c) -> double* {
    if (c >= fields || wanted[c] == 0 || chunk.numeric[c] == 0) return nullptr;
    return &cells[c][chunk.offset + chunk.rows];
  };
  ForEachRecord(chunk.begin, chunk.end, last, state, number_slot, visit, end_record);
  chunk.saw_quote = state.saw_quote;
  if (state.bad_quote) {
    chunk.error = "unterminated quoted field";
    chunk.error_at = state.bad_at;
  }
}

// Splits [begin, end) into `parts` ranges of whole records.
std::vector<Chunk> Split(const char* begin, const char* end, unsigned parts) {
  std::vector<Chunk> chunks;
  const auto size = static_cast<std::size_t>(end - begin);
  const char* start = begin;
  for (unsigned i = 1; i <= parts && start < end; ++i) {
    const char* stop = i == parts ? end : begin + size * i / parts;
    if (stop < start) stop = start;
    if (stop < end) {
      const void* nl = std::memchr(stop, '\n', static_cast<std::size_t>(end - stop));
      stop = nl == nullptr ? end : static_cast<const char*>(nl) + 1;
    }
    Chunk chunk;
    chunk.begin = start;
    chunk.end = stop;
    chunks.push_back(std::move(chunk));
    start = stop;
  }
  return chunks;
}

// Calls work(chunk) for every chunk, the first on this thread and the others on their own.
template <typename Work>
void ForEachChunk(std::vector<Chunk>& chunks, Work&& work) {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < chunks.size(); ++i) {
    threads.emplace_back([&work, &chunks, i] { work(chunks[i]); });
  }
  if (!chunks.empty()) work(chunks[0]);
  for (std::thread& t : threads) t.join();
}

// Splits [begin, end) into `parts` chunks, sizes the wanted columns for every line (on this
// thread, so that the big arrays come from the main heap: see cli/main.cc), and parses the
// chunks, one thread each, straight into their rows. Rows a chunk did not fill (blank
// lines, or an error) are closed up afterwards.
std::vector<Chunk> ParseChunks(const char* begin, const char* end, unsigned parts,
                               std::size_t fields, const std::vector<std::uint8_t>& wanted,
                               Cells& cells, std::size_t* rows) {
  std::vector<Chunk> chunks = Split(begin, end, parts);
  ForEachChunk(chunks, [](Chunk& chunk) { chunk.lines = CountLines(chunk.begin, chunk.end); });
  std::size_t lines = 0;
  for (Chunk& chunk : chunks) {
    chunk.offset = lines;
    lines += chunk.lines;
  }
  cells.assign(fields, {});
  for (std::size_t c = 0; c < fields; ++c) {
    if (wanted[c] != 0) cells[c].resize(lines);
  }
  ForEachChunk(chunks, [&](Chunk& chunk) { ParseChunk(chunk, fields, wanted, cells); });
  *rows = 0;
  for (Chunk& chunk : chunks) {
    if (chunk.offset != *rows) {
      for (std::size_t c = 0; c < fields; ++c) {
        if (wanted[c] == 0) continue;
        std::memmove(&cells[c][*rows], &cells[c][chunk.offset], chunk.rows * sizeof(double));
      }
      chunk.offset = *rows;
    }
    *rows += chunk.rows;
  }
  for (Buffer<double>& column : cells) column.resize(*rows);
  return chunks;
}

}  // namespace

base::Result<Table> Table::FromRows(std::vector<std::string> header,
                                    const std::vector<std::vector<std::string>>& rows) {
  Table table;
  table.rows_ = rows.size();
  for (std::size_t c = 0; c < header.size(); ++c) {
    Column column;
    column.name = header[c];
    for (const auto& row : rows) {
      double value = 0;
      if (!IsNa(row[c]) && !ParseNumber(row[c], &value)) column.numeric = false;
    }
    TextDictionary dictionary;
    for (const auto& row : rows) {
      double value = std::numeric_limits<double>::quiet_NaN();
      if (column.numeric) {
        if (!IsNa(row[c])) ParseNumber(row[c], &value);
        column.numbers.push_back(value);
      } else {
        column.codes.push_back(dictionary.Code(IsNa(row[c]) ? "" : row[c]));
      }
    }
    column.texts = dictionary.Values();
    table.columns_.push_back(std::move(column));
  }
  return table;
}

base::Result<Table> Table::ReadCsv(const std::string& path,
                                   const std::vector<std::string>& wanted) {
  LC_ASSIGN_OR_RETURN(const std::unique_ptr<InputText> input, InputText::Open(path));
  const std::string_view text = input->view();
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
  std::vector<std::uint8_t> parse(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    parse[c] = wanted.empty() || std::find(wanted.begin(), wanted.end(), header[c]) != wanted.end();
  }
  // Chunks are cut at newlines. A quoted field may hold a newline, so when any chunk met a
  // quoted field the body is parsed again in one piece (analysis files rarely quote).
  const auto body = static_cast<std::size_t>(end - p);
  unsigned parts = 1;
  if (body >= 2 * kMinChunkBytes) {
    parts = std::min({std::max(1u, std::thread::hardware_concurrency()), kMaxChunks,
                      static_cast<unsigned>(body / kMinChunkBytes)});
  }
  Table table;
  Cells cells;
  std::vector<Chunk> chunks = ParseChunks(p, end, parts, header.size(), parse, cells, &table.rows_);
  if (chunks.size() > 1 &&
      std::any_of(chunks.begin(), chunks.end(), [](const Chunk& c) { return c.saw_quote; })) {
    chunks = ParseChunks(p, end, 1, header.size(), parse, cells, &table.rows_);
  }
  for (const Chunk& chunk : chunks) {
    if (chunk.error.empty()) continue;
    const auto line = std::count(text.data(), chunk.error_at, '\n') + 1;
    base::Status status = base::InvalidArgumentError(chunk.error);
    status.SetPath(fmt::format("{} line {}", path, line));
    return status;
  }
  for (std::size_t c = 0; c < header.size(); ++c) {
    Column column;
    column.name = header[c];
    if (parse[c] != 0) {
      for (const Chunk& chunk : chunks) column.numeric = column.numeric && chunk.numeric[c] != 0;
      if (column.numeric) {
        column.numbers = std::move(cells[c]);
      } else {
        // One dictionary for the column: the first text chunk's, extended by the others (whose
        // codes are renumbered); a chunk that saw only numbers is read again as text.
        cells[c] = {};
        TextDictionary dictionary;
        column.codes.reserve(table.rows_);
        for (Chunk& chunk : chunks) {
          if (chunk.numeric[c] != 0) {
            ColumnText(chunk.begin, chunk.end, c, dictionary, column.codes);
            continue;
          }
          const std::vector<std::string> texts = chunk.dictionaries[c].Values();
          std::vector<std::uint32_t> renumber(texts.size());
          for (std::size_t k = 0; k < texts.size(); ++k) renumber[k] = dictionary.Code(texts[k]);
          for (const std::uint32_t code : chunk.codes[c]) column.codes.push_back(renumber[code]);
        }
        column.texts = dictionary.Values();
      }
    }
    table.columns_.push_back(std::move(column));
  }
  return table;
}

base::Result<const Column*> Table::Find(std::string_view name) const {
  std::vector<std::string> names;
  for (const Column& column : columns_) {
    if (column.name == name) return &column;
    names.push_back(column.name);
  }
  const std::optional<std::string> closest = base::ClosestName(name, names);
  const std::string hint = closest ? fmt::format(" (did you mean \"{}\"?)", *closest) : "";
  base::Status status =
      base::InvalidArgumentError(fmt::format("unknown column \"{}\"{}", name, hint));
  status.SetPath("--formula").SetValue(std::string(name));
  return status;
}

}  // namespace livercell::stats
