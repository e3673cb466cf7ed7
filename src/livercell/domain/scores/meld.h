// The MELD family as OPTN computes it (specs/scores.md §3). All functions are pure and
// thread-safe; inputs are canonical (bilirubin and creatinine mg/dL, INR unitless, sodium
// mmol/L, albumin g/dL) and already plausibility-checked. Results are integers.
#ifndef LIVERCELL_DOMAIN_SCORES_MELD_H_
#define LIVERCELL_DOMAIN_SCORES_MELD_H_

namespace livercell::domain {

// MELD(i): 10 × (0.957 ln Cr + 0.378 ln bili + 1.120 ln INR + 0.643) rounded to the tenth,
// before the cap of 40. Bili, INR, Cr < 1 → 1; Cr > 4 → 4; dialysis → Cr = 4.
// Source: Kamath 2001, Hepatology 33:464-470; Wiesner 2003, Gastroenterology 124:91-96 (bounds).
int ComputeMeldInitial(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                       bool dialysis_twice_past_week);

// MELD = min(MELD(i), 40); 6–40. Source: as above; OPTN ("Maximum MELD = 40").
int ComputeMeld(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                bool dialysis_twice_past_week);

// MELD-Na (OPTN, January 2016): sodium bounded 125–137; the sodium term applies only when
// MELD(i) > 11; rounded half up and capped at 40.
// Source: OPTN/UNOS policy notice 11/2015; Kim 2008, N Engl J Med 359:1018-1026.
int ComputeMeldNa(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                  bool dialysis_twice_past_week, double sodium_mmol_l);

// MELD 3.0 (OPTN policy 9.1.D, July 2023). `female_term` is true for a female candidate, or
// for any candidate aged 12 to under 18. Result 6–40.
// Source: Kim 2021, Gastroenterology 161:1887-1895.e4 (PMC8608337); OPTN policy 9.1.D.
int ComputeMeld3(double bilirubin_mg_dl, double inr, double creatinine_mg_dl,
                 bool dialysis_twice_past_week, double sodium_mmol_l, double albumin_g_dl,
                 bool female_term);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_MELD_H_
