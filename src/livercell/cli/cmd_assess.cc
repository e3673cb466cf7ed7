// `livercell assess` (candidacy decision for one candidate, specs/assessment.md) and
// `livercell protocol check|show|facts` (a clinic's protocol file, validated and printed).
#include <fmt/format.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "livercell/base/instant.h"
#include "livercell/cli/app.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/candidate_json.h"
#include "livercell/cli/input.h"
#include "livercell/cli/output.h"
#include "livercell/formats/protocol_file.h"
#include "livercell/domain/assessment/assess.h"
#include "livercell/clinic/assessments.h"
#include "livercell/cli/session.h"

namespace livercell::cli {
namespace {

using formats::AssessmentJson;
using formats::kMaxPatientBytes;
using formats::kDefaultProtocolName;
using formats::ParseCandidate;
using formats::ParseProtocolFile;
using formats::PatientParse;
using formats::ProtocolParse;
using nlohmann::json;

std::string_view DecisionText(std::string_view decision) {
  if (decision == "eligible") return "ELIGIBLE for the clinic's cell-therapy protocol";
  if (decision == "eligible_after_antiviral") return "ELIGIBLE AFTER ANTIVIRAL THERAPY has started";
  if (decision == "refer_transplant") return "REFER FOR TRANSPLANT EVALUATION instead";
  if (decision == "not_eligible") return "NOT ELIGIBLE";
  return "INCOMPLETE: the missing inputs below decide it";
}

// A fact's value in a rule trace: "?" when missing, lists as "[hbv, alcohol]".
std::string ValueText(const json& v) {
  if (v.is_null()) return "?";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return fmt::format("{:g}", v.get<double>());
  if (v.is_array()) {
    std::vector<std::string> items;
    for (const json& item : v) items.push_back(ValueText(item));
    return fmt::format("[{}]", fmt::join(items, ", "));
  }
  return v.dump();
}

// Reads like a clinical note: decision first, then the reasons (rules that fired), what is
// still unknown, the recommendations, and the rules that did not apply. Rendered from the
// result JSON, so a stored assessment prints exactly as it was given.
std::string AssessmentTable(const json& a) {
  std::string out = fmt::format("Decision: {}\n", DecisionText(a["decision"].get<std::string>()));
  const json& stage = a["stage"];
  out += fmt::format("Stage: {}; D'Amico stage {}\n",
                     stage["compensated"].is_null() ? "compensation unknown"
                     : stage["compensated"].get<bool>() ? "compensated"
                                                        : "decompensated",
                     stage["damico"].is_null() ? "unknown" : stage["damico"].dump());
  if (stage.contains("set_by") && !stage["set_by"].empty()) {
    std::vector<std::string> flags;
    for (const json& f : stage["set_by"]) flags.push_back(f.get<std::string>());
    out += fmt::format("  set by {}\n", fmt::join(flags, ", "));
  }
  if (a.contains("protocol") && a["protocol"].contains("treatment_status") &&
      a["protocol"]["treatment_status"].is_string()) {
    out += fmt::format("Treatment: {}\n", a["protocol"]["treatment_status"].get<std::string>());
  }
  auto list = [&](const char* heading, const char* result) {
    bool any = false;
    for (const json& r : a["rules"]) {
      if (r["result"] != result) continue;
      if (!any) out += fmt::format("\n{}\n", heading);
      any = true;
      std::vector<std::string> inputs;
      for (const auto& [name, value] : r["inputs"].items())
        inputs.push_back(fmt::format("{} = {}", name, ValueText(value)));
      out += fmt::format("  {} [{}] {}\n      {}\n      source: {}\n", ValueText(r["id"]),
                         ValueText(r["effect"]), ValueText(r["text"]), fmt::join(inputs, ", "),
                         ValueText(r["source"]));
      if (!r["missing"].empty())
        out += fmt::format("      needs: {}\n", ValueText(r["missing"]));
    }
  };
  list("Reasons (rules that apply):", "true");
  list("Not yet decidable (inputs missing):", "unknown");
  if (!a["missing"].empty()) {
    out += "\nTo do — record:\n";
    for (const json& m : a["missing"]) out += fmt::format("  [ ] {}\n", ValueText(m));
  }
  if (a.contains("stale") && !a["stale"].empty()) {
    out += "\nLeft out as too old (record a fresh value):\n";
    for (const json& s : a["stale"]) {
      out += fmt::format("  {} of {}: {} days old, the protocol allows {}\n", ValueText(s["input"]),
                         ValueText(s["time"]), s["age_days"].dump(), s["max_age_days"].dump());
    }
  }
  if (!a["recommendations"].empty()) out += "\nRecommendations:\n";
  for (const json& r : a["recommendations"]) {
    out += fmt::format("  {}: {}\n      source: {}\n", ValueText(r["id"]), ValueText(r["text"]),
                       ValueText(r["source"]));
  }
  std::vector<std::string> clear;
  for (const json& r : a["rules"]) {
    if (r["result"] == "false") clear.push_back(ValueText(r["id"]));
  }
  if (!clear.empty()) out += fmt::format("\nDid not apply: {}\n", fmt::join(clear, ", "));
  const json& p = a["protocol"];
  out += fmt::format("\nProtocol {} {} (sha256 {})\n", ValueText(p["id"]), ValueText(p["version"]),
                     ValueText(p["sha256"]));
  return out;
}

struct AssessOptions {
  std::string input;
  std::string protocol;
  std::string format;
  std::string db;
  std::string patient;
  std::int64_t replay = 0;
  bool history = false;
  bool no_store = false;
  Credentials credentials;
};

void PrintResult(const json& result, Format format) {
  if (format == Format::kJson) {
    fmt::print("{}\n", result.dump());
  } else {
    fmt::print("{}", AssessmentTable(result));
  }
}

// One candidate from a JSON document: nothing stored.
int AssessDocument(const AssessOptions& o, const domain::Protocol& protocol, Format format) {
  const base::Result<std::string> text = ReadDocument(o.input, kMaxPatientBytes, "one candidate");
  if (!text.ok()) return Fail(text.status(), format);
  simdjson::dom::parser parser;
  domain::Candidate candidate;
  const PatientParse parsed = ParseCandidate(*text, parser, &candidate);
  if (!parsed.errors.empty()) return Fail(parsed.errors, format);
  for (const std::string& w : parsed.warnings) fmt::print(stderr, "warning: {}\n", w);
  PrintResult(AssessmentJson(domain::Assess(protocol, candidate), protocol), format);
  return 0;
}

// A registry patient: the candidate from the record, FILE (if given) laid over it, and the
// assessment signed and stored by the physician of --as (or `livercell login`), whose password
// on standard input is the signature. With --no-store it is only shown: no account needed.
int AssessPatient(const AssessOptions& o, const domain::Protocol& protocol, Format format) {
  json stated = json::object();
  if (!o.input.empty()) {
    const base::Result<std::string> text =
        ReadDocument(o.input, kMaxPatientBytes, "the clinician's statements");
    if (!text.ok()) return Fail(text.status(), format);
    stated = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!stated.is_object()) {
      base::Status status = base::InvalidArgumentError(
          "must be a JSON object of candidate fields (specs/assessment.md \"Input\")");
      status.SetPath(o.input);
      return Fail(status, format);
    }
  }
  if (o.no_store) {
    auto repo = OpenRegistry(o.db);
    if (!repo.ok()) return Fail(repo.status(), format);
    const base::Result<std::int64_t> id = (*repo)->ResolvePatient(o.patient);
    if (!id.ok()) return Fail(id.status(), format);
    const base::Result<clinic::RegistryAssessment> assessed =
        clinic::AssessFromRegistry(**repo, *id, protocol, stated, base::NowSeconds());
    if (!assessed.ok()) return Fail(assessed.status(), format);
    if (!assessed->errors.empty()) return Fail(assessed->errors, format);
    for (const std::string& w : assessed->warnings) fmt::print(stderr, "warning: {}\n", w);
    PrintResult(assessed->result, format);
    return 0;
  }
  if (o.input == "-" && o.credentials.password_stdin) {
    base::Status status = base::InvalidArgumentError(
        "standard input carries the password: give the statements as a file");
    return Fail(status.SetPath("FILE").SetValue("-"), format);
  }
  ClinicCall::Settings settings;
  settings.protocol = o.protocol;
  auto call = ClinicCall::Open(o.db, o.credentials, settings,
                               fmt::format("livercell assess --patient {}", o.patient));
  if (!call.ok()) return Fail(call.status(), format);
  const base::Result<std::int64_t> id = (*call)->repo().ResolvePatient(o.patient);
  if (!id.ok()) return Fail(id.status(), format);
  const base::Result<domain::AssessmentRecord> stored = clinic::SignAssessment(
      (*call)->context(), (*call)->actor(), *id, stated, (*call)->password());
  if (!stored.ok()) return Fail(stored.status(), format);
  json result = json::parse(stored->result_json, nullptr, /*allow_exceptions=*/false);
  result["id"] = stored->id;
  if (format != Format::kJson) {
    fmt::print(stderr, "stored as assessment {}, signed by {}\n", stored->id,
               (*call)->actor().username);
  }
  PrintResult(result, format);
  return 0;
}

// The patient's stored assessments, newest first.
int AssessmentHistory(const AssessOptions& o, Format format) {
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  const base::Result<std::int64_t> id = (*repo)->ResolvePatient(o.patient);
  if (!id.ok()) return Fail(id.status(), format);
  const auto stored = (*repo)->Assessments(*id);
  if (!stored.ok()) return Fail(stored.status(), format);
  if (format == Format::kJson) {
    json items = json::array();
    for (const auto& r : *stored) items.push_back(clinic::StoredAssessmentJson(r));
    fmt::print("{}\n", json{{"patient_id", *id}, {"items", items}}.dump());
    return 0;
  }
  fmt::print("{:>6}  {:<20}  {:<24}  {:<26}  {}\n", "id", "assessed at", "decision", "protocol",
             "signed by");
  for (const auto& r : *stored) {
    fmt::print("{:>6}  {:<20}  {:<24}  {:<26}  {}\n", r.id, r.assessed_at.ToString(), r.decision,
               r.protocol_id + " " + r.protocol_version,
               r.signed_by ? *r.signed_by + " (" + r.signed_role.value_or("") + ")" : "unsigned");
  }
  return 0;
}

// Re-runs a stored assessment under its own protocol text: exit 0 when it reproduces exactly
// and its content hash holds, 3 otherwise.
int ReplayStored(const AssessOptions& o, Format format) {
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  const auto record = (*repo)->GetAssessment(o.replay);
  if (!record.ok()) return Fail(record.status(), format);
  const base::Result<clinic::Replay> replay = clinic::ReplayAssessment(*record);
  if (!replay.ok()) return Fail(replay.status(), format);
  const bool ok = replay->reproduced && replay->intact;
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"id", record->id},
                            {"reproduced", replay->reproduced},
                            {"intact", replay->intact},
                            {"result", replay->result}}
                           .dump());
  } else {
    fmt::print("assessment {} of {} under {} {} (sha256 {}): {}; content hash {}\n", record->id,
               record->assessed_at.ToString(), record->protocol_id, record->protocol_version,
               record->protocol_sha256,
               replay->reproduced ? "reproduced exactly" : "NOT reproduced",
               replay->intact ? "intact" : "DOES NOT MATCH the stored fields");
  }
  return ok ? 0 : 3;
}

int RunAssess(const AssessOptions& o) {
  const Format format = ParseFormat(o.format);
  if (o.replay != 0) return ReplayStored(o, format);
  if (o.history) return AssessmentHistory(o, format);
  const ProtocolParse loaded = LoadProtocol(o.protocol);
  if (!loaded.protocol) return Fail(loaded.errors, format);
  if (!o.patient.empty()) return AssessPatient(o, *loaded.protocol, format);
  return AssessDocument(o, *loaded.protocol, format);
}

int RunProtocolCheck(const std::string& path, Format format) {
  const ProtocolParse loaded = LoadProtocol(path);
  if (!loaded.protocol) return Fail(loaded.errors, format);
  const domain::Protocol& protocol = *loaded.protocol;
  const std::vector<base::Status> problems =
      domain::CheckProtocol(protocol, path.empty() ? kDefaultProtocolName : path);
  if (!problems.empty()) return Fail(problems, format);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"valid", true},
                            {"id", protocol.id},
                            {"version", protocol.version},
                            {"sha256", protocol.sha256},
                            {"rules", protocol.rules.size()},
                            {"recommendations", protocol.recommendations.size()}}
                           .dump());
  } else {
    fmt::print("{} {}: valid ({} rules, {} recommendations; sha256 {})\n", protocol.id,
               protocol.version, protocol.rules.size(), protocol.recommendations.size(),
               protocol.sha256);
  }
  return 0;
}

int RunProtocolShow(const std::string& path, Format format) {
  const ProtocolParse loaded = LoadProtocol(path);
  if (!loaded.protocol) return Fail(loaded.errors, format);
  const domain::Protocol& p = *loaded.protocol;
  if (format == Format::kJson) {
    json rules = json::array();
    for (const auto* list : {&p.rules, &p.recommendations}) {
      for (const domain::Rule& r : *list) {
        rules.push_back({{"id", r.id},
                         {"text", r.text},
                         {"condition", domain::Describe(r.condition)},
                         {"effect", r.effect.empty() ? "recommendation" : r.effect},
                         {"source", r.source}});
      }
    }
    fmt::print("{}\n", json{{"id", p.id},
                            {"version", p.version},
                            {"title", p.title},
                            {"decision_order", p.decision_order},
                            {"lab_max_age_days", p.lab_max_age_days ? json(*p.lab_max_age_days)
                                                                    : json()},
                            {"sha256", p.sha256},
                            {"rules", rules}}
                           .dump());
    return 0;
  }
  fmt::print("{}\n{} version {} (sha256 {})\n\nDecision order: {}\n", p.title, p.id, p.version,
             p.sha256, fmt::join(p.decision_order, " > "));
  if (p.lab_max_age_days)
    fmt::print("Registry labs count when at most {} days old.\n", *p.lab_max_age_days);
  for (const char* effect : {"not_eligible", "refer_transplant", "eligible_after_antiviral", ""}) {
    const auto& list = *effect ? p.rules : p.recommendations;
    bool any = false;
    for (const domain::Rule& r : list) {
      if (*effect && r.effect != effect) continue;
      if (!any)
        fmt::print("\n{}\n", *effect ? fmt::format("Leads to {}:", effect) : "Recommendations:");
      any = true;
      fmt::print("  {}  {}\n      when: {}\n      source: {}\n", r.id, r.text,
                 domain::Describe(r.condition), r.source);
    }
  }
  return 0;
}

int RunProtocolFacts(Format format) {
  if (format == Format::kJson) {
    json facts = json::array();
    for (const domain::FactInfo& f : domain::AllFacts()) {
      facts.push_back({{"name", f.name},
                       {"kind", domain::KindName(f.kind)},
                       {"allowed", f.allowed},
                       {"unit", f.unit},
                       {"description", f.description}});
    }
    fmt::print("{}\n", facts.dump());
    return 0;
  }
  for (const domain::FactInfo& f : domain::AllFacts()) {
    std::string detail = f.allowed.empty() ? f.unit : fmt::format("{}", fmt::join(f.allowed, "|"));
    fmt::print("{:<28} {:<15} {:<34} {}\n", f.name, domain::KindName(f.kind), detail,
               f.description);
  }
  return 0;
}

}  // namespace

void RegisterAssessCommands(CLI::App& app, Action* selected) {
  auto options = std::make_shared<AssessOptions>();
  CLI::App* assess = app.add_subcommand(
      "assess",
      "Candidacy for cell therapy: every rule of the protocol, the decision and why "
      "(specs/assessment.md)");
  assess->add_option("FILE", options->input,
                     "Candidate JSON file, or - for standard input; with --patient, the "
                     "clinician's statements laid over the registry's values");
  assess->add_option("--protocol", options->protocol,
                     "Protocol TOML file (default: the built-in livercell-default 1.0.0)");
  AddDbOption(*assess, &options->db);
  assess->add_option("--patient", options->patient,
                     "Assess a registry patient (id or system:value) from their latest values, "
                     "and store the assessment with its protocol");
  assess->add_flag("--no-store", options->no_store,
                   "With --patient: show, do not store (no account needed)");
  AddCredentialOptions(*assess, &options->credentials);
  assess->add_flag("--history", options->history,
                   "With --patient: list the patient's stored assessments");
  assess->add_option("--replay", options->replay,
                     "Re-run stored assessment ID under its own protocol; exit 0 when it "
                     "reproduces exactly, 3 when not");
  AddFormatOption(*assess, &options->format, {"table", "json"});
  assess->footer(
      "Input: everything `livercell score` reads, plus cirrhosis_confirmed, aetiology, history,\n"
      "hcc, exclusions, hbv/hcv status and route (specs/assessment.md). A missing field makes\n"
      "the rules that need it unknown; the decision is then \"incomplete\" unless a rule\n"
      "already excludes or refers. From the registry (--patient), labs older than the\n"
      "protocol's lab_max_age_days are left out and listed; history flags are set only by\n"
      "recorded events, so state the rest in FILE. Examples:\n"
      "  livercell assess data/examples/candidate.json\n"
      "  livercell assess --protocol clinic.toml --format json candidate.json\n"
      "  livercell assess --db sqlite:clinic.db --patient mrn:A123 statements.json \\\n"
      "      --as dr.ada --password-stdin          (signed and stored)\n"
      "  livercell assess --db sqlite:clinic.db --patient mrn:A123 --history\n"
      "  livercell assess --db sqlite:clinic.db --replay 17");
  assess->callback([selected, options] {
    if (options->input.empty() && options->patient.empty() && options->replay == 0) {
      throw CLI::RequiredError("FILE (or --patient ID, or --replay ID)");
    }
    if (options->history && options->patient.empty()) {
      throw CLI::ValidationError("--history", "needs --patient ID");
    }
    *selected = [options] { return RunAssess(*options); };
  });

  CLI::App* protocol = app.add_subcommand("protocol", "Validate or print a candidacy protocol");
  protocol->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  CLI::App* check = protocol->add_subcommand(
      "check",
      "Validate a protocol file: unknown facts, wrong operators or values, missing sources, "
      "contradictory or unreachable rules (exit 0 valid, 2 with every problem named)");
  check->add_option("FILE", *path, "Protocol TOML (default: the built-in one)");
  AddFormatOption(*check, format.get(), {"table", "json"});
  check->callback([selected, path, format] {
    *selected = [path, format] { return RunProtocolCheck(*path, ParseFormat(*format)); };
  });
  CLI::App* show = protocol->add_subcommand("show", "Print a protocol for a clinician");
  show->add_option("FILE", *path, "Protocol TOML (default: the built-in one)");
  AddFormatOption(*show, format.get(), {"table", "json"});
  show->callback([selected, path, format] {
    *selected = [path, format] { return RunProtocolShow(*path, ParseFormat(*format)); };
  });
  CLI::App* facts = protocol->add_subcommand("facts", "List the facts a condition may use");
  AddFormatOption(*facts, format.get(), {"table", "json"});
  facts->callback([selected, format] {
    *selected = [format] { return RunProtocolFacts(ParseFormat(*format)); };
  });
}

}  // namespace livercell::cli
