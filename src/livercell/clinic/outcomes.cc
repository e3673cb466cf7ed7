#include "livercell/clinic/outcomes.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
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

// Patients by id, in first-seen order. Looked up by the text of a CSV cell without a copy, and
// the last one found first (exports list a patient's rows together).
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
  PatientData* Find(std::string_view id) {
    if (last_ != nullptr && last_->patient == id) return last_;
    auto it = index_.find(id);
    last_ = it == index_.end() ? nullptr : &patients_[it->second];
    return last_;
  }
  std::vector<PatientData> Take() {
    last_ = nullptr;
    return std::move(patients_);
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  std::vector<PatientData> patients_;
  PatientData* last_ = nullptr;  // into patients_, which no longer grows once Find is used
};

// One file of a tidy export, its columns resolved once: millions of lab rows are read as views
// of the reader's buffer, never copied, and every error still names file, line and column.
class TidyFile {
 public:
  static base::Result<TidyFile> Open(const std::string& dir, std::string_view file,
                                     std::span<const std::string_view> columns) {
    LC_ASSIGN_OR_RETURN(base::CsvTable table,
                        base::CsvTable::Open(dir + "/" + std::string(file)));
    LC_RETURN_IF_ERROR(table.Require(columns));
    TidyFile out(std::move(table));
    for (std::string_view c : columns) {
      out.names_.push_back(c);
      out.index_.push_back(*out.table_.IndexOf(c));
    }
    out.status_ = out.table_.IndexOf("status");
    return out;
  }

  // The next current row: a row whose status is entered-in-error or superseded is skipped
  // (specs/outcomes.md §2). False at the end.
  base::Result<bool> Next() {
    while (true) {
      LC_ASSIGN_OR_RETURN(const bool more, table_.Next());
      if (!more) return false;
      if (!status_) return true;
      const std::string_view status = table_.fields()[*status_];
      if (status != "entered-in-error" && status != "superseded") return true;
    }
  }

  // The cell of the i-th column asked for in Open.
  std::string_view Cell(std::size_t i) const { return table_.fields()[index_[i]]; }

  // A UTC instant counts on its UTC date (specs/outcomes.md §2).
  base::Result<Day> DayOf(std::size_t i) const {
    auto time = ClinicalTime::Parse(Cell(i));
    if (!time.ok()) return table_.Wrap(names_[i], time.status());
    return time.value().day();
  }

  // nullopt when empty or NA.
  base::Result<std::optional<double>> NumberOf(std::size_t i) const {
    const std::string_view text = Cell(i);
    if (text.empty() || text == "NA") return std::optional<double>();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return table_.Error(names_[i], fmt::format("\"{}\" is not a number", text));
    }
    return std::optional<double>(value);
  }

  // `cause` at the current line and the i-th column.
  base::Status Wrap(std::size_t i, const base::Status& cause) const {
    return table_.Wrap(names_[i], cause);
  }

  // The row's patient, who must be in patients.csv.
  base::Result<PatientData*> PatientOf(PatientTable& patients, std::size_t i) const {
    PatientData* p = patients.Find(Cell(i));
    if (p == nullptr) {
      return table_.Error(names_[i], fmt::format("patient {} is not in patients.csv", Cell(i)));
    }
    return p;
  }

 private:
  explicit TidyFile(base::CsvTable table) : table_(std::move(table)) {}
  base::CsvTable table_;
  std::vector<std::string_view> names_;
  std::vector<std::size_t> index_;
  std::optional<std::size_t> status_;
};

// Reads every current row of `file` into `row`.
template <typename Fn>
base::Status EachRow(const std::string& dir, std::string_view file,
                     std::span<const std::string_view> columns, Fn row) {
  LC_ASSIGN_OR_RETURN(TidyFile t, TidyFile::Open(dir, file, columns));
  while (true) {
    LC_ASSIGN_OR_RETURN(const bool more, t.Next());
    if (!more) return base::OkStatus();
    LC_RETURN_IF_ERROR(row(t));
  }
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
                             [&](const TidyFile& t) -> base::Status {
    PatientData& p = patients.Get(std::string(t.Cell(0)));
    if (!t.Cell(1).empty()) {
      auto parsed = domain::ParseSex(t.Cell(1));
      if (!parsed.ok()) return t.Wrap(1, parsed.status());
      p.sex = parsed.value();
    }
    if (!t.Cell(2).empty()) {
      LC_ASSIGN_OR_RETURN(p.birth_date, t.DayOf(2));
    }
    return base::OkStatus();
  }));
  constexpr std::string_view kLabColumns[] = {"patient_id", "time", "code", "canonical_value"};
  LC_RETURN_IF_ERROR(EachRow(dir, "labs.csv", kLabColumns,
                             [&](const TidyFile& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, t.PatientOf(patients, 0));
    LC_ASSIGN_OR_RETURN(const std::optional<double> value, t.NumberOf(3));
    if (!value) return base::OkStatus();  // a code without a canonical unit: not compared
    LC_ASSIGN_OR_RETURN(const Day day, t.DayOf(1));
    p->labs.push_back({std::string(t.Cell(2)), day, *value});
    return base::OkStatus();
  }));
  constexpr std::string_view kFindingColumns[] = {"patient_id", "time", "kind", "value"};
  LC_RETURN_IF_ERROR(EachRow(dir, "findings.csv", kFindingColumns,
                             [&](const TidyFile& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, t.PatientOf(patients, 0));
    LC_ASSIGN_OR_RETURN(const Day day, t.DayOf(1));
    LC_ASSIGN_OR_RETURN(const std::optional<double> value, t.NumberOf(3));
    if (value) p->findings.push_back({std::string(t.Cell(2)), day, *value});
    return base::OkStatus();
  }));
  constexpr std::string_view kEventColumns[] = {"patient_id", "time", "type"};
  LC_RETURN_IF_ERROR(EachRow(dir, "events.csv", kEventColumns,
                             [&](const TidyFile& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, t.PatientOf(patients, 0));
    LC_ASSIGN_OR_RETURN(const Day day, t.DayOf(1));
    p->events.push_back({std::string(t.Cell(2)), day});
    return base::OkStatus();
  }));
  constexpr std::string_view kAdministrationColumns[] = {"patient_id", "administered_at"};
  LC_RETURN_IF_ERROR(EachRow(dir, "administrations.csv", kAdministrationColumns,
                             [&](const TidyFile& t) -> base::Status {
    LC_ASSIGN_OR_RETURN(PatientData * p, t.PatientOf(patients, 0));
    LC_ASSIGN_OR_RETURN(const Day day, t.DayOf(1));
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
