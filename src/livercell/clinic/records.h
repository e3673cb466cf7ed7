// Registry records through the clinic's door (issue #22): registering and updating a patient
// and recording labs, clinical events, adverse events and quality of life. Each call checks
// the actor's permission, validates the record against the patient as now stored (a clinical
// time may not lie in the future beyond kClockSkew, nor before the patient's birth; a lab
// identical to one stored is refused), stores it and appends its audit entry in one
// transaction. A refusal is audited with its code.
#ifndef LIVERCELL_CLINIC_RECORDS_H_
#define LIVERCELL_CLINIC_RECORDS_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"

namespace livercell::clinic {

// Clinic default, not a clinical number: the clocks of a clinic's devices disagree by a few
// minutes; a record stamped up to this far ahead of the server's clock is accepted.
inline constexpr std::chrono::minutes kClockSkew{5};

// kOutOfRange at `path` when `time` is after `now` + kClockSkew (a date: after today) or
// before `birth_date`.
base::Status CheckClinicalTime(const domain::ClinicalTime& time, std::chrono::sys_seconds now,
                               std::optional<std::chrono::sys_days> birth_date,
                               std::string_view path);

// A new patient (permission write-patients); returns it with its id.
base::Result<domain::Patient> RegisterPatient(const Context& context, const Actor& actor,
                                              domain::Patient patient);

// Replaces the demographics of `patient.id` if it still stands at `expected_version` (the
// version the actor read); returns the new version. kFailedPrecondition at path "version"
// (value: the version given, allowed: the current one) when someone changed it since.
base::Result<std::int64_t> UpdatePatient(const Context& context, const Actor& actor,
                                         const domain::Patient& patient,
                                         std::int64_t expected_version);

// One record of patient `record.patient_id` (permission record-labs for labs, record-visits
// for the others); returns its id (formats::RecordIdOf). kNotFound for an unknown patient;
// kOutOfRange at "time" ("onset") for a time outside CheckClinicalTime; for a lab,
// kAlreadyExists naming the stored result with the same code, time and value, and — unless
// `confirmed` — kFailedPrecondition at "confirm" when it is further from the patient's previous
// value of the analyte within domain::kDeltaWindowDays than the delta limit
// (domain/labs/delta.h): "7.2 → 18 mg/dL since 2026-11-30: is this right?".
base::Result<std::string> RecordLab(const Context& context, const Actor& actor,
                                    domain::LabObservation lab, bool confirmed = false);
base::Result<std::string> RecordEvent(const Context& context, const Actor& actor,
                                      domain::ClinicalEvent event);
base::Result<std::string> RecordAdverseEvent(const Context& context, const Actor& actor,
                                             domain::AdverseEvent event);
base::Result<std::string> RecordQualityOfLife(const Context& context, const Actor& actor,
                                              domain::QualityOfLife qol);

// --- corrections, never deletions (domain/records/correction.h) -----------------------------
// Voids record `record_id` of `kind` of patient `patient_id` as entered in error, for `reason`
// (required), by `actor` (the permission that records that kind). kNotFound for an unknown
// record; kFailedPrecondition at "id" when it was already voided or superseded (412: stale).
base::Status VoidRecord(const Context& context, const Actor& actor, domain::RecordKind kind,
                        std::int64_t patient_id, const std::string& record_id,
                        const std::string& reason);

// Amends: `replacement` (validated as a new record) is stored and supersedes the record,
// linked both ways, in one transaction with the audit entry. Returns the new record's id.
base::Result<std::string> AmendLab(const Context& context, const Actor& actor,
                                   const std::string& record_id,
                                   domain::LabObservation replacement, const std::string& reason);
base::Result<std::string> AmendEvent(const Context& context, const Actor& actor,
                                     const std::string& record_id,
                                     domain::ClinicalEvent replacement,
                                     const std::string& reason);
base::Result<std::string> AmendAdverseEvent(const Context& context, const Actor& actor,
                                            const std::string& record_id,
                                            domain::AdverseEvent replacement,
                                            const std::string& reason);
base::Result<std::string> AmendFinding(const Context& context, const Actor& actor,
                                       const std::string& record_id, domain::Finding replacement,
                                       const std::string& reason);
base::Result<std::string> AmendQualityOfLife(const Context& context, const Actor& actor,
                                             const std::string& record_id,
                                             domain::QualityOfLife replacement,
                                             const std::string& reason);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_RECORDS_H_
