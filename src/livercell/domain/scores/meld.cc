#include "livercell/domain/scores/meld.h"

#include <algorithm>
#include <cmath>

namespace livercell::domain {
namespace {

// Source: Kamath 2001, Hepatology 33:464-470 (coefficients, as used by OPTN: 0.957, 0.378,
// 1.120, 0.643); Wiesner 2003, Gastroenterology 124:91-96 (lower bound 1.0, creatinine cap 4.0).
constexpr double kMeldCreatinineCoef = 0.957;
constexpr double kMeldBilirubinCoef = 0.378;
constexpr double kMeldInrCoef = 1.120;
constexpr double kMeldIntercept = 0.643;
constexpr double kMeldLowerBound = 1.0;
constexpr double kMeldCreatinineCapMgDl = 4.0;
// Source: OPTN calculator documentation: "round to the tenth decimal place and multiply by 10".
constexpr double kTenths = 10.0;
// Source: OPTN policy, "Maximum MELD = 40" (applies to MELD, MELD-Na and MELD 3.0).
constexpr int kMeldCap = 40;

// Source: OPTN/UNOS policy notice 11/2015 (MELD-Na, in force January 2016).
constexpr double kNaLowMmolL = 125.0;
constexpr double kNaHighMmolL = 137.0;
constexpr int kMeldNaThreshold = 11;  // sodium term only when MELD(i) > 11
constexpr double kMeldNaSodiumCoef = 1.32;
constexpr double kMeldNaInteractionCoef = 0.033;

// Source: Kim 2021, Gastroenterology 161:1887-1895.e4, equation of MELD 3.0; bounds per OPTN
// policy 9.1.D (creatinine 1.0-3.0 mg/dL, albumin 1.5-3.5 g/dL, sodium 125-137 mmol/L).
constexpr double kMeld3FemaleCoef = 1.33;
constexpr double kMeld3BilirubinCoef = 4.56;
constexpr double kMeld3SodiumCoef = 0.82;
constexpr double kMeld3SodiumBilirubinCoef = 0.24;
constexpr double kMeld3InrCoef = 9.09;
constexpr double kMeld3CreatinineCoef = 11.14;
constexpr double kMeld3AlbuminCoef = 1.85;
constexpr double kMeld3AlbuminCreatinineCoef = 1.83;
constexpr double kMeld3Intercept = 6.0;
constexpr double kMeld3CreatinineCapMgDl = 3.0;
constexpr double kMeld3AlbuminLowGDl = 1.5;
constexpr double kMeld3AlbuminHighGDl = 3.5;
constexpr int kMeld3Floor = 6;

// Source: OPTN rounds half up ("to the nearest whole number"); every value here is positive.
int RoundHalfUp(double v) { return static_cast<int>(std::floor(v + 0.5)); }

double BoundCreatinine(double creatinine_mg_dl, bool dialysis, double cap_mg_dl) {
  if (dialysis) return cap_mg_dl;
  return std::clamp(creatinine_mg_dl, kMeldLowerBound, cap_mg_dl);
}

}  // namespace

int ComputeMeldInitial(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                       bool dialysis_twice_past_week) {
  const double bili = std::max(bilirubin_mg_dl, kMeldLowerBound);
  const double ratio = std::max(inr, kMeldLowerBound);
  const double cr =
      BoundCreatinine(creatinine_mg_dl, dialysis_twice_past_week, kMeldCreatinineCapMgDl);
  const double x = kMeldCreatinineCoef * std::log(cr) + kMeldBilirubinCoef * std::log(bili) +
                   kMeldInrCoef * std::log(ratio) + kMeldIntercept;
  // x rounded to one decimal, times 10, is floor(10·x + 0.5).
  return RoundHalfUp(kTenths * x);
}

int ComputeMeld(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                bool dialysis_twice_past_week) {
  return std::min(
      ComputeMeldInitial(bilirubin_mg_dl, inr, creatinine_mg_dl, dialysis_twice_past_week),
      kMeldCap);
}

int ComputeMeldNa(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                  bool dialysis_twice_past_week, double sodium_mmol_l) {
  const int meld_i =
      ComputeMeldInitial(bilirubin_mg_dl, inr, creatinine_mg_dl, dialysis_twice_past_week);
  if (meld_i <= kMeldNaThreshold) return std::min(meld_i, kMeldCap);
  const double na_gap = kNaHighMmolL - std::clamp(sodium_mmol_l, kNaLowMmolL, kNaHighMmolL);
  const double v = meld_i + kMeldNaSodiumCoef * na_gap - kMeldNaInteractionCoef * meld_i * na_gap;
  return std::min(RoundHalfUp(v), kMeldCap);
}

int ComputeMeld3(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                 bool dialysis_twice_past_week, double sodium_mmol_l, double albumin_g_dl,
                 bool female_term) {
  const double ln_bili = std::log(std::max(bilirubin_mg_dl, kMeldLowerBound));
  const double ln_inr = std::log(std::max(inr, kMeldLowerBound));
  const double ln_cr = std::log(
      BoundCreatinine(creatinine_mg_dl, dialysis_twice_past_week, kMeld3CreatinineCapMgDl));
  const double na_gap = kNaHighMmolL - std::clamp(sodium_mmol_l, kNaLowMmolL, kNaHighMmolL);
  const double alb_gap =
      kMeld3AlbuminHighGDl - std::clamp(albumin_g_dl, kMeld3AlbuminLowGDl, kMeld3AlbuminHighGDl);
  const double v = (female_term ? kMeld3FemaleCoef : 0.0) + kMeld3BilirubinCoef * ln_bili +
                   kMeld3SodiumCoef * na_gap - kMeld3SodiumBilirubinCoef * na_gap * ln_bili +
                   kMeld3InrCoef * ln_inr + kMeld3CreatinineCoef * ln_cr +
                   kMeld3AlbuminCoef * alb_gap - kMeld3AlbuminCreatinineCoef * alb_gap * ln_cr +
                   kMeld3Intercept;
  return std::clamp(RoundHalfUp(v), kMeld3Floor, kMeldCap);
}

}  // namespace livercell::domain
