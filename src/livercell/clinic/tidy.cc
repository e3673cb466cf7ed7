#include "livercell/clinic/tidy.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_map>

#include "livercell/base/csv.h"
#include "livercell/base/output_sink.h"
#include "livercell/base/progress.h"
#include "livercell/base/secrets.h"
#include "livercell/domain/records/correction.h"
#include "livercell/formats/records_json.h"

namespace livercell::clinic {
namespace {

using domain::ClinicalTime;

struct Column {
  std::string_view name, type, unit, code_system, description;
};
struct TableSpec {
  std::string_view file;
  std::span<const Column> columns;
  bool correctable = true;  // ends with kCorrectionColumns
};

// Every table of clinical records ends with these, so an R user can join a corrected record to
// who corrected it, when and why (issue #22: corrections, never deletions).
constexpr Column kCorrectionColumns[] = {
    {"id", "text", "", "",
     "the record's id in the API and CLI (a lab's: first 16 hex digits of the SHA-256 of "
     "code|time|source_key); reassigned by import tidy"},
    {"status", "text", "", "",
     "final; with export tidy --include-voided also entered-in-error (voided) or superseded "
     "(amended); import tidy reads final rows only"},
    {"corrected_at", "instant", "", "ISO 8601", "when it was voided or superseded (UTC)"},
    {"corrected_by", "text", "", "", "the account that corrected it"},
    {"correction_reason", "text", "", "", "why, in the words of who corrected it"},
    {"replaced_by", "text", "", "", "id of the amendment that superseded it"}};

constexpr Column kPatientColumns[] = {
    {"patient_id", "integer", "", "", "internal registry id (joins the other tables)"},
    {"identifiers", "text", "", "", "external identifiers, system:value, ';'-separated"},
    {"sex", "text", "", "", "female or male"},
    {"birth_date", "date", "", "ISO 8601", "date of birth (derived for cohort imports)"},
    {"aetiology_icd10", "text", "", "ICD-10", "cause of the liver disease"},
    {"comorbidities_icd10", "text", "", "ICD-10", "coexisting conditions, ';'-separated"},
    {"ecog", "integer", "", "ECOG", "performance status 0-5"},
    {"provenance", "text", "", "", "where the record came from"}};
constexpr Column kLabColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"time", "date or instant", "", "ISO 8601", "when the sample was taken (UTC)"},
    {"code_system", "text", "", "", "http://loinc.org, or urn:livercell:code"},
    {"code", "text", "", "LOINC", "the test"},
    {"value", "number", "unit", "", "result as received"},
    {"unit", "text", "", "UCUM", "unit as received"},
    {"canonical_value", "number", "canonical_unit", "", "result in the canonical unit"},
    {"canonical_unit", "text", "", "UCUM", "LiverCell's canonical unit for the test"},
    {"flag", "text", "", "", "empty, or why the value is suspect (kept as recorded)"},
    {"source_key", "text", "", "",
     "key of the source row, unique among the patient's results of this code at this time"},
    {"provenance", "text", "", "", "file and line it was imported from"}};
constexpr Column kFindingColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"time", "date or instant", "", "ISO 8601", "when it was observed"},
    {"kind", "text", "", "", "ascites, hepatomegaly, spiders, edema, histologic_stage"},
    {"value", "number", "", "", "0/1; oedema 0/0.5/1 (Mayo); stage 1-4"},
    {"source_key", "text", "", "", "unique key of the source row"},
    {"provenance", "text", "", "", "where it came from"}};
constexpr Column kEventColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"time", "date or instant", "", "ISO 8601", "when it happened"},
    {"type", "text", "", "",
     "variceal_bleeding, ascites, hepatic_encephalopathy, sbp, jaundice, "
     "hcc, transplant, death"},
    {"grade", "integer", "", "West Haven", "encephalopathy grade 1-4, else empty"},
    {"icd10", "text", "", "ICD-10", "code of the event type"},
    {"snomed", "text", "", "SNOMED CT", "concept of the event type"},
    {"source_key", "text", "", "", "unique key of the source row"},
    {"provenance", "text", "", "", "where it came from"}};
constexpr Column kAdverseColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"onset", "date or instant", "", "ISO 8601", "onset"},
    {"ctcae_term", "text", "", "CTCAE v5.0", "adverse event term"},
    {"grade", "integer", "", "CTCAE v5.0", "1-5"},
    {"attribution", "text", "", "", "unrelated, unlikely, possible, probable, definite"},
    {"infusion_id", "text", "", "", "the infusion it followed, if any"},
    {"source_key", "text", "", "", "unique key of the source row"},
    {"provenance", "text", "", "", "where it came from"}};
constexpr Column kQolColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"time", "date or instant", "", "ISO 8601", "when it was completed"},
    {"cldq_items", "text", "", "CLDQ", "29 item scores 1-7, one digit each"},
    {"cldq_total", "number", "", "CLDQ", "mean of the 29 items (Younossi 1999)"},
    {"eq5d5l", "text", "", "EQ-5D-5L", "profile, 5 digits 1-5"},
    {"source_key", "text", "", "", "unique key of the source row"},
    {"provenance", "text", "", "", "where it came from"}};

// patients.csv of a de-identified export (TidyExportOptions::deidentified): no identifiers,
// birth date or provenance; the age at export instead, ages from kAgeCap as one group.
constexpr Column kDeidentifiedPatientColumns[] = {
    {"patient_id", "text", "", "",
     "study code: S- and 16 hex digits of HMAC-SHA-256 under the registry's de-identification "
     "key (the API's pseudonym; joins the other tables)"},
    {"sex", "text", "", "", "female or male"},
    {"age_years", "integer", "years", "", "age at export in whole years; 90 means 90 or over"},
    {"aetiology_icd10", "text", "", "ICD-10", "cause of the liver disease"},
    {"comorbidities_icd10", "text", "", "ICD-10", "coexisting conditions, ';'-separated"},
    {"ecog", "integer", "", "ECOG", "performance status 0-5"}};
constexpr std::string_view kDeidentifiedRule =
    "de-identified export: patient_id is a keyed study code; every date and time of a patient "
    "is moved back by the same whole number of days, 1-365, derived from the registry's secret "
    "key and the patient (intervals between a patient's records are kept, calendar dates are "
    "not); identifiers, names, birth dates, DINs, record ids, source keys, provenance and staff "
    "are left out";

// One row per administration of a cell product (issue #24, specs/outcomes.md §2): custody
// events are append-only, so there is nothing to correct and no correction columns.
constexpr Column kAdministrationColumns[] = {
    {"patient_id", "integer", "", "", "patients.patient_id"},
    {"administered_at", "instant", "", "ISO 8601", "when it was given (UTC)"},
    {"route", "text", "", "", "iv (peripheral infusion) or hepatic-artery (procedure)"},
    {"din", "text", "", "ISBT 128", "the product's donation identification number"},
    {"product_type", "text", "", "", "release_criteria.toml section: bm_mnc, bm_msc, ..."},
    {"origin", "text", "", "", "autologous or bank"},
    {"cell_dose", "number", "cells", "", "cells planned for this administration"},
    {"plan_id", "integer", "", "", "the treatment plan"},
    {"course", "integer", "", "", "course number within the plan (1-based)"},
    {"infusion", "integer", "", "", "administration number within the course (1-based)"},
    {"plan_item", "integer", "", "", "the plan's item given"},
    {"administered_by", "text", "", "", "the account that gave it"},
    {"second_signer", "text", "", "", "the second member of staff"}};

constexpr TableSpec kTables[] = {
    {"patients.csv", kPatientColumns, false},       {"labs.csv", kLabColumns},
    {"findings.csv", kFindingColumns},       {"events.csv", kEventColumns},
    {"adverse_events.csv", kAdverseColumns}, {"qol.csv", kQolColumns},
    {"administrations.csv", kAdministrationColumns, false}};
constexpr TableSpec kDeidentifiedPatients = {"patients.csv", kDeidentifiedPatientColumns, false};

std::string Num(double v) { return fmt::format("{}", v); }

template <std::size_t N>
std::string Digits(const std::optional<std::array<int, N>>& items) {
  std::string text;
  if (items) {
    for (int i : *items) text.push_back(static_cast<char>('0' + i));
  }
  return text;
}

// Streams a table to its file (atomically renamed into place by Write()).
class TableWriter {
 public:
  static base::Result<TableWriter> Open(const std::string& dir, const TableSpec& spec) {
    LC_ASSIGN_OR_RETURN(std::unique_ptr<base::OutputSink> sink,
                        base::OutputSink::Open(dir + "/" + std::string(spec.file)));
    TableWriter writer(std::move(sink));
    std::vector<std::string> header;
    for (const Column& c : spec.columns) header.emplace_back(c.name);
    if (spec.correctable) {
      for (const Column& c : kCorrectionColumns) header.emplace_back(c.name);
    }
    writer.Row(header);
    return writer;
  }
  void Row(const std::vector<std::string>& fields) {
    line_.clear();
    base::AppendCsvLine(fields, &line_);
    sink_->Write(line_);
  }
  base::Status Commit() { return sink_->Commit(); }

 private:
  explicit TableWriter(std::unique_ptr<base::OutputSink> sink) : sink_(std::move(sink)) {}
  std::unique_ptr<base::OutputSink> sink_;
  std::string line_;
};

using base::CsvTable;

base::Result<CsvTable> OpenTable(const std::string& dir, std::string_view file) {
  return CsvTable::Open(dir + "/" + std::string(file));
}

base::Result<ClinicalTime> TimeAt(const CsvTable& t, std::string_view column) {
  LC_ASSIGN_OR_RETURN(const std::string text, t.Text(column));
  auto time = ClinicalTime::Parse(text);
  if (!time.ok()) return t.Wrap(column, time.status());
  return time.value();
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

class TidyImporter {
 public:
  explicit TidyImporter(storage::Repository& repo) : repo_(repo) {}

  base::Status Patients(const std::string& dir);
  base::Status Labs(const std::string& dir);
  base::Status Findings(const std::string& dir);
  base::Status Events(const std::string& dir);
  base::Status AdverseEvents(const std::string& dir);
  base::Status QualityOfLife(const std::string& dir);
  storage::RecordCounts counts;
  std::int64_t skipped = 0;  // corrected rows of an --include-voided export

 private:
  base::Result<std::int64_t> PatientOf(const CsvTable& t) {
    LC_ASSIGN_OR_RETURN(const double exported, t.Number("patient_id"));
    auto it = ids_.find(static_cast<std::int64_t>(exported));
    if (it == ids_.end()) return t.Error("patient_id", "not in patients.csv");
    return it->second;
  }
  // Calls `row(t)` for every final record of `dir/file`, stopping at the first error. Rows an
  // --include-voided export marked voided or superseded are counted in `skipped`, not stored:
  // their amendments (final rows) carry what is right.
  template <typename Row>
  base::Status ForEachRow(const std::string& dir, std::string_view file, Row&& row) {
    LC_ASSIGN_OR_RETURN(CsvTable t, OpenTable(dir, file));
    const bool has_status = t.Has("status");
    for (;;) {
      LC_ASSIGN_OR_RETURN(const bool any, t.Next());
      if (!any) return base::OkStatus();
      if (has_status) {
        LC_ASSIGN_OR_RETURN(const std::string status, t.Text("status"));
        if (status == domain::kEnteredInError || status == domain::kSuperseded) {
          ++skipped;
          continue;
        }
        if (!status.empty() && status != "final") {
          return t.Error("status", fmt::format("\"{}\" is not final, {} or {}", status,
                                               domain::kEnteredInError, domain::kSuperseded));
        }
      }
      LC_RETURN_IF_ERROR(row(t));
    }
  }
  // Counts a stored record (true = new); a storage error is reported at the current row.
  static base::Status Count(const CsvTable& t, const base::Result<bool>& stored,
                            std::int64_t* counter) {
    if (!stored.ok()) return t.Error(stored.status().path(), stored.status().ToString());
    *counter += stored.value() ? 1 : 0;
    return base::OkStatus();
  }
  storage::Repository& repo_;
  std::unordered_map<std::int64_t, std::int64_t> ids_;  // exported id → registry id
};

base::Status TidyImporter::Patients(const std::string& dir) {
  return ForEachRow(dir, "patients.csv", [&](const CsvTable& t) -> base::Status {
    domain::Patient p;
    LC_ASSIGN_OR_RETURN(const std::string identifiers, t.Text("identifiers"));
    for (const std::string& id : Split(identifiers, ';')) {
      const std::size_t colon = id.find(':');
      if (colon == std::string::npos) return t.Error("identifiers", "expected system:value");
      p.identifiers.push_back({id.substr(0, colon), id.substr(colon + 1)});
    }
    LC_ASSIGN_OR_RETURN(const std::string sex, t.Text("sex"));
    if (!sex.empty()) {
      auto parsed = domain::ParseSex(sex);
      if (!parsed.ok()) return t.Error("sex", std::string(parsed.status().message()));
      p.sex = parsed.value();
    }
    LC_ASSIGN_OR_RETURN(const std::string birth, t.Text("birth_date"));
    if (!birth.empty()) {
      LC_ASSIGN_OR_RETURN(const ClinicalTime time, TimeAt(t, "birth_date"));
      p.birth_date = time.day();
    }
    LC_ASSIGN_OR_RETURN(const std::string aetiology, t.Text("aetiology_icd10"));
    if (!aetiology.empty()) p.aetiology_icd10 = aetiology;
    LC_ASSIGN_OR_RETURN(const std::string comorbidities, t.Text("comorbidities_icd10"));
    p.comorbidities_icd10 = Split(comorbidities, ';');
    LC_ASSIGN_OR_RETURN(const std::string ecog, t.Text("ecog"));
    if (!ecog.empty()) {
      LC_ASSIGN_OR_RETURN(const double e, t.Number("ecog"));
      p.ecog = static_cast<int>(e);
    }
    LC_ASSIGN_OR_RETURN(p.provenance, t.Text("provenance"));
    LC_ASSIGN_OR_RETURN(const double exported, t.Number("patient_id"));
    std::optional<std::int64_t> existing;
    if (!p.identifiers.empty()) {
      LC_ASSIGN_OR_RETURN(existing, repo_.FindPatient(p.identifiers.front()));
    }
    if (!existing) {
      LC_ASSIGN_OR_RETURN(existing, repo_.CreatePatient(p));
      ++counts.patients;
    }
    ids_[static_cast<std::int64_t>(exported)] = *existing;
    return base::OkStatus();
  });
}

base::Status TidyImporter::Labs(const std::string& dir) {
  return ForEachRow(dir, "labs.csv", [&](const CsvTable& t) -> base::Status {
    domain::LabObservation lab;
    LC_ASSIGN_OR_RETURN(lab.patient_id, PatientOf(t));
    LC_ASSIGN_OR_RETURN(lab.time, TimeAt(t, "time"));
    LC_ASSIGN_OR_RETURN(lab.code_system, t.Text("code_system"));
    LC_ASSIGN_OR_RETURN(lab.code, t.Text("code"));
    LC_ASSIGN_OR_RETURN(lab.value, t.Number("value"));
    LC_ASSIGN_OR_RETURN(lab.unit, t.Text("unit"));
    LC_ASSIGN_OR_RETURN(const std::string canonical, t.Text("canonical_value"));
    if (!canonical.empty()) {
      LC_ASSIGN_OR_RETURN(const double c, t.Number("canonical_value"));
      lab.canonical_value = c;
    }
    LC_ASSIGN_OR_RETURN(lab.canonical_unit, t.Text("canonical_unit"));
    LC_ASSIGN_OR_RETURN(lab.flag, t.Text("flag"));
    LC_ASSIGN_OR_RETURN(lab.source_key, t.Text("source_key"));
    LC_ASSIGN_OR_RETURN(lab.provenance, t.Text("provenance"));
    LC_ASSIGN_OR_RETURN(const bool stored, repo_.AddLab(lab));
    counts.labs += stored ? 1 : 0;
    return base::OkStatus();
  });
}

base::Status TidyImporter::Findings(const std::string& dir) {
  return ForEachRow(dir, "findings.csv", [&](const CsvTable& t) -> base::Status {
    domain::Finding f;
    LC_ASSIGN_OR_RETURN(f.patient_id, PatientOf(t));
    LC_ASSIGN_OR_RETURN(f.time, TimeAt(t, "time"));
    LC_ASSIGN_OR_RETURN(f.kind, t.Text("kind"));
    LC_ASSIGN_OR_RETURN(f.value, t.Number("value"));
    LC_ASSIGN_OR_RETURN(f.source_key, t.Text("source_key"));
    LC_ASSIGN_OR_RETURN(f.provenance, t.Text("provenance"));
    return Count(t, repo_.AddFinding(f), &counts.findings);
  });
}

base::Status TidyImporter::Events(const std::string& dir) {
  return ForEachRow(dir, "events.csv", [&](const CsvTable& t) -> base::Status {
    domain::ClinicalEvent e;
    LC_ASSIGN_OR_RETURN(e.patient_id, PatientOf(t));
    LC_ASSIGN_OR_RETURN(e.time, TimeAt(t, "time"));
    LC_ASSIGN_OR_RETURN(e.type, t.Text("type"));
    LC_ASSIGN_OR_RETURN(const std::string grade, t.Text("grade"));
    if (!grade.empty()) {
      LC_ASSIGN_OR_RETURN(const double g, t.Number("grade"));
      e.grade = static_cast<int>(g);
    }
    LC_ASSIGN_OR_RETURN(e.source_key, t.Text("source_key"));
    LC_ASSIGN_OR_RETURN(e.provenance, t.Text("provenance"));
    return Count(t, repo_.AddEvent(e), &counts.events);
  });
}

base::Status TidyImporter::AdverseEvents(const std::string& dir) {
  return ForEachRow(dir, "adverse_events.csv", [&](const CsvTable& t) -> base::Status {
    domain::AdverseEvent e;
    LC_ASSIGN_OR_RETURN(e.patient_id, PatientOf(t));
    LC_ASSIGN_OR_RETURN(e.onset, TimeAt(t, "onset"));
    LC_ASSIGN_OR_RETURN(e.ctcae_term, t.Text("ctcae_term"));
    LC_ASSIGN_OR_RETURN(const double grade, t.Number("grade"));
    e.grade = static_cast<int>(grade);
    LC_ASSIGN_OR_RETURN(const std::string attribution, t.Text("attribution"));
    auto parsed = domain::ParseAttribution(attribution);
    if (!parsed.ok()) return t.Error("attribution", std::string(parsed.status().message()));
    e.attribution = parsed.value();
    LC_ASSIGN_OR_RETURN(const std::string infusion, t.Text("infusion_id"));
    if (!infusion.empty()) e.infusion_id = infusion;
    LC_ASSIGN_OR_RETURN(e.source_key, t.Text("source_key"));
    LC_ASSIGN_OR_RETURN(e.provenance, t.Text("provenance"));
    return Count(t, repo_.AddAdverseEvent(e), &counts.adverse_events);
  });
}

template <std::size_t N>
base::Result<std::optional<std::array<int, N>>> DigitsFrom(const CsvTable& t,
                                                           std::string_view column) {
  LC_ASSIGN_OR_RETURN(const std::string text, t.Text(column));
  if (text.empty()) return std::optional<std::array<int, N>>();
  if (text.size() != N) return t.Error(column, fmt::format("expected {} digits", N));
  std::array<int, N> items{};
  for (std::size_t i = 0; i < N; ++i) items[i] = text[i] - '0';
  return std::optional<std::array<int, N>>(items);
}

base::Status TidyImporter::QualityOfLife(const std::string& dir) {
  return ForEachRow(dir, "qol.csv", [&](const CsvTable& t) -> base::Status {
    domain::QualityOfLife q;
    LC_ASSIGN_OR_RETURN(q.patient_id, PatientOf(t));
    LC_ASSIGN_OR_RETURN(q.time, TimeAt(t, "time"));
    LC_ASSIGN_OR_RETURN(q.cldq_items, DigitsFrom<29>(t, "cldq_items"));
    LC_ASSIGN_OR_RETURN(q.eq5d5l, DigitsFrom<5>(t, "eq5d5l"));
    LC_ASSIGN_OR_RETURN(q.source_key, t.Text("source_key"));
    LC_ASSIGN_OR_RETURN(q.provenance, t.Text("provenance"));
    return Count(t, repo_.AddQualityOfLife(q), &counts.qol);
  });
}

std::string Joined(const std::vector<domain::ExternalId>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ";") + id.system + ":" + id.value;
  return out;
}

}  // namespace

namespace {

// A record's own columns, in the order of its table's Column array.
std::vector<std::string> Fields(const domain::LabObservation& l) {
  return {std::to_string(l.patient_id), l.time.ToString(), l.code_system, l.code, Num(l.value),
          l.unit, l.canonical_value ? Num(*l.canonical_value) : "", l.canonical_unit, l.flag,
          l.source_key, l.provenance};
}
std::vector<std::string> Fields(const domain::Finding& f) {
  return {std::to_string(f.patient_id), f.time.ToString(), f.kind, Num(f.value), f.source_key,
          f.provenance};
}
std::vector<std::string> Fields(const domain::ClinicalEvent& e) {
  const domain::EventType* type = domain::FindEventType(e.type);
  return {std::to_string(e.patient_id), e.time.ToString(), e.type,
          e.grade ? std::to_string(*e.grade) : "", type ? std::string(type->icd10) : "",
          type ? std::string(type->snomed) : "", e.source_key, e.provenance};
}
std::vector<std::string> Fields(const domain::AdverseEvent& e) {
  return {std::to_string(e.patient_id), e.onset.ToString(), e.ctcae_term,
          std::to_string(e.grade), std::string(domain::ToString(e.attribution)),
          e.infusion_id.value_or(""), e.source_key, e.provenance};
}
std::vector<std::string> Fields(const domain::QualityOfLife& q) {
  std::string total_text;
  if (q.cldq_items) {
    auto scores = domain::ScoreCldq(*q.cldq_items);
    if (scores.ok()) total_text = Num(scores.value().total);
  }
  return {std::to_string(q.patient_id), q.time.ToString(), Digits(q.cldq_items), total_text,
          Digits(q.eq5d5l), q.source_key, q.provenance};
}

// One table of records being written, with the number of rows written so far.
struct RecordTable {
  TableWriter writer;
  std::int64_t* count;
  const formats::Deidentifier* deidentify = nullptr;  // de-identified export
  // Writes `r` with its id and status: final, or as `correction` (nullptr = final) says.
  template <typename Record>
  void Write(const Record& r, const domain::Correction* correction) {
    std::vector<std::string> fields = Fields(r);
    if (deidentify != nullptr) {
      // Every record table starts patient_id, time and ends source_key, provenance.
      fields[0] = deidentify->Pseudonym(r.patient_id);
      fields[1] = deidentify->Shift(r.patient_id, *ClinicalTime::Parse(fields[1])).ToString();
      fields[fields.size() - 2].clear();
      fields[fields.size() - 1].clear();
      fields.push_back("");
    } else {
      fields.push_back(formats::RecordIdOf(r));
    }
    if (correction == nullptr) {
      fields.insert(fields.end(), {"final", "", "", "", ""});
    } else {
      fields.insert(fields.end(), {correction->status, correction->at, correction->by,
                                   correction->reason, correction->replaced_by.value_or("")});
    }
    writer.Row(fields);
    ++*count;
  }
};

// Every record of one patient, corrected ones included, with who corrected each, when and why.
base::Status WritePatientRecords(storage::Repository& repo, std::int64_t patient_id,
                                 std::span<RecordTable, 5> tables, std::int64_t* corrected) {
  using Visibility = storage::Repository::Visibility;
  LC_ASSIGN_OR_RETURN(const std::vector<domain::Correction> corrections,
                      repo.Corrections(patient_id));
  std::map<std::pair<domain::RecordKind, std::string>, const domain::Correction*> index;
  for (const domain::Correction& c : corrections) index[{c.kind, c.record_id}] = &c;
  auto write = [&](const auto& records, RecordTable& table) {
    for (const auto& r : records) {
      auto it = index.find({domain::KindOf(r), formats::RecordIdOf(r)});
      const domain::Correction* c = it == index.end() ? nullptr : it->second;
      *corrected += c != nullptr ? 1 : 0;
      table.Write(r, c);
    }
  };
  LC_ASSIGN_OR_RETURN(const auto labs, repo.Labs(patient_id, Visibility::kAll));
  write(labs, tables[0]);
  LC_ASSIGN_OR_RETURN(const auto findings, repo.Findings(patient_id, Visibility::kAll));
  write(findings, tables[1]);
  LC_ASSIGN_OR_RETURN(const auto events, repo.Events(patient_id, Visibility::kAll));
  write(events, tables[2]);
  LC_ASSIGN_OR_RETURN(const auto adverse, repo.AdverseEvents(patient_id, Visibility::kAll));
  write(adverse, tables[3]);
  LC_ASSIGN_OR_RETURN(const auto qol, repo.QualityOfLife(patient_id, Visibility::kAll));
  write(qol, tables[4]);
  return base::OkStatus();
}

std::string FieldText(const domain::Fields& fields, std::string_view name) {
  auto it = fields.find(name);
  if (it == fields.end()) return "";
  if (const auto* text = std::get_if<std::string>(&it->second)) return *text;
  if (const auto* number = std::get_if<double>(&it->second)) return Num(*number);
  return std::get<bool>(it->second) ? "true" : "false";
}

base::Result<std::int64_t> WriteAdministrations(storage::Repository& repo,
                                                const std::string& dir,
                                                const formats::Deidentifier* deidentify) {
  LC_ASSIGN_OR_RETURN(TableWriter writer, TableWriter::Open(dir, kTables[6]));
  LC_ASSIGN_OR_RETURN(const auto products, repo.ListProducts(0));
  std::map<std::int64_t, domain::Plan> plans;
  std::int64_t written = 0;
  for (const domain::Product& product : products) {
    const domain::Plan* plan = nullptr;
    if (product.plan_id) {
      auto it = plans.find(*product.plan_id);
      if (it == plans.end()) {
        LC_ASSIGN_OR_RETURN(domain::Plan loaded, repo.GetPlan(*product.plan_id));
        it = plans.emplace(*product.plan_id, std::move(loaded)).first;
      }
      plan = &it->second;
    }
    for (const domain::CustodyEvent& event : product.events) {
      if (event.kind != domain::CustodyKind::kAdministration) continue;
      const std::string item_text = FieldText(event.fields, "plan_item");
      const domain::PlanItem* item = nullptr;
      if (plan != nullptr) {
        for (const auto& candidate : plan->items) {
          if (Num(candidate.seq) == item_text) item = &candidate;
        }
      }
      const std::string route =
          item == nullptr ? ""
          : item->kind == domain::PlanItemKind::kProcedure ? "hepatic-artery"
                                                           : "iv";
      const ClinicalTime at = ClinicalTime::FromInstant(event.at);
      const bool hide = deidentify != nullptr;
      writer.Row({hide ? deidentify->Pseudonym(product.patient_id)
                       : std::to_string(product.patient_id),
                  (hide ? deidentify->Shift(product.patient_id, at) : at).ToString(), route,
                  hide ? "" : product.din.text(), product.product_type,
                  std::string(domain::ToString(product.origin)),
                  item != nullptr ? Num(item->cells) : "",
                  product.plan_id ? std::to_string(*product.plan_id) : "",
                  item != nullptr ? std::to_string(item->course) : "",
                  item != nullptr ? std::to_string(item->administration) : "", item_text,
                  hide ? "" : event.actor, hide ? "" : FieldText(event.fields, "second_signer")});
      ++written;
    }
  }
  LC_RETURN_IF_ERROR(writer.Commit());
  return written;
}

base::Result<TidyExportCounts> WriteTidy(storage::Repository& repo, const std::string& dir,
                                         const TidyExportOptions& options,
                                         const formats::Deidentifier* deidentify,
                                         std::chrono::sys_days today) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    base::Status status(base::StatusCode::kUnavailable, "cannot create: " + ec.message());
    status.SetPath(dir);
    return status;
  }
  TidyExportCounts counts;
  storage::RecordCounts& n = counts.written;
  const TableSpec& patient_table = deidentify ? kDeidentifiedPatients : kTables[0];
  LC_ASSIGN_OR_RETURN(TableWriter patients, TableWriter::Open(dir, patient_table));
  std::int64_t* const counters[] = {&n.labs, &n.findings, &n.events, &n.adverse_events, &n.qol};
  std::vector<RecordTable> tables;
  for (std::size_t i = 0; i < 5; ++i) {
    LC_ASSIGN_OR_RETURN(TableWriter writer, TableWriter::Open(dir, kTables[i + 1]));
    tables.push_back({std::move(writer), counters[i], deidentify});
  }
  LC_RETURN_IF_ERROR(repo.ForEachPatient([&](const domain::Patient& p) -> base::Status {
    std::string comorbidities;
    for (const auto& c : p.comorbidities_icd10)
      comorbidities += (comorbidities.empty() ? "" : ";") + c;
    const std::string sex = p.sex ? std::string(domain::ToString(*p.sex)) : "";
    const std::string ecog = p.ecog ? std::to_string(*p.ecog) : "";
    if (deidentify != nullptr) {
      std::string age;
      if (p.birth_date) {
        const auto years = std::chrono::floor<std::chrono::years>(today - *p.birth_date).count();
        age = std::to_string(std::min<long>(years, formats::kAgeCap));
      }
      patients.Row({deidentify->Pseudonym(p.id), sex, age, p.aetiology_icd10.value_or(""),
                    comorbidities, ecog});
    } else {
      patients.Row({std::to_string(p.id), Joined(p.identifiers), sex,
                    p.birth_date ? ClinicalTime::FromDate(*p.birth_date).ToString() : "",
                    p.aetiology_icd10.value_or(""), comorbidities, ecog, p.provenance});
    }
    ++n.patients;
    if (!options.include_corrected) return base::OkStatus();
    return WritePatientRecords(repo, p.id, std::span<RecordTable, 5>(tables.data(), 5),
                               &counts.corrected);
  }));
  if (!options.include_corrected) {
    // Current records only, streamed table by table in constant memory.
    auto final_row = [](RecordTable& table) {
      return [&table](const auto& r) { table.Write(r, nullptr); };
    };
    LC_RETURN_IF_ERROR(repo.ForEachLab(final_row(tables[0])));
    LC_RETURN_IF_ERROR(repo.ForEachFinding(final_row(tables[1])));
    LC_RETURN_IF_ERROR(repo.ForEachEvent(final_row(tables[2])));
    LC_RETURN_IF_ERROR(repo.ForEachAdverseEvent(final_row(tables[3])));
    LC_RETURN_IF_ERROR(repo.ForEachQualityOfLife(final_row(tables[4])));
  }
  LC_RETURN_IF_ERROR(patients.Commit());
  for (RecordTable& table : tables) LC_RETURN_IF_ERROR(table.writer.Commit());
  LC_ASSIGN_OR_RETURN(counts.administrations, WriteAdministrations(repo, dir, deidentify));

  std::string dictionary = "table,column,type,unit,code_system,description\n";
  auto describe = [&](const TableSpec& table, const Column& c) {
    base::AppendCsvLine(
        {std::string(table.file), std::string(c.name), std::string(c.type), std::string(c.unit),
         std::string(c.code_system), std::string(c.description)},
        &dictionary);
  };
  if (deidentify != nullptr) {
    base::AppendCsvLine({"*", "*", "", "", "", std::string(kDeidentifiedRule)}, &dictionary);
  }
  for (const TableSpec& listed : kTables) {
    const TableSpec& table = (deidentify != nullptr && &listed == &kTables[0]) ? patient_table
                                                                               : listed;
    for (const Column& c : table.columns) describe(table, c);
    if (!table.correctable) continue;
    for (const Column& c : kCorrectionColumns) describe(table, c);
  }
  LC_ASSIGN_OR_RETURN(std::unique_ptr<base::OutputSink> sink,
                      base::OutputSink::Open(dir + "/dictionary.csv"));
  sink->Write(dictionary);
  LC_RETURN_IF_ERROR(sink->Commit());
  return counts;
}

}  // namespace

base::Result<TidyImportCounts> ImportTidy(const Context& context, const Actor& actor,
                                          const std::string& dir) {
  if (base::Status allowed =
          Authorize(actor, access::Permission::kWritePatients, "import a tidy export", true);
      !allowed.ok()) {
    return Refuse(context, actor, "import", std::nullopt, std::move(allowed));
  }
  TidyImportCounts result;
  LC_RETURN_IF_ERROR(context.journal.RecordEditing(
      EntryFor(actor, "import", std::nullopt, context.now),
      [&](storage::Repository& repo, access::AuditEntry& entry) -> base::Status {
        TidyImporter importer(repo);
        LC_RETURN_IF_ERROR(importer.Patients(dir));
        LC_RETURN_IF_ERROR(importer.Labs(dir));
        LC_RETURN_IF_ERROR(importer.Findings(dir));
        LC_RETURN_IF_ERROR(importer.Events(dir));
        LC_RETURN_IF_ERROR(importer.AdverseEvents(dir));
        LC_RETURN_IF_ERROR(importer.QualityOfLife(dir));
        result = {importer.counts, importer.skipped};
        const storage::RecordCounts& n = result.imported;
        entry.resource += fmt::format(
            " tidy {} patients {} labs {} findings {} events {} adverse_events {} qol {} "
            "skipped-corrected {}",
            dir, n.patients, n.labs, n.findings, n.events, n.adverse_events, n.qol,
            result.skipped);
        return base::OkStatus();
      }));
  return result;
}

base::Result<TidyExportCounts> ExportTidy(const Context& context, const Actor& actor,
                                          const std::string& dir,
                                          const TidyExportOptions& options) {
  base::Status allowed =
      Authorize(actor, access::Permission::kExport, "export the registry", true);
  if (!allowed.ok() && options.deidentified) {
    // Researchers: the de-identified export is theirs (issue #24).
    allowed = Authorize(actor, access::Permission::kReadDeidentified,
                        "export the registry de-identified", true);
  }
  if (allowed.ok() && options.deidentified && options.include_corrected) {
    allowed = base::Status(base::StatusCode::kInvalidArgument,
                           "a de-identified export has current records only (corrections name "
                           "staff and carry original times)");
    allowed.SetPath("--include-voided");
  }
  if (!allowed.ok()) return Refuse(context, actor, "export", std::nullopt, std::move(allowed));
  std::optional<formats::Deidentifier> deidentifier;
  if (options.deidentified) {
    LC_ASSIGN_OR_RETURN(std::string key, DeidentificationKey(context.repo));
    deidentifier.emplace(std::move(key));
  }
  LC_ASSIGN_OR_RETURN(const TidyExportCounts counts,
                      WriteTidy(context.repo, dir, options,
                                deidentifier ? &*deidentifier : nullptr,
                                std::chrono::floor<std::chrono::days>(context.now)));
  access::AuditEntry entry = EntryFor(actor, "export", std::nullopt, context.now);
  entry.resource += fmt::format(" tidy{} {} patients {} labs {}{}",
                                options.deidentified ? " deidentified" : "", dir,
                                counts.written.patients, counts.written.labs,
                                options.include_corrected
                                    ? fmt::format(" corrected-included {}", counts.corrected)
                                    : "");
  LC_RETURN_IF_ERROR(context.journal.Record(std::move(entry)));
  return counts;
}

base::Result<std::string> DeidentificationKey(storage::Repository& repo) {
  std::string key;
  const storage::sql::Value name[] = {std::string("deidentification_key")};
  auto read = [&] {
    return repo.connection()
        .Execute("SELECT value FROM settings WHERE name = ?", name,
                 [&](const storage::sql::Row& row) { key = row.Text(0); })
        .status();
  };
  LC_RETURN_IF_ERROR(read());
  if (!key.empty()) return key;
  const storage::sql::Value insert[] = {std::string("deidentification_key"), base::RandomHex(32)};
  const base::Status inserted =
      repo.connection()
          .Execute("INSERT INTO settings (name, value) VALUES (?, ?)", insert)
          .status();
  if (!inserted.ok() && inserted.code() != base::StatusCode::kAlreadyExists) return inserted;
  LC_RETURN_IF_ERROR(read());  // another server or command may have won the race
  return key;
}

}  // namespace livercell::clinic
