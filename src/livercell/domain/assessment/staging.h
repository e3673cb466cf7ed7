// Staging of cirrhosis from the history (specs/assessment.md "Staging"): compensated or not,
// and the D'Amico clinical stage 1–6.
//   Source: D'Amico G, Garcia-Tsao G, Pagliaro L. J Hepatol 2006;44:217–231 (stages 1–4);
//   D'Amico G et al. J Hepatol 2018;68:563–576 (stages 5–6: further and late decompensation).
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_STAGING_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_STAGING_H_

#include <optional>
#include <string>
#include <vector>

#include "livercell/domain/assessment/candidate.h"

namespace livercell::domain {

struct Stage {
  std::optional<bool> compensated;   // no ascites, variceal bleeding, encephalopathy, jaundice ever
  std::optional<int> damico;         // 1–6; nullopt when the history cannot place the patient
  std::vector<std::string> missing;  // history inputs whose absence left the stage open
};

Stage StageOf(const History& history);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_STAGING_H_
