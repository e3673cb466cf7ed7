// The cohort page's survival curves: time from a patient's first record in the registry to
// death, censored at transplant or at the last record, as Kaplan–Meier curves (stats/, the same
// code R's survfit is checked against), optionally by sex or aetiology.
#ifndef LIVERCELL_SERVER_COHORT_H_
#define LIVERCELL_SERVER_COHORT_H_

#include <nlohmann/json.hpp>

#include <string_view>

#include "livercell/base/result.h"
#include "livercell/storage/repository.h"

namespace livercell::server {

// `by`: "" (one curve), "sex" or "aetiology"; kInvalidArgument at "by" otherwise.
// {"endpoint", "time_unit": "years", "by", "n", "n_excluded", "strata": [{"name", "n",
// "n_event", "time", "surv", "lower", "upper", "n_risk", "median", "median_lower",
// "median_upper"}], "method"}. Only times and counts leave: no patient is identified.
base::Result<nlohmann::json> CohortSurvivalJson(storage::Repository& repo, std::string_view by);

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_COHORT_H_
