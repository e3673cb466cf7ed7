#include "livercell/stats/order.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "livercell/base/check.h"
#include "livercell/stats/buffer.h"

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

// Whether every key is an integer, and if so the smallest and the number of values from the
// smallest to the largest.
bool IntegerRange(std::span<const double> keys, double* lo, double* range) {
  if (keys.empty()) return false;
  double low = keys[0], high = keys[0];
  for (const double k : keys) {
    if (k != std::floor(k)) return false;  // also rejects NaN and infinities
    low = std::min(low, k);
    high = std::max(high, k);
  }
  *lo = low;
  *range = high - low + 1;
  return true;
}

// Integer-valued keys spanning a modest range (times in days, the usual case) need one
// counting pass; returns false (and leaves `order` alone) when the keys are not like that.
bool OrderByIntegers(std::span<const double> keys, bool descending, RowOrder& order) {
  const std::size_t n = keys.size();
  double lo = 0, range = 0;
  if (!IntegerRange(keys, &lo, &range)) return false;
  if (!(range <= static_cast<double>(n * 4) && range <= (1 << 26))) return false;
  std::vector<std::uint32_t> start(static_cast<std::size_t>(range) + 1, 0);
  auto bucket = [&](double k) {
    const auto b = static_cast<std::size_t>(k - lo);
    return descending ? static_cast<std::size_t>(range) - 1 - b : b;
  };
  for (const double k : keys) ++start[bucket(k) + 1];
  for (std::size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    order[start[bucket(keys[i])]++] = static_cast<std::uint32_t>(i);
  return true;
}

// A key's ordered bits and its row, travelling together so that each pass reads sequentially.
struct Item {
  std::uint64_t bits;
  std::uint32_t row;
};

// The keys' items sorted by bits (ascending; stable; equal keys have equal bits): LSD radix, 11
// bits a pass, skipping passes whose digit is the same for every key. Not zeroed first: every item
// is written.
Buffer<Item> RadixSorted(std::span<const double> keys, bool descending) {
  const std::size_t n = keys.size();
  Buffer<Item> items(n), scratch(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t bits = OrderedBits(keys[i] + 0.0);  // -0.0 + 0.0 is 0.0: equal keys
    items[i] = {descending ? ~bits : bits, static_cast<std::uint32_t>(i)};
  }
  std::vector<std::uint32_t> count(std::size_t{1} << kDigitBits);
  for (int shift = 0; shift < 64; shift += kDigitBits) {
    std::fill(count.begin(), count.end(), 0u);
    for (const Item& item : items) ++count[(item.bits >> shift) & kDigitMask];
    if (n == 0 || count[(items[0].bits >> shift) & kDigitMask] == n) continue;  // one digit
    std::uint32_t sum = 0;
    for (std::uint32_t& c : count) {
      const std::uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (const Item& item : items) scratch[count[(item.bits >> shift) & kDigitMask]++] = item;
    items.swap(scratch);
  }
  return items;
}

}  // namespace

RowOrder OrderBy(std::span<const double> keys, bool descending) {
  const std::size_t n = keys.size();
  LC_CHECK(n <= UINT32_MAX);
  RowOrder order;
  if (OrderByIntegers(keys, descending, order)) return order;
  const Buffer<Item> items = RadixSorted(keys, descending);
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = items[i].row;
  return order;
}

Buffer<std::uint32_t> DenseRanks(std::span<const double> keys, std::uint32_t* distinct) {
  const std::size_t n = keys.size();
  LC_CHECK(n <= UINT32_MAX);
  const Buffer<Item> items = RadixSorted(keys, /*descending=*/false);
  Buffer<std::uint32_t> rank(n);
  std::uint32_t r = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && items[i].bits != items[i - 1].bits) ++r;
    rank[items[i].row] = r;
  }
  *distinct = n == 0 ? 0 : r + 1;
  return rank;
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

std::vector<TimeCounts> CountByTime(std::span<const double> time, std::span<const int> group,
                                    int groups, std::span<const int> state, int states) {
  const auto g_count = static_cast<std::size_t>(groups);
  const auto s_count = static_cast<std::size_t>(states);
  std::vector<TimeCounts> out(g_count);
  for (TimeCounts& c : out) c.states = states;
  double lo = 0, range = 0;
  const std::size_t n = time.size();
  if (IntegerRange(time, &lo, &range) &&
      range * static_cast<double>(g_count * s_count) <= static_cast<double>(4 * n + 4096)) {
    // Tally straight into a (group, time, state) table, then keep the times that occur.
    const auto r_count = static_cast<std::size_t>(range);
    std::vector<std::uint32_t> table(g_count * r_count * s_count, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto t = static_cast<std::size_t>(time[i] - lo);
      ++table[(static_cast<std::size_t>(group[i]) * r_count + t) * s_count +
              static_cast<std::size_t>(state[i])];
    }
    for (std::size_t g = 0; g < g_count; ++g) {
      for (std::size_t t = 0; t < r_count; ++t) {
        const std::uint32_t* cell = &table[(g * r_count + t) * s_count];
        if (std::all_of(cell, cell + s_count, [](std::uint32_t v) { return v == 0; })) continue;
        out[g].time.push_back(lo + static_cast<double>(t));
        out[g].count.insert(out[g].count.end(), cell, cell + s_count);
      }
    }
    return out;
  }
  RowOrder order = OrderBy(time);
  StableGroupBy(order, group, groups);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t row = order[i];
    TimeCounts& c = out[static_cast<std::size_t>(group[row])];
    if (c.time.empty() || c.time.back() != time[row]) {
      c.time.push_back(time[row]);
      c.count.resize(c.count.size() + s_count, 0);
    }
    ++c.count[c.count.size() - s_count + static_cast<std::size_t>(state[row])];
  }
  return out;
}

}  // namespace livercell::stats
