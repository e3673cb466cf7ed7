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
        case 0: k = std::ceil(std::fabs(u(rng))); break;  // integer times with many ties
        case 1: k = u(rng); break;                         // continuous, both signs
        case 2: k = static_cast<double>(rng() % 3) - 1; break;  // -1, 0, 1 only
        default: k = (rng() % 2 == 0 ? 1e-300 : 1e300) * u(rng); break;  // extreme exponents
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
        // Equal keys (including -0.0 == 0.0) may only differ in row order when they are ±0.
        ASSERT_EQ(keys[got[i]], keys[expected[i]]) << "kind " << kind << " at " << i;
        if (keys[got[i]] != 0) {
          ASSERT_EQ(got[i], expected[i]) << "kind " << kind << " at " << i;
        }
      }
    }
  }
}

TEST(Order, GroupsKeepTheirOrderAndRunsCoverEveryRow) {
  const std::vector<double> time = {5, 1, 4, 1, 3, 2};
  const std::vector<int> group = {1, 0, 1, 1, 0, 0};
  RowOrder order;
  const auto runs = GroupsByTime(time, group, 2, order);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(std::vector<std::uint32_t>(runs[0].begin(), runs[0].end()),
            (std::vector<std::uint32_t>{1, 5, 4}));
  EXPECT_EQ(std::vector<std::uint32_t>(runs[1].begin(), runs[1].end()),
            (std::vector<std::uint32_t>{3, 2, 0}));
  EXPECT_TRUE(OrderBy(std::vector<double>{}).empty());
}

}  // namespace
}  // namespace livercell::stats
