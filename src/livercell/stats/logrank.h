// The log-rank test as R's survdiff(rho = 0) computes it (Therneau & Grambsch 2000, §3.3):
// observed and expected events per group, the hypergeometric variance, and a chi-square
// statistic on (groups with expected > 0) − 1 degrees of freedom.
#ifndef LIVERCELL_STATS_LOGRANK_H_
#define LIVERCELL_STATS_LOGRANK_H_

#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/survival_data.h"

namespace livercell::stats {

struct LogRankGroup {
  std::string name;
  int n = 0;
  double observed = 0;
  double expected = 0;
};

struct LogRankResult {
  double chisq = 0;
  int df = 0;
  double p = 1;
  std::vector<LogRankGroup> groups;
  std::size_t n_dropped = 0;
};

// kInvalidArgument with fewer than two groups; kFailedPrecondition if the variance matrix is
// singular (e.g. no events at all).
base::Result<LogRankResult> LogRankTest(const SurvivalData& data);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_LOGRANK_H_
