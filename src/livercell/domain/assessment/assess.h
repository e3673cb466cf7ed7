// The candidacy decision (specs/assessment.md): every rule of the protocol evaluated (none
// short-circuits) to true, false or unknown, the decision taken by the protocol's decision
// order, the stage, the inputs that would settle the unknown rules, and the recommendations.
// Pure: the same protocol and candidate always give the same assessment.
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_ASSESS_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_ASSESS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "livercell/domain/assessment/candidate.h"
#include "livercell/domain/assessment/protocol.h"
#include "livercell/domain/assessment/staging.h"
#include "livercell/domain/scores/registry.h"

namespace livercell::domain {

struct RuleResult {
  const Rule* rule = nullptr;
  Truth truth = Truth::kUnknown;
  std::vector<std::pair<std::string, std::optional<FactValue>>> inputs;  // facts used, in order
  std::vector<std::string> missing;  // input paths ("labs.inr", "hbv.hbsag") when unknown
};

struct Assessment {
  std::string decision;  // one of kDecisions
  Stage stage;
  ScoreReport scores;
  std::vector<RuleResult> rules;            // protocol order
  std::vector<RuleResult> recommendations;  // protocol order, every one (truth says if it applies)
  std::vector<std::string> missing;         // inputs that would settle the unknown rules
};

// `protocol` must outlive the result (rules point into it).
Assessment Assess(const Protocol& protocol, const Candidate& candidate);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_ASSESS_H_
