#include "livercell/stats/cif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "livercell/stats/order.h"
#include "livercell/stats/survival_data.h"

namespace livercell::stats {
namespace {

// The infinitesimal-jackknife influence of one subject on every state probability, and sums
// of products of influences over a set of subjects (only those the standard errors need).
struct Moments {
  double s00 = 0;              // Σ u0²
  std::vector<double> s0, ss;  // per state k ≥ 1: Σ u0·uk and Σ uk²
  explicit Moments(std::size_t states) : s0(states, 0.0), ss(states, 0.0) {}
  void Add(const std::vector<double>& u, double count) {
    s00 += count * u[0] * u[0];
    for (std::size_t k = 1; k < u.size(); ++k) {
      s0[k] += count * u[0] * u[k];
      ss[k] += count * u[k] * u[k];
    }
  }
};

// One stratum from its counts by time of each level (0 = censored, k ≥ 1 = event k).
//
// The jackknife influence u_i of subject i on p evolves at each event time t with hazard
// increments dΛ_k = d_k / Y (Y at risk, d_k events of type k) as
//   u_ik += u_i0·dΛ_k + p0·(dN_ik − Y_i·dΛ_k) / Y,   u_i0 ← u_i0·(1 − Σ dΛ) − p0·Σ_k (…) / Y.
// Done subject by subject that is O(n·T). But every subject still at risk has had the same
// history, so they share one u; and once a subject has left, its update is the same linear
// map for all who have left, so the sums of products the standard errors need (Σ u0², Σ u0·uk,
// Σ uk²) can be carried through that map directly. That makes it O(n + T·states).
CifCurve FitOne(const std::string& name, const TimeCounts& counts) {
  const auto states = static_cast<std::size_t>(counts.states);
  CifCurve curve;
  curve.name = name;
  std::vector<double> p(states, 0.0), at_risk_u(states, 0.0), v(states, 0.0);
  p[0] = 1;
  Moments left(states);  // subjects who have left the risk set
  std::vector<double> d(states);
  auto risk = static_cast<double>(counts.Total());
  for (std::size_t i = 0; i < counts.time.size(); ++i) {
    const double t = counts.time[i];
    for (std::size_t k = 0; k < states; ++k) d[k] = counts.At(i, static_cast<int>(k));
    const double censored = d[0];
    double d_all = 0;
    for (std::size_t k = 1; k < states; ++k) d_all += d[k];
    curve.time.push_back(t);
    curve.n_risk.push_back(static_cast<int>(risk));
    std::vector<double>& u = at_risk_u;
    if (d_all > 0) {
      const double p0 = p[0];
      const double stay = 1 - d_all / risk;
      // Those who left earlier: u0 ← stay·u0, uk ← uk + dΛ_k·u0.
      for (std::size_t k = 1; k < states; ++k) {
        const double dl = d[k] / risk;
        left.ss[k] += 2 * dl * left.s0[k] + dl * dl * left.s00;
        left.s0[k] = stay * (left.s0[k] + dl * left.s00);
      }
      left.s00 *= stay * stay;
      // Those at risk (dN = 0, Y = 1), which is also where the leavers start from.
      for (std::size_t k = 1; k < states; ++k) {
        const double dl = d[k] / risk;
        u[k] += u[0] * dl - p0 * dl / risk;
      }
      u[0] = u[0] * stay + p0 * d_all / (risk * risk);
      // The subjects with an event of type j: dN_ij = 1 adds p0 / Y to u_j, takes it from u_0.
      for (std::size_t j = 1; j < states; ++j) {
        if (d[j] == 0) continue;
        v = u;
        v[j] += p0 / risk;
        v[0] -= p0 / risk;
        left.Add(v, d[j]);
      }
      for (std::size_t k = 1; k < states; ++k) p[k] += p0 * d[k] / risk;
      p[0] = p0 * stay;
    }
    left.Add(u, censored);
    risk -= d_all + censored;
    std::vector<double> se(states);
    se[0] = std::sqrt(left.s00 + risk * u[0] * u[0]);
    for (std::size_t k = 1; k < states; ++k) se[k] = std::sqrt(left.ss[k] + risk * u[k] * u[k]);
    curve.pstate.push_back(p);
    curve.std_err.push_back(std::move(se));
  }
  return curve;
}

}  // namespace

base::Result<CifResult> FitCif(const Table& table, const Formula& formula) {
  LC_ASSIGN_OR_RETURN(const Column* event, table.Find(formula.event.column));
  if (formula.event.op != EventSpec::Op::kColumn) {
    base::Status status = base::InvalidArgumentError(
        "cif needs the event column itself (a factor whose first level is censoring), not a "
        "comparison");
    status.SetPath("--formula");
    return status;
  }
  // Groups and times as for a curve, with a 0/1 placeholder event; states come from the column.
  Formula grouping = formula;
  grouping.event.op = EventSpec::Op::kGreater;
  grouping.event.values = {"-1e308"};
  if (!event->numeric)
    grouping.event = EventSpec{formula.stop, EventSpec::Op::kGreater, {"-1e308"}};
  LC_ASSIGN_OR_RETURN(const SurvivalData data, BuildSurvivalData(table, grouping));
  // The event column's levels, in factor() order; the first is censoring.
  const Factor event_factor = MakeFactor(*event, data.rows);
  const std::vector<std::string>& levels = event_factor.levels;
  if (levels.size() < 2) {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "the event column {} has {} level(s); cif needs censoring plus at least one event type",
        event->name, levels.size()));
    status.SetPath("--formula");
    return status;
  }
  CifResult result;
  result.n_dropped = data.n_dropped;
  result.states.push_back("(s0)");
  for (std::size_t l = 1; l < levels.size(); ++l) result.states.push_back(levels[l]);
  const auto groups = static_cast<int>(data.group_names.size());
  const std::vector<TimeCounts> counts = CountByTime(
      data.time, data.group, groups, event_factor.code, static_cast<int>(levels.size()));
  for (int g = 0; g < groups; ++g) {
    result.strata.push_back(
        FitOne(data.group_names[static_cast<std::size_t>(g)], counts[static_cast<std::size_t>(g)]));
  }
  return result;
}

}  // namespace livercell::stats
