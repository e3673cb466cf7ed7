#include "livercell/base/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace livercell::base {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 24;

}  // namespace

Progress::Progress(std::string noun, std::uint64_t total_bytes, bool enabled)
    : noun_(std::move(noun)),
      total_bytes_(total_bytes),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

bool Progress::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void Progress::Finish(std::uint64_t items, std::uint64_t bytes) {
  if (!enabled_ || !drawn_) return;
  Draw(items, bytes, true);
  std::fputc('\n', stderr);
  drawn_ = false;
}

void Progress::Draw(std::uint64_t items, std::uint64_t bytes, bool final) {
  const auto now = std::chrono::steady_clock::now();
  if (!final && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(items) / seconds : 0;
  std::string line;
  if (total_bytes_ > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes_));
    const int filled = static_cast<int>(fraction * kBarWidth);
    const double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
    line = fmt::format("[{:=<{}}{: <{}}] {:3.0f}% ", "", filled, "", kBarWidth - filled,
                       fraction * 100);
    line += fmt::format("{} {}  {:.0f}/s  ETA {:.0f} s", items, noun_, rate, eta);
  } else {
    line = fmt::format("{} {}  {:.0f}/s  {:.1f} s", items, noun_, rate, seconds);
  }
  fmt::print(stderr, "\r{}\x1b[K", line);
  std::fflush(stderr);
}

}  // namespace livercell::base
