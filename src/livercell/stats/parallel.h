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

// Touches every page of some freshly sized arrays on a thread of its own, so that the kernel
// zeroes them (on a virtual machine as costly as filling them) while this thread goes on with
// sequential work. Wait() (or the destructor) before filling them. Below kParallelRows
// elements in all it does nothing.
class PageToucher {
 public:
  template <typename... Arrays>
  explicit PageToucher(Arrays&... arrays) {
    std::size_t elements = 0;
    ((elements += arrays.size()), ...);
    if (elements < kParallelRows) return;
    (regions_.emplace_back(reinterpret_cast<volatile char*>(arrays.data()),
                           arrays.size() * sizeof(*arrays.data())),
     ...);
    thread_ = std::thread([this] {
      for (const auto& [bytes, size] : regions_) {
        for (std::size_t offset = 0; offset < size; offset += kPageBytes) bytes[offset] = 0;
      }
    });
  }
  PageToucher(const PageToucher&) = delete;
  PageToucher& operator=(const PageToucher&) = delete;
  ~PageToucher() { Wait(); }
  void Wait() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  static constexpr std::size_t kPageBytes = 4096;
  std::vector<std::pair<volatile char*, std::size_t>> regions_;
  std::thread thread_;
};

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_PARALLEL_H_
