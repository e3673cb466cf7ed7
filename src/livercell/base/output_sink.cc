#include "livercell/base/output_sink.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace livercell::base {

base::Result<std::unique_ptr<OutputSink>> OutputSink::Open(std::string_view path) {
  if (path.empty() || path == "-") {
    return std::unique_ptr<OutputSink>(new OutputSink(stdout, "", ""));
  }
  std::string temp = fmt::format("{}.tmp-XXXXXX", path);
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    base::Status status(base::StatusCode::kUnavailable,
                        fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
    status.SetPath("--out");
    return status;
  }
  fchmod(fd, 0644);  // mkstemp makes 0600; an output file is meant to be read by others
  return std::unique_ptr<OutputSink>(new OutputSink(fdopen(fd, "w"), std::string(path), temp));
}

OutputSink::~OutputSink() {
  if (temp_path_.empty()) return;
  if (!committed_) {
    std::fclose(file_);
    std::remove(temp_path_.c_str());
  }
}

base::Status OutputSink::Commit() {
  if (temp_path_.empty()) {
    if (std::fflush(file_) != 0 || std::ferror(file_)) {
      return base::Status(base::StatusCode::kUnavailable, "cannot write to standard output");
    }
    return base::OkStatus();
  }
  committed_ = true;
  const bool write_failed =
      std::fflush(file_) != 0 || std::ferror(file_) || fsync(fileno(file_)) != 0;
  const bool close_failed = std::fclose(file_) != 0;
  if (write_failed || close_failed || std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    return base::Status(base::StatusCode::kUnavailable,
                        fmt::format("cannot write {}: {}", path_, std::strerror(errno)));
  }
  return base::OkStatus();
}

}  // namespace livercell::base
