#include "livercell/stats/km_json.h"

namespace livercell::stats {
namespace {

nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json Opts(const std::vector<std::optional<double>>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : values) out.push_back(Opt(v));
  return out;
}

}  // namespace

nlohmann::json KmJson(const KmResult& r) {
  nlohmann::json strata = nlohmann::json::array();
  for (const auto& c : r.strata) {
    strata.push_back({{"name", c.name},
                      {"n", c.n},
                      {"n_event", c.n_event},
                      {"time", c.time},
                      {"n_risk", c.n_risk},
                      {"n_event_at", c.n_event_at},
                      {"n_censor", c.n_censor},
                      {"surv", c.surv},
                      {"std_err", Opts(c.std_err)},
                      {"lower", Opts(c.lower)},
                      {"upper", Opts(c.upper)},
                      {"median", Opt(c.median)},
                      {"median_lower", Opt(c.median_lower)},
                      {"median_upper", Opt(c.median_upper)}});
  }
  return {{"n", r.n}, {"n_event", r.n_event}, {"n_dropped", r.n_dropped}, {"strata", strata}};
}

}  // namespace livercell::stats
