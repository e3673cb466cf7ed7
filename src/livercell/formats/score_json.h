// Rendering a ScoreReport: JSON (specs/scores.md §1.4, also one NDJSON line per patient in
// --batch), a table for people (score, value, class/grade, source), and CSV.
#ifndef LIVERCELL_FORMATS_SCORE_JSON_H_
#define LIVERCELL_FORMATS_SCORE_JSON_H_

#include <fmt/format.h>

#include <string>

#include "livercell/domain/scores/registry.h"

namespace livercell::formats {

// Appends the report as one JSON object, no trailing newline. Numbers are shortest round-trip
// doubles; integer scores print as integers. Allocation-free apart from `out` growing.
void AppendScoreJson(const domain::ScoreReport& report, fmt::memory_buffer* out);

// A table for the terminal, with the unavailable scores and the inputs they lack listed below.
std::string FormatScoreTable(const domain::ScoreReport& report);

// CSV with header score,value,category,source; unavailable scores have an empty value and
// category and list their missing inputs in a fifth column.
std::string FormatScoreCsv(const domain::ScoreReport& report);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_SCORE_JSON_H_
