// Outcomes of the treated patients (issue #24, specs/outcomes.md), from the registry or from a
// tidy export: both are read into the same domain::outcomes::PatientData, so `--db` and
// `--tidy` give the same numbers. The JSON is specs/outcomes.md §5's, shared by the CLI and
// the API.
#ifndef LIVERCELL_CLINIC_OUTCOMES_H_
#define LIVERCELL_CLINIC_OUTCOMES_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "livercell/clinic/clinic.h"
#include "livercell/domain/outcomes/outcomes.h"
#include "livercell/stats/kaplan_meier.h"

namespace livercell::clinic {

struct OutcomesRequest {
  const domain::outcomes::Definitions* definitions = nullptr;  // nullptr: the shipped ones
  domain::outcomes::Subgroups by = domain::outcomes::Subgroups::kAll;
};

struct Outcomes {
  domain::outcomes::Definitions definitions;
  domain::outcomes::Report report;
  stats::KmResult survival;  // transplant-free survival from t0, strata by subgroup
  bool by_stage = false;
  // The clinic protocol's words on what the treatment is (investigational), shown with every
  // outcome (issue #24).
  std::string treatment_status;
};

// From the registry: the actor reads patients (identified or de-identified); the OS user may,
// as for `export`. One audit entry ("outcomes").
base::Result<Outcomes> RegistryOutcomes(const Context& context, const Actor& actor,
                                        const OutcomesRequest& request);

// From a folder written by `export tidy` (patients, labs, findings, events and
// administrations .csv); no registry is opened. Errors name the file, line and column.
base::Result<Outcomes> TidyOutcomes(const std::string& dir, const OutcomesRequest& request);

// What the rules read, for tests and benchmarks.
base::Result<std::vector<domain::outcomes::PatientData>> ReadTidyOutcomeData(
    const std::string& dir);
base::Result<std::vector<domain::outcomes::PatientData>> ReadRegistryOutcomeData(
    storage::Repository& repo);

// specs/outcomes.md §5, with the evidence and the claims.
nlohmann::json OutcomesJson(const Outcomes& outcomes);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_OUTCOMES_H_
