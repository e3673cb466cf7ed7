// The JSON edge of `livercell assess`: one candidate document (specs/assessment.md "Input") →
// domain::Candidate. The score fields go through patient_json (the same rules and messages as
// `livercell score`); the assessment's own fields are read here, each error naming its JSON
// path, the value and what is allowed.
#ifndef LIVERCELL_FORMATS_CANDIDATE_JSON_H_
#define LIVERCELL_FORMATS_CANDIDATE_JSON_H_

#include <simdjson.h>

#include <string_view>

#include "livercell/formats/patient_json.h"
#include "livercell/domain/assessment/candidate.h"

namespace livercell::formats {

PatientParse ParseCandidate(std::string_view text, simdjson::dom::parser& parser,
                            domain::Candidate* candidate);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_CANDIDATE_JSON_H_
