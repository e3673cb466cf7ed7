#include "livercell/clinic/records.h"

#include <fmt/format.h>

#include <cmath>
#include <span>

#include "livercell/base/instant.h"
#include "livercell/base/secrets.h"
#include "livercell/domain/labs/delta.h"

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

using domain::KindOf;

// The id of `record` once stored: a lab's is its key's hash, any other's its row number.
template <typename Record>
base::Result<std::string> StoredId(storage::Repository& repo, const Record& record) {
  if constexpr (std::is_same_v<Record, domain::LabObservation>) {
    return domain::LabId(record);
  } else {
    LC_ASSIGN_OR_RETURN(const std::int64_t id,
                        repo.RecordIdBySourceKey(KindOf(record), record.source_key));
    return std::to_string(id);
  }
}

// Stores one record (`add`) of `patient_id` after `check`, as `actor`, audited as `action`;
// `then` runs in the same transaction with the new record's id (an amendment links it).
template <typename Record>
base::Result<std::string> Store(
    const Context& context, const Actor& actor, Permission permission, std::string_view what,
    std::string_view action, std::int64_t patient_id, Record record,
    base::Result<bool> (storage::Repository::*add)(const Record&),
    const std::function<base::Status(storage::Repository&)>& check,
    const std::function<base::Status(storage::Repository&, const std::string&)>& then = {}) {
  if (base::Status allowed = Authorize(actor, permission, what); !allowed.ok()) {
    return Refuse(context, actor, action, patient_id, std::move(allowed));
  }
  std::string id;
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, action, patient_id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_RETURN_IF_ERROR(check(r));
        LC_RETURN_IF_ERROR((r.*add)(record).status());
        LC_ASSIGN_OR_RETURN(id, StoredId(r, record));
        if (then) LC_RETURN_IF_ERROR(then(r, id));
        return base::OkStatus();
      }));
  return id;
}

// The source key and provenance of a record entered by hand. The key is unique to the record
// (two results of one request, or of one command-line actor, never share it): a repeated
// result is refused by the duplicate check instead, naming the stored one.
template <typename Record>
void StampManualEntry(const Actor& actor, Record* record) {
  record->source_key =
      fmt::format("{}:{}:{}", ToString(actor.interface), actor.request_id, base::RandomHex(6));
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

namespace {

// A lab may not repeat one stored (same code, time, unit and value).
base::Status CheckNotDuplicate(std::span<const domain::LabObservation> stored,
                               const domain::LabObservation& lab) {
  for (const domain::LabObservation& s : stored) {
    if (s.code != lab.code || s.time != lab.time || s.unit != lab.unit || s.value != lab.value) {
      continue;
    }
    base::Status status(base::StatusCode::kAlreadyExists,
                        fmt::format("this result is already recorded as lab {} ({} {} {} at {}, "
                                    "{})",
                                    domain::LabId(s), s.code, s.value, s.unit, s.time.ToString(),
                                    s.provenance));
    status.SetPath("value").SetValue(fmt::format("{} {}", lab.value, lab.unit));
    return status;
  }
  return base::OkStatus();
}

// The previous result of the analyte (before the new one, within the window) and a question
// when the new one is too far from it.
base::Status CheckDelta(std::span<const domain::LabObservation> stored,
                        const domain::LabObservation& lab) {
  const std::optional<domain::Analyte> analyte = domain::AnalyteFromLoinc(lab.code);
  if (!analyte || !lab.canonical_value) return base::OkStatus();
  const domain::LabObservation* previous = nullptr;
  for (const domain::LabObservation& s : stored) {
    if (domain::AnalyteFromLoinc(s.code) != analyte || !s.canonical_value) continue;
    if (s.time.instant() > lab.time.instant()) continue;
    if (lab.time.instant() - s.time.instant() > std::chrono::days(domain::kDeltaWindowDays)) {
      continue;
    }
    if (previous == nullptr || previous->time.instant() < s.time.instant()) previous = &s;
  }
  if (previous == nullptr ||
      !domain::ExceedsDelta(*analyte, *previous->canonical_value, *lab.canonical_value)) {
    return base::OkStatus();
  }
  const domain::DeltaLimit limit = *domain::DeltaLimitOf(*analyte);
  base::Status status(
      base::StatusCode::kFailedPrecondition,
      fmt::format("{:g} → {:g} {} since {}: is this right? Confirm to record it", 
                  *previous->canonical_value, *lab.canonical_value, lab.canonical_unit,
                  previous->time.ToString()));
  status.SetPath("confirm")
      .SetValue(fmt::format("{:g} {}", *lab.canonical_value, lab.canonical_unit))
      .SetAllowed(fmt::format("within {:g} % of {:g} {} (or confirm)", limit.max_fraction * 100,
                              *previous->canonical_value, lab.canonical_unit))
      .SetSource(std::string(limit.source));
  return status;
}

base::Status CheckLab(const Context& context, storage::Repository& r,
                      const domain::LabObservation& lab, bool confirmed = true) {
  LC_RETURN_IF_ERROR(CheckAgainstPatient(r, lab.patient_id, lab.time, context.now, "time"));
  // The patient's results, read once for both checks.
  LC_ASSIGN_OR_RETURN(const auto stored, r.Labs(lab.patient_id));
  LC_RETURN_IF_ERROR(CheckNotDuplicate(stored, lab));
  return confirmed ? base::OkStatus() : CheckDelta(stored, lab);
}

Permission PermissionFor(domain::RecordKind kind) {
  return kind == domain::RecordKind::kLab ? Permission::kRecordLabs : Permission::kRecordVisits;
}

base::Status RequireReason(const std::string& reason) {
  if (reason.find_first_not_of(" \t\r\n") != std::string::npos) return base::OkStatus();
  base::Status status(base::StatusCode::kInvalidArgument,
                      "a correction needs its reason (who reads the record later must know why)");
  status.SetPath("reason");
  return status;
}

// The key of the numbered record `id` among those `read` returns, if it is there.
template <typename Record>
base::Result<std::optional<std::string>> NumberedKey(
    storage::Repository& r,
    base::Result<std::vector<Record>> (storage::Repository::*read)(
        std::int64_t, storage::Repository::Visibility),
    std::int64_t patient_id, storage::Repository::Visibility visibility, const std::string& id) {
  LC_ASSIGN_OR_RETURN(const auto rows, (r.*read)(patient_id, visibility));
  for (const Record& row : rows) {
    if (std::to_string(row.id) == id) return std::optional<std::string>(id);
  }
  return std::optional<std::string>();
}

// The record's key in its table when it is current; kNotFound when there is no such record,
// kFailedPrecondition when it was already corrected.
base::Result<std::string> CurrentRecordKey(storage::Repository& r, domain::RecordKind kind,
                                           std::int64_t patient_id, const std::string& id) {
  for (const auto visibility :
       {storage::Repository::Visibility::kCurrent, storage::Repository::Visibility::kAll}) {
    std::optional<std::string> key;
    switch (kind) {
      case domain::RecordKind::kLab: {
        LC_ASSIGN_OR_RETURN(const auto labs, r.Labs(patient_id, visibility));
        for (const auto& l : labs)
          if (domain::LabId(l) == id) key = domain::LabKey(l);
        break;
      }
      case domain::RecordKind::kFinding: {
        LC_ASSIGN_OR_RETURN(key, NumberedKey(r, &storage::Repository::Findings, patient_id,
                                             visibility, id));
        break;
      }
      case domain::RecordKind::kEvent: {
        LC_ASSIGN_OR_RETURN(key, NumberedKey(r, &storage::Repository::Events, patient_id,
                                             visibility, id));
        break;
      }
      case domain::RecordKind::kAdverseEvent: {
        LC_ASSIGN_OR_RETURN(key, NumberedKey(r, &storage::Repository::AdverseEvents, patient_id,
                                             visibility, id));
        break;
      }
      case domain::RecordKind::kQualityOfLife: {
        LC_ASSIGN_OR_RETURN(key, NumberedKey(r, &storage::Repository::QualityOfLife, patient_id,
                                             visibility, id));
        break;
      }
    }
    if (key && visibility == storage::Repository::Visibility::kCurrent) return *key;
    if (key) {
      base::Status status(base::StatusCode::kFailedPrecondition,
                          fmt::format("{} {} was already corrected: reload it and correct the "
                                      "current version",
                                      domain::ToString(kind), id));
      status.SetPath("id").SetValue(id);
      return status;
    }
  }
  base::Status status = base::NotFoundError(
      fmt::format("patient {} has no {} {}", patient_id, domain::ToString(kind), id));
  status.SetPath("id").SetValue(id);
  return status;
}

domain::Correction CorrectionBy(const Context& context, const Actor& actor,
                                domain::RecordKind kind, std::int64_t patient_id,
                                const std::string& id, std::string_view status,
                                const std::string& reason) {
  domain::Correction c;
  c.kind = kind;
  c.patient_id = patient_id;
  c.record_id = id;
  c.status = std::string(status);
  c.reason = reason;
  c.by = actor.username;
  c.at = base::FormatInstant(context.now);
  return c;
}

template <typename Record>
base::Result<std::string> Amend(const Context& context, const Actor& actor,
                                const std::string& record_id, Record replacement,
                                const std::string& reason,
                                base::Result<bool> (storage::Repository::*add)(const Record&),
                                const std::function<base::Status(storage::Repository&,
                                                                 const Record&)>& check) {
  const domain::RecordKind kind = KindOf(replacement);
  const std::int64_t patient_id = replacement.patient_id;
  if (base::Status why = RequireReason(reason); !why.ok()) {
    return Refuse(context, actor, "amend", patient_id, std::move(why));
  }
  StampManualEntry(actor, &replacement);
  replacement.source_key = fmt::format("amend:{}:{}:{}", domain::ToString(kind), record_id,
                                       actor.request_id);
  std::string key;
  return Store(
      context, actor, PermissionFor(kind), "amend a record", "amend", patient_id, replacement,
      add,
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(key, CurrentRecordKey(r, kind, patient_id, record_id));
        return check(r, replacement);
      },
      [&](storage::Repository& r, const std::string& new_id) {
        domain::Correction c = CorrectionBy(context, actor, kind, patient_id, record_id,
                                            domain::kSuperseded, reason);
        c.replaced_by = new_id;
        return r.AddCorrection(c, key);
      });
}

}  // namespace

base::Result<std::string> RecordLab(const Context& context, const Actor& actor,
                                    domain::LabObservation lab, bool confirmed) {
  StampManualEntry(actor, &lab);
  const std::int64_t patient_id = lab.patient_id;
  return Store(context, actor, Permission::kRecordLabs, "record a lab result", "create",
               patient_id, lab, &storage::Repository::AddLab,
               [&](storage::Repository& r) { return CheckLab(context, r, lab, confirmed); });
}

base::Result<std::string> RecordEvent(const Context& context, const Actor& actor,
                                      domain::ClinicalEvent event) {
  StampManualEntry(actor, &event);
  const std::int64_t patient_id = event.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record a clinical event", "create",
               patient_id, event, &storage::Repository::AddEvent, [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, event.time, context.now, "time");
               });
}

base::Result<std::string> RecordAdverseEvent(const Context& context, const Actor& actor,
                                             domain::AdverseEvent event) {
  StampManualEntry(actor, &event);
  const std::int64_t patient_id = event.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record an adverse event", "create",
               patient_id, event, &storage::Repository::AddAdverseEvent,
               [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, event.onset, context.now, "onset");
               });
}

base::Result<std::string> RecordQualityOfLife(const Context& context, const Actor& actor,
                                              domain::QualityOfLife qol) {
  StampManualEntry(actor, &qol);
  const std::int64_t patient_id = qol.patient_id;
  return Store(context, actor, Permission::kRecordVisits, "record quality of life", "create",
               patient_id, qol, &storage::Repository::AddQualityOfLife,
               [&](storage::Repository& r) {
                 return CheckAgainstPatient(r, patient_id, qol.time, context.now, "time");
               });
}

base::Status VoidRecord(const Context& context, const Actor& actor, domain::RecordKind kind,
                        std::int64_t patient_id, const std::string& record_id,
                        const std::string& reason) {
  if (base::Status allowed = Authorize(actor, PermissionFor(kind), "void a record");
      !allowed.ok()) {
    return Refuse(context, actor, "void", patient_id, std::move(allowed));
  }
  if (base::Status why = RequireReason(reason); !why.ok()) {
    return Refuse(context, actor, "void", patient_id, std::move(why));
  }
  access::AuditEntry entry = EntryFor(actor, "void", patient_id, context.now);
  entry.resource += fmt::format(" ({} {}: {})", domain::ToString(kind), record_id, reason);
  return context.journal.Record(std::move(entry), [&](storage::Repository& r) -> base::Status {
    LC_ASSIGN_OR_RETURN(const std::string key, CurrentRecordKey(r, kind, patient_id, record_id));
    return r.AddCorrection(CorrectionBy(context, actor, kind, patient_id, record_id,
                                        domain::kEnteredInError, reason),
                           key);
  });
}

base::Result<std::string> AmendLab(const Context& context, const Actor& actor,
                                   const std::string& record_id,
                                   domain::LabObservation replacement, const std::string& reason) {
  return Amend<domain::LabObservation>(
      context, actor, record_id, std::move(replacement), reason, &storage::Repository::AddLab,
      [&](storage::Repository& r, const domain::LabObservation& lab) {
        return CheckLab(context, r, lab);
      });
}

base::Result<std::string> AmendEvent(const Context& context, const Actor& actor,
                                     const std::string& record_id,
                                     domain::ClinicalEvent replacement,
                                     const std::string& reason) {
  return Amend<domain::ClinicalEvent>(
      context, actor, record_id, std::move(replacement), reason, &storage::Repository::AddEvent,
      [&](storage::Repository& r, const domain::ClinicalEvent& e) {
        return CheckAgainstPatient(r, e.patient_id, e.time, context.now, "time");
      });
}

base::Result<std::string> AmendAdverseEvent(const Context& context, const Actor& actor,
                                            const std::string& record_id,
                                            domain::AdverseEvent replacement,
                                            const std::string& reason) {
  return Amend<domain::AdverseEvent>(
      context, actor, record_id, std::move(replacement), reason,
      &storage::Repository::AddAdverseEvent,
      [&](storage::Repository& r, const domain::AdverseEvent& e) {
        return CheckAgainstPatient(r, e.patient_id, e.onset, context.now, "onset");
      });
}

base::Result<std::string> AmendQualityOfLife(const Context& context, const Actor& actor,
                                             const std::string& record_id,
                                             domain::QualityOfLife replacement,
                                             const std::string& reason) {
  return Amend<domain::QualityOfLife>(
      context, actor, record_id, std::move(replacement), reason,
      &storage::Repository::AddQualityOfLife,
      [&](storage::Repository& r, const domain::QualityOfLife& q) {
        return CheckAgainstPatient(r, q.patient_id, q.time, context.now, "time");
      });
}

base::Result<std::string> AmendFinding(const Context& context, const Actor& actor,
                                       const std::string& record_id, domain::Finding replacement,
                                       const std::string& reason) {
  return Amend<domain::Finding>(
      context, actor, record_id, std::move(replacement), reason, &storage::Repository::AddFinding,
      [&](storage::Repository& r, const domain::Finding& f) {
        return CheckAgainstPatient(r, f.patient_id, f.time, context.now, "time");
      });
}

}  // namespace livercell::clinic
