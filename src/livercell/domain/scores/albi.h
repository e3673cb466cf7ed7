// ALBI (albumin–bilirubin) score and grade.
// Source: Johnson PJ et al., J Clin Oncol 2015;33(6):550–558 (doi:10.1200/JCO.2014.57.9151).
#ifndef LIVERCELL_DOMAIN_SCORES_ALBI_H_
#define LIVERCELL_DOMAIN_SCORES_ALBI_H_

namespace livercell::domain {

// Grade cut-offs: grade 1 ≤ −2.60 < grade 2 ≤ −1.39 < grade 3.
// Source: Johnson PJ et al., J Clin Oncol 2015;33(6):550–558.
inline constexpr double kAlbiGrade1Max = -2.60;
inline constexpr double kAlbiGrade2Max = -1.39;

struct Albi {
  double score;  // unrounded
  int grade;     // 1, 2 or 3, from the unrounded score
};

// ALBI = 0.66·log10(bilirubin µmol/L) − 0.085·albumin g/L; no bounds applied. Grade 1 if
// ≤ −2.60, 2 if ≤ −1.39, else 3. Inputs in SI units and > 0. Pure, thread-safe.
Albi ComputeAlbi(double bilirubin_umol_l, double albumin_g_l);

// The grade of an (unrounded) ALBI score: 1 if ≤ −2.60, 2 if ≤ −1.39, else 3.
int AlbiGrade(double albi_score);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_ALBI_H_
