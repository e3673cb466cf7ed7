// `livercell score --batch`: NDJSON in, NDJSON out, one result line per input line, in
// constant memory. A line that fails becomes {"line": N, "error": {…}, "errors": [{…}, …]}
// (the first problem, then all of them) and the run goes on. Blank lines are skipped.
#ifndef LIVERCELL_CLI_BATCH_H_
#define LIVERCELL_CLI_BATCH_H_

#include <cstdint>
#include <cstdio>

#include "livercell/base/result.h"
#include "livercell/cli/output.h"

namespace livercell::cli {

struct BatchSummary {
  std::uint64_t lines = 0;   // lines read, blank ones included
  std::uint64_t scored = 0;  // patients scored
  std::uint64_t failed = 0;  // lines that were errors
};

// Reads patients from `in_fd` until end of input and writes results to `out`. Fails only on
// an I/O error (kUnavailable); bad lines are counted in the summary, not returned as errors.
base::Result<BatchSummary> RunScoreBatch(int in_fd, std::FILE* out, Progress* progress);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_BATCH_H_
