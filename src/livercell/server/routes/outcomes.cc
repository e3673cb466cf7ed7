// The treated patients' outcomes beside the published evidence (issue #24, specs/outcomes.md):
// the JSON of `livercell outcomes --format json` and its SVG. Aggregates only, so researchers
// get the same document as clinicians (no patient appears in it).
#include "livercell/formats/outcomes_file.h"
#include "livercell/formats/outcomes_svg.h"
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

base::Result<clinic::Outcomes> Routes::ComputeOutcomes(Call& call) {
  const std::string by = call.request.Param("by");
  if (!by.empty() && by != "all" && by != "stage") {
    base::Status status(base::StatusCode::kInvalidArgument, "unknown subgrouping");
    status.SetPath("by").SetValue(by).SetAllowed("all, stage");
    return status;
  }
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  call.audited = true;  // the use case audits the read (or its refusal)
  return clinic::RegistryOutcomes(
      ContextOf(*repo), call.actor,
      {nullptr, by == "stage" ? domain::outcomes::Subgroups::kStage
                              : domain::outcomes::Subgroups::kAll});
}

base::Status Routes::Outcomes(Call& call) {
  LC_ASSIGN_OR_RETURN(const clinic::Outcomes outcomes, ComputeOutcomes(call));
  Reply(call, 200, clinic::OutcomesJson(outcomes));
  return base::OkStatus();
}

base::Status Routes::OutcomesSvg(Call& call) {
  LC_ASSIGN_OR_RETURN(const clinic::Outcomes outcomes, ComputeOutcomes(call));
  call.response.status = 200;
  call.response.SetContent(
      formats::OutcomesSvg(outcomes.definitions, outcomes.report, outcomes.treatment_status,
                           formats::EvidenceJson(), formats::ClaimsJson()),
      "image/svg+xml");
  return base::OkStatus();
}

}  // namespace livercell::server::internal
