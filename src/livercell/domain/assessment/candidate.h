// A candidate for cell therapy as the assessment sees them (specs/assessment.md "Input"): the
// score inputs plus history, exclusions and viral status. Every field is optional; what is
// absent makes the rules that need it unknown, never false.
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_CANDIDATE_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_CANDIDATE_H_

#include <optional>
#include <string>
#include <vector>

#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

// The spellings of the enumerated inputs, in the order the spec lists them.
inline constexpr const char* kAetiologies[] = {"hbv",        "hcv", "hdv", "alcohol", "masld",
                                               "autoimmune", "pbc", "psc", "other"};
inline constexpr const char* kVaricesValues[] = {"none", "small", "large", "unknown"};
inline constexpr const char* kVaricealBleedingValues[] = {"never", "past", "within-6-weeks"};
inline constexpr const char* kHccValues[] = {"none", "within-milan", "beyond-milan"};
inline constexpr const char* kRouteValues[] = {"iv", "hepatic-artery"};

// Events so far (D'Amico staging reads these only, never today's labs).
struct History {
  std::optional<std::string> varices;            // kVaricesValues
  std::optional<std::string> variceal_bleeding;  // kVaricealBleedingValues
  std::optional<bool> ascites_ever, refractory_ascites, encephalopathy_ever, jaundice,
      hepatorenal_syndrome, sbp_ever;
};

struct Candidate {
  ScoreInput scores;  // labs, sex, age, ascites, encephalopathy… (specs/scores.md)
  std::optional<bool> cirrhosis_confirmed;
  std::optional<std::vector<std::string>> aetiology;  // kAetiologies
  History history;
  std::optional<std::string> hcc;  // kHccValues
  std::optional<bool> other_malignancy_within_5y, active_infection;
  bool has_alcohol = false;  // the "alcohol" object was given
  std::optional<bool> alcohol_active;
  std::optional<double> alcohol_abstinent_months;
  std::optional<bool> pregnant_or_breastfeeding;
  std::optional<int> ecog;  // 0–5
  std::optional<bool> severe_comorbidity;
  bool has_hbv = false;  // the "hbv" object was given
  std::optional<bool> hbv_hbsag, hbv_dna_detectable, hbv_on_antiviral;
  bool has_hcv = false;
  std::optional<bool> hcv_rna_detectable, hcv_on_antiviral;
  std::optional<std::string> route;  // kRouteValues
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_CANDIDATE_H_
