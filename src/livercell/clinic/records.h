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
// for the others). kNotFound for an unknown patient; kOutOfRange at "time" ("onset") for a
// time outside CheckClinicalTime; for a lab, kAlreadyExists naming the stored result with the
// same code, time and value.
base::Status RecordLab(const Context& context, const Actor& actor, domain::LabObservation lab);
base::Status RecordEvent(const Context& context, const Actor& actor, domain::ClinicalEvent event);
base::Status RecordAdverseEvent(const Context& context, const Actor& actor,
                                domain::AdverseEvent event);
base::Status RecordQualityOfLife(const Context& context, const Actor& actor,
                                 domain::QualityOfLife qol);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_RECORDS_H_
