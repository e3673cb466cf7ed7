#include "livercell/domain/scores/albi.h"

#include <cmath>

namespace livercell::domain {
namespace {

// Source: Johnson 2015, J Clin Oncol 33:550-558, linear predictor and grade cut-points
// (grade 3 is > -1.39; exactly -1.39 is grade 2, specs/scores.md §4).
constexpr double kAlbiBilirubinCoef = 0.66;
constexpr double kAlbiAlbuminCoef = 0.085;

}  // namespace

// Source: Johnson 2015 (grades 1, 2 and 3).
int AlbiGrade(double albi_score) {
  if (albi_score <= kAlbiGrade1Max) return 1;
  return albi_score <= kAlbiGrade2Max ? 2 : 3;
}

Albi ComputeAlbi(double bilirubin_umol_l, double albumin_g_l) {
  const double score =
      kAlbiBilirubinCoef * std::log10(bilirubin_umol_l) - kAlbiAlbuminCoef * albumin_g_l;
  return Albi{score, AlbiGrade(score)};
}

}  // namespace livercell::domain
