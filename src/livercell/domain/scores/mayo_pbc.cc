#include "livercell/domain/scores/mayo_pbc.h"

#include <cmath>

namespace livercell::domain {
namespace {

// Source: Dickson 1989, Hepatology 10:1-7, Cox model coefficients as published (3 significant
// digits), not the rounded 0.04/0.87/0.86 of some calculators (specs/scores.md §5.3).
constexpr double kMayoBilirubinCoef = 0.871;
constexpr double kMayoAlbuminCoef = 2.53;
constexpr double kMayoAgeCoef = 0.039;
constexpr double kMayoProthrombinCoef = 2.38;
constexpr double kMayoEdemaCoef = 0.859;
// Source: Dickson 1989 (oedema coded 0 / 0.5 / 1).
constexpr double kEdemaUntreatedOrResolved = 0.5;

}  // namespace

double MayoEdemaValue(Edema edema) {
  switch (edema) {
    case Edema::kNone:
      return 0.0;
    case Edema::kUntreatedOrResolved:
      return kEdemaUntreatedOrResolved;
    case Edema::kDespiteDiuretics:
      return 1.0;
  }
  return 0.0;
}

double ComputeMayoPbc(double bilirubin_mg_dl, double albumin_g_dl, double age_years,
                      double prothrombin_time_s, Edema edema) {
  return kMayoBilirubinCoef * std::log(bilirubin_mg_dl) -
         kMayoAlbuminCoef * std::log(albumin_g_dl) + kMayoAgeCoef * age_years +
         kMayoProthrombinCoef * std::log(prothrombin_time_s) +
         kMayoEdemaCoef * MayoEdemaValue(edema);
}

}  // namespace livercell::domain
