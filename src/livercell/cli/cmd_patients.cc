// `livercell patients list|show` and `livercell labs ID`: reading the registry back.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "livercell/cli/app.h"
#include "livercell/formats/score_json.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/records/current_scores.h"
#include "livercell/formats/records_json.h"
#include "livercell/storage/repository.h"

namespace livercell::cli {
namespace {

using formats::LabName;
using storage::Repository;

nlohmann::json PatientJson(const domain::Patient& p) {
  // Identified: the CLI reads the registry with the database's own access.
  return formats::PatientJson(p, nullptr, {});
}

std::string Identifiers(const domain::Patient& p) {
  std::string out;
  for (const auto& id : p.identifiers)
    out += (out.empty() ? "" : ", ") + id.system + ":" + id.value;
  return out;
}

std::string Date(const std::optional<std::chrono::sys_days>& day) {
  return day ? domain::ClinicalTime::FromDate(*day).ToString() : "";
}

struct ListOptions {
  std::string db, query, format;
  int limit = 50;
  int offset = 0;
};

int RunList(const ListOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  std::int64_t total = 0;
  auto patients = repo.value()->ListPatients(o.limit, o.offset, o.query, &total);
  if (!patients.ok()) return Fail(patients.status(), format);
  if (format == Format::kJson) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& p : patients.value()) items.push_back(PatientJson(p));
    fmt::print("{}\n", nlohmann::json{{"items", items}, {"total", total}}.dump());
    return 0;
  }
  fmt::print("{:>6}  {:<28} {:<6} {:<10}  {}\n", "id", "identifiers", "sex", "born", "aetiology");
  for (const auto& p : patients.value()) {
    fmt::print("{:>6}  {:<28} {:<6} {:<10}  {}\n", p.id, Identifiers(p),
               p.sex ? domain::ToString(*p.sex) : "", Date(p.birth_date),
               p.aetiology_icd10.value_or(""));
  }
  fmt::print("{} of {} patients (from {})\n", patients.value().size(), total, o.offset + 1);
  return 0;
}

struct ShowOptions {
  std::string db, patient, format;
  bool include_voided = false;  // `labs`: corrected results too, with who, when and why
};

int RunShow(const ShowOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  Repository& r = *repo.value();
  auto id = r.ResolvePatient(o.patient);
  if (!id.ok()) return Fail(id.status(), format);
  auto patient = r.GetPatient(id.value());
  auto labs = r.Labs(id.value());
  auto findings = r.Findings(id.value());
  auto events = r.Events(id.value());
  for (const base::Status* s :
       {&patient.status(), &labs.status(), &findings.status(), &events.status()}) {
    if (!s->ok()) return Fail(*s, format);
  }
  const domain::CurrentInputs current =
      domain::LatestScoreInput(patient.value(), labs.value(), findings.value());
  const domain::ScoreReport report = domain::ComputeScores(current.input);
  // The latest value of each lab code.
  std::map<std::string, const domain::LabObservation*> latest;
  for (const auto& lab : labs.value()) latest[lab.code] = &lab;
  if (format == Format::kJson) {
    nlohmann::json json = PatientJson(patient.value());
    nlohmann::json latest_json = nlohmann::json::array();
    for (const auto& [code, lab] : latest) {
      latest_json.push_back({{"name", LabName(code)},
                             {"code", code},
                             {"value", lab->value},
                             {"unit", lab->unit},
                             {"time", lab->time.ToString()}});
    }
    json["latest_labs"] = latest_json;
    nlohmann::json events_json = nlohmann::json::array();
    for (const auto& e : events.value()) {
      events_json.push_back({{"type", e.type},
                             {"time", e.time.ToString()},
                             {"grade", e.grade ? nlohmann::json(*e.grade) : nlohmann::json()}});
    }
    json["events"] = events_json;
    fmt::memory_buffer scores;
    formats::AppendScoreJson(report, &scores);
    json["scores"] = nlohmann::json::parse(fmt::to_string(scores));
    json["scores_as_of"] =
        current.as_of ? nlohmann::json(current.as_of->ToString()) : nlohmann::json();
    fmt::print("{}\n", json.dump());
    return 0;
  }
  const domain::Patient& p = patient.value();
  fmt::print("patient {}   {}\n", p.id, Identifiers(p));
  fmt::print("sex {}   born {}   aetiology {}   ECOG {}\n", p.sex ? domain::ToString(*p.sex) : "?",
             Date(p.birth_date), p.aetiology_icd10.value_or("?"),
             p.ecog ? std::to_string(*p.ecog) : "?");
  fmt::print("source: {}\n\nlatest labs\n", p.provenance);
  for (const auto& [code, lab] : latest) {
    fmt::print("  {:<22} {:>10} {:<8} {}\n", LabName(code), fmt::format("{}", lab->value),
               lab->unit, lab->time.ToString());
  }
  fmt::print("\nevents\n");
  if (events.value().empty()) fmt::print("  none recorded\n");
  for (const auto& e : events.value()) {
    fmt::print("  {}  {}{}\n", e.time.ToString(), e.type,
               e.grade ? fmt::format(" (grade {})", *e.grade) : "");
  }
  fmt::print("\nscores from the latest labs{}\n{}",
             current.as_of ? " (as of " + current.as_of->ToString() + ")" : "",
             formats::FormatScoreTable(report));
  return 0;
}

int RunLabs(const ShowOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  auto id = repo.value()->ResolvePatient(o.patient);
  if (!id.ok()) return Fail(id.status(), format);
  auto labs = repo.value()->Labs(id.value(), o.include_voided ? Repository::Visibility::kAll
                                                               : Repository::Visibility::kCurrent);
  if (!labs.ok()) return Fail(labs.status(), format);
  // Each corrected result's correction, by lab id.
  std::map<std::string, domain::Correction> corrections;
  if (o.include_voided) {
    auto list = repo.value()->Corrections(id.value());
    if (!list.ok()) return Fail(list.status(), format);
    for (const auto& c : list.value()) {
      if (c.kind == domain::RecordKind::kLab) corrections[c.record_id] = c;
    }
  }
  if (o.include_voided && format != Format::kJson) {
    // One line per result, so that a corrected one can say why.
    fmt::print("{:<21} {:<16} {:>10} {:<8} {:<16} {}\n", "time", "lab", "value", "unit", "id",
               "status");
    for (const auto& l : labs.value()) {
      const auto c = corrections.find(domain::LabId(l));
      fmt::print("{:<21} {:<16} {:>10} {:<8} {:<16} {}\n", l.time.ToString(), LabName(l.code),
                 l.value, l.unit, domain::LabId(l),
                 c == corrections.end()
                     ? std::string("final")
                     : fmt::format("{} by {} at {}: {}{}", c->second.status, c->second.by,
                                   c->second.at, c->second.reason,
                                   c->second.replaced_by ? " → " + *c->second.replaced_by : ""));
    }
    return 0;
  }
  if (format == Format::kJson) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& l : labs.value()) {
      const auto c = corrections.find(domain::LabId(l));
      nlohmann::json row = {{"id", domain::LabId(l)},
                      {"status", c == corrections.end() ? std::string("final") : c->second.status},
                      {"time", l.time.ToString()},
                      {"name", LabName(l.code)},
                      {"code", l.code},
                      {"value", l.value},
                      {"unit", l.unit},
                      {"canonical_value",
                       l.canonical_value ? nlohmann::json(*l.canonical_value) : nlohmann::json()},
                      {"canonical_unit", l.canonical_unit}};
      if (c != corrections.end()) row["correction"] = formats::CorrectionJson(c->second);
      rows.push_back(std::move(row));
    }
    fmt::print("{}\n", nlohmann::json{{"patient_id", id.value()}, {"labs", rows}}.dump());
    return 0;
  }
  // A trend table: one row per sampling time, one column per lab (values as received).
  std::set<std::string> codes;
  std::map<std::string, std::map<std::string, std::string>> by_time;
  std::map<std::string, std::string> units;
  for (const auto& l : labs.value()) {
    codes.insert(l.code);
    units[l.code] = l.unit;
    by_time[l.time.ToString()][l.code] = fmt::format("{}", l.value);
  }
  fmt::print("{:<12}", "date");
  for (const auto& code : codes) fmt::print(" {:>12}", LabName(code).substr(0, 12));
  fmt::print("\n{:<12}", "");
  for (const auto& code : codes) fmt::print(" {:>12}", units[code]);
  fmt::print("\n");
  for (const auto& [time, values] : by_time) {
    fmt::print("{:<12}", time.substr(0, 12));
    for (const auto& code : codes) {
      auto it = values.find(code);
      fmt::print(" {:>12}", it == values.end() ? "" : it->second);
    }
    fmt::print("\n");
  }
  fmt::print("{} results at {} times\n", labs.value().size(), by_time.size());
  return 0;
}

}  // namespace

void RegisterPatientsCommands(CLI::App& app, Action* selected) {
  CLI::App* patients = app.add_subcommand("patients", "List and show registry patients");
  patients->require_subcommand(1);

  auto list = std::make_shared<ListOptions>();
  CLI::App* l = patients->add_subcommand("list", "Patients, with search and paging");
  AddDbOption(*l, &list->db);
  l->add_option("--q", list->query, "Only patients with an identifier starting with this");
  l->add_option("--limit", list->limit, "How many")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  l->add_option("--offset", list->offset, "Skip this many")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  AddFormatOption(*l, &list->format, {"table", "json"});
  l->footer("Example:\n  livercell patients list --q 12 --limit 20");
  l->callback([selected, list] { *selected = [list] { return RunList(*list); }; });

  auto show = std::make_shared<ShowOptions>();
  CLI::App* s =
      patients->add_subcommand("show", "Identifiers, latest labs, events, current scores");
  AddDbOption(*s, &show->db);
  s->add_option("ID", show->patient, "Internal id (42) or system:value (mayo-pbc:7)")->required();
  AddFormatOption(*s, &show->format, {"table", "json"});
  s->footer("Example:\n  livercell patients show mayo-pbc:1");
  s->callback([selected, show] { *selected = [show] { return RunShow(*show); }; });

  auto labs = std::make_shared<ShowOptions>();
  CLI::App* lb = app.add_subcommand("labs", "A patient's lab results as a trend table");
  AddDbOption(*lb, &labs->db);
  lb->add_option("ID", labs->patient, "Internal id (42) or system:value (mayo-pbc:7)")->required();
  lb->add_flag("--include-voided", labs->include_voided,
               "Also the results voided or superseded, each with who corrected it, when and why");
  AddFormatOption(*lb, &labs->format, {"table", "json"});
  lb->footer("Example:\n  livercell labs mayo-pbc:1");
  lb->callback([selected, labs] { *selected = [labs] { return RunLabs(*labs); }; });
}

}  // namespace livercell::cli
