// Child-Pugh (Child-Turcotte-Pugh) score: 5–15 points, class A (5–6), B (7–9), C (10–15).
// Source: Pugh RNH et al., Br J Surg 1973;60(8):646–649; Child CG, Turcotte JG 1964;
// bands as fixed by specs/scores.md §2 (middle band inclusive at both ends; INR for PT).
#ifndef LIVERCELL_DOMAIN_SCORES_CHILD_PUGH_H_
#define LIVERCELL_DOMAIN_SCORES_CHILD_PUGH_H_

#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

// Source: Pugh 1973 (class A 5-6, B 7-9, C 10-15 points).
inline constexpr int kChildPughClassAMaxPoints = 6;
inline constexpr int kChildPughClassBMaxPoints = 9;

struct ChildPugh {
  int points;        // 5–15
  char child_class;  // 'A', 'B' or 'C'
};

// Inputs in canonical units (bilirubin mg/dL, albumin g/dL, INR unitless). Plausibility is the
// caller's job (LabValue); any finite values give a result. Thread-safe, pure.
ChildPugh ComputeChildPugh(double bilirubin_mg_dl, double albumin_g_dl, double inr, Ascites ascites,
                           Encephalopathy encephalopathy);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_CHILD_PUGH_H_
