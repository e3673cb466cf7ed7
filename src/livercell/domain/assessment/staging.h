// Staging of cirrhosis from the history (specs/assessment.md "Staging"): compensated or not,
// and the D'Amico clinical stage 1–6.
//   Source: D'Amico G, Pasta L, Morabito A, et al. Aliment Pharmacol Ther 2014;39:1180–1193
//   (stages 1–5); D'Amico G et al. J Hepatol 2018;68:563–576 (stage 6, late decompensation).
//   Compensated as defined by D'Amico G, Garcia-Tsao G, Pagliaro L. J Hepatol 2006;44:217–231,
//   whose own scheme has four stages (ascites 3, bleeding 4): not the source of these numbers.
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
  // The history flags that set it, as "history.ascites_ever=true" (issue #24): the events
  // present for a decompensated stage, the absences and varices for a compensated one.
  std::vector<std::string> set_by;
};

Stage StageOf(const History& history);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_STAGING_H_
