#include "livercell/cli/batch.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <iterator>
#include <string>

#include "livercell/cli/error_output.h"
#include "livercell/cli/line_reader.h"
#include "livercell/formats/patient_json.h"
#include "livercell/formats/score_json.h"

namespace livercell::cli {
namespace {

using formats::kMaxPatientBytes;
using formats::ParsePatient;
using formats::PatientParse;

constexpr std::size_t kFlushBytes = std::size_t{1} << 16;

void AppendErrorLine(std::uint64_t line_number, std::span<const base::Status> errors,
                     fmt::memory_buffer* out) {
  nlohmann::json line = nlohmann::json::object();
  line["line"] = line_number;
  line["error"] = ErrorToJson(errors.front());
  nlohmann::json all = nlohmann::json::array();
  for (const base::Status& error : errors) all.push_back(ErrorToJson(error));
  line["errors"] = std::move(all);
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out->append(text.data(), text.data() + text.size());
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

base::Result<BatchSummary> RunScoreBatch(int in_fd, std::FILE* out, Progress* progress) {
  LineReader reader(in_fd, kMaxPatientBytes);
  simdjson::dom::parser parser;
  domain::ScoreInput input;
  fmt::memory_buffer buffer;
  BatchSummary summary;
  for (;;) {
    const LineReader::Next next = reader.Read();
    if (next == LineReader::Next::kEnd) break;
    ++summary.lines;
    if (next == LineReader::Next::kTooLong) {
      const base::Status too_long = base::InvalidArgumentError(fmt::format(
          "the line is longer than {} bytes, the limit for one patient", kMaxPatientBytes));
      AppendErrorLine(summary.lines, std::span(&too_long, 1), &buffer);
      buffer.push_back('\n');
      ++summary.failed;
    } else if (!IsBlank(reader.line())) {
      const PatientParse parsed = ParsePatient(reader.line(), parser, &input);
      if (parsed.errors.empty()) {
        formats::AppendScoreJson(domain::ComputeScores(input), &buffer);
        ++summary.scored;
      } else {
        AppendErrorLine(summary.lines, parsed.errors, &buffer);
        ++summary.failed;
      }
      buffer.push_back('\n');
    }
    if (buffer.size() >= kFlushBytes) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
    if (progress != nullptr) progress->Update(summary.lines, reader.bytes_read());
  }
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (progress != nullptr) progress->Finish(summary.lines, reader.bytes_read());
  if (!reader.error().ok()) return reader.error();
  return summary;
}

}  // namespace livercell::cli
