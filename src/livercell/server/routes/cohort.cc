// The cohort: survival curves, and the whole registry as JSON lines.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

base::Status Routes::CohortSurvival(Call& call) {
  const std::string by = call.request.Param("by");  // "" when absent
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const json out, CohortSurvivalJson(*repo, by));
  Reply(call, 200, out);
  return base::OkStatus();
}

// Every patient with all their records, one JSON object per line (de-identified for
// researchers).
base::Status Routes::Export(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  std::string out;
  LC_RETURN_IF_ERROR(repo->ForEachPatient([&](const domain::Patient& p) -> base::Status {
    json line = PatientJson(p, call.deidentify, Today());
    LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::Labs, &LabJson,
                               &line["labs"]));
    LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::Events, &EventJson,
                               &line["events"]));
    LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::AdverseEvents,
                               &AdverseEventJson, &line["adverse_events"]));
    LC_RETURN_IF_ERROR(Records(*repo, p.id, call.deidentify, &Repository::QualityOfLife,
                               &QualityOfLifeJson, &line["quality_of_life"]));
    out += line.dump();
    out += '\n';
    return base::OkStatus();
  }));
  call.response.SetHeader("Content-Disposition", "attachment; filename=\"livercell.jsonl\"");
  call.response.status = 200;
  call.response.SetContent(out, "application/x-ndjson");
  return base::OkStatus();
}

}  // namespace livercell::server::internal
