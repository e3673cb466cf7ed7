#include "livercell/domain/scores/fibrosis.h"

#include <cmath>

namespace livercell::domain {
namespace {

// Source: Wai 2003, Hepatology 38:518-526 (APRI = AST/ULN × 100 / platelets).
constexpr double kApriScale = 100.0;

}  // namespace

double ComputeApri(double ast_u_l, double ast_uln_u_l, double platelets_e9_l) {
  return (ast_u_l / ast_uln_u_l) * kApriScale / platelets_e9_l;
}

double ComputeFib4(double age_years, double ast_u_l, double alt_u_l, double platelets_e9_l) {
  // Source: Sterling 2006, Hepatology 43:1317-1325 (FIB-4 formula, no constants).
  return age_years * ast_u_l / (platelets_e9_l * std::sqrt(alt_u_l));
}

}  // namespace livercell::domain
