// `livercell outcomes` (issue #24, specs/outcomes.md): did the treated patients get better, by
// the rules of the spec and the endpoint definitions, beside the published evidence. From the
// registry (--db) or from a tidy export (--tidy), with the same numbers.
#include <fmt/format.h>

#include "livercell/cli/app.h"
#include "livercell/cli/input.h"
#include "livercell/cli/output.h"
#include "livercell/cli/session.h"
#include "livercell/clinic/outcomes.h"
#include "livercell/formats/outcomes_file.h"
#include "livercell/formats/outcomes_svg.h"

namespace livercell::cli {
namespace {

struct OutcomesOptions {
  std::string db, tidy, definitions, by = "all", format = "table", plot;
  Credentials credentials;
};

std::string Percent(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}%", *v * 100) : "–";
}

std::string ProportionText(const domain::outcomes::Proportion& p) {
  if (!p.proportion) return fmt::format("{}/{}", p.x, p.n);
  return fmt::format("{}/{} {} ({}–{})", p.x, p.n, Percent(p.proportion), Percent(p.lower),
                     Percent(p.upper));
}

std::string Opt(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : "NA"; }

void PrintTable(const clinic::Outcomes& o) {
  const auto& r = o.report;
  fmt::print("Outcomes of {} treated patients ({} untreated not counted); definitions {} {}\n",
             r.treated, r.untreated, o.definitions.id, o.definitions.version);
  fmt::print("Treatment: {}\nThese are this clinic's observations, without a control group.\n\n",
             o.treatment_status);
  fmt::print("{:<22} {:>9} {:<13} {:>5} {:>5} {:>5} {:>5} {:>5}  {:<26} {:<26} {:<26}\n",
             "endpoint", "day", "subgroup", "elig", "resp", "non", "fail", "miss",
             "complete case (95% CI)", "failures as non-response", "worst case");
  for (const auto& e : r.endpoints) {
    fmt::print("{:<22} {:>9} {:<13} {:>5} {:>5} {:>5} {:>5} {:>5}  {:<26} {:<26} {:<26}\n",
               e.endpoint, fmt::format("{} ± {}", e.time_point_days, e.window_days), e.subgroup,
               e.eligible, e.responders, e.non_responders, e.failed, e.missing,
               ProportionText(e.complete_case), ProportionText(e.failures_as_non_response),
               ProportionText(e.worst_case));
  }
  if (!r.ineligible.empty()) {
    fmt::print("\nNot eligible (treated patients the endpoint cannot class):\n");
    for (const auto& i : r.ineligible) {
      fmt::print("  {:<22} {:>5}  {}\n", i.endpoint, i.patients, i.reason);
    }
  }
  fmt::print("\nDefinitions (a response means exactly this):\n");
  for (const auto& e : o.definitions.endpoints) {
    fmt::print("  {:<22} {}\n  {:<22} source: {}\n", e.id, e.text, "", e.source);
  }
  fmt::print("\nTransplant-free survival from the first administration (days):\n");
  for (const auto& c : o.survival.strata) {
    fmt::print("  {:<14} n {:>5}, events {:>4}, median {} ({}–{})\n", c.name, c.n, c.n_event,
               Opt(c.median), Opt(c.median_lower), Opt(c.median_upper));
  }
  fmt::print("\nPublished evidence (data/evidence/trials.csv; every arm):\n");
  for (const auto& arm : formats::EvidenceJson()) {
    auto text = [&](const char* key) {
      const auto& v = arm.value(key, nlohmann::json());
      return v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : std::string("");
    };
    fmt::print("  {} ({}), n {}: {} — {} [{}]\n", text("trial"), text("design"), text("n"),
               text("endpoint"), text("effect").empty() ? "effect not found" : text("effect"),
               text("source"));
  }
  fmt::print("\nFigures quoted in advertising (data/evidence/claims.toml):\n");
  for (const auto& claim : formats::ClaimsJson()) {
    fmt::print("  \"{}\": {}\n", claim["text"].get<std::string>(),
               claim["status"].get<std::string>());
  }
}

void PrintCsv(const clinic::Outcomes& o) {
  std::string out =
      "endpoint,time_point_days,window_days,subgroup,eligible,responders,non_responders,failed,"
      "missing";
  for (const char* p : {"complete_case", "failures_as_non_response", "worst_case"}) {
    out += fmt::format(",{0}_x,{0}_n,{0}_proportion,{0}_lower,{0}_upper", p);
  }
  out += ",definitions_id,definitions_version\n";
  for (const auto& e : o.report.endpoints) {
    out += fmt::format("{},{},{},{},{},{},{},{},{}", e.endpoint, e.time_point_days,
                       e.window_days, e.subgroup, e.eligible, e.responders, e.non_responders,
                       e.failed, e.missing);
    for (const auto* p : {&e.complete_case, &e.failures_as_non_response, &e.worst_case}) {
      out += fmt::format(",{},{},{},{},{}", p->x, p->n, Opt(p->proportion), Opt(p->lower),
                         Opt(p->upper));
    }
    out += fmt::format(",{},{}\n", o.definitions.id, o.definitions.version);
  }
  fmt::print("{}", out);
}

int RunOutcomes(const OutcomesOptions& o) {
  const Format format = ParseFormat(o.format);
  if (!o.db.empty() && !o.tidy.empty()) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        "give either --db or --tidy, not both");
    status.SetPath("--tidy");
    return Fail(status, format);
  }
  std::vector<base::Status> problems;
  auto definitions = LoadOutcomeDefinitions(o.definitions, &problems);
  if (!definitions.ok()) return Fail(problems, format);
  clinic::OutcomesRequest request{&definitions.value(),
                                  o.by == "stage" ? domain::outcomes::Subgroups::kStage
                                                  : domain::outcomes::Subgroups::kAll};
  base::Result<clinic::Outcomes> outcomes = base::Status(base::StatusCode::kInternal, "");
  if (!o.tidy.empty()) {
    outcomes = clinic::TidyOutcomes(o.tidy, request);
  } else {
    auto call = ClinicCall::Open(o.db, o.credentials, {}, "livercell outcomes");
    if (!call.ok()) return Fail(call.status(), format);
    outcomes = clinic::RegistryOutcomes((*call)->context(), (*call)->actor(), request);
  }
  if (!outcomes.ok()) return Fail(outcomes.status(), format);
  if (!o.plot.empty()) {
    const std::string svg =
        formats::OutcomesSvg(outcomes->definitions, outcomes->report, outcomes->treatment_status,
                             formats::EvidenceJson(), formats::ClaimsJson());
    if (const int rc = WriteOutput(svg, o.plot)) return rc;
  }
  switch (format) {
    case Format::kJson: fmt::print("{}\n", clinic::OutcomesJson(*outcomes).dump()); break;
    case Format::kCsv: PrintCsv(*outcomes); break;
    case Format::kTable: PrintTable(*outcomes); break;
  }
  return 0;
}

}  // namespace

void RegisterOutcomesCommand(CLI::App& app, Action* selected) {
  auto o = std::make_shared<OutcomesOptions>();
  CLI::App* cmd = app.add_subcommand(
      "outcomes",
      "Did the treated patients get better? Responders per endpoint and time point, with Wilson "
      "95% intervals, beside the published trials (specs/outcomes.md)");
  AddDbOption(*cmd, &o->db);
  cmd->add_option("--tidy", o->tidy, "Read a folder written by `export tidy` instead of --db")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--definitions", o->definitions,
                  "Endpoint definitions (TOML; default: the shipped data/outcomes/default.toml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--by", o->by, "Subgroups: all, or stage (compensated/decompensated at t0)")
      ->check(CLI::IsMember({"all", "stage"}));
  AddFormatOption(*cmd, &o->format, {"table", "json", "csv"});
  cmd->add_option("--plot", o->plot,
                  "Also write an SVG: the clinic's proportions beside every trial arm");
  AddCredentialOptions(*cmd, &o->credentials);
  cmd->footer(
      "Rules (specs/outcomes.md): t0 is the first administration; the baseline is the latest\n"
      "value in the 90 days up to t0; follow-up at 10±3, 91±14, 183±30 and 365±45 days is the\n"
      "value closest to the time point (the earlier of two). Each patient is a responder,\n"
      "non-responder, failed (death or transplant, no value) or missing.\n\n"
      "Examples:\n"
      "  livercell outcomes --db sqlite:var/livercell.db\n"
      "  livercell outcomes --tidy export/ --by stage --format json\n"
      "  livercell outcomes --db sqlite:var/livercell.db --plot outcomes.svg");
  cmd->callback([selected, o] { *selected = [o] { return RunOutcomes(*o); }; });
}

}  // namespace livercell::cli
