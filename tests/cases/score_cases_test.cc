// The single driver for tests/cases/scores/*.tsv: published and hand-checked cases, each
// row with its citation, run through the whole path a patient takes (JSON → validated input →
// registry) — STYLE.md C10.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "case_table.h"
#include "livercell/base/status_code.h"
#include "livercell/formats/patient_json.h"
#include "livercell/domain/scores/registry.h"

namespace livercell {
namespace {

using testing::CaseRow;
using testing::ReadCaseTable;

std::vector<CaseRow> ValidCases() {
  std::vector<CaseRow> all;
  for (const char* score :
       {"child_pugh", "meld", "meld_na", "meld_3", "albi", "apri", "fib4", "mayo_pbc"}) {
    for (CaseRow& row : ReadCaseTable(std::string("scores/") + score + ".tsv")) {
      row.cells["score"] = score;
      all.push_back(std::move(row));
    }
  }
  return all;
}

const domain::ScoreInfo* FindScore(const std::string& key) {
  for (const domain::ScoreInfo& info : domain::AllScores()) {
    if (info.key == key) return &info;
  }
  return nullptr;
}

class ScoreCases : public ::testing::TestWithParam<CaseRow> {};

TEST_P(ScoreCases, MatchesPublishedValue) {
  const CaseRow& row = GetParam();
  simdjson::dom::parser parser;
  domain::ScoreInput input;
  const formats::PatientParse parsed = formats::ParsePatient(row["patient"], parser, &input);
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().ToString();
  const domain::ScoreInfo* info = FindScore(row["score"]);
  ASSERT_NE(info, nullptr);
  const domain::ScoreReport report = domain::ComputeScores(input);
  const auto& result = report.result(info->id);
  ASSERT_TRUE(result.has_value()) << "unavailable";
  const double expected = std::stod(row["expected"]);
  // specs/scores.md §1.4: |Δ| ≤ max(1e-6, 1e-9·|expected|); integer scores exactly.
  if (info->integer_value) {
    EXPECT_EQ(result->value, expected) << row["source"];
  } else {
    EXPECT_NEAR(result->value, expected, std::max(1e-6, 1e-9 * std::fabs(expected)))
        << row["source"];
  }
  EXPECT_EQ(result->category, row["category"]) << row["source"];
}

INSTANTIATE_TEST_SUITE_P(Published, ScoreCases, ::testing::ValuesIn(ValidCases()));

class InvalidPatientCases : public ::testing::TestWithParam<CaseRow> {};

TEST_P(InvalidPatientCases, FailsWithCodeAndPath) {
  const CaseRow& row = GetParam();
  simdjson::dom::parser parser;
  domain::ScoreInput input;
  const formats::PatientParse parsed = formats::ParsePatient(row["patient"], parser, &input);
  ASSERT_FALSE(parsed.errors.empty()) << row["why"];
  const base::Status& first = parsed.errors.front();
  EXPECT_EQ(first.path(), row["path"]) << first.ToString();
  EXPECT_EQ(base::InfoOf(first.code()).name, row["code"]) << first.ToString();
  EXPECT_FALSE(first.message().empty());
  if (!row["path"].empty()) {
    // The path appears in what the CLI prints (specs/cli.md).
    EXPECT_NE(first.ToString().find(row["path"]), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, InvalidPatientCases,
                         ::testing::ValuesIn(ReadCaseTable("scores/invalid.tsv")));

}  // namespace
}  // namespace livercell
