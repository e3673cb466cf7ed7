// The assessment's documents (specs/assessment.md): the result as JSON, the candidate as the
// spec's input JSON (the inverse of ParseCandidate, so a stored input can be assessed again),
// and the protocol LiverCell ships. Shared by `livercell assess` and the server's
// /api/v1/patients/{id}/assessments, so both give the same bytes for the same assessment.
#ifndef LIVERCELL_FORMATS_ASSESSMENT_JSON_H_
#define LIVERCELL_FORMATS_ASSESSMENT_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "livercell/domain/assessment/assess.h"
#include "livercell/domain/assessment/candidate.h"
#include "livercell/formats/protocol_file.h"

namespace livercell::formats {

// How the built-in protocol is named in messages.
inline constexpr std::string_view kDefaultProtocolName = "data/protocols/default.toml (built in)";

// data/protocols/default.toml as compiled into the binary, and parsed.
std::string_view DefaultProtocolText();
ProtocolParse DefaultProtocol();

// The output object of specs/assessment.md "Output".
nlohmann::json AssessmentJson(const domain::Assessment& assessment,
                              const domain::Protocol& protocol);

// The candidate as specs/assessment.md "Input" (absent fields left out; labs in the unit they
// were received in). ParseCandidate(CandidateJson(c).dump()) gives back `c`.
nlohmann::json CandidateJson(const domain::Candidate& candidate);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_ASSESSMENT_JSON_H_
