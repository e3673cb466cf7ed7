// Row-parallel work for the fits on large tables. Internal to stats/.
#ifndef LIVERCELL_STATS_PARALLEL_H_
#define LIVERCELL_STATS_PARALLEL_H_

#include <cstddef>
#include <thread>
#include <utility>
#include <vector>

namespace livercell::stats {

// Below this many rows one thread does the work: starting another would cost more.
inline constexpr std::size_t kParallelRows = 100000;

// How many contiguous parts ForEachPart splits `n` rows into. It depends on the row count
// only, never on the machine, so that sums combined part by part come out the same to the
// last bit everywhere (two parts: this machine has two cores, and more would change the sums).
inline std::size_t PartsFor(std::size_t n) { return n >= kParallelRows ? 2 : 1; }

// Calls work(part, begin, end) for each part of [0, n): part 0 on this thread, the others on
// threads of their own; returns once every part is done.
template <typename Work>
void ForEachPart(std::size_t n, Work&& work) {
  const std::size_t parts = PartsFor(n);
  std::vector<std::thread> threads;
  for (std::size_t k = 1; k < parts; ++k) {
    threads.emplace_back([&work, k, n, parts] { work(k, n * k / parts, n * (k + 1) / parts); });
  }
  work(std::size_t{0}, std::size_t{0}, n / parts);
  for (std::thread& t : threads) t.join();
}

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_PARALLEL_H_
