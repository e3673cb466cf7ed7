// Black-box tests of `livercell assess` and `livercell protocol` (issue #7): the JSON contract
// of specs/assessment.md, bad input named by path, a clinic's protocol file used without a
// rebuild, and malformed protocols refused with the rule and field named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_process.h"

namespace livercell {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kExample = std::string(LIVERCELL_SOURCE_DIR) + "/data/examples/candidate.json";
const std::string kDefault = std::string(LIVERCELL_SOURCE_DIR) + "/data/protocols/default.toml";

TEST(AssessCli, JsonFollowsTheSpec) {
  const auto r = testing::RunLivercell({"assess", "--format", "json", kExample});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["decision"], "eligible_after_antiviral");
  EXPECT_EQ(out["stage"]["compensated"], true);
  EXPECT_EQ(out["stage"]["damico"], 2);
  for (const char* score : {"child_pugh", "meld_3", "albi"})
    EXPECT_TRUE(out["stage"].contains(score));
  ASSERT_EQ(out["rules"].size(), 15u);
  EXPECT_EQ(out["rules"][0]["id"], "EX-NOT-CIRRHOSIS");
  for (const json& rule : out["rules"]) {
    for (const char* key : {"id", "text", "effect", "result", "inputs", "missing", "source"})
      EXPECT_TRUE(rule.contains(key)) << key;
  }
  const json& hbv = out["rules"][13];
  EXPECT_EQ(hbv["id"], "AV-HBV");
  EXPECT_EQ(hbv["result"], "true");
  EXPECT_EQ(hbv["inputs"]["hbv.dna_detectable"], true);
  EXPECT_TRUE(out["missing"].empty());
  ASSERT_FALSE(out["recommendations"].empty());
  EXPECT_EQ(out["protocol"]["id"], "livercell-default");
  EXPECT_EQ(out["protocol"]["version"], "1.0.0");
  EXPECT_EQ(out["protocol"]["sha256"].get<std::string>().size(), 64u);
  // The protocol's own words on the treatment, beside the decision (issue #24).
  EXPECT_TRUE(out["protocol"]["treatment_status"].get<std::string>().starts_with(
      "Investigational."));
  // The built-in protocol is the shipped file, byte for byte.
  const auto check = testing::RunLivercell({"protocol", "check", "--format", "json", kDefault});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(json::parse(check.out)["sha256"], out["protocol"]["sha256"]);
}

TEST(AssessCli, TheTableReadsLikeANote) {
  const auto r = testing::RunLivercell({"assess", kExample});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Decision: ELIGIBLE AFTER ANTIVIRAL", 0), 0u) << r.out;
  EXPECT_THAT(r.out, HasSubstr("AV-HBV"));
  EXPECT_THAT(r.out, HasSubstr("source: EASL CPG hepatitis B"));
}

TEST(AssessCli, MissingInputsMakeItIncompleteWithAToDoList) {
  const auto r = testing::RunLivercell({"assess", "--format", "json", "-"},
                                       R"({"cirrhosis_confirmed": true, "age_years": 40})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["decision"], "incomplete");
  const auto missing = out["missing"].get<std::vector<std::string>>();
  EXPECT_THAT(missing, ::testing::Contains("ecog"));
  EXPECT_THAT(missing, ::testing::Contains("labs.bilirubin"));
  EXPECT_THAT(missing, ::testing::Contains("aetiology"));
}

TEST(AssessCli, BadInputIsNamedByPath) {
  struct Case {
    const char* input;
    const char* path;
  };
  const Case cases[] = {
      {R"({"history": {"varices": "huge"}})", "history.varices"},
      {R"({"ecog": 7})", "ecog"},
      {R"({"aetiology": ["hbv", "flu"]})", "aetiology[1]"},
      {R"({"labs": {"inr": {"value": -1, "unit": "1"}}})", "labs.inr.value"},
      {R"({"hbv": {"hbsag": "yes"}})", "hbv.hbsag"},
  };
  for (const Case& c : cases) {
    const auto r = testing::RunLivercell({"assess", "--format", "json", "-"}, c.input);
    EXPECT_EQ(r.exit_code, 2) << c.input;
    EXPECT_TRUE(r.out.empty()) << c.input;
    EXPECT_THAT(r.err, HasSubstr(std::string("\"path\":\"") + c.path + "\"")) << r.err;
  }
}

TEST(AssessCli, AClinicProtocolChangesTheDecisionAndABadOneIsRefused) {
  testing::TempDir dir;
  std::string text = testing::ReadFile(kDefault);
  text.replace(text.find("value = 75 }"), 12, "value = 50 }");
  text.replace(text.find("version = \"1.0.0\""), 17, "version = \"1.1.0\"");
  testing::WriteFile(dir.File("clinic.toml"), text);
  const auto r = testing::RunLivercell(
      {"assess", "--format", "json", "--protocol", dir.File("clinic.toml"), kExample});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["decision"], "not_eligible");  // 54 years old, the clinic's limit is 50
  EXPECT_EQ(out["protocol"]["version"], "1.1.0");

  text.replace(text.find("fact = \"ecog\""), 13, "fact = \"ecgo\"");
  testing::WriteFile(dir.File("bad.toml"), text);
  const auto bad = testing::RunLivercell({"protocol", "check", dir.File("bad.toml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("rules[7] (EX-ECOG).condition.fact"));
  EXPECT_THAT(bad.err, HasSubstr("did you mean \"ecog\""));
  const auto refused =
      testing::RunLivercell({"assess", "--protocol", dir.File("bad.toml"), kExample});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(refused.out.empty());
}

TEST(AssessCli, ProtocolShowAndFacts) {
  const auto show = testing::RunLivercell({"protocol", "show"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("when: age_years < 18 or age_years > 75"));
  const auto facts = testing::RunLivercell({"protocol", "facts", "--format", "json"});
  ASSERT_EQ(facts.exit_code, 0);
  EXPECT_GT(json::parse(facts.out).size(), 30u);
  // A protocol may come on standard input, like every other document ("-").
  const auto piped =
      testing::RunLivercell({"protocol", "check", "-"}, testing::ReadFile(kDefault));
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_THAT(piped.out, HasSubstr("livercell-default 1.0.0: valid"));
}

}  // namespace
}  // namespace livercell
