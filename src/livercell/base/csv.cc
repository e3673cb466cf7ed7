#include "livercell/base/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

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
    return true;
  }
}

Status CsvReader::LineError(std::string message) const {
  Status status = InvalidArgumentError(std::move(message));
  status.SetPath(fmt::format("line {}", record_line_));
  return status;
}

Result<bool> CsvReader::Next() {
  record_.clear();
  ends_.clear();
  fields_.clear();
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
