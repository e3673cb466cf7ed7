#include "livercell/clinic/records.h"

#include <fmt/format.h>

#include <cmath>

#include "livercell/base/instant.h"

namespace livercell::clinic {
namespace {

using access::Permission;

std::string DayText(std::chrono::sys_days day) {
  return domain::ClinicalTime::FromDate(day).ToString();
}

// The checks every record of a patient shares, against the patient as stored now.
base::Status CheckAgainstPatient(storage::Repository& repo, std::int64_t patient_id,
                                 const domain::ClinicalTime& time, std::chrono::sys_seconds now,
                                 std::string_view time_path) {
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo.GetPatient(patient_id));
  return CheckClinicalTime(time, now, patient.birth_date, time_path);
}

// Stores one record (`add`) of `patient_id` after `check`, as `actor`, audited as "create".
template <typename Record>
base::Status Store(const Context& context, const Actor& actor, Permission permission,
                   std::string_view what, std::int64_t patient_id, Record record,
                   base::Result<bool> (storage::Repository::*add)(const Record&),
                   const std::function<base::Status(storage::Repository&)>& check) {
  if (base::Status allowed = Authorize(actor, permission, what); !allowed.ok()) {
    return Refuse(context, actor, "create", patient_id, std::move(allowed));
  }
  return context.journal.Record(EntryFor(actor, "create", patient_id, context.now),
                                [&](storage::Repository& r) -> base::Status {
                                  LC_RETURN_IF_ERROR(check(r));
                                  return (r.*add)(record).status();
                                });
}

// The source key and provenance of a record entered by hand.
template <typename Record>
void StampManualEntry(const Actor& actor, Record* record) {
  record->source_key = fmt::format("{}:{}", ToString(actor.interface), actor.request_id);
  record->provenance =
      fmt::format("{} by {} request {}", ToString(actor.interface), actor.username,
                  actor.request_id);
}

}  // namespace

base::Status CheckClinicalTime(const domain::ClinicalTime& time, std::chrono::sys_seconds now,
                               std::optional<std::chrono::sys_days> birth_date,
                               std::string_view path) {
  const bool future = time.date_only()
                          ? time.day() > std::chrono::floor<std::chrono::days>(now + kClockSkew)
                          : time.instant() > now + kClockSkew;
  if (future) {
    base::Status status(base::StatusCode::kOutOfRange,
                        "is in the future (a clinical time is when it happened)");
    status.SetPath(std::string(path))
        .SetValue(time.ToString())
        .SetAllowed(fmt::format("at most {} (now, with {} min of clock skew)",
                                base::FormatInstant(now + kClockSkew), kClockSkew.count()));
    return status;
  }
  if (birth_date && time.day() < *birth_date) {
    base::Status status(base::StatusCode::kOutOfRange, "is before the patient's birth");
    status.SetPath(std::string(path))
        .SetValue(time.ToString())
        .SetAllowed(fmt::format("from {} (birth date)", DayText(*birth_date)));
    return status;
  }
  return base::OkStatus();
}

base::Result<domain::Patient> RegisterPatient(const Context& context, const Actor& actor,
                                              domain::Patient patient) {
  if (base::Status allowed = Authorize(actor, Permission::kWritePatients, "register a patient");
      !allowed.ok()) {
    return Refuse(context, actor, "create", std::nullopt, std::move(allowed));
  }
  if (patient.provenance.empty()) {
    patient.provenance = fmt::format("{} by {} request {}", ToString(actor.interface),
                                     actor.username, actor.request_id);
  }
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "create", std::nullopt, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(patient.id, r.CreatePatient(patient));
        return base::OkStatus();
      }));
  return patient;
}

base::Result<std::int64_t> UpdatePatient(const Context& context, const Actor& actor,
                                         const domain::Patient& patient,
                                         std::int64_t expected_version) {
  if (base::Status allowed = Authorize(actor, Permission::kWritePatients, "update a patient");
      !allowed.ok()) {
    return Refuse(context, actor, "update", patient.id, std::move(allowed));
  }
  std::int64_t version = 0;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "update", patient.id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(const std::int64_t current, r.PatientVersion(patient.id));
        if (current != expected_version) {
          base::Status status(base::StatusCode::kFailedPrecondition,
                              "the patient was changed since you read it: reload and apply "
                              "your change again");
          status.SetPath("version")
              .SetValue(std::to_string(expected_version))
              .SetAllowed(std::to_string(current));
          return status;
        }
        LC_ASSIGN_OR_RETURN(version, r.UpdatePatient(patient, current));
        return base::OkStatus();
      }));
  return version;
}

base::Status RecordLab(const Context& context, const Actor& actor, domain::LabObservation lab) {
  StampManualEntry(actor, &lab);
  const std::int64_t patient_id = lab.patient_id;
  return Store(context, actor, Permission::kRecordLabs, "record a lab result", patient_id, lab,
               &storage::Repository::AddLab, [&](storage::Repository& r) -> base::Status {
                 LC_RETURN_IF_ERROR(
                     CheckAgainstPatient(r, patient_id, lab.time, context.now, "time"));
                 LC_ASSIGN_OR_RETURN(const auto stored, r.Labs(patient_id));
                 for (const domain::LabObservation& s : stored) {
                   if (s.code != lab.code || s.time != lab.time || s.unit != lab.unit ||
                       s.value != lab.value) {
                     continue;
                   }
                   base::Status status(
                       base::StatusCode::kAlreadyExists,
                       fmt::format("this result is already recorded ({} {} {} at {}, {})",
                                   s.code, s.value, s.unit, s.time.ToString(), s.provenance));
                   status.SetPath("value").SetValue(fmt::format("{} {}", lab.value, lab.unit));
                   return status;
                 }
                 return base::OkStatus();
               });
}

base::Status RecordEvent(const Context& context, const Actor& actor, domain::ClinicalEvent event) {
  StampManualEntry(actor, &event);
  const std::int64_t patient_id = event.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record a clinical event", patient_id,
               event, &storage::Repository::AddEvent, [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, event.time, context.now, "time");
               });
}

base::Status RecordAdverseEvent(const Context& context, const Actor& actor,
                                domain::AdverseEvent event) {
  StampManualEntry(actor, &event);
  const std::int64_t patient_id = event.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record an adverse event", patient_id,
               event, &storage::Repository::AddAdverseEvent, [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, event.onset, context.now, "onset");
               });
}

base::Status RecordQualityOfLife(const Context& context, const Actor& actor,
                                 domain::QualityOfLife qol) {
  StampManualEntry(actor, &qol);
  const std::int64_t patient_id = qol.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record quality of life", patient_id,
               qol, &storage::Repository::AddQualityOfLife, [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, qol.time, context.now, "time");
               });
}

}  // namespace livercell::clinic
