// A progress bar on standard error for long work (specs/cli.md "Long work"): items done, rate
// and, when the total size is known, percentage and ETA. Silent unless stderr is a terminal
// and the caller enabled it. Redraws at most ten times a second. Not thread-safe.
#ifndef LIVERCELL_BASE_PROGRESS_H_
#define LIVERCELL_BASE_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace livercell::base {

class Progress {
 public:
  // `noun` names the items ("patients"); `total_bytes` is 0 when unknown (a pipe).
  Progress(std::string noun, std::uint64_t total_bytes, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Cheap enough to call per item: it looks at the clock only every 1024 calls.
  void Update(std::uint64_t items, std::uint64_t bytes) {
    if (!enabled_ || (++calls_ & 1023u) != 0) return;
    Draw(items, bytes, false);
  }
  // The input's size, once known (0 = unknown: no percentage or ETA).
  void set_total_bytes(std::uint64_t total_bytes) { total_bytes_ = total_bytes; }
  // Draws the final state and ends the line.
  void Finish(std::uint64_t items, std::uint64_t bytes);

  // Whether standard error is a terminal.
  static bool StderrIsTerminal();

 private:
  void Draw(std::uint64_t items, std::uint64_t bytes, bool final);

  std::string noun_;
  std::uint64_t total_bytes_;
  bool enabled_;
  bool drawn_ = false;
  std::uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_PROGRESS_H_
