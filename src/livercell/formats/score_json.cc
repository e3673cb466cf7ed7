#include "livercell/formats/score_json.h"

#include <fmt/compile.h>

#include <string_view>

namespace livercell::formats {
namespace {

using domain::ScoreId;
using domain::ScoreInfo;
using domain::ScoreReport;
using domain::ScoreResult;

// The batch path writes up to a million lines a second: plain appends and compiled format
// strings only, no runtime format parsing.
void Append(std::string_view text, fmt::memory_buffer* out) {
  out->append(text.data(), text.data() + text.size());
}

void AppendValue(const ScoreInfo& info, const ScoreResult& result, fmt::memory_buffer* out) {
  if (info.integer_value) {
    const fmt::format_int digits(static_cast<long long>(result.value));
    out->append(digits.data(), digits.data() + digits.size());
  } else {
    fmt::format_to(fmt::appender(*out), FMT_COMPILE("{}"), result.value);
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
  // Keys, units and sources are fixed ASCII from the registry: no escaping is needed.
  out->push_back('{');
  bool first = true;
  for (const ScoreInfo& info : domain::AllScores()) {
    const auto& result = report.result(info.id);
    if (!result) continue;
    Append(first ? "\"" : ",\"", out);
    first = false;
    Append(info.key, out);
    Append("\":{\"", out);
    Append(info.value_key, out);
    Append("\":", out);
    AppendValue(info, *result, out);
    if (!info.category_key.empty()) {
      Append(",\"", out);
      Append(info.category_key, out);
      Append(info.integer_category ? "\":" : "\":\"", out);
      Append(result->category, out);
      if (!info.integer_category) out->push_back('"');
    }
    Append(",\"source\":\"", out);
    Append(info.source, out);
    Append("\"}", out);
  }
  if (report.AnyUnavailable()) {
    Append(first ? "\"unavailable\":{" : ",\"unavailable\":{", out);
    bool first_missing = true;
    for (const ScoreInfo& info : domain::AllScores()) {
      if (report.result(info.id)) continue;
      Append(first_missing ? "\"" : ",\"", out);
      first_missing = false;
      Append(info.key, out);
      Append("\":[\"", out);
      Append(MissingText(report, info.id, "\",\""), out);
      Append("\"]", out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

std::string FormatScoreTable(const ScoreReport& report) {
  std::string table =
      fmt::format("{:<14} {:>8}  {:<11}  {}\n", "score", "value", "class/grade", "source");
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

}  // namespace livercell::formats
