#include "livercell/stats/logrank.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <numeric>

#include "livercell/stats/order.h"

namespace livercell::stats {

base::Result<LogRankResult> LogRankTest(const SurvivalData& data) {
  const std::size_t k = data.group_names.size();
  if (k < 2) {
    base::Status status = base::InvalidArgumentError(
        "the log-rank test compares groups: the formula needs a grouping column (~ trt)");
    status.SetPath("--formula");
    return status;
  }
  LogRankResult result;
  result.n_dropped = data.n_dropped;
  result.groups.resize(k);
  for (std::size_t g = 0; g < k; ++g) result.groups[g].name = data.group_names[g];
  // One time table over all groups, the state being group × event (2g censored, 2g+1 died).
  std::vector<int> state(data.time.size());
  for (std::size_t i = 0; i < state.size(); ++i) state[i] = 2 * data.group[i] + data.event[i];
  const std::vector<int> one_group(data.time.size(), 0);
  const TimeCounts counts =
      CountByTime(data.time, one_group, 1, state, static_cast<int>(2 * k)).front();
  std::vector<double> at_risk(k, 0);
  for (std::size_t t = 0; t < counts.time.size(); ++t) {
    for (std::size_t g = 0; g < k; ++g) {
      at_risk[g] +=
          counts.At(t, static_cast<int>(2 * g)) + counts.At(t, static_cast<int>(2 * g + 1));
    }
  }
  for (std::size_t g = 0; g < k; ++g) result.groups[g].n = static_cast<int>(at_risk[g]);
  Eigen::MatrixXd var =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  std::vector<double> deaths(k), leaving(k);
  for (std::size_t t = 0; t < counts.time.size(); ++t) {
    for (std::size_t g = 0; g < k; ++g) {
      deaths[g] = counts.At(t, static_cast<int>(2 * g + 1));
      leaving[g] = deaths[g] + counts.At(t, static_cast<int>(2 * g));
    }
    const double d = std::accumulate(deaths.begin(), deaths.end(), 0.0);
    const double n = std::accumulate(at_risk.begin(), at_risk.end(), 0.0);
    if (d > 0) {
      for (std::size_t g = 0; g < k; ++g) {
        result.groups[g].observed += deaths[g];
        result.groups[g].expected += d * at_risk[g] / n;
      }
      if (n > 1) {
        const double factor = d * (n - d) / (n - 1);
        for (std::size_t a = 0; a < k; ++a) {
          for (std::size_t b = 0; b < k; ++b) {
            var(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) +=
                factor * at_risk[a] / n * ((a == b ? 1.0 : 0.0) - at_risk[b] / n);
          }
        }
      }
    }
    for (std::size_t g = 0; g < k; ++g) at_risk[g] -= leaving[g];
  }
  // As survdiff: keep groups with expected > 0, drop the first of them, solve.
  std::vector<Eigen::Index> kept;
  for (std::size_t g = 0; g < k; ++g) {
    if (result.groups[g].expected > 0) kept.push_back(static_cast<Eigen::Index>(g));
  }
  result.df = static_cast<int>(kept.size()) - 1;
  if (result.df < 1) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        "no events in at least two groups: the log-rank test is undefined");
  }
  const Eigen::Index m = result.df;
  Eigen::VectorXd diff(m);
  Eigen::MatrixXd v(m, m);
  for (Eigen::Index a = 0; a < m; ++a) {
    const auto ga = static_cast<std::size_t>(kept[static_cast<std::size_t>(a + 1)]);
    diff(a) = result.groups[ga].observed - result.groups[ga].expected;
    for (Eigen::Index b = 0; b < m; ++b) {
      v(a, b) = var(kept[static_cast<std::size_t>(a + 1)], kept[static_cast<std::size_t>(b + 1)]);
    }
  }
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(v);
  if (ldlt.info() != Eigen::Success || ldlt.rcond() < 1e-12) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        "the log-rank variance matrix is singular");
  }
  result.chisq = diff.dot(ldlt.solve(diff));
  result.p = boost::math::cdf(boost::math::complement(
      boost::math::chi_squared(static_cast<double>(result.df)), result.chisq));
  return result;
}

}  // namespace livercell::stats
