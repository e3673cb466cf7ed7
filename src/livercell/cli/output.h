// How a command writes: its --format, and where (base/output_sink.h).
#ifndef LIVERCELL_CLI_OUTPUT_H_
#define LIVERCELL_CLI_OUTPUT_H_

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "livercell/base/output_sink.h"
#include "livercell/base/progress.h"
#include "livercell/base/result.h"

namespace livercell::cli {

// --format, specs/cli.md.
enum class Format { kTable, kJson, kCsv };

using base::OutputSink;
using base::Progress;

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_OUTPUT_H_
