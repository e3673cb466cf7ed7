// Competing-risks state occupancy by the Aalen–Johansen estimator, as R's survfit() computes
// it for a factor event (Therneau & Grambsch 2000; survival vignette "Multi-state models and
// competing risks"): everyone starts in the entry state "(s0)" (the event column's first level,
// censoring) and moves at most once to one of the other levels. Standard errors are the
// infinitesimal jackknife R reports.
#ifndef LIVERCELL_STATS_CIF_H_
#define LIVERCELL_STATS_CIF_H_

#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/formula.h"
#include "livercell/stats/table.h"

namespace livercell::stats {

struct CifCurve {
  std::string name;
  std::vector<double> time;
  std::vector<int> n_risk;                   // still in the entry state just before `time`
  std::vector<std::vector<double>> pstate;   // per time: one probability per state
  std::vector<std::vector<double>> std_err;  // per time: infinitesimal-jackknife SE per state
};

struct CifResult {
  std::vector<std::string> states;  // "(s0)" then the event levels in factor() order
  std::vector<CifCurve> strata;
  std::size_t n_dropped = 0;
};

// The event column is categorical (numbers or text), its first level censoring. Errors: an
// event column with fewer than two levels, plus those of BuildSurvivalData.
base::Result<CifResult> FitCif(const Table& table, const Formula& formula);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_CIF_H_
