// A candidate built from a patient's registry record (issue #7 part 4: `assess --db --patient`
// and the API): what the record states, nothing it does not. A recorded decompensating event
// makes its history flag true; the absence of one is not "never" (the registry cannot tell an
// event that did not happen from one not recorded), so those inputs stay missing and appear in
// the assessment's to-do list for the physician to state. Labs older than the protocol allows
// are left out and reported, so a rule never rests on a stale value.
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_FROM_RECORD_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_FROM_RECORD_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "livercell/domain/assessment/candidate.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"

namespace livercell::domain {

// A registry value the assessment did not use because it is older than allowed.
struct StaleInput {
  std::string input;  // candidate path, "labs.platelets"
  ClinicalTime time;  // when it was measured
  int age_days;       // at the assessment
};

struct RecordCandidate {
  Candidate candidate;
  std::vector<StaleInput> stale;
};

// The candidate as of `now`. `max_lab_age` (the protocol's; nullopt = no limit) bounds how old
// a lab may be. Records in any order.
RecordCandidate CandidateFromRecord(const Patient& patient, std::span<const LabObservation> labs,
                                    std::span<const Finding> findings,
                                    std::span<const ClinicalEvent> events,
                                    std::chrono::sys_seconds now,
                                    std::optional<std::chrono::days> max_lab_age);

// The assessment's aetiology words for an ICD-10 code (patient.h's families); empty when the
// code does not name a cause (K74.6 "other and unspecified cirrhosis").
std::vector<std::string> AetiologyOfIcd10(std::string_view code);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_FROM_RECORD_H_
