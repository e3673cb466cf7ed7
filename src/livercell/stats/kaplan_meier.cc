#include "livercell/stats/kaplan_meier.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "livercell/stats/order.h"

namespace livercell::stats {
namespace {

// R's tolerance for "the curve equals p" in quantile.survfit: sqrt(.Machine$double.eps).
const double kQuantileTolerance = std::sqrt(std::numeric_limits<double>::epsilon());

std::optional<double> Finite(double v) {
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

// The first time a curve reaches p: R's quantile.survfit rule. `times`/`values` hold the curve
// at its event times; where it sits exactly at p over an interval the answer is the midpoint
// of that interval.
std::optional<double> Quantile(const std::vector<double>& times,
                               const std::vector<std::optional<double>>& values, double p) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i] || *values[i] > p + kQuantileTolerance) continue;
    if (std::fabs(*values[i] - p) < kQuantileTolerance) {
      for (std::size_t j = i + 1; j < values.size(); ++j) {
        if (values[j] && *values[j] < p - kQuantileTolerance) return (times[i] + times[j]) / 2;
      }
      return times[i];
    }
    return times[i];
  }
  return std::nullopt;
}

void Bounds(double s, std::optional<double> se, ConfType type, double z,
            std::optional<double>* lower, std::optional<double>* upper) {
  *lower = *upper = std::nullopt;
  if (!se) return;
  switch (type) {
    case ConfType::kLog:
      if (s <= 0) return;
      *lower = s * std::exp(-z * *se);
      *upper = std::min(1.0, s * std::exp(z * *se));
      return;
    case ConfType::kLogLog: {
      if (s <= 0 || s >= 1) return;
      const double ll = std::log(-std::log(s));
      const double width = z * *se / std::fabs(std::log(s));
      *lower = std::exp(-std::exp(ll + width));
      *upper = std::exp(-std::exp(ll - width));
      return;
    }
    case ConfType::kPlain:
      *lower = std::max(0.0, s - z * *se * s);
      *upper = std::min(1.0, s + z * *se * s);
      return;
  }
}

// One curve from a group's counts by time (state 0 censored, 1 event).
KmCurve FitOne(const std::string& name, const TimeCounts& counts, const KmOptions& options,
               double z) {
  KmCurve c;
  c.name = name;
  c.n = static_cast<int>(counts.Total());
  double surv = 1;
  double varsum = 0;
  int at_risk = c.n;
  for (std::size_t k = 0; k < counts.time.size(); ++k) {
    const double t = counts.time[k];
    const auto d = static_cast<int>(counts.At(k, 1));
    const auto censored = static_cast<int>(counts.At(k, 0));
    const double n = at_risk;
    if (d > 0) {
      surv *= 1 - d / n;
      varsum += d < n ? d / (n * (n - d)) : std::numeric_limits<double>::infinity();
    }
    c.time.push_back(t);
    c.n_risk.push_back(at_risk);
    c.n_event_at.push_back(d);
    c.n_censor.push_back(censored);
    c.surv.push_back(surv);
    const std::optional<double> se = Finite(std::sqrt(varsum));
    c.std_err.push_back(se);
    std::optional<double> lo, hi;
    Bounds(surv, se, options.conf_type, z, &lo, &hi);
    c.lower.push_back(lo);
    c.upper.push_back(hi);
    c.n_event += d;
    at_risk -= d + censored;
  }
  // The median and its interval use the curves at event times only (where they step).
  std::vector<double> times;
  std::vector<std::optional<double>> s, lo, hi;
  for (std::size_t k = 0; k < c.time.size(); ++k) {
    if (c.n_event_at[k] == 0) continue;
    times.push_back(c.time[k]);
    s.push_back(c.surv[k]);
    lo.push_back(c.lower[k]);
    hi.push_back(c.upper[k]);
  }
  c.median = Quantile(times, s, 0.5);
  // The lower confidence curve reaches 0.5 first: it gives the median's lower limit.
  c.median_lower = Quantile(times, lo, 0.5);
  c.median_upper = Quantile(times, hi, 0.5);
  return c;
}

}  // namespace

base::Result<KmResult> FitKaplanMeier(const SurvivalData& data, const KmOptions& options) {
  if (!(options.conf_level > 0 && options.conf_level < 1)) {
    base::Status status = base::OutOfRangeError(
        fmt::format("conf-level {} must lie strictly between 0 and 1", options.conf_level));
    status.SetPath("--conf-level").SetValue(options.conf_level).SetAllowed("(0, 1)");
    return status;
  }
  const double z = boost::math::quantile(boost::math::normal(), 1 - (1 - options.conf_level) / 2);
  const auto groups = static_cast<int>(data.group_names.size());
  const std::vector<TimeCounts> counts =
      CountByTime(data.time, data.group, groups, data.event, /*states=*/2);
  KmResult result;
  result.n_dropped = data.n_dropped;
  for (int g = 0; g < groups; ++g) {
    KmCurve curve = FitOne(data.group_names[static_cast<std::size_t>(g)],
                           counts[static_cast<std::size_t>(g)], options, z);
    result.n += curve.n;
    result.n_event += curve.n_event;
    result.strata.push_back(std::move(curve));
  }
  return result;
}

}  // namespace livercell::stats
