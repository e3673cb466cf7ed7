#include "livercell/stats/order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <span>

namespace livercell::stats {
namespace {

// The order must equal a stable comparison sort, for every kind of key it meets: integer-valued
// times (one counting pass), continuous values, negatives, ties and ±0, extreme exponents (beyond
// float's range), and distinct keys closer than a float's precision; in both directions, with
// and without groups ahead of the keys and the tie-break that puts flagged rows first among
// equal keys. Enough rows for the counting and radix passes to split over two threads.
TEST(Order, MatchesStableSortOnEveryKindOfKey) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1000, 1000);
  for (int kind = 0; kind < 5; ++kind) {
    std::vector<double> keys(120000);
    for (double& k : keys) {
      switch (kind) {
        case 0:
          k = std::ceil(std::fabs(u(rng)));
          break;  // integer times with many ties
        case 1:
          k = u(rng);
          break;  // continuous, both signs
        case 2:
          k = static_cast<double>(rng() % 3) - 1;
          break;  // -1, 0, 1 only
        case 3:
          k = (rng() % 2 == 0 ? 1e-300 : 1e300) * u(rng);
          break;  // extreme exponents
        default:
          k = 1e6 + std::round(u(rng)) * 1e-6;
          break;  // many keys to a float, some equal
      }
    }
    keys[5] = -0.0;
    keys[6] = 0.0;
    std::vector<int> first(keys.size()), group(keys.size());
    for (int& f : first) f = static_cast<int>(rng() % 2);
    for (int& g : group) g = static_cast<int>(rng() % 3);
    for (int variant = 0; variant < 8; ++variant) {
      const bool descending = (variant & 1) != 0, tie_break = (variant & 2) != 0,
                 grouped = (variant & 4) != 0;
      std::vector<std::uint32_t> expected(keys.size());
      std::iota(expected.begin(), expected.end(), 0u);
      std::stable_sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (grouped && group[a] != group[b]) return group[a] < group[b];
        if (keys[a] != keys[b]) return descending ? keys[a] > keys[b] : keys[a] < keys[b];
        return tie_break && first[a] != 0 && first[b] == 0;
      });
      SortBy by{.keys = keys, .descending = descending};
      if (tie_break) by.first = first;
      if (grouped) {
        by.group = group;
        by.groups = 3;
      }
      const RowOrder got = OrderBy(by);
      ASSERT_EQ(got.size(), keys.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        // -0.0 == 0.0: equal keys, kept in row order like any other.
        ASSERT_EQ(got[i], expected[i]) << "kind " << kind << " variant " << variant << " at " << i;
      }
    }
  }
}

TEST(Order, EmptyAndGroupsOnly) {
  EXPECT_TRUE(OrderBy(std::vector<double>{}).empty());
  const std::vector<double> keys = {0, 0, 0, 0, 0, 0};
  const std::vector<int> group = {1, 0, 1, 1, 0, 0};
  EXPECT_EQ(OrderBy(SortBy{.group = group, .groups = 2, .keys = keys}),
            (RowOrder{1, 4, 5, 0, 2, 3}));
}

// The direct tally (integer times) and the sorted path (fractional times) must agree with a
// plain count, and with each other once the times are shifted by a half.
TEST(Order, CountByTimeTalliesEveryRowOnBothPaths) {
  std::mt19937_64 rng(11);
  const std::size_t n = 5000;
  std::vector<double> time(n), half(n);
  std::vector<int> group(n), state(n);
  for (std::size_t i = 0; i < n; ++i) {
    time[i] = static_cast<double>(rng() % 300);
    half[i] = time[i] + 0.5;
    group[i] = static_cast<int>(rng() % 3);
    state[i] = static_cast<int>(rng() % 4);
  }
  const auto whole = CountByTime(time, group, 3, state, 4);
  const auto shifted = CountByTime(half, group, 3, state, 4);
  ASSERT_EQ(whole.size(), 3u);
  std::size_t total = 0;
  for (int g = 0; g < 3; ++g) {
    const TimeCounts& a = whole[static_cast<std::size_t>(g)];
    const TimeCounts& b = shifted[static_cast<std::size_t>(g)];
    ASSERT_EQ(a.time.size(), b.time.size());
    EXPECT_EQ(a.count, b.count);
    EXPECT_TRUE(std::is_sorted(a.time.begin(), a.time.end()));
    for (std::size_t t = 0; t < a.time.size(); ++t) {
      EXPECT_EQ(a.time[t] + 0.5, b.time[t]);
      for (int s = 0; s < 4; ++s) {
        std::uint32_t expected = 0;
        for (std::size_t i = 0; i < n; ++i) {
          expected += group[i] == g && state[i] == s && time[i] == a.time[t];
        }
        ASSERT_EQ(a.At(t, s), expected);
        total += expected;
      }
    }
  }
  EXPECT_EQ(total, n);
}

}  // namespace
}  // namespace livercell::stats
