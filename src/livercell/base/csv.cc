#include "livercell/base/csv.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace livercell::base {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 16;

}  // namespace

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<CsvReader>(new CsvReader(STDIN_FILENO, false, ""));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Status status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kInvalidArgument,
                  fmt::format("cannot open: {}", std::strerror(errno)));
    status.SetPath(path).SetValue(path);
    return status;
  }
  auto reader = std::unique_ptr<CsvReader>(new CsvReader(fd, true, ""));
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    reader->size_bytes_ = static_cast<std::uint64_t>(st.st_size);
  }
  return reader;
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string text) {
  auto reader = std::unique_ptr<CsvReader>(new CsvReader(-1, false, std::move(text)));
  reader->size_bytes_ = reader->buffer_.size();
  reader->bytes_read_ = reader->buffer_.size();
  reader->eof_ = true;
  return reader;
}

CsvReader::CsvReader(int fd, bool owns_fd, std::string preload)
    : fd_(fd), owns_fd_(owns_fd), buffer_(std::move(preload)) {}

CsvReader::~CsvReader() {
  if (owns_fd_) ::close(fd_);
}

bool CsvReader::Fill() {
  if (eof_) return false;
  buffer_.resize(kChunkBytes);
  pos_ = 0;
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data(), kChunkBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      buffer_.clear();
      eof_ = true;
      return false;
    }
    buffer_.resize(static_cast<std::size_t>(n));
    bytes_read_ += static_cast<std::uint64_t>(n);
    if (hash_) hash_->Update(buffer_);
    return true;
  }
}

Status CsvReader::LineError(std::string message) const {
  Status status = InvalidArgumentError(std::move(message));
  status.SetPath(fmt::format("line {}", record_line_));
  return status;
}

bool CsvReader::NextPlainRecord() {
  const char* begin = buffer_.data() + pos_;
  const std::size_t left = buffer_.size() - pos_;
  const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', left));
  if (newline == nullptr) return false;  // the record goes on in the next chunk
  std::string_view line(begin, static_cast<std::size_t>(newline - begin));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF
  if (std::memchr(line.data(), '"', line.size()) != nullptr ||
      std::memchr(line.data(), '\r', line.size()) != nullptr) {
    return false;
  }
  for (std::size_t start = 0;;) {
    const std::size_t comma = line.find(',', start);
    fields_.emplace_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  record_line_ = line_++;
  pos_ += static_cast<std::size_t>(newline - begin) + 1;
  return true;
}

Result<bool> CsvReader::Next() {
  fields_.clear();
  if (NextPlainRecord()) return true;
  record_.clear();
  ends_.clear();
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  State state = State::kFieldStart;
  record_line_ = line_;
  bool any = false;  // anything read for this record
  for (;;) {
    if (pos_ >= buffer_.size() && !Fill()) {
      if (state == State::kQuoted) return LineError("unterminated quoted field");
      if (!any) return false;
      ends_.push_back(record_.size());
      break;
    }
    const char c = buffer_[pos_++];
    any = true;
    if (record_.size() > kMaxRecordBytes) {
      return LineError(fmt::format("record longer than {} bytes", kMaxRecordBytes));
    }
    if (state == State::kQuoted) {
      if (c == '"') {
        state = State::kQuoteInQuoted;
      } else {
        if (c == '\n') ++line_;
        record_.push_back(c);
      }
      continue;
    }
    if (state == State::kQuoteInQuoted) {
      if (c == '"') {  // an escaped quote
        record_.push_back('"');
        state = State::kQuoted;
        continue;
      }
      if (c != ',' && c != '\n' && c != '\r') {
        return LineError("text after a closing quote (quote the whole field, double inner quotes)");
      }
      state = State::kUnquoted;  // fall through to the delimiter handling below
    }
    if (c == ',') {
      ends_.push_back(record_.size());
      state = State::kFieldStart;
    } else if (c == '\n') {
      ++line_;
      ends_.push_back(record_.size());
      break;
    } else if (c == '\r') {
      // CR of a CRLF line end: ignored.
    } else if (c == '"' && state == State::kFieldStart) {
      state = State::kQuoted;
    } else {
      record_.push_back(c);
      state = State::kUnquoted;
    }
  }
  std::size_t start = 0;
  for (std::size_t end : ends_) {
    fields_.emplace_back(record_.data() + start, end - start);
    start = end;
  }
  return true;
}

Result<CsvTable> CsvTable::Open(const std::string& path) {
  CsvTable table;
  LC_ASSIGN_OR_RETURN(table.reader_, CsvReader::Open(path));
  table.reader_->HashInput();
  const std::size_t slash = path.find_last_of('/');
  table.name_ = slash == std::string::npos ? path : path.substr(slash + 1);
  LC_ASSIGN_OR_RETURN(const bool any, table.reader_->Next());
  if (!any) return table.Error("", "the file is empty: expected a header row");
  for (std::string_view field : table.reader_->fields()) table.header_.emplace_back(field);
  return table;
}

Result<bool> CsvTable::Next() {
  LC_ASSIGN_OR_RETURN(const bool any, reader_->Next());
  if (any && reader_->fields().size() != header_.size()) {
    return Error(
        "", fmt::format("{} fields, the header has {}", reader_->fields().size(), header_.size()));
  }
  return any;
}

std::optional<std::size_t> CsvTable::IndexOf(std::string_view column) const {
  const auto it = std::find(header_.begin(), header_.end(), column);
  if (it == header_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - header_.begin());
}

bool CsvTable::Has(std::string_view column) const {
  return std::find(header_.begin(), header_.end(), column) != header_.end();
}

Status CsvTable::Require(std::span<const std::string_view> columns) const {
  for (std::string_view column : columns) {
    if (!Has(column)) {
      Status status = InvalidArgumentError("column missing from the header");
      status.SetPath(fmt::format("{} line 1, column \"{}\"", name_, column));
      return status;
    }
  }
  return OkStatus();
}

Result<std::string> CsvTable::Text(std::string_view column) const {
  const auto it = std::find(header_.begin(), header_.end(), column);
  if (it == header_.end()) return Error(column, "column missing from the header");
  return std::string(reader_->fields()[static_cast<std::size_t>(it - header_.begin())]);
}

Result<std::optional<double>> CsvTable::OptionalNumber(std::string_view column) const {
  LC_ASSIGN_OR_RETURN(const std::string text, Text(column));
  if (text.empty() || text == "NA") return std::optional<double>();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error(column, fmt::format("\"{}\" is not a number", text));
  }
  return std::optional<double>(value);
}

Result<double> CsvTable::Number(std::string_view column) const {
  LC_ASSIGN_OR_RETURN(const std::optional<double> value, OptionalNumber(column));
  if (!value) return Error(column, "a number is required here");
  return *value;
}

Status CsvTable::Error(std::string_view column, std::string message) const {
  Status status = InvalidArgumentError(std::move(message));
  status.SetPath(column.empty() ? fmt::format("{} line {}", name_, line())
                                : fmt::format("{} line {}, column \"{}\"", name_, line(), column));
  return status;
}

Status CsvTable::Wrap(std::string_view column, const Status& cause) const {
  Status status(cause.code(), std::string(cause.message()));
  status.SetPath(fmt::format("{} line {}, column \"{}\"", name_, line(), column));
  status.SetValue(cause.value()).SetAllowed(std::string(cause.allowed()));
  status.SetSource(std::string(cause.source()));
  return status;
}

std::string CsvField(std::string_view field) {
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void AppendCsvLine(const std::vector<std::string>& fields, std::string* out) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += CsvField(fields[i]);
  }
  out->push_back('\n');
}

}  // namespace livercell::base
