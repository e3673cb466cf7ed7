// `livercell score`: the eight liver scores for one patient (JSON document of specs/scores.md)
// or, with --batch, for every line of an NDJSON stream.
#include <fmt/format.h>
#include <simdjson.h>

#include <memory>
#include <string>

#include "livercell/cli/app.h"
#include "livercell/cli/batch.h"
#include "livercell/cli/input.h"
#include "livercell/formats/patient_json.h"
#include "livercell/base/progress.h"
#include "livercell/formats/score_json.h"

namespace livercell::cli {
namespace {

using formats::kMaxPatientBytes;
using formats::ParsePatient;
using formats::PatientParse;

struct ScoreOptions {
  std::string input;
  std::string format;
  std::string out;
  bool batch = false;
  bool quiet = false;
  bool format_given = false;
};

int RunBatch(const ScoreOptions& options, const InputFile& input) {
  if (options.format_given && options.format != "json") {
    base::Status status = base::InvalidArgumentError("--batch writes NDJSON; use --format json");
    status.SetPath("--format").SetValue(options.format).SetAllowed("json");
    return Fail(status, Format::kTable);
  }
  base::Result<std::unique_ptr<OutputSink>> sink = OutputSink::Open(options.out);
  if (!sink.ok()) return Fail(sink.status(), Format::kJson);
  Progress progress("patients", input.size(), !options.quiet && Progress::StderrIsTerminal());
  base::Result<BatchSummary> summary = RunScoreBatch(input.fd(), sink.value()->file(), &progress);
  if (!summary.ok()) return Fail(summary.status(), Format::kJson);
  const base::Status committed = sink.value()->Commit();
  if (!committed.ok()) return Fail(committed, Format::kJson);
  if (summary->failed > 0) {
    fmt::print(stderr, "error: {} of {} lines failed; each has an \"error\" object in the output\n",
               summary->failed, summary->scored + summary->failed);
    return 2;
  }
  return 0;
}

int RunSingle(const ScoreOptions& options, const InputFile& input) {
  const Format format = ParseFormat(options.format);
  base::Result<std::string> text =
      ReadAll(input, options.input, kMaxPatientBytes, "one patient (use --batch for many)");
  if (!text.ok()) return Fail(text.status(), format);
  simdjson::dom::parser parser;
  domain::ScoreInput patient;
  const PatientParse parsed = ParsePatient(*text, parser, &patient);
  if (!parsed.errors.empty()) return Fail(parsed.errors, format);
  if (format == Format::kTable) {
    for (const std::string& warning : parsed.warnings) fmt::print(stderr, "warning: {}\n", warning);
  }
  const domain::ScoreReport report = domain::ComputeScores(patient);
  std::string rendered;
  if (format == Format::kJson) {
    fmt::memory_buffer json;
    formats::AppendScoreJson(report, &json);
    json.push_back('\n');
    rendered = fmt::to_string(json);
  } else if (format == Format::kCsv) {
    rendered = formats::FormatScoreCsv(report);
  } else {
    rendered = formats::FormatScoreTable(report);
  }
  base::Result<std::unique_ptr<OutputSink>> sink = OutputSink::Open(options.out);
  if (!sink.ok()) return Fail(sink.status(), format);
  sink.value()->Write(rendered);
  const base::Status committed = sink.value()->Commit();
  return committed.ok() ? 0 : Fail(committed, format);
}

int RunScore(const ScoreOptions& options) {
  base::Result<std::unique_ptr<InputFile>> input = InputFile::Open(options.input);
  if (!input.ok()) return Fail(input.status(), ParseFormat(options.format));
  return options.batch ? RunBatch(options, *input.value()) : RunSingle(options, *input.value());
}

}  // namespace

void RegisterScoreCommand(CLI::App& app, Action* selected) {
  auto options = std::make_shared<ScoreOptions>();
  CLI::App* sub = app.add_subcommand(
      "score",
      "Compute Child-Pugh, MELD, MELD-Na, MELD 3.0, ALBI, APRI, FIB-4 and the Mayo PBC risk "
      "score for one patient (JSON, specs/scores.md) or, with --batch, for NDJSON");
  sub->add_option("FILE", options->input, "Patient JSON file, or - for standard input")->required();
  CLI::Option* format = AddFormatOption(*sub, &options->format, {"table", "json", "csv"});
  sub->add_flag("--batch", options->batch,
                "Read NDJSON (one patient per line), write one JSON result per line; a bad "
                "line becomes {\"line\": N, \"error\": {...}} and the run goes on (exit 2 at "
                "the end if any failed)");
  sub->add_option("--out", options->out,
                  "Write output to this file (atomically) instead of "
                  "standard output");
  sub->add_flag("--quiet", options->quiet, "No progress bar (--batch on a terminal)");
  sub->footer(
      "A score whose inputs are missing is listed as unavailable with the inputs it needs; a\n"
      "present but invalid input (wrong type, unknown unit, implausible value) is an error\n"
      "naming its JSON path, and exits 2 with nothing on standard output.\n"
      "Examples:\n"
      "  livercell score data/examples/decompensated.json\n"
      "  livercell score --format json - < patient.json\n"
      "  livercell score --batch cohort.ndjson --out scores.ndjson");
  sub->callback([selected, options, format] {
    options->format_given = format->count() > 0;
    *selected = [options] { return RunScore(*options); };
  });
}

}  // namespace livercell::cli
