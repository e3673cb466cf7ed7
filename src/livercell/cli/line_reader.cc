#include "livercell/cli/line_reader.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace livercell::cli {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 16;

}  // namespace

LineReader::LineReader(int fd, std::size_t max_line_bytes)
    : fd_(fd), max_line_bytes_(max_line_bytes), buffer_(max_line_bytes + 2 * kChunkBytes) {}

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // slide the partial line to the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      bytes_read_ += static_cast<std::uint64_t>(n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = base::Status(base::StatusCode::kUnavailable,
                            fmt::format("read error: {}", std::strerror(errno)));
    }
    eof_ = true;
    return false;
  }
}

LineReader::Next LineReader::Read() {
  bool skipping = false;  // inside a line that is too long
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
      begin_ += length + 1;
      if (skipping || length > max_line_bytes_) return Next::kTooLong;
      line_ = std::string_view(start, length);
      if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
      return Next::kLine;
    }
    if (end_ - begin_ > max_line_bytes_) {  // drop what we have of an over-long line
      skipping = true;
      begin_ = end_ = 0;
    }
    if (!Fill()) {
      if (end_ == begin_) return skipping ? Next::kTooLong : Next::kEnd;
      line_ = std::string_view(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      if (skipping || line_.size() > max_line_bytes_) return Next::kTooLong;
      if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
      return Next::kLine;
    }
  }
}

}  // namespace livercell::cli
