// The JSON of registry records as the API and `livercell patients --format json` give them,
// identified or de-identified (researchers: no identifiers or birth date, every date shifted
// by a per-patient offset, ages capped at 90).
#ifndef LIVERCELL_FORMATS_RECORDS_JSON_H_
#define LIVERCELL_FORMATS_RECORDS_JSON_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/status.h"
#include "livercell/domain/records/correction.h"
#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"

namespace livercell::formats {

// The JSON object of one error, for the CLI's --format json and inside the API's problem
// documents: keys error, path, value, allowed, message, and source when the problem concerns
// a published threshold.
nlohmann::json ErrorToJson(const base::Status& status);

// HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)(C)): ages over 89 are given as one group.
inline constexpr int kAgeCap = 90;

// De-identification for one registry: each patient's dates move back by 1–365 days, the
// same for all of that patient's records (intervals survive), derived from a secret key kept
// in the registry, so the shift cannot be read off the data.
class Deidentifier {
 public:
  explicit Deidentifier(std::string key) : key_(std::move(key)) {}
  int ShiftDays(std::int64_t patient_id) const;
  // The patient's keyed pseudonym ("S-" and 16 hex digits of HMAC-SHA-256 under the
  // registry's de-identification key): what de-identified readers see and use instead of the
  // internal id, which clinicians see on every page and which follows registration order.
  std::string Pseudonym(std::int64_t patient_id) const;
  domain::ClinicalTime Shift(std::int64_t patient_id, const domain::ClinicalTime& time) const;

 private:
  std::string key_;
};

// `deidentify` null = identified. `today` gives the age of a de-identified patient.
nlohmann::json PatientJson(const domain::Patient& patient, const Deidentifier* deidentify,
                           std::chrono::sys_days today);
// A short name for a lab code: the catalogue key, an extra lab's key, or the code itself.
std::string LabName(const std::string& code);

// Each record with its "id" (a lab's: domain::LabId, identified readers only).
nlohmann::json LabJson(const domain::LabObservation& lab, const Deidentifier* deidentify);
nlohmann::json EventJson(const domain::ClinicalEvent& event, const Deidentifier* deidentify);
nlohmann::json FindingJson(const domain::Finding& finding, const Deidentifier* deidentify);
nlohmann::json AdverseEventJson(const domain::AdverseEvent& event, const Deidentifier* deidentify);
// With the CLDQ domain and total scores and the EQ-5D-5L profile string.
nlohmann::json QualityOfLifeJson(const domain::QualityOfLife& qol, const Deidentifier* deidentify);

// A patient's scores: {"current": {"as_of", "scores"}, "history": [{"time", "scores"}],
// "bands": {score: [{"category", "max"}]}}. Scores as specs/scores.md §1.4 gives them, each
// computed from the latest values on or before its time (the registry's record as it stood).
nlohmann::json ScoresJson(const domain::Patient& patient,
                          std::span<const domain::LabObservation> labs,
                          std::span<const domain::Finding> findings,
                          const Deidentifier* deidentify);

// A correction as listings show it beside the record: status, reason, by, at, replaced_by.
nlohmann::json CorrectionJson(const domain::Correction& correction);
// The id a record is named by in the API and the CLI (a lab's LabId, any other's number).
std::string RecordIdOf(const domain::LabObservation& record);
std::string RecordIdOf(const domain::Finding& record);
std::string RecordIdOf(const domain::ClinicalEvent& record);
std::string RecordIdOf(const domain::AdverseEvent& record);
std::string RecordIdOf(const domain::QualityOfLife& record);

// --- request bodies --------------------------------------------------------------------------
// Each names the field, the value and what was allowed in its error (kInvalidArgument or
// kOutOfRange), the same checks the CLI's imports apply (domain::Validate…).

// kInvalidArgument at `path` (empty: the body as a whole).
base::Status BadBody(std::string message, std::string path = "");
// A string member; "" when absent and not required.
base::Result<std::string> StringField(const nlohmann::json& body, const char* key, bool required);
// A whole-number id member (a patient's, a plan's); nullopt when absent and not required.
// `what` says whose id it is in the error ("the patient's id").
base::Result<std::optional<std::int64_t>> IdField(const nlohmann::json& body, const char* key,
                                                  bool required, const char* what);
// A date or UTC instant member (ClinicalTime), required.
base::Result<domain::ClinicalTime> TimeField(const nlohmann::json& body, const char* key);

// {"kind", "value", "time"} (domain::ValidateFinding's kinds and ranges)
base::Result<domain::Finding> FindingFromJson(const nlohmann::json& body);
// {"type", "time", "grade"?}
base::Result<domain::ClinicalEvent> EventFromJson(const nlohmann::json& body);
// {"ctcae_term", "grade", "attribution", "onset", "infusion_id"?}
base::Result<domain::AdverseEvent> AdverseEventFromJson(const nlohmann::json& body);
// {"time", "cldq_items"? (29 × 1–7), "eq5d5l"? (5 × 1–5)}; at least one of the two.
base::Result<domain::QualityOfLife> QualityOfLifeFromJson(const nlohmann::json& body);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_RECORDS_JSON_H_
