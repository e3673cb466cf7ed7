// The score inputs a patient's record supports now: the latest value of each catalogued lab,
// sex, age at the latest lab, and the Mayo oedema coding from the latest finding. Inputs the
// record cannot give (ascites grade, encephalopathy grade, dialysis) are left missing, so the
// scores that need them are reported unavailable rather than guessed.
#ifndef LIVERCELL_DOMAIN_RECORDS_CURRENT_SCORES_H_
#define LIVERCELL_DOMAIN_RECORDS_CURRENT_SCORES_H_

#include <array>
#include <optional>
#include <span>

#include "livercell/domain/records/clinical_time.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"
#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

struct CurrentInputs {
  ScoreInput input;
  std::optional<ClinicalTime> as_of;  // the latest lab used; empty without labs
  std::array<std::optional<ClinicalTime>, kAnalyteCount> lab_times;  // of each lab used
};

// `labs` and `findings` in any order.
CurrentInputs LatestScoreInput(const Patient& patient, std::span<const LabObservation> labs,
                               std::span<const Finding> findings);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_CURRENT_SCORES_H_
