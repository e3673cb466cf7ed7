#include "livercell/stats/cox.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <optional>
#include <thread>
#include <type_traits>

#include "livercell/stats/buffer.h"
#include "livercell/stats/order.h"
#include "livercell/stats/parallel.h"
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

// The model frame, in the order every evaluation walks it: by stratum, then by descending
// stop time, the deaths ahead of the censored at each time. (Coefficients, likelihood and
// concordance do not depend on the row order.)
struct CoxData {
  Buffer<double> start, stop;  // start is empty without counting-process data
  Buffer<int> event, stratum;
  int strata = 1;
  Index p = 0;
  Buffer<double> x;  // the design, one row of p values per subject
  std::vector<std::string> names;
  std::size_t n_dropped = 0;
  std::size_t n() const { return stop.size(); }
};

// A term's design columns: a number (or its log), or a factor's indicator columns.
struct DesignTerm {
  const Column* column = nullptr;
  bool log = false;
  std::optional<Factor> factor;  // factor() and text columns: treatment contrasts
  std::size_t width() const { return factor ? factor->levels.size() - 1 : 1; }
};

base::Result<CoxData> BuildCoxData(const Table& table, const Formula& f) {
  LC_ASSIGN_OR_RETURN(const Column* stop, table.Find(f.stop));
  const Column* start = nullptr;
  if (!f.start.empty()) {
    LC_ASSIGN_OR_RETURN(start, table.Find(f.start));
  }
  LC_ASSIGN_OR_RETURN(const Column* event, table.Find(f.event.column));
  std::vector<const Column*> used = {stop, event};
  if (start != nullptr) used.push_back(start);
  std::vector<std::pair<const Term*, std::vector<const Column*>>> terms;
  for (const Term& term : f.terms) {
    std::vector<const Column*> columns;
    for (const std::string& name : term.columns) {
      LC_ASSIGN_OR_RETURN(const Column* c, table.Find(name));
      columns.push_back(c);
      used.push_back(c);
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
  const Rows rows = CompleteRows(table, used, &data.n_dropped);
  if (rows.empty()) {
    return ModelError(
        base::StatusCode::kInvalidArgument,
        fmt::format("no rows left: all {} have a missing value in a used column", table.rows()));
  }
  const std::size_t n = rows.size();
  if (start != nullptr) {
    for (const std::uint32_t r : rows) {
      if (!(start->numbers[r] < stop->numbers[r])) {
        return ModelError(base::StatusCode::kInvalidArgument,
                          fmt::format("row {}: start {} is not before stop {}", r + 1,
                                      start->numbers[r], stop->numbers[r]));
      }
    }
  }
  // The design's terms, checked in table order (so that an error names the first bad row).
  std::vector<const Column*> strata_columns;
  std::vector<DesignTerm> design;
  for (const auto& [term, cols] : terms) {
    const Column& c = *cols.front();
    if (term->kind == Term::Kind::kStrata) {
      strata_columns.insert(strata_columns.end(), cols.begin(), cols.end());
      continue;
    }
    DesignTerm d;
    d.column = &c;
    if (term->kind == Term::Kind::kFactor || !c.numeric) {
      d.factor = MakeFactor(c, rows);
      const std::string prefix = term->kind == Term::Kind::kFactor ? term->label : c.name;
      for (std::size_t l = 1; l < d.factor->levels.size(); ++l)
        data.names.push_back(prefix + d.factor->levels[l]);
    } else {
      d.log = term->kind == Term::Kind::kLog;
      if (d.log) {
        for (const std::uint32_t r : rows) {
          if (!(c.numbers[r] > 0)) {
            return ModelError(base::StatusCode::kInvalidArgument,
                              fmt::format("{}: {} has the value {} (row {}), and log() needs > 0",
                                          term->label, c.name, c.numbers[r], r + 1));
          }
        }
      }
      data.names.push_back(term->label);
    }
    design.push_back(std::move(d));
  }
  if (data.names.empty()) {
    return ModelError(base::StatusCode::kInvalidArgument,
                      "a Cox model needs at least one covariate on the right of ~");
  }
  // The frame's arrays, their pages faulted in on the other core while this one orders rows.
  data.p = static_cast<Index>(data.names.size());
  const auto p = static_cast<std::size_t>(data.p);
  data.stop.resize(n);
  data.event.resize(n);
  data.stratum.resize(n);
  if (start != nullptr) data.start.resize(n);
  data.x.resize(n * p);
  Buffer<std::uint32_t> position(n);
  PageToucher pages(data.x, data.stop, data.event, data.stratum, data.start, position);
  LC_ASSIGN_OR_RETURN(const std::vector<int> events, EventIndicator(*event, f.event, rows));
  Grouping strata = CombineLevels(strata_columns, rows);
  data.strata = static_cast<int>(strata.names.size());
  // The walk order: stratum, then descending stop (of the rows kept: the column itself when
  // every row is), the deaths ahead of the censored at each time.
  Buffer<double> kept_stop;
  if (data.n_dropped > 0) {
    kept_stop.resize(n);
    for (std::size_t i = 0; i < n; ++i) kept_stop[i] = stop->numbers[rows[i]];
  }
  const RowOrder order = OrderBy(SortBy{.group = strata.group,
                                        .groups = data.strata,
                                        .keys = data.n_dropped > 0 ? kept_stop : stop->numbers,
                                        .descending = true,
                                        .first = events});
  pages.Wait();
  // The times, events and strata gathered in walk order, where each row's position is noted;
  // the design, p values a row, then scattered in table order (its reads stream, only its
  // writes jump), with the logs taken on the way. Rows of one (stratum, time, event) keep
  // their table order, so each pass's jumps are a few thousand sequential streams.
  ForEachPart(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t pos = begin; pos < end; ++pos) {
      const std::uint32_t i = order[pos];
      position[i] = static_cast<std::uint32_t>(pos);
      const std::uint32_t r = rows[i];
      data.stop[pos] = stop->numbers[r];
      data.event[pos] = events[i];
      data.stratum[pos] = strata.group[i];
      if (start != nullptr) data.start[pos] = start->numbers[r];
    }
  });
  ForEachPart(n, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t pos = position[i];
      const std::uint32_t r = rows[i];
      double* out = &data.x[pos * p];
      for (const DesignTerm& d : design) {
        if (d.factor) {
          const int level = d.factor->code[i];
          for (std::size_t l = 1; l <= d.width(); ++l) *out++ = level == static_cast<int>(l);
        } else {
          const double v = d.column->numbers[r];
          *out++ = d.log ? std::log(v) : v;
        }
      }
    }
  });
  return data;
}

// Index of (a, b), b ≤ a, in a packed lower triangle.
inline std::size_t Packed(std::size_t a, std::size_t b) { return a * (a + 1) / 2 + b; }

// Σ times·log v over many positive v, as the logs of running products: one log() per dozens
// of values instead of one each. A product is taken while it stays far from overflow and
// underflow; a value that is itself extreme, infinite or NaN, or counted more than once,
// gets its own log().
class LogSum {
 public:
  void Add(double v, double times = 1) {
    if (times != 1 || !(v > 1e-100 && v < 1e100)) {
      sum_ += times * std::log(v);
      return;
    }
    product_ *= v;
    if (product_ > 1e100 || product_ < 1e-100) {
      sum_ += std::log(product_);
      product_ = 1;
    }
  }
  double Total() const { return sum_ + std::log(product_); }

 private:
  double sum_ = 0, product_ = 1;
};

struct Derivatives {
  double loglik = 0;
  VectorXd u;
  MatrixXd info;
};

// Partial log-likelihood, score and information at beta. The subjects are copied once into
// the order every evaluation walks (stratum, then descending stop time), so that each
// evaluation streams through contiguous memory.
//
// An evaluation takes three passes. The relative risks exp(eta) are computed on every core.
// One walk down the event times then carries the risk-set sums s0 = Σ w and s1 = Σ w·x and,
// at each death time, adds what needs only them: the log-likelihood, the score, the means'
// part of the information (−Σ mean·meanᵀ) and the hazard increment 1/s0. The second-moment
// part of the information, Σ over deaths of Σ_{at risk} w·x·xᵀ / s0, is the same sum taken
// the other way round, Σ over subjects of w·x·xᵀ times the hazard increments of the deaths
// the subject was at risk for (a difference of cumulative sums), which needs no order and is
// summed on every core. (coxph accumulates Σ w·x·xᵀ along the walk instead; the results agree
// to rounding.) Efron's correction for tied deaths enters the same way: each of the tied
// deaths' sums is scaled down by j/d at the j-th of the d steps.
class CoxModel {
 public:
  // Takes the data's arrays (already in walk order).
  CoxModel(CoxData&& d, Ties ties)
      : ties_(ties),
        p_(static_cast<std::size_t>(d.p)),
        stop_(std::move(d.stop)),
        x_(std::move(d.x)),
        event_(std::move(d.event)),
        stratum_(std::move(d.stratum)),
        dead_x_(VectorXd::Zero(d.p)) {
    // Runs: the rows of one stratum that stop at the same time (its deaths first, as
    // BuildCoxData orders them; EvaluateByRuns relies on it).
    bool deaths_first = true;
    for (std::size_t i = 0; i < n(); ++i) {
      if (i == 0 || stratum_[i] != stratum_[i - 1] || stop_[i] != stop_[i - 1]) {
        run_start_.push_back(static_cast<std::uint32_t>(i));
        deaths_.push_back(0);
      }
      if (event_[i] == 0) continue;
      deaths_first = deaths_first && i - run_start_.back() == deaths_.back();
      ++deaths_.back();
      for (std::size_t a = 0; a < p_; ++a) dead_x_(static_cast<Index>(a)) += x_[i * p_ + a];
    }
    run_start_.push_back(static_cast<std::uint32_t>(n()));
    if (!d.start.empty()) {
      // Counting process: rows leave the risk set (walking down) once t ≤ start.
      leave_ = OrderBy(
          SortBy{.group = stratum_, .groups = d.strata, .keys = d.start, .descending = true});
      leave_start_.resize(n());
      for (std::size_t k = 0; k < n(); ++k) leave_start_[k] = d.start[leave_[k]];
      // The first run each row is no longer at risk for; runs() (whose cumulative hazard is
      // 0) when it stays to the end of its stratum.
      leave_run_.assign(n(), static_cast<std::uint32_t>(runs()));
      std::size_t k = 0;
      for (std::size_t r = 0; r < runs(); ++r) {
        const int stratum = stratum_[run_start_[r]];
        while (k < leave_.size() && stratum_[leave_[k]] < stratum) ++k;
        const double t = stop_[run_start_[r]];
        for (; k < leave_.size() && stratum_[leave_[k]] == stratum && leave_start_[k] >= t; ++k)
          leave_run_[leave_[k]] = static_cast<std::uint32_t>(r);
      }
    }
    // By runs when their sums take no more memory than the design.
    by_runs_ = deaths_first && leave_.empty() && runs() * 2 * RunWidth() <= n() * p_;
  }

  std::size_t n() const { return stop_.size(); }
  std::size_t runs() const { return run_start_.size() - 1; }

  // The linear predictor in the model's order, or (kExp) exp() of it, the subjects' relative
  // risks; on every core (kP as in EvaluateFor).
  template <std::size_t kP = 0, bool kExp = false>
  Buffer<double> Predict(const VectorXd& beta) const {
    const std::size_t p = kP != 0 ? kP : p_;
    Buffer<double> out(n());
    ForEachPart(n(), [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        const double* row = &x_[i * p];
        double sum = 0;
        for (std::size_t a = 0; a < p; ++a) sum += row[a] * beta(static_cast<Index>(a));
        out[i] = kExp ? std::exp(sum) : sum;
      }
    });
    return out;
  }

  Derivatives Evaluate(const VectorXd& beta) const {
    // The inner loops unrolled for the usual model sizes (kP = 0: any size).
    switch (p_) {
      case 1:
        return EvaluateFor<1>(beta);
      case 2:
        return EvaluateFor<2>(beta);
      case 3:
        return EvaluateFor<3>(beta);
      case 4:
        return EvaluateFor<4>(beta);
      case 5:
        return EvaluateFor<5>(beta);
      case 6:
        return EvaluateFor<6>(beta);
      case 7:
        return EvaluateFor<7>(beta);
      case 8:
        return EvaluateFor<8>(beta);
      default:
        return EvaluateFor<0>(beta);
    }
  }

  // n numbers summed in the inner loops: a fixed-size local when kN is known (not 0), so that
  // the compiler keeps them in registers instead of storing and reloading them every row.
  template <std::size_t kN>
  using Sums = std::conditional_t<kN != 0, std::array<double, kN>, std::vector<double>>;
  template <std::size_t kN>
  static Sums<kN> Zeros(std::size_t n) {
    Sums<kN> sums{};
    if constexpr (kN == 0) sums.assign(n, 0.0);
    return sums;
  }

  template <std::size_t kP>
  Derivatives EvaluateFor(const VectorXd& beta) const {
    return by_runs_ ? EvaluateByRuns<kP>(beta) : EvaluateByRows<kP>(beta);
  }

  // What the walk down the event times carries: the log-likelihood and the score (both
  // started from the deaths' Σ beta·x and Σ x), the information's part from the means, and per
  // run the hazard increment and Efron's scaled share of it for the run's tied deaths (then
  // summed down to the stratum's last run, with a 0 past the last run of all).
  template <std::size_t kP>
  struct Walk {
    static constexpr std::size_t kPP = kP * (kP + 1) / 2;
    Walk(const CoxModel& model, const VectorXd& beta)
        : u(Zeros<kP>(model.P<kP>())),
          info(Zeros<kPP>(model.P<kP>() * (model.P<kP>() + 1) / 2)),
          hazard(model.runs() + 1),
          tied(model.runs()) {
      loglik = beta.dot(model.dead_x_);
      for (std::size_t a = 0; a < model.P<kP>(); ++a) u[a] = model.dead_x_(static_cast<Index>(a));
      hazard[model.runs()] = 0;
    }
    double loglik;
    LogSum log_a0;
    Sums<kP> u;
    Sums<kPP> info;
    Buffer<double> hazard, tied;
  };

  // Run r's deaths, given the sums over its risk set (s0 = Σ w, s1 = Σ w·x) and, when Efron's
  // correction needs them (tied deaths), over the deaths themselves (d0, d1).
  template <std::size_t kP>
  void AddDeaths(std::size_t r, double s0, const double* s1, double d0, const double* d1,
                 Walk<kP>& walk) const {
    const std::size_t p = P<kP>();
    const double dead = deaths_[r];
    walk.hazard[r] = 0;
    walk.tied[r] = 0;
    if (dead == 0) return;
    // Step j of Efron's d tied deaths takes the fraction f = j/d of their sums off the
    // risk set: a0 = s0 − f·d0, mean = (s1 − f·d1)/a0 (Breslow and untied deaths: one
    // step with f = 0, weighted by the deaths). The score and the means' part of the
    // information are sums over the steps of mean and mean·meanᵀ, so only these scalar
    // sums of 1/a0 and 1/a0² go round the steps; the vectors are formed once per time.
    const bool tied_deaths = Tied(r);
    const int steps = tied_deaths ? static_cast<int>(dead) : 1;
    const double weight = ties_ == Ties::kEfron ? 1 : dead;
    double h = 0, g = 0, q0 = 0, q1 = 0, q2 = 0;
    for (int j = 0; j < steps; ++j) {
      const double f = tied_deaths ? j / dead : 0;
      const double a0 = s0 - f * d0;
      const double inv = weight / a0, inv2 = inv / a0;
      walk.log_a0.Add(a0, weight);
      h += inv;
      g += f * inv;
      q0 += inv2;
      q1 += f * inv2;
      q2 += f * f * inv2;
    }
    for (std::size_t a = 0; a < p; ++a) {
      walk.u[a] -= s1[a] * h - d1[a] * g;
      for (std::size_t b = 0; b <= a; ++b) {
        walk.info[Packed(a, b)] -=
            s1[a] * s1[b] * q0 - (s1[a] * d1[b] + d1[a] * s1[b]) * q1 + d1[a] * d1[b] * q2;
      }
    }
    walk.hazard[r] = h;
    walk.tied[r] = g;
  }

  // Efron's correction needs the sums over a run's deaths themselves when they are tied.
  bool Tied(std::size_t r) const { return ties_ == Ties::kEfron && deaths_[r] > 1; }

  // A stratum's hazard increments summed down from its last run: each run's entry becomes
  // the cumulative hazard of every death time its rows are at risk for.
  static void SumDown(Buffer<double>& hazard, std::size_t first_run, std::size_t end_run) {
    double cumulative = 0;
    for (std::size_t q = end_run; q-- > first_run;) {
      cumulative += hazard[q];
      hazard[q] = cumulative;
    }
  }

  // The walk down the event times: step(r, s0, s1) for each run, stratum by stratum, with the
  // risk-set sums s0 and s1 it carries (zero at each stratum's first run); then each stratum's
  // hazard increments summed down.
  template <std::size_t kP, typename Step>
  void WalkDown(Walk<kP>& walk, Step&& step) const {
    Sums<kP> s1 = Zeros<kP>(P<kP>());
    for (std::size_t r = 0; r < runs();) {
      const int stratum = stratum_[run_start_[r]];
      const std::size_t first_run = r;
      double s0 = 0;
      std::fill(s1.begin(), s1.end(), 0.0);
      for (; r < runs() && stratum_[run_start_[r]] == stratum; ++r) step(r, s0, s1);
      SumDown(walk.hazard, first_run, r);
    }
  }

  template <std::size_t kP>
  Derivatives Finish(Walk<kP>& walk) const {
    const std::size_t p = P<kP>();
    Derivatives out;
    out.loglik = walk.loglik - walk.log_a0.Total();
    out.u = Eigen::Map<const VectorXd>(walk.u.data(), static_cast<Index>(p));
    out.info.resize(static_cast<Index>(p), static_cast<Index>(p));
    for (std::size_t a = 0; a < p; ++a) {
      for (std::size_t b = 0; b <= a; ++b) {
        out.info(static_cast<Index>(a), static_cast<Index>(b)) = walk.info[Packed(a, b)];
        out.info(static_cast<Index>(b), static_cast<Index>(a)) = walk.info[Packed(a, b)];
      }
    }
    return out;
  }

  // When the runs are few (event times in days: thousands of runs for millions of rows) and
  // no row leaves the risk set early, one pass on every core takes each run's sums of w, w·x
  // and w·x·xᵀ over its rows and over its deaths; the walk then goes down the runs, not the
  // rows, and the second moments are Σ over runs of the cumulative hazard times the run's
  // Σ w·x·xᵀ (less Efron's share times its deaths'). One read of the design an evaluation.
  template <std::size_t kP>
  Derivatives EvaluateByRuns(const VectorXd& beta) const {
    Walk<kP> walk(*this, beta);
    const std::size_t p = P<kP>(), pp = p * (p + 1) / 2, width = RunWidth();
    constexpr std::size_t kW = kP == 0 ? 0 : 1 + kP + Walk<kP>::kPP;
    Sums<kP> b = Zeros<kP>(p);
    for (std::size_t a = 0; a < p; ++a) b[a] = beta(static_cast<Index>(a));
    // Per run: its rows' sums, then its deaths'.
    Buffer<double> sums(runs() * 2 * width);
    ForEachPart(n(), [&](std::size_t, std::size_t begin, std::size_t end) {
      // The runs that start in [begin, end).
      const auto first = static_cast<std::size_t>(
          std::lower_bound(run_start_.begin(), run_start_.end() - 1, begin) - run_start_.begin());
      const auto last = static_cast<std::size_t>(
          std::lower_bound(run_start_.begin(), run_start_.end() - 1, end) - run_start_.begin());
      Sums<kW> all = Zeros<kW>(width), dead = Zeros<kW>(width);
      // A run's rows: its deaths, whose sums are `dead`, then the censored, whose sums added
      // to the deaths' make `all`.
      auto add = [&](std::size_t from, std::size_t to, Sums<kW>& into) {
        for (std::size_t i = from; i < to; ++i) {
          const double* x = &x_[i * p];
          double eta = 0;
          for (std::size_t a = 0; a < p; ++a) eta += x[a] * b[a];
          const double w = std::exp(eta);
          into[0] += w;
          for (std::size_t a = 0; a < p; ++a) {
            const double wa = w * x[a];
            into[1 + a] += wa;
            for (std::size_t c = 0; c <= a; ++c) into[1 + p + Packed(a, c)] += wa * x[c];
          }
        }
      };
      for (std::size_t r = first; r < last; ++r) {
        std::fill(dead.begin(), dead.end(), 0.0);
        add(run_start_[r], run_start_[r] + deaths_[r], dead);
        all = dead;
        add(run_start_[r] + deaths_[r], run_start_[r + 1], all);
        std::copy(all.begin(), all.end(), &sums[r * 2 * width]);
        std::copy(dead.begin(), dead.end(), &sums[r * 2 * width + width]);
      }
    });
    WalkDown(walk, [&](std::size_t r, double& s0, Sums<kP>& s1) {
      const double* all = &sums[r * 2 * width];
      const double* dead = all + width;
      s0 += all[0];
      for (std::size_t a = 0; a < p; ++a) s1[a] += all[1 + a];
      AddDeaths<kP>(r, s0, s1.data(), dead[0], dead + 1, walk);
    });
    for (std::size_t r = 0; r < runs(); ++r) {
      const double* all = &sums[r * 2 * width + 1 + p];
      const double* dead = all + width;
      const double h = walk.hazard[r], g = walk.tied[r];
      for (std::size_t ab = 0; ab < pp; ++ab) walk.info[ab] += h * all[ab] - g * dead[ab];
    }
    return Finish(walk);
  }

  // Any data: the relative risks on every core; the walk down the rows, adding each run's rows
  // to the risk-set sums and taking out those that leave it (counting process); then the
  // second moments, the sum described above the class, on every core.
  template <std::size_t kP>
  Derivatives EvaluateByRows(const VectorXd& beta) const {
    Walk<kP> walk(*this, beta);
    const std::size_t n = this->n(), p = P<kP>(), pp = p * (p + 1) / 2;
    const Buffer<double> w = Predict<kP, /*kExp=*/true>(beta);
    Sums<kP> d1 = Zeros<kP>(p);
    std::size_t k = 0;
    WalkDown(walk, [&](std::size_t r, double& s0, Sums<kP>& s1) {
      const int stratum = stratum_[run_start_[r]];
      const std::size_t begin = run_start_[r], end = run_start_[r + 1];
      const double t = stop_[begin];
      const bool tied_deaths = Tied(r);
      double d0 = 0;
      std::fill(d1.begin(), d1.end(), 0.0);
      for (std::size_t i = begin; i < end; ++i) {
        s0 += w[i];
        for (std::size_t a = 0; a < p; ++a) s1[a] += w[i] * x_[i * p + a];
        if (!tied_deaths || event_[i] == 0) continue;
        d0 += w[i];
        for (std::size_t a = 0; a < p; ++a) d1[a] += w[i] * x_[i * p + a];
      }
      // Rows of earlier strata that never left (start below every event time) are passed.
      while (k < leave_.size() && stratum_[leave_[k]] < stratum) ++k;
      for (; k < leave_.size() && stratum_[leave_[k]] == stratum && leave_start_[k] >= t; ++k) {
        const std::size_t i = leave_[k];
        s0 -= w[i];
        for (std::size_t a = 0; a < p; ++a) s1[a] -= w[i] * x_[i * p + a];
      }
      AddDeaths<kP>(r, s0, s1.data(), d0, d1.data(), walk);
    });
    // The second moments, per part of the rows (each part's sums added in order).
    const std::size_t parts = PartsFor(n);
    std::vector<double> second(parts * pp, 0.0);
    ForEachPart(n, [&](std::size_t part, std::size_t begin, std::size_t end) {
      Sums<Walk<kP>::kPP> sum = Zeros<Walk<kP>::kPP>(pp);
      auto r = static_cast<std::size_t>(
          std::upper_bound(run_start_.begin(), run_start_.end(), begin) - run_start_.begin() - 1);
      for (std::size_t i = begin; i < end; ++i) {
        while (run_start_[r + 1] <= i) ++r;
        double c = walk.hazard[r];
        if (!leave_run_.empty()) c -= walk.hazard[leave_run_[i]];
        if (event_[i] != 0) c -= walk.tied[r];
        const double wc = w[i] * c;
        const double* x = &x_[i * p];
        for (std::size_t a = 0; a < p; ++a) {
          const double wa = wc * x[a];
          for (std::size_t b = 0; b <= a; ++b) sum[Packed(a, b)] += wa * x[b];
        }
      }
      std::copy(sum.begin(), sum.end(), &second[part * pp]);
    });
    for (std::size_t part = 0; part < parts; ++part) {
      for (std::size_t ab = 0; ab < pp; ++ab) walk.info[ab] += second[part * pp + ab];
    }
    return Finish(walk);
  }

  // The number of covariates, a constant where the loops are unrolled for it.
  template <std::size_t kP>
  std::size_t P() const {
    return kP != 0 ? kP : p_;
  }

  // A run's sums in EvaluateByRuns: Σ w, Σ w·x, Σ w·x·xᵀ (packed).
  std::size_t RunWidth() const { return 1 + p_ + p_ * (p_ + 1) / 2; }

  // Harrell's C as coxph reports it: over every death and every other subject at risk at that
  // time in the same stratum (not a death at the same time), concordant when the one who dies
  // has the higher linear predictor; ties in the predictor count one half. The subjects are
  // taken in ascending order of the predictor, those with equal values together; a death is
  // compared with the subjects taken before it (those with a lower predictor), and once its
  // own group is in, with those of the same predictor. Who of them is at risk is a range of
  // slots in a Fenwick tree of counts by run: a subject of run r sits in slot 2r + 1 if it
  // died, 2r if censored, and a death of run r (first run of its stratum f) counts the slots
  // [2f, 2r + 1): the earlier runs of its stratum (later times) and its own run's censored.
  // With counting-process data a second tree by the run a subject leaves the risk set at
  // takes out those that left by run r. O(n log runs).
  double Concordance(const VectorXd& beta) const {
    const std::size_t n = this->n();
    const Buffer<double> eta = Predict(beta);
    const RowOrder by_eta = OrderBy(eta);
    // Per position its slot; per run the first run of its stratum.
    Buffer<std::uint32_t> slot_of(n), stratum_first(runs());
    for (std::size_t r = 0; r < runs(); ++r) {
      for (std::size_t i = run_start_[r]; i < run_start_[r + 1]; ++i)
        slot_of[i] = static_cast<std::uint32_t>(2 * r + (event_[i] != 0 ? 1 : 0));
      const bool new_stratum = r == 0 || stratum_[run_start_[r]] != stratum_[run_start_[r - 1]];
      stratum_first[r] = new_stratum ? static_cast<std::uint32_t>(r) : stratum_first[r - 1];
    }
    // What the sweep needs, gathered into its order on every core (the reads jump, so that
    // the sweep's do not).
    const bool counting = !leave_run_.empty();
    Buffer<double> value(n);
    Buffer<std::uint32_t> slot(n), leaves(counting ? n : 0);
    ForEachPart(n, [&](std::size_t, std::size_t begin, std::size_t end) {
      for (std::size_t k = begin; k < end; ++k) {
        const std::uint32_t i = by_eta[k];
        value[k] = eta[i];
        slot[k] = slot_of[i];
        if (counting) leaves[k] = leave_run_[i];
      }
    });
    // One tree per stratum, in one array: the stratum's slots (and, counting process, its runs)
    // in cells base + 1 .. base + size.
    struct Tree {
      std::uint32_t base, size;
    };
    std::vector<Tree> slots_tree(runs()), runs_tree(runs());
    for (std::size_t r = 0, stratum = 0; r < runs(); ++r) {
      const std::size_t f = stratum_first[r];
      if (r > 0 && f == r) ++stratum;
      std::size_t e = r + 1;  // the stratum's end, for its first run
      if (f == r) {
        while (e < runs() && stratum_first[e] == f) ++e;
      }
      slots_tree[r] = f == r ? Tree{static_cast<std::uint32_t>(2 * f + stratum),
                                    static_cast<std::uint32_t>(2 * (e - f))}
                             : slots_tree[f];
      runs_tree[r] =
          f == r ? Tree{static_cast<std::uint32_t>(f + stratum), static_cast<std::uint32_t>(e - f)}
                 : runs_tree[f];
    }
    // The sweep in two halves of the predictor's order, one per core (split between two
    // values): the upper half's deaths count the lower half's subjects, all with a lower
    // predictor, from a tally of their slots instead of from its trees.
    std::size_t middle = n >= kParallelRows ? n / 2 : n;
    while (middle > 0 && middle < n && value[middle] == value[middle - 1]) ++middle;
    auto sweep = [&](std::size_t from, std::size_t to, bool after_lower) {
      // Per slot, the lower half's subjects in the slots below it in its stratum; per run, its
      // subjects that left by then (counting process).
      std::vector<std::uint32_t> below_slot, left_by;
      if (after_lower) {
        below_slot.assign(2 * runs(), 0);
        left_by.assign(counting ? runs() : 0, 0);
        for (std::size_t j = 0; j < middle; ++j) {
          ++below_slot[slot[j]];
          if (counting && leaves[j] < runs()) ++left_by[leaves[j]];
        }
        // The tallies summed within each stratum: below each slot, and up to each run.
        std::uint32_t slots_below = 0, left_so_far = 0;
        for (std::size_t r = 0; r < runs(); ++r) {
          if (stratum_first[r] == r) slots_below = left_so_far = 0;
          for (const std::size_t c : {2 * r, 2 * r + 1}) {
            const std::uint32_t here = below_slot[c];
            below_slot[c] = slots_below;
            slots_below += here;
          }
          if (counting) left_by[r] = left_so_far += left_by[r];
        }
      }
      Counts stay(2 * runs() + runs() + 1), left(counting ? runs() + runs() + 1 : 0);
      // How many subjects with the predictor values taken so far the death in slot `s` is
      // compared with.
      auto at_risk = [&](std::uint32_t s) {
        const std::size_t r = s / 2, f = stratum_first[r];
        std::int64_t count = stay.Below(slots_tree[r].base, s - 2 * f);
        if (counting) count -= left.Below(runs_tree[r].base, r + 1 - f);
        if (after_lower) {
          count += below_slot[s];
          if (counting) count -= left_by[r];
        }
        return static_cast<double>(count);
      };
      PairCounts counts;
      for (std::size_t k = from; k < to;) {
        std::size_t end = k + 1;
        while (end < to && value[end] == value[k]) ++end;
        double lower = 0;
        for (std::size_t j = k; j < end; ++j) {
          if (slot[j] % 2 != 0) lower += at_risk(slot[j]);
        }
        for (std::size_t j = k; j < end; ++j) {
          const std::size_t r = slot[j] / 2, f = stratum_first[r];
          stay.Add(slots_tree[r].base, slots_tree[r].size, slot[j] - 2 * f);
          if (counting && leaves[j] < runs()) {
            const std::size_t gone = leaves[j];  // a run of the same stratum
            left.Add(runs_tree[gone].base, runs_tree[gone].size, gone - stratum_first[gone]);
          }
        }
        // A death alone with its predictor value has no ties.
        if (end - k > 1) {
          double lower_or_equal = 0;
          for (std::size_t j = k; j < end; ++j) {
            if (slot[j] % 2 != 0) lower_or_equal += at_risk(slot[j]);
          }
          counts.tied += lower_or_equal - lower;
        }
        counts.concordant += lower;
        k = end;
      }
      return counts;
    };
    PairCounts low, high;
    if (middle < n) {
      std::thread other([&] { high = sweep(middle, n, /*after_lower=*/true); });
      low = sweep(0, middle, false);
      other.join();
    } else {
      low = sweep(0, n, false);
    }
    const double concordant = low.concordant + high.concordant;
    const double tied = low.tied + high.tied;
    // Every comparison: each death against everyone at risk then, whatever their predictor.
    double total = 0;
    std::vector<std::uint32_t> left_at(counting ? runs() + 1 : 0, 0);
    for (std::size_t i = 0; counting && i < n; ++i) ++left_at[leave_run_[i]];
    for (std::size_t r = 0, in_risk = 0, gone = 0; r < runs(); ++r) {
      if (stratum_first[r] == r) in_risk = gone = 0;
      const std::size_t begin = run_start_[r], end = run_start_[r + 1];
      if (counting) gone += left_at[r];
      const std::size_t censored = end - begin - deaths_[r];
      total += static_cast<double>(deaths_[r]) * static_cast<double>(in_risk + censored - gone);
      in_risk += end - begin;
    }
    return total > 0 ? (concordant + tied / 2) / total : 0.5;
  }

 private:
  struct PairCounts {
    double concordant = 0, tied = 0;
  };

  // Fenwick trees of counts in one array, each in the cells base + 1 .. base + size.
  class Counts {
   public:
    explicit Counts(std::size_t cells) : tree_(cells, 0) {}
    void Add(std::size_t base, std::size_t size, std::size_t cell) {
      for (std::size_t i = cell + 1; i <= size; i += i & (~i + 1)) ++tree_[base + i];
    }
    // The count in the cells below `cell`.
    std::int64_t Below(std::size_t base, std::size_t cell) const {
      std::int64_t sum = 0;
      for (std::size_t i = cell; i > 0; i -= i & (~i + 1)) sum += tree_[base + i];
      return sum;
    }

   private:
    std::vector<std::uint32_t> tree_;
  };

  Ties ties_;
  std::size_t p_;
  Buffer<double> stop_, x_;
  Buffer<int> event_, stratum_;
  // Counting process only: positions in the order they leave the risk set, with their starts.
  std::vector<std::uint32_t> leave_;
  std::vector<double> leave_start_;
  // Runs (the rows of one stratum with the same stop time): where each starts, and a last
  // entry n(); the deaths in each; per row, the first run it has left by (counting process).
  std::vector<std::uint32_t> run_start_, deaths_, leave_run_;
  VectorXd dead_x_;       // Σ of x over the deaths
  bool by_runs_ = false;  // EvaluateByRuns, else EvaluateByRows
};

CoxTest ChiSquareTest(double chisq, int df) {
  CoxTest test{chisq, df, 1};
  if (std::isfinite(chisq) && chisq > 0) {
    test.p = boost::math::cdf(
        boost::math::complement(boost::math::chi_squared(static_cast<double>(df)), chisq));
  }
  return test;
}

}  // namespace

base::Result<CoxResult> FitCox(Table table, const Formula& formula, const CoxOptions& options) {
  LC_ASSIGN_OR_RETURN(CoxData data, BuildCoxData(table, formula));
  table = Table();
  const Index p = data.p;
  const auto pn = static_cast<std::size_t>(p);
  const std::size_t n = data.n();
  // Centre the covariates (as coxph does): the same fit, without overflow in exp(eta). Each
  // part of the rows sums on its own thread; the parts' sums are added in order.
  const std::size_t parts = PartsFor(n);
  std::vector<double> sums(parts * pn, 0.0), squares(parts * pn, 0.0);
  // (Each part sums into its own locals and stores them once: parts' neighbouring slots
  // share a cache line.)
  ForEachPart(n, [&](std::size_t part, std::size_t begin, std::size_t end) {
    std::vector<double> sum(pn, 0.0), square(pn, 0.0);
    for (std::size_t i = begin; i < end; ++i) {
      const double* row = &data.x[i * pn];
      for (std::size_t j = 0; j < pn; ++j) {
        sum[j] += row[j];
        square[j] += row[j] * row[j];
      }
    }
    std::copy(sum.begin(), sum.end(), &sums[part * pn]);
    std::copy(square.begin(), square.end(), &squares[part * pn]);
  });
  std::vector<double> means(pn, 0.0), raw(pn, 0.0);
  for (std::size_t part = 0; part < parts; ++part) {
    for (std::size_t j = 0; j < pn; ++j) {
      means[j] += sums[part * pn + j];
      raw[j] += squares[part * pn + j];
    }
  }
  for (double& m : means) m /= static_cast<double>(n);
  std::vector<MatrixXd> grams(parts, MatrixXd::Zero(p, p));
  ForEachPart(n, [&](std::size_t part, std::size_t begin, std::size_t end) {
    MatrixXd g = MatrixXd::Zero(p, p);
    for (std::size_t i = begin; i < end; ++i) {
      double* row = &data.x[i * pn];
      for (std::size_t j = 0; j < pn; ++j) row[j] -= means[j];
      for (std::size_t j = 0; j < pn; ++j) {
        for (std::size_t k = 0; k <= j; ++k)
          g(static_cast<Index>(j), static_cast<Index>(k)) += row[j] * row[k];
      }
    }
    grams[part] = std::move(g);
  });
  MatrixXd gram = MatrixXd::Zero(p, p);
  for (const MatrixXd& g : grams) gram += g;
  // Collinearity: the first term whose column adds nothing to those before it (as R aliases
  // the later of two collinear terms). A Cholesky factorisation of the centred Gram matrix in
  // term order: a column's pivot is what remains of its sum of squares once the columns before
  // it are accounted for; (next to) nothing left means collinear, or constant.
  {
    MatrixXd l = MatrixXd::Zero(p, p);
    for (Index j = 0; j < p; ++j) {
      double rest = gram(j, j);
      for (Index k = 0; k < j; ++k) {
        double v = gram(j, k);
        for (Index m = 0; m < k; ++m) v -= l(j, m) * l(k, m);
        l(j, k) = v / l(k, k);
        rest -= l(j, k) * l(j, k);
      }
      const auto jj = static_cast<std::size_t>(j);
      if (!(gram(j, j) > 1e-24 * raw[jj]) || !(rest > 1e-11 * gram(j, j))) {
        return ModelError(base::StatusCode::kInvalidArgument,
                          fmt::format("the covariates are collinear: {} is a linear combination of "
                                      "the terms before it (or constant); remove it",
                                      data.names[jj]));
      }
      l(j, j) = std::sqrt(rest);
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
  const CoxModel model(std::move(data), options.ties);
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
  result.concordance = model.Concordance(beta);
  return result;
}

}  // namespace livercell::stats
