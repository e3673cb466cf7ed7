// The outcomes beside the evidence as one SVG (specs/outcomes.md §5, issue #24): a forest-style
// row per endpoint and time point with the clinic's proportion and its Wilson 95 % interval on a
// 0–100 % axis, its definition and n beside it, and every published trial arm listed under it
// with design, n, endpoint, effect and source (their effects are on other scales, so they are
// listed, not plotted on this axis). Deterministic: the same input gives the same bytes.
#ifndef LIVERCELL_FORMATS_OUTCOMES_SVG_H_
#define LIVERCELL_FORMATS_OUTCOMES_SVG_H_

#include <nlohmann/json.hpp>
#include <string>

#include "livercell/domain/outcomes/outcomes.h"

namespace livercell::formats {

// `evidence`: EvidenceJson(); `claims`: ClaimsJson().
std::string OutcomesSvg(const domain::outcomes::Definitions& definitions,
                        const domain::outcomes::Report& report,
                        const std::string& treatment_status, const nlohmann::json& evidence,
                        const nlohmann::json& claims);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_OUTCOMES_SVG_H_
