#include "livercell/cli/score_output.h"

#include <iterator>
#include <string_view>

namespace livercell::cli {
namespace {

using domain::ScoreId;
using domain::ScoreInfo;
using domain::ScoreReport;
using domain::ScoreResult;

void AppendValue(const ScoreInfo& info, const ScoreResult& result, fmt::memory_buffer* out) {
  if (info.integer_value) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<long long>(result.value));
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", result.value);
  }
}

std::string ValueText(const ScoreInfo& info, const ScoreResult& result) {
  if (info.integer_value) return fmt::format("{}", static_cast<long long>(result.value));
  return fmt::format("{:.3f}", result.value);
}

std::string MissingText(const ScoreReport& report, ScoreId id, std::string_view separator) {
  std::string text;
  for (domain::ScoreInputId input : report.MissingInputs(id)) {
    if (!text.empty()) text += separator;
    text += domain::InputName(input);
  }
  return text;
}

}  // namespace

void AppendScoreJson(const ScoreReport& report, fmt::memory_buffer* out) {
  auto it = std::back_inserter(*out);
  out->push_back('{');
  bool first = true;
  for (const ScoreInfo& info : domain::AllScores()) {
    const auto& result = report.result(info.id);
    if (!result) continue;
    if (!first) out->push_back(',');
    first = false;
    fmt::format_to(it, "\"{}\":{{\"{}\":", info.key, info.value_key);
    AppendValue(info, *result, out);
    if (!info.category_key.empty()) {
      if (info.integer_category) {
        fmt::format_to(it, ",\"{}\":{}", info.category_key, result->category);
      } else {
        fmt::format_to(it, ",\"{}\":\"{}\"", info.category_key, result->category);
      }
    }
    fmt::format_to(it, ",\"source\":\"{}\"}}", info.source);
  }
  if (report.AnyUnavailable()) {
    if (!first) out->push_back(',');
    fmt::format_to(it, "\"unavailable\":{{");
    bool first_missing = true;
    for (const ScoreInfo& info : domain::AllScores()) {
      if (report.result(info.id)) continue;
      if (!first_missing) out->push_back(',');
      first_missing = false;
      fmt::format_to(it, "\"{}\":[\"{}\"]", info.key, MissingText(report, info.id, "\",\""));
    }
    out->push_back('}');
  }
  out->push_back('}');
}

std::string FormatScoreTable(const ScoreReport& report) {
  std::string table = fmt::format("{:<14} {:>8}  {:<11}  {}\n", "score", "value",
                                  "class/grade", "source");
  for (const ScoreInfo& info : domain::AllScores()) {
    const auto& result = report.result(info.id);
    if (!result) continue;
    const std::string category =
        info.category_key.empty() ? "" : fmt::format("{} {}", info.category_key, result->category);
    table += fmt::format("{:<14} {:>8}  {:<11}  {}\n", info.title, ValueText(info, *result),
                         category, info.source);
  }
  for (const ScoreInfo& info : domain::AllScores()) {
    if (report.result(info.id)) continue;
    table += fmt::format("{:<14} {:>8}  {:<11}  needs {}\n", info.title, "—", "",
                         MissingText(report, info.id, ", "));
  }
  return table;
}

std::string FormatScoreCsv(const ScoreReport& report) {
  std::string csv = "score,value,category,source,missing\n";
  for (const ScoreInfo& info : domain::AllScores()) {
    const auto& result = report.result(info.id);
    if (result) {
      fmt::memory_buffer value;
      AppendValue(info, *result, &value);
      csv += fmt::format("{},{},{},\"{}\",\n", info.key, fmt::to_string(value), result->category,
                         info.source);
    } else {
      csv += fmt::format("{},,,\"{}\",\"{}\"\n", info.key, info.source,
                         MissingText(report, info.id, ";"));
    }
  }
  return csv;
}

}  // namespace livercell::cli
