// Observations recorded at follow-up: lab results (LOINC-coded, value and unit as received,
// canonical value where the lab catalogue knows the analyte) and clinical findings that are
// not events (hepatomegaly, spider angiomata, oedema, ascites present, histologic stage).
#ifndef LIVERCELL_DOMAIN_RECORDS_OBSERVATION_H_
#define LIVERCELL_DOMAIN_RECORDS_OBSERVATION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "livercell/base/result.h"
#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {

inline constexpr std::string_view kLoincSystem = "http://loinc.org";
inline constexpr std::string_view kLocalSystem = "urn:livercell:code";

// Labs the registry knows beyond the score catalogue (labs/analyte.h), for cohort imports.
struct ExtraLab {
  std::string_view key;  // "cholesterol"
  std::string_view code_system;
  std::string_view code;
  std::string_view unit;  // UCUM, as the cohort reports it
  double plausible_min;
  double plausible_max;
  std::string_view source;
};
std::span<const ExtraLab> ExtraLabs();

// A lab result is identified by (patient_id, code, time, source_key); it has no id of its own.
struct LabObservation {
  std::int64_t patient_id = 0;
  std::string code_system;  // kLoincSystem, or kLocalSystem for a lab LOINC lacks
  std::string code;
  double value = 0;                       // as received
  std::string unit;                       // UCUM, as received
  std::optional<double> canonical_value;  // in canonical_unit, when the analyte is catalogued
  std::string canonical_unit;
  ClinicalTime time = ClinicalTime::FromDate({});
  // Empty, or why the value is suspect ("implausible: 8.01 g/dL outside 0.5–7 g/dL") when a
  // published cohort is imported as recorded (PlausibilityPolicy::kFlag).
  std::string flag;
  // Unique among the patient's results of this code at this time: storing the same key again
  // changes nothing, so re-importing a file is harmless ("csv|1.2|mg/dL", "api:<request>").
  std::string source_key;
  std::string provenance;
};

// What to do with a value outside the plausibility range: reject it (clinic data, the default)
// or keep it flagged (a published cohort, which must be imported as recorded).
enum class PlausibilityPolicy { kReject, kFlag };

// Builds a validated observation. For a catalogued LOINC (labs/analyte.h) or an ExtraLab the
// unit must be one it is accepted in and the value plausible (errors at "unit" / "value",
// as LabValue::Create). Any other code is kept as received if its value is finite and the
// code looks like a LOINC code (digits, "-", check digit): kInvalidArgument at "code".
base::Result<LabObservation> MakeLabObservation(
    std::string_view code, double value, std::string_view unit, ClinicalTime time,
    PlausibilityPolicy policy = PlausibilityPolicy::kReject);
// The same into `obs`, reusing its texts' storage (an importer's one scratch observation for
// millions of rows); on an error `obs` holds no valid observation.
base::Status MakeLabObservation(std::string_view code, double value, std::string_view unit,
                                ClinicalTime time, PlausibilityPolicy policy, LabObservation* obs);

// Findings at a visit: a name from the table below and a numeric value in its range.
struct FindingKind {
  std::string_view key;
  std::string_view title;
  double min;
  double max;
  std::string_view meaning;
  std::string_view source;
};
std::span<const FindingKind> FindingKinds();
const FindingKind* FindFindingKind(std::string_view key);

struct Finding {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string kind;
  double value = 0;
  ClinicalTime time = ClinicalTime::FromDate({});
  std::string source_key;
  std::string provenance;
};

// Checks kind and range; kInvalidArgument at "kind", kOutOfRange at "value".
base::Status ValidateFinding(const Finding& finding);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_OBSERVATION_H_
