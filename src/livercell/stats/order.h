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

// What OrderBy orders rows by, the most significant first.
struct SortBy {
  std::span<const int> group = {};  // if given, a small code per row (0 ≤ code < groups), ascending
  int groups = 1;
  std::span<const double> keys = {};  // one per row; not NaN, and -0.0 equals 0.0
  bool descending = false;            // the keys' direction
  std::span<const int> first = {};  // if given, a flag per row: flagged rows ahead among equal keys
};

// Row indices ordered as `by` says, stable: rows equal in every respect keep their row order.
// Integer-valued keys over a range of at most 4n values (times in days) take one counting pass,
// group and tie-break included; others an LSD radix sort of the keys rounded to float (11 bits
// a pass, skipping passes whose digit is the same for every key), a sort by the keys themselves
// and the tie-break of each run of equal floats, and a counting pass by group.
RowOrder OrderBy(const SortBy& by);
// By the keys alone.
RowOrder OrderBy(std::span<const double> keys, bool descending = false);

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
