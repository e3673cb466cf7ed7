// Where a command or an import writes: standard output, or a PATH, which is written to a
// temporary file beside PATH and renamed over it only on Commit(), so a failed or interrupted
// run never leaves a half-written file (DESIGN.md §4: nothing lost on bad input or a crash).
#ifndef LIVERCELL_BASE_OUTPUT_SINK_H_
#define LIVERCELL_BASE_OUTPUT_SINK_H_

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "livercell/base/result.h"

namespace livercell::base {

class OutputSink {
 public:
  // `path` empty or "-" = standard output. kUnavailable if the temporary file cannot be made.
  static base::Result<std::unique_ptr<OutputSink>> Open(std::string_view path);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  std::FILE* file() const { return file_; }
  void Write(std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), file_); }
  // Flushes, and for a file renames it into place. kUnavailable on an I/O error.
  base::Status Commit();

 private:
  OutputSink(std::FILE* file, std::string path, std::string temp_path)
      : file_(file), path_(std::move(path)), temp_path_(std::move(temp_path)) {}

  std::FILE* file_;
  std::string path_;       // empty for stdout
  std::string temp_path_;  // empty for stdout
  bool committed_ = false;
};

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_OUTPUT_SINK_H_
