// The JSON edge of `livercell assess`: one candidate document (specs/assessment.md "Input") →
// domain::Candidate. The score fields go through patient_json (the same rules and messages as
// `livercell score`); the assessment's own fields are read here, each error naming its JSON
// path, the value and what is allowed.
#ifndef LIVERCELL_CLI_CANDIDATE_JSON_H_
#define LIVERCELL_CLI_CANDIDATE_JSON_H_

#include <simdjson.h>

#include <string_view>

#include "livercell/cli/patient_json.h"
#include "livercell/domain/assessment/candidate.h"

namespace livercell::cli {

PatientParse ParseCandidate(std::string_view text, simdjson::dom::parser& parser,
                            domain::Candidate* candidate);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_CANDIDATE_JSON_H_
