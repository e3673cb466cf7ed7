// Black-box tests of `livercell score` and the CLI conventions (specs/cli.md): the built
// binary is run as a user runs it, and its exit status, stdout and stderr are checked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "run_process.h"

namespace livercell {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::RunLivercell;
using ::testing::StartsWith;
using testing::TempDir;
using testing::WriteFile;

const std::string kFullPatient = R"({"sex":"female","age_years":54,"ascites":"mild",
  "encephalopathy":"none","edema":"none","dialysis_twice_past_week":false,
  "labs":{"bilirubin":{"value":2.1,"unit":"mg/dL"},"albumin":{"value":31,"unit":"g/L"},
  "inr":{"value":1.6,"unit":"1"},"creatinine":{"value":106.08,"unit":"umol/L"},
  "sodium":{"value":131,"unit":"mmol/L"},"ast":{"value":80,"unit":"U/L"},
  "alt":{"value":50,"unit":"U/L"},"ast_uln":{"value":40,"unit":"U/L"},
  "platelets":{"value":95,"unit":"10*9/L"},"prothrombin_time":{"value":14.1,"unit":"s"}}})";

std::string Example(const std::string& name) {
  return std::string(LIVERCELL_SOURCE_DIR) + "/data/examples/" + name;
}

TEST(ScoreCli, JsonHasEveryScoreForACompletePatient) {
  const auto run = RunLivercell({"score", "--format", "json", "-"}, kFullPatient);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["child_pugh"]["points"], 8);
  EXPECT_EQ(json["child_pugh"]["class"], "B");
  EXPECT_EQ(json["meld"]["score"], 16);
  EXPECT_EQ(json["meld_na"]["score"], 21);
  EXPECT_EQ(json["meld_3"]["score"], 21);
  EXPECT_EQ(json["albi"]["grade"], 2);
  EXPECT_TRUE(json["apri"]["score"].is_number_float());
  EXPECT_TRUE(json["meld"]["score"].is_number_integer());
  EXPECT_FALSE(json.contains("unavailable"));
  for (const auto& [key, value] : json.items()) EXPECT_TRUE(value.contains("source")) << key;
}

TEST(ScoreCli, MissingInputsAreListedNotGuessed) {
  const auto run = RunLivercell(
      {"score", "--format", "json", "-"},
      R"({"labs":{"bilirubin":{"value":2,"unit":"mg/dL"},"inr":{"value":1.2,"unit":"1"},
          "creatinine":{"value":1,"unit":"mg/dL"}}})");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_TRUE(json.contains("meld"));
  EXPECT_FALSE(json.contains("meld_na"));
  EXPECT_EQ(json["unavailable"]["meld_na"], nlohmann::json({"sodium"}));
  EXPECT_EQ(json["unavailable"]["meld_3"], nlohmann::json({"sodium", "albumin", "sex"}));
  EXPECT_EQ(json["unavailable"]["fib4"], nlohmann::json({"age_years", "ast", "alt", "platelets"}));
}

TEST(ScoreCli, TableShowsScoreValueClassAndSource) {
  const auto run = RunLivercell({"score", "-"}, kFullPatient);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("class/grade"));
  EXPECT_THAT(run.out, HasSubstr("Child-Pugh"));
  EXPECT_THAT(run.out, HasSubstr("class B"));
  EXPECT_THAT(run.out, HasSubstr("Pugh 1973"));
  EXPECT_THAT(run.out, HasSubstr("grade 2"));
}

TEST(ScoreCli, CsvHasOneRowPerScore) {
  const auto run = RunLivercell({"score", "--format", "csv", "-"}, R"({"age_years": 40})");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith("score,value,category,source,missing\n"));
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 9);
}

TEST(ScoreCli, InvalidInputExitsTwoWithPathAndNothingOnStdout) {
  const auto run = RunLivercell(
      {"score", "-"},
      R"({"labs":{"bilirubin":{"value":-1,"unit":"mg/dL"},"inr":{"value":1,"unit":"mg/L"}}})");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("error: labs.bilirubin.value: -1 mg/dL is outside the plausible "
                                 "range 0.1–100 mg/dL\n"));
  EXPECT_THAT(run.err, HasSubstr("error: labs.inr.unit: \"mg/L\" is not a known unit for inr"));
}

TEST(ScoreCli, JsonErrorsAreOneObjectPerLine) {
  const auto run = RunLivercell({"score", "--format", "json", "-"},
                                R"({"labs":{"bilirubin":{"value":-1,"unit":"mg/dL"}}})");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  const auto error = nlohmann::json::parse(run.err);
  EXPECT_EQ(error["error"], "out_of_range");
  EXPECT_EQ(error["path"], "labs.bilirubin.value");
  EXPECT_EQ(error["value"], -1);
  EXPECT_EQ(error["allowed"], "0.1–100 mg/dL");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("plausible range"));
}

TEST(ScoreCli, HostileInputNeverCrashesNorPrintsAScore) {
  const std::string deep_array = std::string(100000, '[') + std::string(100000, ']');
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += "{\"labs\":";
    s += "1";
    for (int i = 0; i < 5000; ++i) s += "}";
    return s;
  }();
  const std::string huge = "{\"x\":\"" + std::string(3 << 20, 'a') + "\"}";
  const std::string binary("\x00\xff\xfe{\x01", 5);
  const std::string bad_utf8 = "{\"sex\":\"\xc3\x28\"}";
  for (const std::string& input :
       {deep_array, deep_object, huge, binary, bad_utf8, std::string("NaN"), std::string(""),
        std::string("{\"age_years\": 1e400}"),
        std::string("{\"labs\": {\"inr\": {\"value\": "
                    "-0.0, \"unit\": \"1\"}}}")}) {
    const auto run = RunLivercell({"score", "--format", "json", "-"}, input);
    EXPECT_EQ(run.exit_code, 2) << input.substr(0, 60);
    EXPECT_EQ(run.out, "") << input.substr(0, 60);
    EXPECT_FALSE(run.err.empty());
  }
}

TEST(ScoreCli, MissingFileIsBadInput) {
  const auto run = RunLivercell({"score", "/nonexistent/patient.json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("/nonexistent/patient.json"));
}

TEST(ScoreCli, UsageErrorsExitTwo) {
  EXPECT_EQ(RunLivercell({"score"}).exit_code, 2);
  EXPECT_EQ(RunLivercell({"score", "--format", "xml", "-"}, "{}").exit_code, 2);
  EXPECT_EQ(RunLivercell({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(RunLivercell({}).exit_code, 2);
}

TEST(ScoreCli, VersionAndHelp) {
  const auto version = RunLivercell({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, ::testing::MatchesRegex("livercell [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  const auto help = RunLivercell({"score", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--format", "--batch", "--out", "--quiet", "Example"}) {
    EXPECT_THAT(help.out, HasSubstr(option));
  }
  EXPECT_THAT(help.out, HasSubstr("table")) << "the default is shown";
}

TEST(ScoreCli, OutWritesFileAtomicallyAndNotOnError) {
  TempDir dir;
  const std::string out = dir.File("scores.json");
  ASSERT_EQ(RunLivercell({"score", "--format", "json", "--out", out, "-"}, kFullPatient).exit_code,
            0);
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(out)).contains("meld"));
  const std::string bad_out = dir.File("bad.json");
  EXPECT_EQ(RunLivercell({"score", "--out", bad_out, "-"}, "{oops").exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(bad_out));
}

TEST(ScoreCli, ExamplesShippedInDataScore) {
  for (const char* name : {"compensated.json", "decompensated.json", "pbc.json"}) {
    const auto run = RunLivercell({"score", "--format", "json", Example(name)});
    EXPECT_EQ(run.exit_code, 0) << name << ": " << run.err;
    EXPECT_TRUE(nlohmann::json::parse(run.out).contains("albi")) << name;
  }
}

// --- --batch --------------------------------------------------------------------------------

TEST(ScoreBatch, OneResultPerLineAndErrorsCarryTheirLine) {
  const std::string input = R"({"labs":{"inr":{"value":1.2,"unit":"1"}}})"
                            "\n"
                            R"({"labs":{"inr":{"value":99,"unit":"1"}}})"
                            "\n"
                            "\n"
                            "{not json\n"
                            R"({"age_years":50})";  // last line without newline
  const auto run = RunLivercell({"score", "--batch", "-"}, input);
  EXPECT_EQ(run.exit_code, 2) << "some lines failed";
  std::istringstream lines(run.out);
  std::vector<nlohmann::json> results;
  for (std::string line; std::getline(lines, line);) results.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(results.size(), 4u) << "blank line skipped";
  EXPECT_TRUE(results[0].contains("unavailable"));
  EXPECT_EQ(results[1]["line"], 2);
  EXPECT_EQ(results[1]["error"]["path"], "labs.inr.value");
  EXPECT_EQ(results[1]["error"]["error"], "out_of_range");
  EXPECT_EQ(results[2]["line"], 4);
  EXPECT_THAT(results[2]["error"]["message"].get<std::string>(), HasSubstr("malformed JSON"));
  EXPECT_FALSE(results[3].contains("line"));
  EXPECT_THAT(run.err, HasSubstr("2 of 4 lines failed"));
}

TEST(ScoreBatch, AllGoodExitsZero) {
  std::string input;
  const std::string one = R"({"sex":"male","labs":{"bilirubin":{"value":1.5,"unit":"mg/dL"}}})";
  for (int i = 0; i < 5000; ++i) input += one + "\r\n";
  const auto run = RunLivercell({"score", "--batch", "-"}, input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 5000);
  EXPECT_EQ(run.err, "") << "no progress bar when stderr is not a terminal";
}

TEST(ScoreBatch, OverlongLineIsReportedAndTheRunGoesOn) {
  const std::string input = "{\"x\":\"" + std::string(2 << 20, 'a') + "\"}\n{\"age_years\":3}\n";
  const auto run = RunLivercell({"score", "--batch", "-"}, input);
  EXPECT_EQ(run.exit_code, 2);
  std::istringstream lines(run.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(nlohmann::json::parse(first)["line"], 1);
  EXPECT_TRUE(nlohmann::json::parse(second).contains("unavailable"));
}

TEST(ScoreBatch, RejectsTableFormat) {
  const auto run = RunLivercell({"score", "--batch", "--format", "table", "-"}, "{}\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
}

// --- the error table (STYLE.md C3) ------------------------------------------------------------

TEST(ErrorsCommand, DocsErrorsMdIsGeneratedFromTheTable) {
  const auto run = RunLivercell({"errors", "--format", "markdown"});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, ReadFile(std::string(LIVERCELL_SOURCE_DIR) + "/docs/errors.md"))
      << "regenerate with `make docs`";
  const auto json = nlohmann::json::parse(RunLivercell({"errors", "--format", "json"}).out);
  EXPECT_GE(json.size(), 10u);
}

}  // namespace
}  // namespace livercell
