// Sort orders for the survival fits: every fit walks its rows by time (within a stratum), so
// the orders are computed here once, in linear time, rather than by comparison sorts in each
// fit. Not part of the stats API (internal to stats/).
#ifndef LIVERCELL_STATS_ORDER_H_
#define LIVERCELL_STATS_ORDER_H_

#include <cstdint>
#include <span>
#include <vector>

namespace livercell::stats {

using RowOrder = std::vector<std::uint32_t>;

// Row indices ordered by `keys` (ascending, or descending when `descending`), stable: equal
// keys keep their row order. LSD radix sort on the IEEE-754 bit patterns, 11 bits a pass,
// skipping passes whose digit is the same for every key (integer-valued times need two or
// three). Keys must not be NaN. -0.0 and 0.0 are adjacent, in that order.
RowOrder OrderBy(std::span<const double> keys, bool descending = false);

// Reorders `order` stably by a small integer key (0 ≤ group[row] < groups): the rows of group
// 0 first, each group keeping the order it had. Counting sort, O(n + groups).
void StableGroupBy(RowOrder& order, std::span<const int> group, int groups);

// Orders rows by group, then by time within each group, and returns each group's run
// (`order` keeps the storage the runs point into).
std::vector<std::span<const std::uint32_t>> GroupsByTime(std::span<const double> time,
                                                         std::span<const int> group, int groups,
                                                         RowOrder& order);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_ORDER_H_
