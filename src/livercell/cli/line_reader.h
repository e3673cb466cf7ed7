// Reads a file descriptor line by line in constant memory: lines longer than `max_line_bytes`
// are not kept but reported as too long (and skipped up to their newline), so one runaway line
// cannot exhaust memory. A final line without a newline is still returned. Not thread-safe.
#ifndef LIVERCELL_CLI_LINE_READER_H_
#define LIVERCELL_CLI_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "livercell/base/status.h"

namespace livercell::cli {

class LineReader {
 public:
  LineReader(int fd, std::size_t max_line_bytes);

  enum class Next { kLine, kTooLong, kEnd };
  // Advances to the next line. kLine: line() is valid until the next call (without its "\n"
  // or "\r\n"). kTooLong: the line exceeded the limit and was skipped. kEnd: no more input.
  // An I/O error is kEnd with error() set.
  Next Read();
  std::string_view line() const { return line_; }
  // Bytes consumed so far (for progress).
  std::uint64_t bytes_read() const { return bytes_read_; }
  const base::Status& error() const { return error_; }

 private:
  bool Fill();  // reads more input; false at end of file or on error

  int fd_;
  std::size_t max_line_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // start of unconsumed data
  std::size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  std::string_view line_;
  std::uint64_t bytes_read_ = 0;
  base::Status error_;
};

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_LINE_READER_H_
