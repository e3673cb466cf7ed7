// Arrays that are not zeroed when sized: for columns and model frames of millions of rows
// that are filled right after, often by several threads.
#ifndef LIVERCELL_STATS_BUFFER_H_
#define LIVERCELL_STATS_BUFFER_H_

#include <memory>
#include <utility>
#include <vector>

namespace livercell::stats {

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

// A vector whose resize() leaves the new elements unset. Large arrays are sized this way and
// then filled, often by several threads: a fresh page is first touched (and zeroed by the
// kernel, which on a virtual machine costs as much as the arithmetic) by the thread that
// fills it, in parallel, instead of being zeroed once more by one thread's memset first.
template <typename T>
using Buffer = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_BUFFER_H_
