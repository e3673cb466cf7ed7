// `livercell stats km|logrank`: survival statistics that agree with R's survival package
// (specs/stats.md). JSON with --format json; a table like R's print() otherwise.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/output.h"
#include "livercell/cli/svg_plot.h"
#include "livercell/stats/cif.h"
#include "livercell/stats/cox.h"
#include "livercell/stats/formula.h"
#include "livercell/stats/kaplan_meier.h"
#include "livercell/stats/km_json.h"
#include "livercell/stats/logrank.h"
#include "livercell/stats/survival_data.h"
#include "livercell/stats/table.h"

namespace livercell::cli {
namespace {

struct StatsOptions {
  std::string csv, formula, format, conf_type = "log", ties = "efron";
  std::string plot, time_label = "Time (days)";
  double conf_level = 0.95;
};

// Writes the SVG to `path` atomically; an error is returned as an exit status.
int WritePlot(const std::string& path, const std::string& svg, Format format) {
  if (path.empty()) return 0;
  auto sink = OutputSink::Open(path);
  if (!sink.ok()) return Fail(sink.status(), format);
  sink.value()->Write(svg);
  const base::Status committed = sink.value()->Commit();
  return committed.ok() ? 0 : Fail(committed, format);
}

std::string Num(const std::optional<double>& v, int digits = 4) {
  return v ? fmt::format("{:.{}g}", *v, digits) : "NA";
}

// The parsed formula and the table of the columns it uses: every stats command starts here.
struct Input {
  stats::Formula formula;
  stats::Table table;
};

base::Result<Input> ReadInput(const StatsOptions& o) {
  LC_ASSIGN_OR_RETURN(stats::Formula formula, stats::ParseFormula(o.formula));
  LC_ASSIGN_OR_RETURN(stats::Table table,
                      stats::Table::ReadCsv(o.csv, stats::FormulaColumns(formula)));
  return Input{std::move(formula), std::move(table)};
}

base::Result<stats::SurvivalData> Load(const StatsOptions& o) {
  LC_ASSIGN_OR_RETURN(const Input input, ReadInput(o));
  return stats::BuildSurvivalData(input.table, input.formula);
}

int RunKm(const StatsOptions& o) {
  const Format format = ParseFormat(o.format);
  auto data = Load(o);
  if (!data.ok()) return Fail(data.status(), format);
  stats::KmOptions options;
  options.conf_level = o.conf_level;
  options.conf_type = o.conf_type == "log-log" ? stats::ConfType::kLogLog
                      : o.conf_type == "plain" ? stats::ConfType::kPlain
                                               : stats::ConfType::kLog;
  auto fit = stats::FitKaplanMeier(data.value(), options);
  if (!fit.ok()) return Fail(fit.status(), format);
  const stats::KmResult& r = fit.value();
  if (const int rc = WritePlot(o.plot, KaplanMeierSvg(r, {o.formula, o.time_label}), format)) {
    return rc;
  }
  if (format == Format::kJson) {
    fmt::print("{}\n", stats::KmJson(r).dump());
    return 0;
  }
  fmt::print("Kaplan–Meier ({} rows used, {} dropped for missing values; {} CI, {:g}%)\n\n", r.n,
             r.n_dropped, o.conf_type, o.conf_level * 100);
  fmt::print("{:<24} {:>6} {:>7} {:>8} {:>8} {:>8}\n", "", "n", "events", "median", "lower",
             "upper");
  for (const auto& c : r.strata) {
    fmt::print("{:<24} {:>6} {:>7} {:>8} {:>8} {:>8}\n", c.name, c.n, c.n_event, Num(c.median, 6),
               Num(c.median_lower, 6), Num(c.median_upper, 6));
  }
  return 0;
}

int RunLogRank(const StatsOptions& o) {
  const Format format = ParseFormat(o.format);
  auto data = Load(o);
  if (!data.ok()) return Fail(data.status(), format);
  auto test = stats::LogRankTest(data.value());
  if (!test.ok()) return Fail(test.status(), format);
  const stats::LogRankResult& r = test.value();
  if (format == Format::kJson) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : r.groups) {
      groups.push_back(
          {{"name", g.name}, {"n", g.n}, {"observed", g.observed}, {"expected", g.expected}});
    }
    fmt::print(
        "{}\n",
        nlohmann::json{{"chisq", r.chisq}, {"df", r.df}, {"p", r.p}, {"groups", groups}}.dump());
    return 0;
  }
  fmt::print("{:<24} {:>6} {:>9} {:>9} {:>10}\n", "", "N", "Observed", "Expected", "(O-E)^2/E");
  for (const auto& g : r.groups) {
    fmt::print("{:<24} {:>6} {:>9.0f} {:>9.1f} {:>10.3f}\n", g.name, g.n, g.observed, g.expected,
               (g.observed - g.expected) * (g.observed - g.expected) / g.expected);
  }
  fmt::print("\n Chisq= {:.1f}  on {} degrees of freedom, p= {:.3g}\n", r.chisq, r.df, r.p);
  return 0;
}

nlohmann::json TestJson(const stats::CoxTest& t) {
  return {{"chisq", t.chisq}, {"df", t.df}, {"p", t.p}};
}

int RunCox(const StatsOptions& o) {
  const Format format = ParseFormat(o.format);
  auto input = ReadInput(o);
  if (!input.ok()) return Fail(input.status(), format);
  stats::CoxOptions options;
  options.ties = o.ties == "breslow" ? stats::Ties::kBreslow : stats::Ties::kEfron;
  auto fit = stats::FitCox(std::move(input.value().table), input.value().formula, options);
  if (!fit.ok()) return Fail(fit.status(), format);
  const stats::CoxResult& r = fit.value();
  if (format == Format::kJson) {
    nlohmann::json coefs = nlohmann::json::array();
    for (const auto& c : r.coefficients) {
      coefs.push_back({{"term", c.term},
                       {"coef", c.coef},
                       {"se", c.se},
                       {"z", c.z},
                       {"p", c.p},
                       {"hr", c.hr},
                       {"hr_lower", c.hr_lower},
                       {"hr_upper", c.hr_upper}});
    }
    fmt::print("{}\n", nlohmann::json{{"n", r.n},
                                      {"n_event", r.n_event},
                                      {"n_dropped", r.n_dropped},
                                      {"coefficients", coefs},
                                      {"loglik", {r.loglik_null, r.loglik}},
                                      {"iterations", r.iterations},
                                      {"lr_test", TestJson(r.lr_test)},
                                      {"wald_test", TestJson(r.wald_test)},
                                      {"score_test", TestJson(r.score_test)},
                                      {"concordance", r.concordance}}
                           .dump());
    return 0;
  }
  fmt::print("Cox model ({} ties): n = {}, events = {} ({} dropped for missing values)\n\n", o.ties,
             r.n, r.n_event, r.n_dropped);
  fmt::print("{:<22} {:>10} {:>8} {:>9} {:>8} {:>10} {:>20}\n", "", "coef", "HR", "se(coef)", "z",
             "p", "95% CI of HR");
  for (const auto& c : r.coefficients) {
    fmt::print("{:<22} {:>10.4g} {:>8.4g} {:>9.4g} {:>8.3f} {:>10.3g} {:>9.4g} – {:<8.4g}\n",
               c.term, c.coef, c.hr, c.se, c.z, c.p, c.hr_lower, c.hr_upper);
  }
  fmt::print(
      "\nConcordance = {:.3f}\nLikelihood ratio test = {:.2f} on {} df, p = {:.3g}\n"
      "Wald test             = {:.2f} on {} df, p = {:.3g}\n"
      "Score (logrank) test  = {:.2f} on {} df, p = {:.3g}\n",
      r.concordance, r.lr_test.chisq, r.lr_test.df, r.lr_test.p, r.wald_test.chisq, r.wald_test.df,
      r.wald_test.p, r.score_test.chisq, r.score_test.df, r.score_test.p);
  return 0;
}

int RunCif(const StatsOptions& o) {
  const Format format = ParseFormat(o.format);
  auto input = ReadInput(o);
  if (!input.ok()) return Fail(input.status(), format);
  auto fit = stats::FitCif(input.value().table, input.value().formula);
  if (!fit.ok()) return Fail(fit.status(), format);
  const stats::CifResult& r = fit.value();
  if (const int rc = WritePlot(o.plot, CifSvg(r, {o.formula, o.time_label}), format)) return rc;
  if (format == Format::kJson) {
    nlohmann::json strata = nlohmann::json::array();
    for (const auto& c : r.strata) {
      strata.push_back({{"name", c.name},
                        {"time", c.time},
                        {"n_risk", c.n_risk},
                        {"pstate", c.pstate},
                        {"std_err", c.std_err}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"states", r.states}, {"n_dropped", r.n_dropped}, {"strata", strata}}
                   .dump());
    return 0;
  }
  fmt::print("Aalen–Johansen state occupancy ({} dropped for missing values)\n", r.n_dropped);
  for (const auto& c : r.strata) {
    fmt::print("\n{}: at the last time ({:g})\n", c.name, c.time.back());
    for (std::size_t s = 0; s < r.states.size(); ++s) {
      fmt::print("  {:<10} {:.4f}  (se {:.4f})\n", r.states[s], c.pstate.back()[s],
                 c.std_err.back()[s]);
    }
  }
  return 0;
}

void AddCommon(CLI::App& sub, StatsOptions* o) {
  sub.add_option("--csv", o->csv, "Analysis CSV (header row; empty or NA = missing)")->required();
  sub.add_option("--formula", o->formula, "R formula, e.g. \"Surv(time, status == 2) ~ trt\"")
      ->required();
  AddFormatOption(sub, &o->format, {"table", "json"});
}

}  // namespace

void RegisterStatsCommand(CLI::App& app, Action* selected) {
  CLI::App* stats = app.add_subcommand("stats", "Survival statistics that agree with R's survival");
  stats->require_subcommand(1);

  auto km = std::make_shared<StatsOptions>();
  CLI::App* k = stats->add_subcommand("km", "Kaplan–Meier curves (R survfit)");
  AddCommon(*k, km.get());
  k->add_option("--conf-type", km->conf_type, "Confidence interval scale")
      ->check(CLI::IsMember({"log", "log-log", "plain"}))
      ->capture_default_str();
  k->add_option("--conf-level", km->conf_level, "Confidence level")->capture_default_str();
  k->add_option("--plot", km->plot, "Also write the curves as SVG to this file");
  k->add_option("--time-label", km->time_label, "x-axis label, with the time unit")
      ->capture_default_str();
  k->footer(
      "Example:\n  livercell stats km --csv data/cohorts/pbc.csv "
      "--formula \"Surv(time, status == 2) ~ trt\" --format json");
  k->callback([selected, km] { *selected = [km] { return RunKm(*km); }; });

  auto lr = std::make_shared<StatsOptions>();
  CLI::App* l = stats->add_subcommand("logrank", "Log-rank test (R survdiff, rho = 0)");
  AddCommon(*l, lr.get());
  l->footer(
      "Example:\n  livercell stats logrank --csv data/cohorts/pbc.csv "
      "--formula \"Surv(time, status == 2) ~ edema\"");
  l->callback([selected, lr] { *selected = [lr] { return RunLogRank(*lr); }; });

  auto cif = std::make_shared<StatsOptions>();
  CLI::App* ci = stats->add_subcommand("cif", "Competing risks: Aalen–Johansen state occupancy");
  AddCommon(*ci, cif.get());
  ci->add_option("--plot", cif->plot, "Also write the curves as SVG to this file");
  ci->add_option("--time-label", cif->time_label, "x-axis label, with the time unit")
      ->capture_default_str();
  ci->footer(
      "The event column is categorical; its first level (sorted as R's factor()) is\n"
      "censoring.\nExample:\n  livercell stats cif --csv data/cohorts/pbc.csv "
      "--formula \"Surv(time, status) ~ trt\"");
  ci->callback([selected, cif] { *selected = [cif] { return RunCif(*cif); }; });

  auto cox = std::make_shared<StatsOptions>();
  CLI::App* c = stats->add_subcommand("cox", "Cox proportional hazards (R coxph)");
  AddCommon(*c, cox.get());
  c->add_option("--ties", cox->ties, "Tied event times")
      ->check(CLI::IsMember({"efron", "breslow"}))
      ->capture_default_str();
  c->footer(
      "Terms: col, log(col), factor(col), strata(col); Surv(start, stop, event) for\n"
      "time-dependent covariates.\nExample:\n  livercell stats cox --csv data/cohorts/pbc.csv "
      "--formula \"Surv(time, status == 2) ~ age + log(bili) + edema + strata(sex)\"");
  c->callback([selected, cox] { *selected = [cox] { return RunCox(*cox); }; });
}

}  // namespace livercell::cli
