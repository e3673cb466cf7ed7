// Mayo risk score for primary biliary cholangitis (cirrhosis).
// Source: Dickson ER et al., Hepatology 1989;10(1):1–7 (doi:10.1002/hep.1840100102).
#ifndef LIVERCELL_DOMAIN_SCORES_MAYO_PBC_H_
#define LIVERCELL_DOMAIN_SCORES_MAYO_PBC_H_

#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

// The oedema score of the Mayo model: 0, 0.5 or 1.
double MayoEdemaValue(Edema edema);

// R = 0.871 ln(bilirubin mg/dL) − 2.53 ln(albumin g/dL) + 0.039 age + 2.38 ln(PT s)
//     + 0.859 edema; unrounded, no bounds. The prothrombin time is in seconds, not the INR.
// Inputs > 0. Pure, thread-safe.
double ComputeMayoPbc(double bilirubin_mg_dl, double albumin_g_dl, double age_years,
                      double prothrombin_time_s, Edema edema);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_MAYO_PBC_H_
