#include "livercell/stats/order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace livercell::stats {
namespace {

// The radix order must equal a stable comparison sort, for every kind of key it meets:
// integer-valued times (few digits differ), continuous values, negatives, ties and ±0.
TEST(Order, MatchesStableSortOnEveryKindOfKey) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1000, 1000);
  for (int kind = 0; kind < 4; ++kind) {
    std::vector<double> keys(20000);
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
        default:
          k = (rng() % 2 == 0 ? 1e-300 : 1e300) * u(rng);
          break;  // extreme exponents
      }
    }
    keys[5] = -0.0;
    keys[6] = 0.0;
    for (const bool descending : {false, true}) {
      std::vector<std::uint32_t> expected(keys.size());
      std::iota(expected.begin(), expected.end(), 0u);
      std::stable_sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) {
        return descending ? keys[a] > keys[b] : keys[a] < keys[b];
      });
      const RowOrder got = OrderBy(keys, descending);
      ASSERT_EQ(got.size(), keys.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        // -0.0 == 0.0: equal keys, kept in row order like any other.
        ASSERT_EQ(got[i], expected[i]) << "kind " << kind << " at " << i;
      }
      // Dense ranks: equal keys share one, and a key's rank counts the distinct smaller ones.
      if (descending) continue;
      std::uint32_t distinct = 0;
      const Buffer<std::uint32_t> rank = DenseRanks(keys, &distinct);
      std::uint32_t expected_rank = 0;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        if (i > 0 && keys[expected[i]] != keys[expected[i - 1]]) ++expected_rank;
        ASSERT_EQ(rank[expected[i]], expected_rank) << "kind " << kind << " at " << i;
      }
      EXPECT_EQ(distinct, expected_rank + 1);
      EXPECT_EQ(rank[5], rank[6]);  // -0.0 and 0.0
    }
  }
}

TEST(Order, GroupByIsStable) {
  RowOrder order = {0, 1, 2, 3, 4, 5};
  const std::vector<int> group = {1, 0, 1, 1, 0, 0};
  StableGroupBy(order, group, 2);
  EXPECT_EQ(order, (RowOrder{1, 4, 5, 0, 2, 3}));
  EXPECT_TRUE(OrderBy(std::vector<double>{}).empty());
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
