#include "livercell/stats/order.h"

#include <array>
#include <bit>
#include <numeric>

#include "livercell/base/check.h"

namespace livercell::stats {
namespace {

constexpr int kDigitBits = 11;
constexpr std::uint64_t kDigitMask = (1u << kDigitBits) - 1;

// Maps a double to an unsigned integer with the same order: negative numbers have every bit
// flipped (so that larger magnitudes sort first), positive ones only the sign bit.
std::uint64_t OrderedBits(double value) {
  const auto bits = std::bit_cast<std::uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

}  // namespace

RowOrder OrderBy(std::span<const double> keys, bool descending) {
  const std::size_t n = keys.size();
  LC_CHECK(n <= UINT32_MAX);
  std::vector<std::uint64_t> bits(n);
  for (std::size_t i = 0; i < n; ++i) {
    bits[i] = OrderedBits(keys[i]);
    if (descending) bits[i] = ~bits[i];
  }
  RowOrder order(n), scratch(n);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<std::uint32_t> count(std::size_t{1} << kDigitBits);
  for (int shift = 0; shift < 64; shift += kDigitBits) {
    std::fill(count.begin(), count.end(), 0u);
    for (std::size_t i = 0; i < n; ++i) ++count[(bits[i] >> shift) & kDigitMask];
    if (n == 0 || count[(bits[0] >> shift) & kDigitMask] == n) continue;  // one digit: no-op
    std::uint32_t sum = 0;
    for (std::uint32_t& c : count) {
      const std::uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (const std::uint32_t row : order) scratch[count[(bits[row] >> shift) & kDigitMask]++] = row;
    order.swap(scratch);
  }
  return order;
}

void StableGroupBy(RowOrder& order, std::span<const int> group, int groups) {
  if (groups <= 1) return;
  std::vector<std::uint32_t> start(static_cast<std::size_t>(groups) + 1, 0);
  for (const std::uint32_t row : order) ++start[static_cast<std::size_t>(group[row]) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  RowOrder sorted(order.size());
  for (const std::uint32_t row : order) sorted[start[static_cast<std::size_t>(group[row])]++] = row;
  order.swap(sorted);
}

std::vector<std::span<const std::uint32_t>> GroupsByTime(std::span<const double> time,
                                                         std::span<const int> group, int groups,
                                                         RowOrder& order) {
  order = OrderBy(time);
  StableGroupBy(order, group, groups);
  std::vector<std::span<const std::uint32_t>> runs;
  std::size_t begin = 0;
  for (int g = 0; g < groups; ++g) {
    std::size_t end = begin;
    while (end < order.size() && group[order[end]] == g) ++end;
    runs.emplace_back(order.data() + begin, end - begin);
    begin = end;
  }
  return runs;
}

}  // namespace livercell::stats
