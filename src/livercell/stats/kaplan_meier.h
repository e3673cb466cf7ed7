// Kaplan–Meier curves as R's survfit() computes them (Therneau & Grambsch 2000, §2.1):
// one entry per distinct time (event or censoring), Greenwood standard error of the cumulative
// hazard (R's fit$std.err), pointwise confidence intervals on the log, log-log or plain scale,
// and the median with its confidence interval as summary(fit)$table reports them.
#ifndef LIVERCELL_STATS_KAPLAN_MEIER_H_
#define LIVERCELL_STATS_KAPLAN_MEIER_H_

#include <optional>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/survival_data.h"

namespace livercell::stats {

enum class ConfType { kLog, kLogLog, kPlain };

struct KmOptions {
  ConfType conf_type = ConfType::kLog;  // R's default
  double conf_level = 0.95;
};

// std::nullopt stands for R's NA (and for non-finite values such as an infinite std.err).
struct KmCurve {
  std::string name;
  int n = 0;
  int n_event = 0;
  std::vector<double> time;
  std::vector<int> n_risk, n_event_at, n_censor;
  std::vector<double> surv;
  std::vector<std::optional<double>> std_err, lower, upper;
  std::optional<double> median, median_lower, median_upper;
};

struct KmResult {
  int n = 0;
  int n_event = 0;
  std::size_t n_dropped = 0;
  std::vector<KmCurve> strata;
};

// kInvalidArgument for conf_level outside (0, 1).
base::Result<KmResult> FitKaplanMeier(const SurvivalData& data, const KmOptions& options);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_KAPLAN_MEIER_H_
