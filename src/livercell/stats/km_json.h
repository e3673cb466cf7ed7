// A Kaplan–Meier fit as the JSON of `livercell stats km --format json` (specs/stats.md), shared
// by the statistics command and the outcomes (specs/outcomes.md §5 `survival.km`).
#ifndef LIVERCELL_STATS_KM_JSON_H_
#define LIVERCELL_STATS_KM_JSON_H_

#include <nlohmann/json.hpp>

#include "livercell/stats/kaplan_meier.h"

namespace livercell::stats {

nlohmann::json KmJson(const KmResult& result);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_KM_JSON_H_
