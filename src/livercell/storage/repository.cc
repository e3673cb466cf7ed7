#include "livercell/storage/repository.h"

#include <fmt/format.h>

#include <charconv>

#include "livercell/base/sha256.h"
#include "livercell/storage/migrations.h"
#include "livercell/storage/row_values.h"

namespace livercell::storage {
namespace {

using domain::ClinicalTime;
using sql::Row;
using sql::Value;

constexpr int kMaxAttempts = 5;

// Leaves out the records of `table` (kind `kind`) that a correction voided or superseded.
std::string CurrentOnly(std::string_view table, std::string_view kind) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM corrections c WHERE c.kind = '{}' AND c.patient_id = "
      "{}.patient_id AND c.record_key = CAST({}.id AS TEXT))",
      kind, table, table);
}

std::string Filter(Repository::Visibility visibility, std::string_view table,
                   std::string_view kind) {
  return visibility == Repository::Visibility::kCurrent
             ? fmt::format("AND {}", CurrentOnly(table, kind))
             : std::string();
}

constexpr const char* kFindingColumns = "id, patient_id, kind, value, time, source_key, provenance";

domain::Finding FindingOf(const Row& row) {
  domain::Finding f;
  f.id = row.Int(0);
  f.patient_id = row.Int(1);
  f.kind = row.Text(2);
  f.value = row.Double(3);
  f.time = TimeOf(row, 4);
  f.source_key = row.Text(5);
  f.provenance = row.Text(6);
  return f;
}

constexpr const char* kEventColumns = "id, patient_id, type, grade, time, source_key, provenance";

domain::ClinicalEvent EventOf(const Row& row) {
  domain::ClinicalEvent e;
  e.id = row.Int(0);
  e.patient_id = row.Int(1);
  e.type = row.Text(2);
  if (!row.IsNull(3)) e.grade = static_cast<int>(row.Int(3));
  e.time = TimeOf(row, 4);
  e.source_key = row.Text(5);
  e.provenance = row.Text(6);
  return e;
}

constexpr const char* kAdverseColumns =
    "id, patient_id, ctcae_term, grade, attribution, infusion_id, onset, source_key, provenance";

domain::AdverseEvent AdverseOf(const Row& row) {
  domain::AdverseEvent e;
  e.id = row.Int(0);
  e.patient_id = row.Int(1);
  e.ctcae_term = row.Text(2);
  e.grade = static_cast<int>(row.Int(3));
  base::Result<domain::Attribution> attribution = domain::ParseAttribution(row.Text(4));
  if (attribution.ok()) e.attribution = attribution.value();
  e.infusion_id = OptionalTextOf(row, 5);
  e.onset = TimeOf(row, 6);
  e.source_key = row.Text(7);
  e.provenance = row.Text(8);
  return e;
}

constexpr const char* kAssessmentColumns =
    "a.id, a.patient_id, a.assessed_at, a.decision, p.id, p.version, a.protocol_sha256, p.text, "
    "a.input_json, a.result_json, a.signed_by, a.signed_role, a.content_hash";

domain::AssessmentRecord AssessmentOf(const Row& row) {
  domain::AssessmentRecord a;
  a.id = row.Int(0);
  a.patient_id = row.Int(1);
  a.assessed_at = TimeOf(row, 2);
  a.decision = row.Text(3);
  a.protocol_id = row.Text(4);
  a.protocol_version = row.Text(5);
  a.protocol_sha256 = row.Text(6);
  a.protocol_text = row.Text(7);
  a.input_json = row.Text(8);
  a.result_json = row.Text(9);
  a.signed_by = OptionalTextOf(row, 10);
  a.signed_role = OptionalTextOf(row, 11);
  a.content_hash = row.Text(12);
  return a;
}

constexpr const char* kQolColumns = "id, patient_id, time, cldq, eq5d5l, source_key, provenance";

// "7654321…" ↔ item scores (one digit per item; CLDQ items are 1–7, EQ-5D-5L levels 1–5).
template <std::size_t N>
std::optional<std::array<int, N>> DigitsOf(const std::optional<std::string>& text) {
  if (!text || text->size() != N) return std::nullopt;
  std::array<int, N> items{};
  for (std::size_t i = 0; i < N; ++i) items[i] = (*text)[i] - '0';
  return items;
}

template <std::size_t N>
Value DigitsText(const std::optional<std::array<int, N>>& items) {
  if (!items) return std::monostate{};
  std::string text;
  for (int item : *items) text.push_back(static_cast<char>('0' + item));
  return text;
}

domain::QualityOfLife QolOf(const Row& row) {
  domain::QualityOfLife q;
  q.id = row.Int(0);
  q.patient_id = row.Int(1);
  q.time = TimeOf(row, 2);
  q.cldq_items = DigitsOf<29>(OptionalTextOf(row, 3));
  q.eq5d5l = DigitsOf<5>(OptionalTextOf(row, 4));
  q.source_key = row.Text(5);
  q.provenance = row.Text(6);
  return q;
}


}  // namespace

base::Result<std::unique_ptr<Repository>> Repository::Open(std::string_view url,
                                                           SchemaPolicy policy) {
  LC_ASSIGN_OR_RETURN(std::unique_ptr<sql::Connection> db, sql::Open(url));
  auto repo = std::make_unique<Repository>(std::move(db));
  if (policy == SchemaPolicy::kAny) return repo;
  LC_ASSIGN_OR_RETURN(const int version, SchemaVersion(repo->connection()));
  if (version == 0 && policy == SchemaPolicy::kInitializeIfEmpty) {
    LC_RETURN_IF_ERROR(Migrate(repo->connection()).status());
    return repo;
  }
  if (version != LatestSchemaVersion()) {
    base::Status status(
        base::StatusCode::kFailedPrecondition,
        version == 0 ? "the database has no LiverCell schema: run `livercell db init --db URL`"
                     : fmt::format("the database has schema version {}, this livercell needs {}: "
                                   "run `livercell db migrate --db URL`",
                                   version, LatestSchemaVersion()));
    status.SetPath("--db");
    return status;
  }
  return repo;
}

base::Status Repository::InTransaction(const std::function<base::Status()>& body) {
  base::Status status;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    LC_RETURN_IF_ERROR(db_->Begin());
    status = body();
    if (status.ok()) status = db_->Commit();
    if (status.ok()) return status;
    (void)db_->Rollback();
    if (status.code() != base::StatusCode::kAborted) return status;
  }
  return status;
}

base::Result<std::optional<std::int64_t>> Repository::FindPatient(const domain::ExternalId& id) {
  std::optional<std::int64_t> found;
  const Value params[] = {Text(id.system), Text(id.value)};
  LC_RETURN_IF_ERROR(db_->Execute("SELECT patient_id FROM patient_identifiers WHERE system = ? "
                                  "AND value = ?",
                                  params, [&found](const Row& row) { found = row.Int(0); })
                         .status());
  return found;
}

base::Result<std::int64_t> Repository::CreatePatient(const domain::Patient& p) {
  for (std::size_t i = 0; i < p.identifiers.size(); ++i) {
    base::Status status = domain::ValidateExternalId(p.identifiers[i]);
    if (!status.ok()) return std::move(status.PrefixPath(fmt::format("identifiers[{}]", i)));
  }
  const Value params[] = {p.sex ? Value(std::string(domain::ToString(*p.sex))) : Value(),
                          p.birth_date ? Value(DateText(*p.birth_date)) : Value(),
                          OptionalText(p.aetiology_icd10),
                          p.ecog ? Value(std::int64_t{*p.ecog}) : Value(), Text(p.provenance),
                          OptionalText(p.family_name), OptionalText(p.given_name)};
  std::int64_t id = 0;
  LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO patients (sex, birth_date, aetiology_icd10, ecog, "
                                  "provenance, family_name, given_name) VALUES (?, ?, ?, ?, ?, ?, "
                                  "?) RETURNING id",
                                  params, [&id](const Row& row) { id = row.Int(0); })
                         .status());
  for (const domain::ExternalId& ext : p.identifiers) {
    const Value idp[] = {id, Text(ext.system), Text(ext.value)};
    base::Result<std::int64_t> inserted = db_->Execute(
        "INSERT INTO patient_identifiers (patient_id, system, value) VALUES (?, ?, ?)", idp);
    if (!inserted.ok()) {
      base::Status status = inserted.status();
      if (status.code() == base::StatusCode::kAlreadyExists) {
        status = base::Status(
            base::StatusCode::kAlreadyExists,
            fmt::format("identifier {}:{} belongs to another patient", ext.system, ext.value));
      }
      return status;
    }
  }
  for (const std::string& icd10 : p.comorbidities_icd10) {
    const Value cp[] = {id, Text(icd10)};
    LC_RETURN_IF_ERROR(
        db_->Execute("INSERT INTO comorbidities (patient_id, icd10) VALUES (?, ?)", cp).status());
  }
  return id;
}

base::Result<std::int64_t> Repository::PatientVersion(std::int64_t id) {
  std::optional<std::int64_t> version;
  const Value params[] = {id};
  LC_RETURN_IF_ERROR(db_->Execute("SELECT version FROM patients WHERE id = ?", params,
                                  [&version](const Row& row) { version = row.Int(0); })
                         .status());
  if (!version) {
    base::Status status = base::NotFoundError(fmt::format("no patient with id {}", id));
    status.SetValue(static_cast<double>(id));
    return status;
  }
  return *version;
}

base::Result<std::int64_t> Repository::UpdatePatient(const domain::Patient& p,
                                                     std::int64_t expected_version) {
  const Value params[] = {p.sex ? Value(std::string(domain::ToString(*p.sex))) : Value(),
                          p.birth_date ? Value(DateText(*p.birth_date)) : Value(),
                          OptionalText(p.aetiology_icd10),
                          p.ecog ? Value(std::int64_t{*p.ecog}) : Value(),
                          OptionalText(p.family_name),
                          OptionalText(p.given_name),
                          p.id,
                          expected_version};
  LC_ASSIGN_OR_RETURN(const std::int64_t changed,
                      db_->Execute("UPDATE patients SET sex = ?, birth_date = ?, "
                                   "aetiology_icd10 = ?, ecog = ?, family_name = ?, "
                                   "given_name = ?, version = version + 1 "
                                   "WHERE id = ? AND version = ?",
                                   params));
  if (changed == 0) {
    LC_ASSIGN_OR_RETURN(const std::int64_t current, PatientVersion(p.id));
    base::Status status(base::StatusCode::kFailedPrecondition,
                        fmt::format("patient {} is at version {}, not {}", p.id, current,
                                    expected_version));
    return status;
  }
  const Value idp[] = {p.id};
  LC_RETURN_IF_ERROR(db_->Execute("DELETE FROM comorbidities WHERE patient_id = ?", idp).status());
  for (const std::string& icd10 : p.comorbidities_icd10) {
    const Value cp[] = {p.id, Text(icd10)};
    LC_RETURN_IF_ERROR(
        db_->Execute("INSERT INTO comorbidities (patient_id, icd10) VALUES (?, ?)", cp).status());
  }
  for (const domain::ExternalId& ext : p.identifiers) {
    LC_ASSIGN_OR_RETURN(const std::optional<std::int64_t> owner, FindPatient(ext));
    if (owner && *owner == p.id) continue;
    if (owner) {
      return base::Status(
          base::StatusCode::kAlreadyExists,
          fmt::format("identifier {}:{} belongs to another patient", ext.system, ext.value));
    }
    const Value ip[] = {p.id, Text(ext.system), Text(ext.value)};
    LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO patient_identifiers (patient_id, system, value) "
                                    "VALUES (?, ?, ?)",
                                    ip)
                           .status());
  }
  return expected_version + 1;
}

base::Result<std::int64_t> Repository::FindOrCreatePatient(const domain::ExternalId& id,
                                                           bool* created) {
  LC_ASSIGN_OR_RETURN(const std::optional<std::int64_t> found, FindPatient(id));
  *created = !found.has_value();
  if (found) return *found;
  domain::Patient patient;
  patient.identifiers.push_back(id);
  return CreatePatient(patient);
}

base::Result<domain::Patient> Repository::GetPatient(std::int64_t id) {
  std::optional<domain::Patient> patient;
  const Value params[] = {id};
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT id, sex, birth_date, aetiology_icd10, ecog, provenance, family_name, "
                   "given_name FROM patients WHERE id = ?",
                   params,
                   [&patient](const Row& row) {
                     domain::Patient p;
                     p.id = row.Int(0);
                     if (!row.IsNull(1)) {
                       base::Result<domain::Sex> sex = domain::ParseSex(row.Text(1));
                       if (sex.ok()) p.sex = sex.value();
                     }
                     if (!row.IsNull(2)) p.birth_date = TimeOf(row, 2).day();
                     p.aetiology_icd10 = OptionalTextOf(row, 3);
                     if (!row.IsNull(4)) p.ecog = static_cast<int>(row.Int(4));
                     p.provenance = row.Text(5);
                     p.family_name = OptionalTextOf(row, 6);
                     p.given_name = OptionalTextOf(row, 7);
                     patient = std::move(p);
                   })
          .status());
  if (!patient) {
    base::Status status = base::NotFoundError(fmt::format("no patient with id {}", id));
    status.SetValue(static_cast<double>(id));
    return status;
  }
  LC_RETURN_IF_ERROR(db_->Execute("SELECT system, value FROM patient_identifiers WHERE "
                                  "patient_id = ? ORDER BY system, value",
                                  params,
                                  [&patient](const Row& row) {
                                    patient->identifiers.push_back({row.Text(0), row.Text(1)});
                                  })
                         .status());
  LC_RETURN_IF_ERROR(db_->Execute("SELECT icd10 FROM comorbidities WHERE patient_id = ? ORDER BY "
                                  "icd10",
                                  params,
                                  [&patient](const Row& row) {
                                    patient->comorbidities_icd10.push_back(row.Text(0));
                                  })
                         .status());
  return std::move(*patient);
}

base::Result<std::int64_t> Repository::ResolvePatient(std::string_view reference) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(reference.data(), reference.data() + reference.size(), id);
  if (ec == std::errc() && end == reference.data() + reference.size()) {
    LC_RETURN_IF_ERROR(GetPatient(id).status());
    return id;
  }
  const std::size_t colon = reference.find(':');
  if (colon != std::string_view::npos) {
    const domain::ExternalId ext{std::string(reference.substr(0, colon)),
                                 std::string(reference.substr(colon + 1))};
    LC_ASSIGN_OR_RETURN(const std::optional<std::int64_t> found, FindPatient(ext));
    if (found) return *found;
  }
  base::Status status = base::NotFoundError(fmt::format(
      "no patient \"{}\" (give an internal id such as 42, or system:value such as mrn:A123)",
      reference));
  status.SetValue(std::string(reference));
  return status;
}

base::Result<std::vector<domain::Patient>> Repository::ListPatients(int limit, int offset,
                                                                    std::string_view query,
                                                                    std::int64_t* total) {
  // The query is matched literally: % and _ are wildcards to LIKE, so they are escaped.
  std::string pattern;
  for (const char c : query) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern += "%";
  const Value count_params[] = {Text(query), Text(pattern), Text(pattern)};
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT count(*) FROM patients p WHERE ? = '' OR lower(p.family_name) LIKE "
                   "lower(?) ESCAPE '\\' OR EXISTS (SELECT 1 FROM patient_identifiers i WHERE "
                   "i.patient_id = p.id AND i.value LIKE ? ESCAPE '\\')",
                   count_params, [total](const Row& row) { *total = row.Int(0); })
          .status());
  std::vector<std::int64_t> ids;
  const Value params[] = {Text(query), Text(pattern), Text(pattern), std::int64_t{limit},
                          std::int64_t{offset}};
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT id FROM patients p WHERE ? = '' OR lower(p.family_name) LIKE lower(?) "
                   "ESCAPE '\\' OR EXISTS (SELECT 1 FROM patient_identifiers i WHERE "
                   "i.patient_id = p.id AND i.value LIKE ? ESCAPE '\\') ORDER BY id LIMIT ? "
                   "OFFSET ?",
                   params, [&ids](const Row& row) { ids.push_back(row.Int(0)); })
          .status());
  std::vector<domain::Patient> patients;
  for (std::int64_t id : ids) {
    LC_ASSIGN_OR_RETURN(domain::Patient p, GetPatient(id));
    patients.push_back(std::move(p));
  }
  return patients;
}

base::Result<bool> Repository::Insert(std::string_view sql, std::span<const Value> params) {
  LC_ASSIGN_OR_RETURN(const std::int64_t changed, db_->Execute(sql, params));
  return changed > 0;
}

base::Result<bool> Repository::AddFinding(const domain::Finding& f) {
  LC_RETURN_IF_ERROR(domain::ValidateFinding(f));
  const Value params[] = {f.patient_id,      Text(f.kind),       f.value,
                          f.time.ToString(), Text(f.source_key), Text(f.provenance)};
  return Insert(
      "INSERT INTO findings (patient_id, kind, value, time, source_key, provenance) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING",
      params);
}

base::Result<bool> Repository::AddEvent(const domain::ClinicalEvent& e) {
  LC_RETURN_IF_ERROR(domain::ValidateEvent(e));
  const Value params[] = {
      e.patient_id,      Text(e.type),       e.grade ? Value(std::int64_t{*e.grade}) : Value(),
      e.time.ToString(), Text(e.source_key), Text(e.provenance)};
  return Insert(
      "INSERT INTO events (patient_id, type, grade, time, source_key, provenance) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING",
      params);
}

base::Result<bool> Repository::AddAdverseEvent(const domain::AdverseEvent& e) {
  LC_RETURN_IF_ERROR(domain::ValidateAdverseEvent(e));
  const Value params[] = {e.patient_id,
                          Text(e.ctcae_term),
                          std::int64_t{e.grade},
                          Text(domain::ToString(e.attribution)),
                          OptionalText(e.infusion_id),
                          e.onset.ToString(),
                          Text(e.source_key),
                          Text(e.provenance)};
  return Insert(
      "INSERT INTO adverse_events (patient_id, ctcae_term, grade, attribution, "
      "infusion_id, onset, source_key, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON "
      "CONFLICT (source_key) DO NOTHING",
      params);
}

base::Result<bool> Repository::AddQualityOfLife(const domain::QualityOfLife& q) {
  LC_RETURN_IF_ERROR(domain::ValidateQualityOfLife(q));
  const Value params[] = {q.patient_id,         q.time.ToString(),  DigitsText(q.cldq_items),
                          DigitsText(q.eq5d5l), Text(q.source_key), Text(q.provenance)};
  return Insert(
      "INSERT INTO qol (patient_id, time, cldq, eq5d5l, source_key, provenance) VALUES "
      "(?, ?, ?, ?, ?, ?) ON CONFLICT (source_key) DO NOTHING",
      params);
}

base::Result<std::int64_t> Repository::AddAssessment(const domain::AssessmentRecord& a) {
  if (base::Sha256Hex(a.protocol_text) != a.protocol_sha256) {
    return std::move(base::InvalidArgumentError("the protocol text does not hash to its sha256")
                         .SetPath("protocol_sha256")
                         .SetValue(a.protocol_sha256));
  }
  LC_RETURN_IF_ERROR(PatientVersion(a.patient_id).status());
  const Value protocol[] = {Text(a.protocol_sha256), Text(a.protocol_id),
                            Text(a.protocol_version), Text(a.protocol_text)};
  LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO protocols (sha256, id, version, text) VALUES "
                                  "(?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                                  protocol)
                         .status());
  const Value params[] = {a.patient_id,          a.assessed_at.ToString(), Text(a.decision),
                          Text(a.protocol_sha256), Text(a.input_json),     Text(a.result_json),
                          OptionalText(a.signed_by), OptionalText(a.signed_role),
                          Text(a.content_hash)};
  std::int64_t id = 0;
  LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO assessments (patient_id, assessed_at, decision, "
                                  "protocol_sha256, input_json, result_json, signed_by, "
                                  "signed_role, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                  "RETURNING id",
                                  params, [&id](const Row& row) { id = row.Int(0); })
                         .status());
  return id;
}

base::Result<std::vector<domain::AssessmentRecord>> Repository::Assessments(
    std::int64_t patient_id) {
  const Value params[] = {patient_id};
  return Collect<domain::AssessmentRecord>(
      *db_,
      fmt::format("SELECT {} FROM assessments a JOIN protocols p ON p.sha256 = a.protocol_sha256 "
                  "WHERE a.patient_id = ? ORDER BY a.id DESC",
                  kAssessmentColumns),
      params, AssessmentOf);
}

base::Result<domain::AssessmentRecord> Repository::GetAssessment(std::int64_t id) {
  const Value params[] = {id};
  LC_ASSIGN_OR_RETURN(
      std::vector<domain::AssessmentRecord> found,
      Collect<domain::AssessmentRecord>(
          *db_,
          fmt::format("SELECT {} FROM assessments a JOIN protocols p ON p.sha256 = "
                      "a.protocol_sha256 WHERE a.id = ?",
                      kAssessmentColumns),
          params, AssessmentOf));
  if (found.empty()) return base::NotFoundError(fmt::format("no assessment {}", id));
  return std::move(found.front());
}

base::Result<std::vector<domain::Finding>> Repository::Findings(std::int64_t patient_id,
                                                               Visibility visibility) {
  const Value params[] = {patient_id};
  return Collect<domain::Finding>(
      *db_,
      fmt::format("SELECT {} FROM findings WHERE patient_id = ? {} ORDER BY time, kind, id",
                  kFindingColumns, Filter(visibility, "findings", "finding")),
      params, FindingOf);
}

base::Result<std::vector<domain::ClinicalEvent>> Repository::Events(std::int64_t patient_id,
                                                                    Visibility visibility) {
  const Value params[] = {patient_id};
  return Collect<domain::ClinicalEvent>(
      *db_,
      fmt::format("SELECT {} FROM events WHERE patient_id = ? {} ORDER BY time, id", kEventColumns,
                  Filter(visibility, "events", "event")),
      params, EventOf);
}

base::Result<std::vector<domain::AdverseEvent>> Repository::AdverseEvents(
    std::int64_t patient_id, Visibility visibility) {
  const Value params[] = {patient_id};
  return Collect<domain::AdverseEvent>(
      *db_,
      fmt::format("SELECT {} FROM adverse_events WHERE patient_id = ? {} ORDER BY onset, id",
                  kAdverseColumns, Filter(visibility, "adverse_events", "adverse-event")),
      params, AdverseOf);
}

base::Result<std::vector<domain::QualityOfLife>> Repository::QualityOfLife(
    std::int64_t patient_id, Visibility visibility) {
  const Value params[] = {patient_id};
  return Collect<domain::QualityOfLife>(
      *db_,
      fmt::format("SELECT {} FROM qol WHERE patient_id = ? {} ORDER BY time, id", kQolColumns,
                  Filter(visibility, "qol", "qol")),
      params, QolOf);
}

base::Status Repository::ForEachPatient(
    const std::function<base::Status(const domain::Patient&)>& fn) {
  constexpr int kPage = 500;
  std::int64_t total = 0;
  for (int offset = 0;; offset += kPage) {
    LC_ASSIGN_OR_RETURN(const auto page, ListPatients(kPage, offset, "", &total));
    for (const domain::Patient& p : page) LC_RETURN_IF_ERROR(fn(p));
    if (page.size() < static_cast<std::size_t>(kPage)) return base::OkStatus();
  }
}

base::Status Repository::ForEachFinding(const std::function<void(const domain::Finding&)>& fn) {
  return db_
      ->Execute(fmt::format("SELECT {} FROM findings WHERE {} ORDER BY id", kFindingColumns,
                            CurrentOnly("findings", "finding")), {},
                [&fn](const Row& row) { fn(FindingOf(row)); })
      .status();
}
base::Status Repository::ForEachEvent(const std::function<void(const domain::ClinicalEvent&)>& fn) {
  return db_
      ->Execute(fmt::format("SELECT {} FROM events WHERE {} ORDER BY id", kEventColumns,
                            CurrentOnly("events", "event")), {},
                [&fn](const Row& row) { fn(EventOf(row)); })
      .status();
}
base::Status Repository::ForEachAdverseEvent(
    const std::function<void(const domain::AdverseEvent&)>& fn) {
  return db_
      ->Execute(fmt::format("SELECT {} FROM adverse_events WHERE {} ORDER BY id", kAdverseColumns,
                            CurrentOnly("adverse_events", "adverse-event")), {},
                [&fn](const Row& row) { fn(AdverseOf(row)); })
      .status();
}
base::Status Repository::AddCorrection(const domain::Correction& c, std::string_view record_key) {
  const Value params[] = {Text(domain::ToString(c.kind)), c.patient_id, Text(record_key),
                          Text(c.status), Text(c.reason), OptionalText(c.replaced_by),
                          Text(c.by), Text(c.at)};
  base::Result<std::int64_t> inserted = db_->Execute(
      "INSERT INTO corrections (kind, patient_id, record_key, status, reason, replaced_by, "
      "by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      params);
  if (!inserted.ok() && inserted.status().code() == base::StatusCode::kAlreadyExists) {
    base::Status status(base::StatusCode::kAlreadyExists,
                        fmt::format("{} {} was already corrected", domain::ToString(c.kind),
                                    c.record_id));
    status.SetPath("id").SetValue(c.record_id);
    return status;
  }
  return inserted.status();
}

base::Result<std::vector<domain::Correction>> Repository::Corrections(std::int64_t patient_id) {
  const Value params[] = {patient_id};
  std::vector<domain::Correction> out;
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT kind, record_key, status, reason, replaced_by, by_user, at FROM "
                   "corrections WHERE patient_id = ? ORDER BY at, kind, record_key",
                   params,
                   [&](const Row& row) {
                     domain::Correction c;
                     c.kind = domain::ParseRecordKind(row.Text(0)).value_or(domain::RecordKind::kLab);
                     c.patient_id = patient_id;
                     // A lab's key is hashed into its id, as the API names it.
                     c.record_id = c.kind == domain::RecordKind::kLab
                                       ? domain::LabIdOfKey(row.Text(1))
                                       : row.Text(1);
                     c.status = row.Text(2);
                     c.reason = row.Text(3);
                     c.replaced_by = OptionalTextOf(row, 4);
                     c.by = row.Text(5);
                     c.at = row.Text(6);
                     out.push_back(std::move(c));
                   })
          .status());
  return out;
}

base::Result<std::int64_t> Repository::RecordIdBySourceKey(domain::RecordKind kind,
                                                           std::string_view source_key) {
  const char* table = kind == domain::RecordKind::kFinding        ? "findings"
                      : kind == domain::RecordKind::kEvent        ? "events"
                      : kind == domain::RecordKind::kAdverseEvent ? "adverse_events"
                      : kind == domain::RecordKind::kQualityOfLife ? "qol"
                                                                   : nullptr;
  if (table == nullptr) return base::InvalidArgumentError("labs have no numeric id");
  std::optional<std::int64_t> id;
  const Value params[] = {Text(source_key)};
  LC_RETURN_IF_ERROR(db_->Execute(fmt::format("SELECT id FROM {} WHERE source_key = ?", table),
                                  params, [&id](const Row& row) { id = row.Int(0); })
                         .status());
  if (!id) return base::NotFoundError(fmt::format("no {} stored under {}", table, source_key));
  return *id;
}

base::Status Repository::ForEachQualityOfLife(
    const std::function<void(const domain::QualityOfLife&)>& fn) {
  return db_
      ->Execute(fmt::format("SELECT {} FROM qol WHERE {} ORDER BY id", kQolColumns,
                            CurrentOnly("qol", "qol")),
                {},
                [&fn](const Row& row) { fn(QolOf(row)); })
      .status();
}

base::Result<RecordCounts> Repository::Counts() {
  RecordCounts counts;
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM labs), "
                   "(SELECT count(*) FROM findings), (SELECT count(*) FROM events), "
                   "(SELECT count(*) FROM adverse_events), (SELECT count(*) FROM qol)",
                   {},
                   [&counts](const Row& row) {
                     counts = {row.Int(0), row.Int(1), row.Int(2),
                               row.Int(3), row.Int(4), row.Int(5)};
                   })
          .status());
  return counts;
}

}  // namespace livercell::storage
