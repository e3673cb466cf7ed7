#include "livercell/stats/order.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>

#include "livercell/base/check.h"
#include "livercell/stats/buffer.h"
#include "livercell/stats/parallel.h"

namespace livercell::stats {
namespace {

constexpr int kDigitBits = 11;
constexpr std::uint64_t kDigitMask = (1u << kDigitBits) - 1;

// Maps a key, rounded to float, to an unsigned integer with the same order: negative numbers
// have every bit flipped (so that larger magnitudes sort first), positive ones only the sign
// bit. Rounding keeps the order, so keys that map apart are in that order; keys that map to the
// same value are within a float's precision of each other (or equal).
std::uint32_t OrderedFloatBits(double value) {
  const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(value + 0.0));  // -0.0 → 0.0
  return (bits >> 31) != 0 ? ~bits : bits | (std::uint32_t{1} << 31);
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

// Integer-valued keys spanning a modest range (times in days, the usual case) need no
// comparisons: each row's bucket (group, key, tie-break) is counted, and the rows are placed
// by the counts, on every core (each part's rows after the earlier parts' in a bucket, so the
// order is stable). Returns false (and leaves `order` alone) when the keys are not like that.
bool OrderByIntegers(const SortBy& by, RowOrder& order) {
  const std::size_t n = by.keys.size();
  double lo = 0, range = 0;
  if (!IntegerRange(by.keys, &lo, &range)) return false;
  const std::size_t ties = by.first.empty() ? 1 : 2;
  const auto groups = static_cast<std::size_t>(by.group.empty() ? 1 : by.groups);
  const double buckets = range * static_cast<double>(groups * ties);
  if (!(buckets <= static_cast<double>(n * 4) && buckets <= (1 << 26))) return false;
  const auto keys = static_cast<std::size_t>(range);
  Buffer<std::uint32_t> bucket(n);
  // Per part, a count per bucket: two parts only when the buckets are few next to the rows.
  const std::size_t parts = static_cast<double>(n) >= 16 * buckets ? PartsFor(n) : 1;
  const auto bucket_count = static_cast<std::size_t>(buckets);
  std::vector<std::uint32_t> start(parts * bucket_count, 0);
  auto each_part = [&](auto&& work) {
    if (parts == 1) {
      work(std::size_t{0}, std::size_t{0}, n);
    } else {
      ForEachPart(n, work);
    }
  };
  each_part([&](std::size_t part, std::size_t begin, std::size_t end) {
    std::uint32_t* count = &start[part * bucket_count];
    for (std::size_t i = begin; i < end; ++i) {
      auto k = static_cast<std::size_t>(by.keys[i] - lo);
      if (by.descending) k = keys - 1 - k;
      const std::size_t g = by.group.empty() ? 0 : static_cast<std::size_t>(by.group[i]);
      const std::size_t behind = by.first.empty() || by.first[i] != 0 ? 0 : 1;
      bucket[i] = static_cast<std::uint32_t>((g * keys + k) * ties + behind);
      ++count[bucket[i]];
    }
  });
  std::uint32_t sum = 0;
  for (std::size_t b = 0; b < bucket_count; ++b) {
    for (std::size_t part = 0; part < parts; ++part) {
      const std::uint32_t here = start[part * bucket_count + b];
      start[part * bucket_count + b] = sum;
      sum += here;
    }
  }
  order.resize(n);
  each_part([&](std::size_t part, std::size_t begin, std::size_t end) {
    std::uint32_t* next = &start[part * bucket_count];
    for (std::size_t i = begin; i < end; ++i)
      order[next[bucket[i]]++] = static_cast<std::uint32_t>(i);
  });
  return true;
}

// Reorders `order` stably by a small integer key (0 ≤ group[row] < groups): the rows of group
// 0 first, each group keeping the order it had. Counting sort, O(n + groups).
void StableGroupBy(RowOrder& order, std::span<const int> group, int groups) {
  if (groups <= 1) return;
  std::vector<std::uint32_t> start(static_cast<std::size_t>(groups) + 1, 0);
  for (const std::uint32_t row : order) ++start[static_cast<std::size_t>(group[row]) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  RowOrder sorted(order.size());
  for (const std::uint32_t row : order) sorted[start[static_cast<std::size_t>(group[row])]++] = row;
  order.swap(sorted);
}

using DigitCounts = std::array<std::uint32_t, std::size_t{1} << kDigitBits>;

// Sorts `items` stably by their digits, digit(item, 0) the least significant up to
// digit(item, passes - 1), each below 2^kDigitBits: LSD radix, skipping passes whose digit is
// the same for every item. Every core takes a part of the items (ForEachPart's parts): one read
// counts every pass's digits per part; each pass then moves each part's items to where the
// counts put them (part 0's first within a digit, so the sort stays stable and comes out the
// same on any number of cores) and counts, per part of the destination, the digits of the next
// pass.
template <typename T, typename DigitOf>
void RadixSort(Buffer<T>& items, int passes, DigitOf digit) {
  const std::size_t n = items.size();
  if (n == 0) return;
  const std::size_t parts = PartsFor(n);
  const auto pass_count = static_cast<std::size_t>(passes);
  std::vector<std::size_t> bound(parts + 1);
  for (std::size_t k = 0; k <= parts; ++k) bound[k] = n * k / parts;
  // counts[part * passes + pass]: the items in that part (now) by their digit of that pass.
  std::vector<DigitCounts> counts(parts * pass_count, DigitCounts{});
  ForEachPart(n, [&](std::size_t part, std::size_t begin, std::size_t end) {
    std::vector<DigitCounts> local(pass_count, DigitCounts{});
    for (std::size_t i = begin; i < end; ++i) {
      for (int pass = 0; pass < passes; ++pass) ++local[pass][digit(items[i], pass)];
    }
    std::copy(local.begin(), local.end(), counts.begin() + part * pass_count);
  });
  // The passes to run: those whose digit is not the same for every item.
  std::vector<int> run;
  for (int pass = 0; pass < passes; ++pass) {
    std::uint32_t same = 0;
    for (std::size_t part = 0; part < parts; ++part)
      same += counts[part * pass_count + pass][digit(items[0], pass)];
    if (same != n) run.push_back(pass);
  }
  Buffer<T> scratch(run.empty() ? 0 : n);
  for (std::size_t step = 0; step < run.size(); ++step) {
    const int pass = run[step];
    const int next = step + 1 < run.size() ? run[step + 1] : -1;
    // Where each part's items of each digit go.
    std::vector<DigitCounts> offset(parts);
    std::uint32_t sum = 0;
    for (std::size_t d = 0; d < DigitCounts().size(); ++d) {
      for (std::size_t part = 0; part < parts; ++part) {
        offset[part][d] = sum;
        sum += counts[part * pass_count + pass][d];
      }
    }
    // next_counts[source part * parts + destination part]: the next pass's digits.
    std::vector<DigitCounts> next_counts(parts * parts, DigitCounts{});
    ForEachPart(n, [&](std::size_t part, std::size_t begin, std::size_t end) {
      DigitCounts& to = offset[part];
      DigitCounts* tally = &next_counts[part * parts];
      for (std::size_t i = begin; i < end; ++i) {
        const T item = items[i];
        const std::uint32_t dest = to[digit(item, pass)]++;
        scratch[dest] = item;
        if (next < 0) continue;
        std::size_t dest_part = 0;
        while (dest >= bound[dest_part + 1]) ++dest_part;
        ++tally[dest_part][digit(item, next)];
      }
    });
    items.swap(scratch);
    if (next < 0) break;
    for (std::size_t part = 0; part < parts; ++part) {
      DigitCounts& c = counts[part * pass_count + next];
      c.fill(0);
      for (std::size_t source = 0; source < parts; ++source) {
        const DigitCounts& t = next_counts[source * parts + part];
        for (std::size_t d = 0; d < c.size(); ++d) c[d] += t[d];
      }
    }
  }
}

// Rows sorted by their keys (see OrderBy) when the keys are not integers of a modest range.
// First by the keys rounded to float, the float's ordered bits and the row in one 8-byte item:
// three radix passes. Then each run of equal floats (keys within a float's precision of each
// other: few and short, unless many keys are equal) is sorted stably by the keys themselves and
// the tie-break.
void OrderByFloats(const SortBy& by, RowOrder& order) {
  const std::span<const double> keys = by.keys;
  const std::span<const int> first = by.first;
  const bool descending = by.descending;
  const std::size_t n = keys.size();
  Buffer<std::uint64_t> items(n);
  ForEachPart(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint32_t bits = OrderedFloatBits(keys[i]);
      items[i] = std::uint64_t{descending ? ~bits : bits} << 32 | i;
    }
  });
  RadixSort(items, 3, [](std::uint64_t item, int pass) -> std::size_t {
    return (item >> (32 + pass * kDigitBits)) & kDigitMask;
  });
  auto row = [](std::uint64_t item) { return static_cast<std::uint32_t>(item); };
  auto ahead = [&](std::uint64_t item) { return !first.empty() && first[row(item)] != 0; };
  auto before = [&](std::uint64_t a, std::uint64_t b) {
    const double ka = keys[row(a)], kb = keys[row(b)];
    if (ka != kb) return descending ? ka > kb : ka < kb;
    return ahead(a) && !ahead(b);
  };
  order.resize(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t end = i + 1;
    while (end < n && (items[end] >> 32) == (items[i] >> 32)) ++end;
    const auto from = items.begin() + static_cast<std::ptrdiff_t>(i);
    const auto to = items.begin() + static_cast<std::ptrdiff_t>(end);
    if (end - i > 1) {
      const double k = keys[row(*from)];
      if (std::all_of(from, to, [&](std::uint64_t item) { return keys[row(item)] == k; })) {
        if (!first.empty()) std::stable_partition(from, to, ahead);
      } else {
        std::stable_sort(from, to, before);
      }
    }
    for (; i < end; ++i) order[i] = row(items[i]);
  }
}

}  // namespace

RowOrder OrderBy(const SortBy& by) {
  LC_CHECK(by.keys.size() <= UINT32_MAX);
  LC_CHECK(by.first.empty() || by.first.size() == by.keys.size());
  LC_CHECK(by.group.empty() || by.group.size() == by.keys.size());
  RowOrder order;
  if (OrderByIntegers(by, order)) return order;
  OrderByFloats(by, order);
  if (!by.group.empty()) StableGroupBy(order, by.group, by.groups);
  return order;
}

RowOrder OrderBy(std::span<const double> keys, bool descending) {
  return OrderBy(SortBy{.keys = keys, .descending = descending});
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
  const RowOrder order = OrderBy(SortBy{.group = group, .groups = groups, .keys = time});
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
