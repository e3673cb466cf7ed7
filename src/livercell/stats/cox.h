// Cox proportional hazards as R's coxph() fits it (Therneau & Grambsch 2000, ch. 3):
// Newton–Raphson with step halving on the partial likelihood, Efron or Breslow ties, strata,
// counting-process data Surv(start, stop, event) for time-dependent covariates, log() and
// factor() terms (treatment contrasts, first level the reference), the likelihood-ratio, Wald
// and score tests, and Harrell's concordance as coxph reports it.
#ifndef LIVERCELL_STATS_COX_H_
#define LIVERCELL_STATS_COX_H_

#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/stats/formula.h"
#include "livercell/stats/table.h"

namespace livercell::stats {

enum class Ties { kEfron, kBreslow };

struct CoxOptions {
  Ties ties = Ties::kEfron;  // R's default
  int max_iterations = 20;   // R's coxph.control(iter.max)
  double tolerance = 1e-9;   // R's coxph.control(eps): relative change in log-likelihood
  double conf_level = 0.95;
};

struct CoxTest {
  double chisq = 0;
  int df = 0;
  double p = 1;
};

struct CoxCoefficient {
  std::string term;  // as R names it: "age", "log(bili)", "factor(edema)0.5", "sexm"
  double coef = 0, se = 0, z = 0, p = 1, hr = 1, hr_lower = 1, hr_upper = 1;
};

struct CoxResult {
  int n = 0;
  int n_event = 0;
  std::size_t n_dropped = 0;
  std::vector<CoxCoefficient> coefficients;
  double loglik_null = 0;
  double loglik = 0;
  int iterations = 0;
  CoxTest lr_test, wald_test, score_test;
  double concordance = 0;
};

// Errors (exit 2): formula and column problems as for curves; a log() of a value ≤ 0; no
// covariates; a design whose columns are collinear (naming the term that is a combination of
// the others); no events; a fit that does not converge or whose coefficients diverge
// (monotone likelihood), naming the term. The table is consumed: its memory is released as
// soon as the model frame is built, before the fit.
base::Result<CoxResult> FitCox(Table table, const Formula& formula, const CoxOptions& options);

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_COX_H_
