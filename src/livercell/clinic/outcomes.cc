#include "livercell/clinic/outcomes.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "livercell/base/csv.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/outcomes_file.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/stats/km_json.h"

namespace livercell::clinic {
namespace {

using domain::ClinicalTime;
using domain::outcomes::Day;
using domain::outcomes::PatientData;
using domain::outcomes::Subgroups;

// Patients by id, in first-seen order.
class PatientTable {
 public:
  PatientData& Get(const std::string& id) {
    auto [it, inserted] = index_.try_emplace(id, patients_.size());
    if (inserted) {
      patients_.emplace_back();
      patients_.back().patient = id;
    }
    return patients_[it->second];
  }
  PatientData* Find(const std::string& id) {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &patients_[it->second];
  }
  std::vector<PatientData> Take() { return std::move(patients_); }

 private:
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<PatientData> patients_;
};

// specs/outcomes.md §2: a row whose status is entered-in-error or superseded is ignored.
base::Result<bool> Current(const base::CsvTable& t) {
  if (!t.Has("status")) return true;
  LC_ASSIGN_OR_RETURN(const std::string status, t.Text("status"));
  return status != "entered-in-error" && status != "superseded";
}

// A UTC instant counts on its UTC date (specs/outcomes.md §2).
base::Result<Day> DayAt(const base::CsvTable& t, std::string_view column) {
  LC_ASSIGN_OR_RETURN(const std::string text, t.Text(column));
  auto time = ClinicalTime::Parse(text);
  if (!time.ok()) return t.Wrap(column, time.status());
  return time.value().day();
}

base::Result<base::CsvTable> OpenTidy(const std::string& dir, std::string_view file,
                                      std::span<const std::string_view> columns) {
  LC_ASSIGN_OR_RETURN(base::CsvTable t, base::CsvTable::Open(dir + "/" + std::string(file)));
  LC_RETURN_IF_ERROR(t.Require(columns));
  return t;
}

// Reads every current row of `file` into `row`.
template <typename Fn>
base::Status EachRow(const std::string& dir, std::string_view file,
                     std::span<const std::string_view> columns, Fn row) {
  LC_ASSIGN_OR_RETURN(base::CsvTable t, OpenTidy(dir, file, columns));
  while (true) {
    LC_ASSIGN_OR_RETURN(const bool more, t.Next());
    if (!more) return base::OkStatus();
    LC_ASSIGN_OR_RETURN(const bool current, Current(t));
    if (current) LC_RETURN_IF_ERROR(row(t));
  }
}

base::Result<PatientData*> Known(PatientTable& patients, const base::CsvTable& t) {
  LC_ASSIGN_OR_RETURN(const std::string id, t.Text("patient_id"));
  PatientData* p = patients.Find(id);
  if (p == nullptr) {
    return t.Error("patient_id", fmt::format("patient {} is not in patients.csv", id));
  }
  return p;
}

base::Status Authorized(const Context& context, const Actor& actor) {
  base::Status identified =
      Authorize(actor, access::Permission::kReadPatients, "read outcomes", true);
  if (identified.ok()) return identified;
  base::Status deidentified =
      Authorize(actor, access::Permission::kReadDeidentified, "read outcomes", true);
  if (deidentified.ok()) return deidentified;
  return Refuse(context, actor, "outcomes", std::nullopt, std::move(identified));
}

base::Result<Outcomes> Compute(std::vector<PatientData> patients, const OutcomesRequest& request) {
  Outcomes out;
  out.definitions = request.definitions ? *request.definitions
                                        : formats::DefaultOutcomeDefinitions();
  out.by_stage = request.by == Subgroups::kStage;
  out.report = domain::outcomes::Evaluate(out.definitions, patients, request.by);
  // Transplant-free survival from t0: one curve for all, or one per stage at t0 (a patient
  // whose stage the record cannot set is in "all" only).
  stats::SurvivalData data;
  if (out.by_stage) {
    data.group_names = {"compensated", "decompensated"};
  } else {
    data.group_names = {"all"};
  }
  for (const auto& s : out.report.survival) {
    int group = 0;
    if (out.by_stage) {
      if (s.subgroup.empty()) continue;
      group = s.subgroup == "compensated" ? 0 : 1;
    }
    data.rows.push_back(static_cast<std::uint32_t>(data.rows.size()));
    data.time.push_back(s.days);
    data.event.push_back(s.event ? 1 : 0);
    data.group.push_back(group);
  }
  if (!data.time.empty()) {
    LC_ASSIGN_OR_RETURN(out.survival, stats::FitKaplanMeier(data, {}));
  }
  return out;
}

nlohmann::json ProportionJson(const domain::outcomes::Proportion& p) {
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"x", p.x},
          {"n", p.n},
          {"proportion", opt(p.proportion)},
          {"ci95", {opt(p.lower), opt(p.upper)}}};
}

}  // namespace

base::Result<std::vector<PatientData>> ReadTidyOutcomeData(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    base::Status status(base::StatusCode::kNotFound, "no such folder (a `export tidy` output)");
    status.SetPath(dir);
    return status;
  }
  PatientTable patients;
  constexpr std::string_view kPatientColumns[] = {"patient_id", "sex", "birth_date"};
  LC_RETURN_IF_ERROR(EachRow(dir, "patients.csv", kPatientColumns,
                             [&](const base::CsvTable& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(const std::string id, t.Text("patient_id"));
    PatientData& p = patients.Get(id);
    LC_ASSIGN_OR_RETURN(const std::string sex, t.Text("sex"));
    if (!sex.empty()) {
      auto parsed = domain::ParseSex(sex);
      if (!parsed.ok()) return t.Wrap("sex", parsed.status());
      p.sex = parsed.value();
    }
    LC_ASSIGN_OR_RETURN(const std::string birth, t.Text("birth_date"));
    if (!birth.empty()) {
      LC_ASSIGN_OR_RETURN(p.birth_date, DayAt(t, "birth_date"));
    }
    return base::OkStatus();
  }));
  constexpr std::string_view kLabColumns[] = {"patient_id", "time", "code", "canonical_value"};
  LC_RETURN_IF_ERROR(EachRow(dir, "labs.csv", kLabColumns,
                             [&](const base::CsvTable& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, Known(patients, t));
    LC_ASSIGN_OR_RETURN(const std::optional<double> value, t.OptionalNumber("canonical_value"));
    if (!value) return base::OkStatus();  // a code without a canonical unit: not compared
    LC_ASSIGN_OR_RETURN(const Day day, DayAt(t, "time"));
    LC_ASSIGN_OR_RETURN(std::string code, t.Text("code"));
    p->labs.push_back({std::move(code), day, *value});
    return base::OkStatus();
  }));
  constexpr std::string_view kFindingColumns[] = {"patient_id", "time", "kind", "value"};
  LC_RETURN_IF_ERROR(EachRow(dir, "findings.csv", kFindingColumns,
                             [&](const base::CsvTable& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, Known(patients, t));
    LC_ASSIGN_OR_RETURN(const Day day, DayAt(t, "time"));
    LC_ASSIGN_OR_RETURN(std::string kind, t.Text("kind"));
    LC_ASSIGN_OR_RETURN(const double value, t.Number("value"));
    p->findings.push_back({std::move(kind), day, value});
    return base::OkStatus();
  }));
  constexpr std::string_view kEventColumns[] = {"patient_id", "time", "type"};
  LC_RETURN_IF_ERROR(EachRow(dir, "events.csv", kEventColumns,
                             [&](const base::CsvTable& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, Known(patients, t));
    LC_ASSIGN_OR_RETURN(const Day day, DayAt(t, "time"));
    LC_ASSIGN_OR_RETURN(std::string type, t.Text("type"));
    p->events.push_back({std::move(type), day});
    return base::OkStatus();
  }));
  constexpr std::string_view kAdministrationColumns[] = {"patient_id", "administered_at"};
  LC_RETURN_IF_ERROR(EachRow(dir, "administrations.csv", kAdministrationColumns,
                             [&](const base::CsvTable& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, Known(patients, t));
    LC_ASSIGN_OR_RETURN(const Day day, DayAt(t, "administered_at"));
    p->administrations.push_back(day);
    return base::OkStatus();
  }));
  return patients.Take();
}

base::Result<std::vector<PatientData>> ReadRegistryOutcomeData(storage::Repository& repo) {
  PatientTable patients;
  LC_RETURN_IF_ERROR(repo.ForEachPatient([&](const domain::Patient& patient) -> base::Status {
    PatientData& p = patients.Get(std::to_string(patient.id));
    p.sex = patient.sex;
    p.birth_date = patient.birth_date;
    return base::OkStatus();
  }));
  // What export tidy writes: current records only.
  auto known = [&](std::int64_t id) { return patients.Find(std::to_string(id)); };
  LC_RETURN_IF_ERROR(repo.ForEachLab([&](const domain::LabObservation& lab) {
    if (!lab.canonical_value) return;
    if (PatientData* p = known(lab.patient_id)) {
      p->labs.push_back({lab.code, lab.time.day(), *lab.canonical_value});
    }
  }));
  LC_RETURN_IF_ERROR(repo.ForEachFinding([&](const domain::Finding& f) {
    if (PatientData* p = known(f.patient_id)) p->findings.push_back({f.kind, f.time.day(), f.value});
  }));
  LC_RETURN_IF_ERROR(repo.ForEachEvent([&](const domain::ClinicalEvent& e) {
    if (PatientData* p = known(e.patient_id)) p->events.push_back({e.type, e.time.day()});
  }));
  LC_ASSIGN_OR_RETURN(const auto products, repo.ListProducts(0));
  for (const domain::Product& product : products) {
    PatientData* p = known(product.patient_id);
    if (p == nullptr) continue;
    for (const auto& event : product.events) {
      if (event.kind != domain::CustodyKind::kAdministration) continue;
      p->administrations.push_back(std::chrono::floor<std::chrono::days>(event.at));
    }
  }
  return patients.Take();
}

base::Result<Outcomes> RegistryOutcomes(const Context& context, const Actor& actor,
                                        const OutcomesRequest& request) {
  LC_RETURN_IF_ERROR(Authorized(context, actor));
  LC_ASSIGN_OR_RETURN(std::vector<PatientData> patients, ReadRegistryOutcomeData(context.repo));
  LC_ASSIGN_OR_RETURN(Outcomes out, Compute(std::move(patients), request));
  out.treatment_status = context.protocol.treatment_status;
  access::AuditEntry entry = EntryFor(actor, "outcomes", std::nullopt, context.now);
  entry.resource += fmt::format(" definitions {} {} treated {}", out.definitions.id,
                                out.definitions.version, out.report.treated);
  LC_RETURN_IF_ERROR(context.journal.Record(std::move(entry)));
  return out;
}

base::Result<Outcomes> TidyOutcomes(const std::string& dir, const OutcomesRequest& request) {
  LC_ASSIGN_OR_RETURN(std::vector<PatientData> patients, ReadTidyOutcomeData(dir));
  LC_ASSIGN_OR_RETURN(Outcomes out, Compute(std::move(patients), request));
  // No registry, so no clinic protocol: the shipped one's words.
  const formats::ProtocolParse shipped = formats::DefaultProtocol();
  if (shipped.protocol) out.treatment_status = shipped.protocol->treatment_status;
  return out;
}

nlohmann::json OutcomesJson(const Outcomes& o) {
  nlohmann::json endpoints = nlohmann::json::array();
  for (const auto& r : o.report.endpoints) {
    endpoints.push_back({{"id", r.endpoint},
                         {"time_point_days", r.time_point_days},
                         {"window_days", r.window_days},
                         {"subgroup", r.subgroup},
                         {"eligible", r.eligible},
                         {"responders", r.responders},
                         {"non_responders", r.non_responders},
                         {"missing", r.missing},
                         {"failed", r.failed},
                         {"complete_case", ProportionJson(r.complete_case)},
                         {"failures_as_non_response", ProportionJson(r.failures_as_non_response)},
                         {"worst_case", ProportionJson(r.worst_case)}});
  }
  nlohmann::json definitions = nlohmann::json::array();
  for (const auto& e : o.definitions.endpoints) {
    nlohmann::json d = {{"id", e.id},
                        {"text", e.text},
                        {"kind", domain::outcomes::ToString(e.kind)},
                        {"source", e.source}};
    if (!e.loinc.empty()) d["loinc"] = e.loinc;
    if (!e.score.empty()) d["score"] = e.score;
    definitions.push_back(std::move(d));
  }
  nlohmann::json ineligible = nlohmann::json::array();
  for (const auto& i : o.report.ineligible) {
    ineligible.push_back({{"id", i.endpoint}, {"reason", i.reason}, {"patients", i.patients}});
  }
  return {{"treatment_status", o.treatment_status},
          {"treated", o.report.treated},
          {"untreated", o.report.untreated},
          {"definitions",
           {{"id", o.definitions.id},
            {"version", o.definitions.version},
            {"sha256", o.definitions.sha256},
            {"endpoints", definitions}}},
          {"endpoints", endpoints},
          {"not_eligible", ineligible},
          {"survival",
           {{"endpoint", "transplant-free survival from t0"},
            {"time_unit", "days"},
            {"km", stats::KmJson(o.survival)}}},
          {"evidence", formats::EvidenceJson()},
          {"claims", formats::ClaimsJson()}};
}

}  // namespace livercell::clinic
