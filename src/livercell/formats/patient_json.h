// The JSON edge of `livercell score`: one patient document (specs/scores.md §1.1) → validated
// domain::ScoreInput. Every problem is collected, each with its JSON path ("labs.sodium.unit"),
// the offending value and what is allowed, so a clinician fixes a file in one pass.
#ifndef LIVERCELL_FORMATS_PATIENT_JSON_H_
#define LIVERCELL_FORMATS_PATIENT_JSON_H_

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/status.h"
#include "livercell/domain/scores/inputs.h"

namespace livercell::formats {

// Largest patient document accepted (bytes). A real one is well under 2 KiB; the limit keeps a
// runaway or hostile input from exhausting memory.
inline constexpr std::size_t kMaxPatientBytes = std::size_t{1} << 20;

struct PatientParse {
  std::vector<base::Status> errors;   // empty = `input` is complete and valid
  std::vector<std::string> warnings;  // ignored unknown keys, as "path: reason"
};

// Parses `text` with `parser` (reused across calls for speed; not thread-safe) into `*input`,
// which is reset first. Malformed JSON, a top level that is not an object, and documents over
// kMaxPatientBytes are errors without a field path.
PatientParse ParsePatient(std::string_view text, simdjson::dom::parser& parser,
                          domain::ScoreInput* input);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_PATIENT_JSON_H_
