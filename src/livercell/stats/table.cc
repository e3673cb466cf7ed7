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

bool ParseNumber(std::string_view cell, double* value) {
  // Short unsigned integers (times, codes, counts) are most cells: read them directly.
  if (!cell.empty() && cell.size() <= 9) {
    std::uint32_t n = 0;
    std::size_t i = 0;
    for (; i < cell.size(); ++i) {
      const auto digit = static_cast<unsigned>(cell[i] - '0');
      if (digit > 9) break;
      n = n * 10 + digit;
    }
    if (i == cell.size()) {
      *value = n;
      return true;
    }
  }
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

// What a scan of records met besides the cells.
struct ScanState {
  bool saw_quote = false;        // a quoted field (which may hold a newline)
  bool bad_quote = false;        // one left open at the end of the text
  const char* bad_at = nullptr;  // the record it starts
};

// Calls visit(record start, field index, cell) for every field of every record in
// [begin, end), and end_record(record start, field count) after each record. Stops early when
// end_record returns false or a quote is left open.
template <typename Visit, typename EndRecord>
bool ForEachRecord(const char* begin, const char* end, ScanState& state, Visit&& visit,
                   EndRecord&& end_record) {
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
      state.saw_quote = state.saw_quote || (p < end && *p == '"');
      const std::string_view cell = Field(p, end, scratch, &state.bad_quote);
      if (state.bad_quote) {
        state.bad_at = record;
        return false;
      }
      visit(record, c, cell);
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
      begin, end, state,
      [&](const char*, std::size_t c, std::string_view cell) {
        if (c == column) codes.push_back(dictionary.Code(IsNa(cell) ? std::string_view() : cell));
      },
      [](const char*, std::size_t) { return true; });
}

// One slice of the body (whole records), parsed on its own thread.
struct Chunk {
  const char* begin = nullptr;
  const char* end = nullptr;
  std::vector<Column> columns;               // by header position; only the wanted ones are filled
  std::vector<TextDictionary> dictionaries;  // by header position, for text columns
  std::size_t rows = 0;
  std::string error;               // empty when the chunk parsed
  const char* error_at = nullptr;  // the start of the offending record
  bool saw_quote = false;          // a quoted field: the split may have cut through one
};

// Records in [begin, end), estimated from the length of the first few lines (for reserving
// column storage; an underestimate only costs a regrowth).
std::size_t EstimateRecords(const char* begin, const char* end) {
  const char* p = begin;
  std::size_t lines = 0;
  while (p < end && lines < 64) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
    ++lines;
  }
  if (lines == 0 || p == begin) return 1;
  const auto sampled = static_cast<double>(p - begin);
  return static_cast<std::size_t>(static_cast<double>(end - begin) / sampled * lines * 1.1) + 1;
}

// Sizes the chunk's columns for its estimated records. Called on the reading thread before
// the chunks are handed out, so that the big arrays come from the main heap (see cli/main.cc).
// The first chunk is sized for the whole body: the others are appended to it.
void PrepareChunk(Chunk& chunk, const char* body_end, std::size_t fields,
                  const std::vector<bool>& wanted) {
  const std::size_t records = EstimateRecords(chunk.begin, body_end);
  chunk.columns.resize(fields);
  chunk.dictionaries.resize(fields);
  for (std::size_t c = 0; c < fields; ++c) {
    if (!wanted[c]) continue;
    chunk.columns[c].numbers.reserve(records);
    chunk.columns[c].missing.reserve(records);
  }
}

void ParseChunk(Chunk& chunk, std::size_t fields, const std::vector<bool>& wanted) {
  auto visit = [&](const char* record, std::size_t c, std::string_view cell) {
    if (c >= fields || !wanted[c]) return;
    Column& column = chunk.columns[c];
    const bool na = IsNa(cell);
    column.missing.push_back(na ? 1 : 0);
    if (!column.numeric) {
      column.codes.push_back(chunk.dictionaries[c].Code(na ? std::string_view() : cell));
      return;
    }
    double value = std::numeric_limits<double>::quiet_NaN();
    if (na || ParseNumber(cell, &value)) {
      column.numbers.push_back(value);
      return;
    }
    // Text after all: recover this chunk's earlier cells of the column as written.
    column.numeric = false;
    column.numbers = {};
    column.codes.reserve(column.missing.capacity());
    ColumnText(chunk.begin, record, c, chunk.dictionaries[c], column.codes);
    column.codes.push_back(chunk.dictionaries[c].Code(cell));
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
  ForEachRecord(chunk.begin, chunk.end, state, visit, end_record);
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

// Splits [begin, end) into `parts` chunks and parses them, one thread each.
std::vector<Chunk> ParseChunks(const char* begin, const char* end, unsigned parts,
                               std::size_t fields, const std::vector<bool>& wanted) {
  std::vector<Chunk> chunks = Split(begin, end, parts);
  for (Chunk& chunk : chunks) {
    PrepareChunk(chunk, &chunk == &chunks.front() ? end : chunk.end, fields, wanted);
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < chunks.size(); ++i) {
    threads.emplace_back([&, i] { ParseChunk(chunks[i], fields, wanted); });
  }
  ParseChunk(chunks[0], fields, wanted);
  for (std::thread& t : threads) t.join();
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
      column.missing.push_back(IsNa(row[c]) ? 1 : 0);
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
  std::vector<bool> parse(header.size());
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
  std::vector<Chunk> chunks = ParseChunks(p, end, parts, header.size(), parse);
  if (chunks.size() > 1 &&
      std::any_of(chunks.begin(), chunks.end(), [](const Chunk& c) { return c.saw_quote; })) {
    chunks = ParseChunks(p, end, 1, header.size(), parse);
  }
  for (const Chunk& chunk : chunks) {
    if (chunk.error.empty()) continue;
    const auto line = std::count(text.data(), chunk.error_at, '\n') + 1;
    base::Status status = base::InvalidArgumentError(chunk.error);
    status.SetPath(fmt::format("{} line {}", path, line));
    return status;
  }
  Table table;
  for (const Chunk& chunk : chunks) table.rows_ += chunk.rows;
  for (std::size_t c = 0; c < header.size(); ++c) {
    Column column;
    column.name = header[c];
    if (parse[c]) {
      for (const Chunk& chunk : chunks) column.numeric = column.numeric && chunk.columns[c].numeric;
      column.missing = std::move(chunks[0].columns[c].missing);
      if (column.numeric) {
        column.numbers = std::move(chunks[0].columns[c].numbers);
        for (std::size_t i = 1; i < chunks.size(); ++i) {
          const Column& part = chunks[i].columns[c];
          column.missing.insert(column.missing.end(), part.missing.begin(), part.missing.end());
          column.numbers.insert(column.numbers.end(), part.numbers.begin(), part.numbers.end());
        }
      } else {
        // One dictionary for the column: the first chunk's, extended by the others (whose
        // codes are renumbered); a chunk that saw only numbers is read again as text.
        TextDictionary& dictionary = chunks[0].dictionaries[c];
        if (chunks[0].columns[c].numeric) {
          ColumnText(chunks[0].begin, chunks[0].end, c, dictionary, column.codes);
        } else {
          column.codes = std::move(chunks[0].columns[c].codes);
        }
        for (std::size_t i = 1; i < chunks.size(); ++i) {
          const Column& part = chunks[i].columns[c];
          column.missing.insert(column.missing.end(), part.missing.begin(), part.missing.end());
          if (part.numeric) {
            ColumnText(chunks[i].begin, chunks[i].end, c, dictionary, column.codes);
            continue;
          }
          const std::vector<std::string> texts = chunks[i].dictionaries[c].Values();
          std::vector<std::uint32_t> renumber(texts.size());
          for (std::size_t k = 0; k < texts.size(); ++k) renumber[k] = dictionary.Code(texts[k]);
          for (const std::uint32_t code : part.codes) column.codes.push_back(renumber[code]);
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
