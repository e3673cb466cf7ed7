#include "livercell/stats/cif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "livercell/stats/survival_data.h"

namespace livercell::stats {
namespace {

// One stratum: times, and the state (0 = censored, k ≥ 1 = event k) of each subject.
CifCurve FitOne(const std::string& name, const std::vector<double>& time,
                const std::vector<int>& state, int states) {
  const std::size_t n = time.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  CifCurve curve;
  curve.name = name;
  std::vector<double> p(static_cast<std::size_t>(states), 0.0);
  p[0] = 1;
  // influence[i][j]: the infinitesimal-jackknife influence of subject i on p_j.
  std::vector<std::vector<double>> influence(
      n, std::vector<double>(static_cast<std::size_t>(states), 0.0));
  std::vector<bool> at_risk(n, true);
  std::size_t i = 0;
  double risk = static_cast<double>(n);
  while (i < n) {
    const double t = time[order[i]];
    std::vector<double> d(static_cast<std::size_t>(states), 0.0);
    std::vector<std::size_t> here;
    while (i < n && time[order[i]] == t) {
      here.push_back(order[i]);
      d[static_cast<std::size_t>(state[order[i]])] += 1;
      ++i;
    }
    double d_all = 0;
    for (int k = 1; k < states; ++k) d_all += d[static_cast<std::size_t>(k)];
    curve.time.push_back(t);
    curve.n_risk.push_back(static_cast<int>(risk));
    if (d_all > 0) {
      const double p0 = p[0];
      // Influence on each hazard increment dΛ_k = d_k / n: (dN_ik − Y_i dΛ_k) / n.
      std::vector<bool> died_here(n, false);
      for (std::size_t s : here) died_here[s] = true;
      for (std::size_t s = 0; s < n; ++s) {
        std::vector<double>& u = influence[s];
        const double u0 = u[0];
        double total_dl = 0;
        for (int k = 1; k < states; ++k) {
          const double dl = d[static_cast<std::size_t>(k)] / risk;
          const double dn = died_here[s] && state[s] == k ? 1.0 : 0.0;
          const double y = at_risk[s] ? 1.0 : 0.0;
          const double infl = (dn - y * dl) / risk;
          u[static_cast<std::size_t>(k)] += u0 * dl + p0 * infl;
          total_dl += infl;
        }
        u[0] = u0 * (1 - d_all / risk) - p0 * total_dl;
      }
      for (int k = 1; k < states; ++k)
        p[static_cast<std::size_t>(k)] += p0 * d[static_cast<std::size_t>(k)] / risk;
      p[0] = p0 * (1 - d_all / risk);
    }
    std::vector<double> se(static_cast<std::size_t>(states), 0.0);
    for (std::size_t s = 0; s < n; ++s) {
      for (int k = 0; k < states; ++k)
        se[static_cast<std::size_t>(k)] +=
            influence[s][static_cast<std::size_t>(k)] * influence[s][static_cast<std::size_t>(k)];
    }
    for (double& v : se) v = std::sqrt(v);
    curve.pstate.push_back(p);
    curve.std_err.push_back(se);
    for (std::size_t s : here) at_risk[s] = false;
    risk -= static_cast<double>(here.size());
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
  // The rows BuildSurvivalData kept, in order: the same rows without a missing value.
  std::vector<std::size_t> rows;
  LC_ASSIGN_OR_RETURN(const Column* time, table.Find(formula.stop));
  std::vector<const Column*> groups;
  for (const Term& term : formula.terms) {
    for (const std::string& name : term.columns) {
      LC_ASSIGN_OR_RETURN(const Column* c, table.Find(name));
      groups.push_back(c);
    }
  }
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool missing = time->IsMissing(r) || event->IsMissing(r);
    for (const Column* g : groups) missing = missing || g->IsMissing(r);
    if (!missing) rows.push_back(r);
  }
  // Levels in factor() order.
  std::vector<std::string> levels;
  std::map<std::string, int> level_index;
  if (event->numeric) {
    std::vector<double> values;
    for (std::size_t r : rows) values.push_back(event->numbers[r]);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (double v : values) levels.push_back(LevelText(v));
  } else {
    for (std::size_t r : rows) levels.push_back(event->strings[r]);
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  }
  if (levels.size() < 2) {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "the event column {} has {} level(s); cif needs censoring plus at least one event type",
        event->name, levels.size()));
    status.SetPath("--formula");
    return status;
  }
  for (std::size_t l = 0; l < levels.size(); ++l) level_index[levels[l]] = static_cast<int>(l);
  CifResult result;
  result.n_dropped = data.n_dropped;
  result.states.push_back("(s0)");
  for (std::size_t l = 1; l < levels.size(); ++l) result.states.push_back(levels[l]);
  const int states = static_cast<int>(levels.size());
  std::vector<std::vector<double>> times(data.group_names.size());
  std::vector<std::vector<int>> codes(data.group_names.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::size_t r = rows[i];
    const std::string level = event->numeric ? LevelText(event->numbers[r]) : event->strings[r];
    const auto g = static_cast<std::size_t>(data.group[i]);
    times[g].push_back(data.time[i]);
    codes[g].push_back(level_index.at(level));
  }
  for (std::size_t g = 0; g < data.group_names.size(); ++g) {
    result.strata.push_back(FitOne(data.group_names[g], times[g], codes[g], states));
  }
  return result;
}

}  // namespace livercell::stats
