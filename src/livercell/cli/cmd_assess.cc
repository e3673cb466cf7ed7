// `livercell assess` (candidacy decision for one candidate, specs/assessment.md) and
// `livercell protocol check|show|facts` (a clinic's protocol file, validated and printed).
#include <fmt/format.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/candidate_json.h"
#include "livercell/cli/input.h"
#include "livercell/cli/output.h"
#include "livercell/formats/protocol_file.h"
#include "livercell/domain/assessment/assess.h"

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

// Largest protocol file accepted (bytes): the default is under 10 KiB.
constexpr std::size_t kMaxProtocolBytes = std::size_t{1} << 20;

// The protocol of --protocol FILE, or the built-in default; every problem reported (a file
// that cannot be read is one of them).
ProtocolParse LoadProtocol(const std::string& path) {
  if (path.empty()) return formats::DefaultProtocol();
  base::Result<std::string> text = ReadDocument(path, kMaxProtocolBytes, "a protocol file");
  if (!text.ok()) return ProtocolParse{std::nullopt, {text.status()}};
  return ParseProtocolFile(*text, path);
}

std::string_view DecisionText(std::string_view decision) {
  if (decision == "eligible") return "ELIGIBLE for the clinic's cell-therapy protocol";
  if (decision == "eligible_after_antiviral") return "ELIGIBLE AFTER ANTIVIRAL THERAPY has started";
  if (decision == "refer_transplant") return "REFER FOR TRANSPLANT EVALUATION instead";
  if (decision == "not_eligible") return "NOT ELIGIBLE";
  return "INCOMPLETE: the missing inputs below decide it";
}

// Reads like a clinical note: decision first, then the reasons (rules that fired), what is
// still unknown, the recommendations, and the rules that did not apply.
std::string AssessmentTable(const domain::Assessment& a, const domain::Protocol& p) {
  std::string out = fmt::format("Decision: {}\n", DecisionText(a.decision));
  out += fmt::format("Stage: {}; D'Amico stage {}\n",
                     !a.stage.compensated   ? "compensation unknown"
                     : *a.stage.compensated ? "compensated"
                                            : "decompensated",
                     a.stage.damico ? std::to_string(*a.stage.damico) : "unknown");
  auto list = [&](const char* heading, domain::Truth truth) {
    bool any = false;
    for (const auto& r : a.rules) {
      if (r.truth != truth) continue;
      if (!any) out += fmt::format("\n{}\n", heading);
      any = true;
      std::vector<std::string> inputs;
      for (const auto& [name, value] : r.inputs)
        inputs.push_back(fmt::format("{} = {}", name, value ? domain::ToString(*value) : "?"));
      out += fmt::format("  {} [{}] {}\n      {}\n      source: {}\n", r.rule->id, r.rule->effect,
                         r.rule->text, fmt::join(inputs, ", "), r.rule->source);
      if (!r.missing.empty()) out += fmt::format("      needs: {}\n", fmt::join(r.missing, ", "));
    }
  };
  list("Reasons (rules that apply):", domain::Truth::kTrue);
  list("Not yet decidable (inputs missing):", domain::Truth::kUnknown);
  if (!a.missing.empty()) {
    out += "\nTo do — record:\n";
    for (const std::string& m : a.missing) out += fmt::format("  [ ] {}\n", m);
  }
  bool any_rec = false;
  for (const auto& r : a.recommendations) {
    if (r.truth != domain::Truth::kTrue) continue;
    if (!any_rec) out += "\nRecommendations:\n";
    any_rec = true;
    out += fmt::format("  {}: {}\n      source: {}\n", r.rule->id, r.rule->text, r.rule->source);
  }
  std::vector<std::string> clear;
  for (const auto& r : a.rules) {
    if (r.truth == domain::Truth::kFalse) clear.push_back(r.rule->id);
  }
  if (!clear.empty()) out += fmt::format("\nDid not apply: {}\n", fmt::join(clear, ", "));
  out += fmt::format("\nProtocol {} {} (sha256 {})\n", p.id, p.version, p.sha256);
  return out;
}

struct AssessOptions {
  std::string input;
  std::string protocol;
  std::string format;
};

int RunAssess(const AssessOptions& o) {
  const Format format = ParseFormat(o.format);
  const ProtocolParse loaded = LoadProtocol(o.protocol);
  if (!loaded.protocol) return Fail(loaded.errors, format);
  const domain::Protocol& protocol = *loaded.protocol;
  const base::Result<std::string> text = ReadDocument(o.input, kMaxPatientBytes, "one candidate");
  if (!text.ok()) return Fail(text.status(), format);
  simdjson::dom::parser parser;
  domain::Candidate candidate;
  const PatientParse parsed = ParseCandidate(*text, parser, &candidate);
  if (!parsed.errors.empty()) return Fail(parsed.errors, format);
  for (const std::string& w : parsed.warnings) fmt::print(stderr, "warning: {}\n", w);
  const domain::Assessment assessment = domain::Assess(protocol, candidate);
  if (format == Format::kJson) {
    fmt::print("{}\n", AssessmentJson(assessment, protocol).dump());
  } else {
    fmt::print("{}", AssessmentTable(assessment, protocol));
  }
  return 0;
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
                            {"sha256", p.sha256},
                            {"rules", rules}}
                           .dump());
    return 0;
  }
  fmt::print("{}\n{} version {} (sha256 {})\n\nDecision order: {}\n", p.title, p.id, p.version,
             p.sha256, fmt::join(p.decision_order, " > "));
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
  assess->add_option("FILE", options->input, "Candidate JSON file, or - for standard input")
      ->required();
  assess->add_option("--protocol", options->protocol,
                     "Protocol TOML file (default: the built-in livercell-default 1.0.0)");
  AddFormatOption(*assess, &options->format, {"table", "json"});
  assess->footer(
      "Input: everything `livercell score` reads, plus cirrhosis_confirmed, aetiology, history,\n"
      "hcc, exclusions, hbv/hcv status and route (specs/assessment.md). A missing field makes\n"
      "the rules that need it unknown; the decision is then \"incomplete\" unless a rule\n"
      "already excludes or refers. Examples:\n"
      "  livercell assess data/examples/candidate.json\n"
      "  livercell assess --protocol clinic.toml --format json candidate.json");
  assess->callback([selected, options] { *selected = [options] { return RunAssess(*options); }; });

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
