// Sort orders for the survival fits: every fit walks its rows by time (within a stratum), so
// the orders are computed here once, in linear time, rather than by comparison sorts in each
// fit. Not part of the stats API (internal to stats/).
#ifndef LIVERCELL_STATS_ORDER_H_
#define LIVERCELL_STATS_ORDER_H_

#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "livercell/stats/buffer.h"

namespace livercell::stats {

using RowOrder = std::vector<std::uint32_t>;

// Row indices ordered by `keys` (ascending, or descending when `descending`), stable: equal
// keys keep their row order, except that with `first` (one flag per row) the rows flagged
// non-zero come ahead of the others among equal keys. Integer-valued keys over a range of at
// most 4n values (times in days) take one counting pass; others an LSD radix sort of the keys
// rounded to float (11 bits a pass, skipping passes whose digit is the same for every key), then
// a sort by the keys themselves of each run of equal floats. Keys must not be NaN; -0.0 and 0.0
// are equal.
RowOrder OrderBy(std::span<const double> keys, bool descending = false,
                 std::span<const int> first = {});

// Reorders `order` stably by a small integer key (0 ≤ group[row] < groups): the rows of group
// 0 first, each group keeping the order it had. Counting sort, O(n + groups).
void StableGroupBy(RowOrder& order, std::span<const int> group, int groups);

// One group's rows collapsed by time: the distinct times ascending and, at each, how many rows
// are in each state (KM: censored/event; CIF: the event levels; log-rank: group × event).
// Curves and tests need nothing else, so they never sort single rows.
struct TimeCounts {
  int states = 0;
  std::vector<double> time;
  std::vector<std::uint32_t> count;  // count[t * states + s]
  // Every row of the group.
  std::uint64_t Total() const {
    return std::accumulate(count.begin(), count.end(), std::uint64_t{0});
  }
  std::uint32_t At(std::size_t t, int s) const {
    return count[t * static_cast<std::size_t>(states) + static_cast<std::size_t>(s)];
  }
};

// Per group (0 ≤ group[row] < groups), the time counts of its rows (0 ≤ state[row] < states).
// Integer-valued times over a modest range are tallied directly; others go through OrderBy.
std::vector<TimeCounts> CountByTime(std::span<const double> time, std::span<const int> group,
                                    int groups, std::span<const int> state, int states);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_ORDER_H_
