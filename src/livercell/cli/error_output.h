// Printing failed Statuses the way specs/cli.md requires: as text, one line per problem
// ("error: labs.bilirubin.value: -1 mg/dL is outside …"), or with --format json as one JSON
// object per line ({"error": "out_of_range", "path": …, "value": …, "allowed": …,
// "message": …}). The exit status comes from the code table (base/status_code.h).
#ifndef LIVERCELL_CLI_ERROR_OUTPUT_H_
#define LIVERCELL_CLI_ERROR_OUTPUT_H_

#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "livercell/base/status.h"
#include "livercell/cli/output.h"
#include "livercell/formats/records_json.h"

namespace livercell::cli {

using formats::ErrorToJson;

// Writes every error to `stream` (stderr), as text or, for Format::kJson, as JSON lines.
void PrintErrors(std::span<const base::Status> errors, Format format, std::FILE* stream);

// The CLI exit status for a set of errors: the highest of their codes' exit statuses.
int ExitCodeFor(std::span<const base::Status> errors);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_ERROR_OUTPUT_H_
