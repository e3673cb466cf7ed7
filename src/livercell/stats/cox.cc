#include "livercell/stats/cox.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <numeric>

#include "livercell/stats/survival_data.h"

namespace livercell::stats {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

base::Status ModelError(base::StatusCode code, std::string message) {
  base::Status status(code, std::move(message));
  status.SetPath("--formula");
  return status;
}

struct CoxData {
  std::vector<double> start, stop;  // start = -inf without counting-process data
  std::vector<int> event, stratum;
  MatrixXd x;
  std::vector<std::string> names;
  std::size_t n_dropped = 0;
};

// Levels of a column among the kept rows, in R's factor order (numbers numerically).
struct LevelSet {
  std::vector<std::string> names;
  std::vector<double> numbers;  // numeric columns: the sorted distinct values
};

LevelSet Levels(const Column& c, const std::vector<std::size_t>& rows) {
  LevelSet set;
  if (c.numeric) {
    for (std::size_t r : rows) set.numbers.push_back(c.numbers[r]);
    std::sort(set.numbers.begin(), set.numbers.end());
    set.numbers.erase(std::unique(set.numbers.begin(), set.numbers.end()), set.numbers.end());
    for (double v : set.numbers) set.names.push_back(LevelText(v));
    return set;
  }
  for (std::size_t r : rows) set.names.push_back(c.strings[r]);
  std::sort(set.names.begin(), set.names.end());
  set.names.erase(std::unique(set.names.begin(), set.names.end()), set.names.end());
  return set;
}

// The index of row r's value among `levels`.
std::int64_t LevelIndex(const Column& c, std::size_t r, const LevelSet& levels) {
  if (c.numeric) {
    return std::lower_bound(levels.numbers.begin(), levels.numbers.end(), c.numbers[r]) -
           levels.numbers.begin();
  }
  return std::lower_bound(levels.names.begin(), levels.names.end(), c.strings[r]) -
         levels.names.begin();
}

base::Result<CoxData> BuildCoxData(const Table& table, const Formula& f) {
  LC_ASSIGN_OR_RETURN(const Column* stop, table.Find(f.stop));
  const Column* start = nullptr;
  if (!f.start.empty()) {
    LC_ASSIGN_OR_RETURN(start, table.Find(f.start));
  }
  LC_ASSIGN_OR_RETURN(const Column* event, table.Find(f.event.column));
  std::vector<std::pair<const Term*, std::vector<const Column*>>> terms;
  for (const Term& term : f.terms) {
    std::vector<const Column*> columns;
    for (const std::string& name : term.columns) {
      LC_ASSIGN_OR_RETURN(const Column* c, table.Find(name));
      columns.push_back(c);
    }
    terms.emplace_back(&term, columns);
  }
  for (const Column* c : {stop, start}) {
    if (c != nullptr && !c->numeric) {
      return ModelError(base::StatusCode::kInvalidArgument,
                        fmt::format("the time column {} must be numeric", c->name));
    }
  }
  CoxData data;
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool missing = stop->IsMissing(r) || event->IsMissing(r) || (start && start->IsMissing(r));
    for (const auto& [term, columns] : terms) {
      for (const Column* c : columns) missing = missing || c->IsMissing(r);
    }
    if (missing) {
      ++data.n_dropped;
    } else {
      rows.push_back(r);
    }
  }
  if (rows.empty()) {
    return ModelError(
        base::StatusCode::kInvalidArgument,
        fmt::format("no rows left: all {} have a missing value in a used column", table.rows()));
  }
  LC_ASSIGN_OR_RETURN(data.event, EventIndicator(*event, f.event, rows));
  // Design matrix columns, and strata keys.
  std::vector<std::vector<double>> columns;
  std::map<std::int64_t, int> strata_index;
  std::vector<std::int64_t> strata_code(rows.size(), 0);
  for (const auto& [term, cols] : terms) {
    const Column& c = *cols.front();
    if (term->kind == Term::Kind::kStrata) {
      for (const Column* sc : cols) {
        const LevelSet levels = Levels(*sc, rows);
        for (std::size_t i = 0; i < rows.size(); ++i) {
          strata_code[i] = strata_code[i] * static_cast<std::int64_t>(levels.names.size()) +
                           LevelIndex(*sc, rows[i], levels);
        }
      }
      continue;
    }
    if (term->kind == Term::Kind::kFactor || !c.numeric) {
      const LevelSet levels = Levels(c, rows);
      const std::string prefix = term->kind == Term::Kind::kFactor ? term->label : c.name;
      std::vector<std::int64_t> level(rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i) level[i] = LevelIndex(c, rows[i], levels);
      for (std::size_t l = 1; l < levels.names.size(); ++l) {
        std::vector<double> dummy(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
          dummy[i] = level[i] == static_cast<std::int64_t>(l);
        columns.push_back(std::move(dummy));
        data.names.push_back(prefix + levels.names[l]);
      }
      continue;
    }
    std::vector<double> values(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double v = c.numbers[rows[i]];
      if (term->kind == Term::Kind::kLog && !(v > 0)) {
        return ModelError(base::StatusCode::kInvalidArgument,
                          fmt::format("{}: {} has the value {} (row {}), and log() needs > 0",
                                      term->label, c.name, v, rows[i] + 1));
      }
      values[i] = term->kind == Term::Kind::kLog ? std::log(v) : v;
    }
    columns.push_back(std::move(values));
    data.names.push_back(term->label);
  }
  if (columns.empty()) {
    return ModelError(base::StatusCode::kInvalidArgument,
                      "a Cox model needs at least one covariate on the right of ~");
  }
  data.x.resize(static_cast<Index>(rows.size()), static_cast<Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      data.x(static_cast<Index>(i), static_cast<Index>(j)) = columns[j][i];
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    data.stop.push_back(stop->numbers[rows[i]]);
    data.start.push_back(start ? start->numbers[rows[i]] : -HUGE_VAL);
    if (start && !(data.start.back() < data.stop.back())) {
      return ModelError(base::StatusCode::kInvalidArgument,
                        fmt::format("row {}: start {} is not before stop {}", rows[i] + 1,
                                    data.start.back(), data.stop.back()));
    }
    data.stratum.push_back(
        strata_index.emplace(strata_code[i], static_cast<int>(strata_index.size())).first->second);
  }
  return data;
}

struct Derivatives {
  double loglik = 0;
  VectorXd u;
  MatrixXd info;
};

// Partial log-likelihood, score and information at beta; `order_stop` and `order_start`
// sort rows by stratum then descending stop (resp. start).
class CoxModel {
 public:
  CoxModel(const CoxData& d, Ties ties) : d_(d), ties_(ties), p_(d.x.cols()), xt_(d.x.transpose()) {
    const std::size_t n = d.stop.size();
    by_stop_.resize(n);
    std::iota(by_stop_.begin(), by_stop_.end(), 0);
    by_start_ = by_stop_;
    std::sort(by_stop_.begin(), by_stop_.end(), [&](std::size_t a, std::size_t b) {
      if (d.stratum[a] != d.stratum[b]) return d.stratum[a] < d.stratum[b];
      if (d.stop[a] != d.stop[b]) return d.stop[a] > d.stop[b];
      return d.event[a] > d.event[b];
    });
    std::sort(by_start_.begin(), by_start_.end(), [&](std::size_t a, std::size_t b) {
      if (d.stratum[a] != d.stratum[b]) return d.stratum[a] < d.stratum[b];
      return d.start[a] > d.start[b];
    });
  }

  Derivatives Evaluate(const VectorXd& beta) const {
    const VectorXd eta = xt_.transpose() * beta;
    Derivatives out;
    out.u = VectorXd::Zero(p_);
    out.info = MatrixXd::Zero(p_, p_);
    const std::size_t n = by_stop_.size();
    std::size_t i = 0, k = 0;
    // Risk-set sums (s) and sums over the deaths at the current time (dd); second moments are
    // kept in their lower triangle only and updated in place (no temporaries per subject).
    VectorXd s1(p_), d1(p_), xsum(p_), a1(p_);
    MatrixXd s2(p_, p_), d2(p_, p_), a2(p_, p_);
    while (i < n) {
      const int stratum = d_.stratum[by_stop_[i]];
      double s0 = 0;
      s1.setZero();
      s2.setZero();
      // Within a stratum: walk event times downwards; add rows whose stop ≥ t, remove rows
      // whose start ≥ t (they enter the risk set later).
      while (i < n && d_.stratum[by_stop_[i]] == stratum) {
        const double t = d_.stop[by_stop_[i]];
        double dead = 0, d0 = 0;
        d1.setZero();
        d2.setZero();
        xsum.setZero();
        while (i < n && d_.stratum[by_stop_[i]] == stratum && d_.stop[by_stop_[i]] == t) {
          const std::size_t r = by_stop_[i++];
          const auto row = xt_.col(static_cast<Index>(r));
          const double w = std::exp(eta(static_cast<Index>(r)));
          s0 += w;
          s1.noalias() += w * row;
          s2.selfadjointView<Eigen::Lower>().rankUpdate(row, w);
          if (d_.event[r]) {
            dead += 1;
            d0 += w;
            d1.noalias() += w * row;
            d2.selfadjointView<Eigen::Lower>().rankUpdate(row, w);
            xsum += row;
            out.loglik += eta(static_cast<Index>(r));
          }
        }
        while (k < n && d_.stratum[by_start_[k]] == stratum && d_.start[by_start_[k]] >= t) {
          const std::size_t r = by_start_[k++];
          const auto row = xt_.col(static_cast<Index>(r));
          const double w = std::exp(eta(static_cast<Index>(r)));
          s0 -= w;
          s1.noalias() -= w * row;
          s2.selfadjointView<Eigen::Lower>().rankUpdate(row, -w);
        }
        if (dead == 0) continue;
        out.u += xsum;
        const int steps = ties_ == Ties::kEfron ? static_cast<int>(dead) : 1;
        for (int j = 0; j < steps; ++j) {
          const double f = ties_ == Ties::kEfron ? j / dead : 0;
          const double weight = ties_ == Ties::kEfron ? 1 : dead;
          const double a0 = s0 - f * d0;
          a1 = s1 - f * d1;
          a2 = s2 - f * d2;
          out.loglik -= weight * std::log(a0);
          out.u -= weight * a1 / a0;
          out.info.noalias() += weight * (a2 / a0 - a1 * a1.transpose() / (a0 * a0));
        }
      }
      // Rows of this stratum that never left (start below every event time) stay until here.
      while (k < n && d_.stratum[by_start_[k]] == stratum) ++k;
    }
    // Only the lower triangle of the second-moment sums was kept; mirror it.
    out.info = out.info.selfadjointView<Eigen::Lower>();
    return out;
  }

 private:
  const CoxData& d_;
  Ties ties_;
  Index p_;
  MatrixXd xt_;  // covariates with one column per subject (contiguous rows of the design)
  std::vector<std::size_t> by_stop_, by_start_;
};

// A Fenwick tree of counts over the ranks of the linear predictor.
class RankCounts {
 public:
  explicit RankCounts(std::size_t n) : tree_(n + 1, 0) {}
  void Add(std::size_t rank, double by) {
    for (std::size_t i = rank + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += by;
  }
  // Count of entries with rank < `rank`.
  double Below(std::size_t rank) const {
    double sum = 0;
    for (std::size_t i = rank; i > 0; i -= i & (~i + 1)) sum += tree_[i];
    return sum;
  }

 private:
  std::vector<double> tree_;
};

// Harrell's C as coxph reports it: over every event and every other subject at risk at that
// time in the same stratum (not an event at the same time), concordant when the one who fails
// has the higher linear predictor; ties in the predictor count one half. One sweep down the
// event times per stratum with a Fenwick tree over predictor ranks: O(n log n).
double Concordance(const CoxData& d, const VectorXd& eta) {
  const std::size_t n = d.stop.size();
  // Dense ranks of eta (equal values share a rank).
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return eta(static_cast<Index>(a)) < eta(static_cast<Index>(b));
  });
  std::vector<std::size_t> rank(n);
  std::size_t ranks = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && eta(static_cast<Index>(order[i])) != eta(static_cast<Index>(order[i - 1])))
      ++ranks;
    rank[order[i]] = ranks;
  }
  ++ranks;
  std::vector<std::size_t> by_stop(n), by_start(n);
  std::iota(by_stop.begin(), by_stop.end(), 0);
  by_start = by_stop;
  std::sort(by_stop.begin(), by_stop.end(), [&](std::size_t a, std::size_t b) {
    if (d.stratum[a] != d.stratum[b]) return d.stratum[a] < d.stratum[b];
    return d.stop[a] > d.stop[b];
  });
  std::sort(by_start.begin(), by_start.end(), [&](std::size_t a, std::size_t b) {
    if (d.stratum[a] != d.stratum[b]) return d.stratum[a] < d.stratum[b];
    return d.start[a] > d.start[b];
  });
  double concordant = 0, discordant = 0, tied = 0;
  std::size_t i = 0, k = 0;
  while (i < n) {
    const int stratum = d.stratum[by_stop[i]];
    RankCounts risk(ranks);
    double in_risk = 0;
    std::vector<std::size_t> inserted;
    while (i < n && d.stratum[by_stop[i]] == stratum) {
      const double t = d.stop[by_stop[i]];
      std::vector<std::size_t> events;
      while (i < n && d.stratum[by_stop[i]] == stratum && d.stop[by_stop[i]] == t) {
        const std::size_t r = by_stop[i++];
        if (d.event[r]) {
          events.push_back(r);
        } else {
          risk.Add(rank[r], 1);  // censored at t: still at risk at t
          in_risk += 1;
          inserted.push_back(r);
        }
      }
      while (k < n && d.stratum[by_start[k]] == stratum && d.start[by_start[k]] >= t) {
        const std::size_t r = by_start[k++];
        if (d.stop[r] > t || !d.event[r]) {  // only rows already in the tree
          risk.Add(rank[r], -1);
          in_risk -= 1;
        }
      }
      for (std::size_t e : events) {
        const double below = risk.Below(rank[e]);
        const double same = risk.Below(rank[e] + 1) - below;
        concordant += below;
        tied += same;
        discordant += in_risk - below - same;
      }
      for (std::size_t e : events) {
        if (d.start[e] < t) {  // enters the risk set for earlier times (unless it starts at t)
          risk.Add(rank[e], 1);
          in_risk += 1;
        }
      }
    }
    while (k < n && d.stratum[by_start[k]] == stratum) ++k;
  }
  const double total = concordant + discordant + tied;
  return total > 0 ? (concordant + tied / 2) / total : 0.5;
}

CoxTest ChiSquareTest(double chisq, int df) {
  CoxTest test{chisq, df, 1};
  if (std::isfinite(chisq) && chisq > 0) {
    test.p = boost::math::cdf(
        boost::math::complement(boost::math::chi_squared(static_cast<double>(df)), chisq));
  }
  return test;
}

}  // namespace

base::Result<CoxResult> FitCox(const Table& table, const Formula& formula,
                               const CoxOptions& options) {
  LC_ASSIGN_OR_RETURN(CoxData data, BuildCoxData(table, formula));
  const Index p = data.x.cols();
  // Centre the covariates (as coxph does): the same fit, without overflow in exp(eta).
  const VectorXd means = data.x.colwise().mean();
  data.x.rowwise() -= means.transpose();
  // Collinearity: the first term whose column adds nothing to those before it (as R aliases
  // the later of two collinear terms).
  for (Index j = 0; j < p; ++j) {
    const Eigen::ColPivHouseholderQR<MatrixXd> qr(data.x.leftCols(j + 1));
    if (qr.rank() < j + 1) {
      return ModelError(base::StatusCode::kInvalidArgument,
                        fmt::format("the covariates are collinear: {} is a linear combination of "
                                    "the terms before it (or constant); remove it",
                                    data.names[static_cast<std::size_t>(j)]));
    }
  }
  CoxResult result;
  result.n = static_cast<int>(data.stop.size());
  result.n_event = std::accumulate(data.event.begin(), data.event.end(), 0);
  result.n_dropped = data.n_dropped;
  if (result.n_event == 0) {
    return ModelError(base::StatusCode::kInvalidArgument,
                      "no events: a Cox model cannot be fitted");
  }
  const CoxModel model(data, options.ties);
  VectorXd beta = VectorXd::Zero(p);
  Derivatives at = model.Evaluate(beta);
  result.loglik_null = at.loglik;
  {
    const VectorXd step = at.info.ldlt().solve(at.u);
    result.score_test = ChiSquareTest(at.u.dot(step), static_cast<int>(p));
  }
  // Newton–Raphson as coxph's C code runs it: each evaluation is one iteration, including
  // those spent halving a step that lowered the likelihood; convergence is declared on a
  // relative change in log-likelihood below the tolerance, never right after a halving.
  bool converged = false;
  int iter = 0;
  int halving = 0;
  double loglik_old = at.loglik;
  VectorXd next = beta + at.info.ldlt().solve(at.u);
  for (iter = 1; iter <= options.max_iterations; ++iter) {
    Derivatives trial = model.Evaluate(next);
    if (std::isfinite(trial.loglik) && halving == 0 &&
        std::fabs(1 - loglik_old / trial.loglik) <= options.tolerance) {
      beta = next;
      at = std::move(trial);
      converged = true;
      break;
    }
    if (!std::isfinite(trial.loglik) || trial.loglik < loglik_old) {
      ++halving;
      next = (next + beta) / 2;
      continue;
    }
    halving = 0;
    loglik_old = trial.loglik;
    beta = next;
    at = std::move(trial);
    next = beta + at.info.ldlt().solve(at.u);
  }
  if (!converged || !beta.allFinite()) {
    Index worst = 0;
    beta.cwiseAbs().maxCoeff(&worst);
    return ModelError(
        base::StatusCode::kInvalidArgument,
        fmt::format("the model did not converge in {} iterations; the coefficient "
                    "of {} keeps growing (a covariate may separate events from "
                    "non-events)",
                    options.max_iterations, data.names[static_cast<std::size_t>(worst)]));
  }
  // Monotone likelihood: coxph's test for a coefficient heading to infinity (toler.inf =
  // sqrt(eps)) — the one-step change var·u is still large relative to the coefficient.
  {
    const VectorXd step = at.info.ldlt().solve(at.u);
    const double toler_inf = std::sqrt(options.tolerance);
    for (Index j = 0; j < p; ++j) {
      if (std::fabs(step(j)) > options.tolerance &&
          std::fabs(step(j)) > toler_inf * std::fabs(beta(j))) {
        return ModelError(base::StatusCode::kInvalidArgument,
                          fmt::format("the model did not converge: the coefficient of {} is "
                                      "heading to infinity (the covariate separates events from "
                                      "non-events); remove or recode it",
                                      data.names[static_cast<std::size_t>(j)]));
      }
    }
  }
  result.iterations = iter;
  result.loglik = at.loglik;
  const MatrixXd variance = at.info.inverse();
  const double z_ci =
      boost::math::quantile(boost::math::normal(), 1 - (1 - options.conf_level) / 2);
  for (Index j = 0; j < p; ++j) {
    CoxCoefficient c;
    c.term = data.names[static_cast<std::size_t>(j)];
    c.coef = beta(j);
    c.se = std::sqrt(variance(j, j));
    c.z = c.coef / c.se;
    c.p = 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), std::fabs(c.z)));
    c.hr = std::exp(c.coef);
    c.hr_lower = std::exp(c.coef - z_ci * c.se);
    c.hr_upper = std::exp(c.coef + z_ci * c.se);
    result.coefficients.push_back(c);
  }
  result.lr_test = ChiSquareTest(2 * (result.loglik - result.loglik_null), static_cast<int>(p));
  result.wald_test = ChiSquareTest(beta.dot(at.info * beta), static_cast<int>(p));
  result.concordance = Concordance(data, data.x * beta);
  return result;
}

}  // namespace livercell::stats
