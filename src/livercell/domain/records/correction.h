// Corrections, never deletions (issue #22): a registry record entered in error is voided, a
// wrong one amended by a new version that supersedes it; either way the record stays as it
// was and the correction says who, when and why. Readers leave corrected records out of
// listings, scores, assessments, statistics and exports unless asked.
#ifndef LIVERCELL_DOMAIN_RECORDS_CORRECTION_H_
#define LIVERCELL_DOMAIN_RECORDS_CORRECTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"

namespace livercell::domain {

enum class RecordKind { kLab, kFinding, kEvent, kAdverseEvent, kQualityOfLife };
// "lab", "finding", "event", "adverse-event", "qol" (the API's path words: labs, findings,
// events, adverse-events, qol, without the plural).
std::string_view ToString(RecordKind kind);
// Either form ("lab" or "labs"); nullopt otherwise.
std::optional<RecordKind> ParseRecordKind(std::string_view text);

inline constexpr std::string_view kEnteredInError = "entered-in-error";
inline constexpr std::string_view kSuperseded = "superseded";

struct Correction {
  RecordKind kind = RecordKind::kLab;
  std::int64_t patient_id = 0;
  std::string record_id;    // the corrected record's id (RecordId)
  std::string status;       // kEnteredInError or kSuperseded
  std::string reason;       // why, as the person said it
  std::optional<std::string> replaced_by;  // the amendment's id
  std::string by;           // who
  std::string at;           // when (UTC instant)
};

// A lab's stable id: labs are keyed by (patient, code, time, source key) and have no number, so
// the id is the first 16 hex digits of the SHA-256 of "code|time|source_key".
std::string LabId(const LabObservation& lab);
// "code|time|source_key": the key a correction of a lab is stored under.
std::string LabKey(const LabObservation& lab);
// The id of the lab stored under `key` (LabId of that lab).
std::string LabIdOfKey(std::string_view key);

// The kind of a record, for corrections and listings.
inline RecordKind KindOf(const LabObservation&) { return RecordKind::kLab; }
inline RecordKind KindOf(const Finding&) { return RecordKind::kFinding; }
inline RecordKind KindOf(const ClinicalEvent&) { return RecordKind::kEvent; }
inline RecordKind KindOf(const AdverseEvent&) { return RecordKind::kAdverseEvent; }
inline RecordKind KindOf(const QualityOfLife&) { return RecordKind::kQualityOfLife; }

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_CORRECTION_H_
