// Outcome definitions (data/outcomes/default.toml, specs/outcomes.md §4) and the published
// evidence shown beside outcomes (data/evidence/trials.csv and claims.toml), both built into
// the binary. A clinic's own definitions file is checked like a protocol: every problem named.
#ifndef LIVERCELL_FORMATS_OUTCOMES_FILE_H_
#define LIVERCELL_FORMATS_OUTCOMES_FILE_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "livercell/domain/outcomes/outcomes.h"
#include "livercell/formats/course_file.h"

namespace livercell::formats {

// Every problem with its path ("FILE: endpoints[2].factor"); sha256 is that of `text`.
FileParse<domain::outcomes::Definitions> ParseOutcomeDefinitions(std::string_view text,
                                                                 std::string_view file);
std::string_view DefaultOutcomeDefinitionsText();
const domain::outcomes::Definitions& DefaultOutcomeDefinitions();

// Every arm of trials.csv, unchanged, as JSON objects (specs/outcomes.md §5 `evidence`):
// the CSV's columns, with `source` (doi_or_pmid), `year` and `n` as numbers, `ci95` as
// [low, high] (null where not found).
const nlohmann::json& EvidenceJson();
// claims.toml as `claims`: text, source (null when none), status.
const nlohmann::json& ClaimsJson();

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_OUTCOMES_FILE_H_
