// Row-parallel work for the fits on large tables, and arrays that are not zeroed when sized.
// Internal to stats/.
#ifndef LIVERCELL_STATS_PARALLEL_H_
#define LIVERCELL_STATS_PARALLEL_H_

#include <cstddef>
#include <memory>
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

// An allocator whose value-less construct() leaves a number unset, for Buffer.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <typename U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT: implicit
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
};

// A vector whose resize() leaves the new elements unset. The model frame's arrays are sized
// this way and then filled by ForEachPart: a fresh page is first touched (and zeroed by the
// kernel, which on a virtual machine costs as much as the arithmetic) by the thread that
// fills it, in parallel, instead of being zeroed once more by one thread's memset first.
template <typename T>
using Buffer = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_PARALLEL_H_
