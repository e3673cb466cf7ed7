// Black-box tests of `livercell stats` bad input (issue #5): exit 2 and a clear message, never
// a crash or a NaN.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_process.h"

namespace livercell {
namespace {

using ::testing::HasSubstr;

const std::string kPbc = std::string(LIVERCELL_SOURCE_DIR) + "/data/cohorts/pbc.csv";

TEST(StatsCli, BadInputExitsTwoWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  testing::TempDir dir;
  testing::WriteFile(dir.File("text.csv"), "time,status\nabc,1\n5,0\n");
  testing::WriteFile(dir.File("na.csv"), "time,status\nNA,1\n,0\n");
  const Case cases[] = {
      {{"km", "--csv", kPbc, "--formula", "Surv(time status) ~ trt"}, "expected \",\""},
      {{"km", "--csv", kPbc, "--formula", "Surv(time, status == 2) ~ billi"},
       "unknown column \"billi\" (did you mean \"bili\"?)"},
      {{"km", "--csv", dir.File("text.csv"), "--formula", "Surv(time, status) ~ 1"},
       "must be numeric"},
      {{"km", "--csv", dir.File("na.csv"), "--formula", "Surv(time, status) ~ 1"}, "no rows left"},
      {{"km", "--csv", kPbc, "--formula", "Surv(time, status) ~ trt"}, "mixes 0 with 1/2"},
      {{"km", "--csv", kPbc, "--formula", "Surv(time, status > 0) ~ trt", "--conf-level", "1.5"},
       "strictly between 0 and 1"},
      {{"logrank", "--csv", kPbc, "--formula", "Surv(time, status == 2) ~ 1"},
       "needs a grouping column"},
      {{"km", "--csv", "/nonexistent.csv", "--formula", "Surv(time, status) ~ 1"},
       "/nonexistent.csv"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"stats"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto run = testing::RunLivercell(args);
    EXPECT_EQ(run.exit_code, 2) << c.message;
    EXPECT_EQ(run.out, "") << c.message;
    EXPECT_THAT(run.err, HasSubstr(c.message));
  }
}

TEST(StatsCli, CoxBadModelsExitTwoNamingTheTerm) {
  testing::TempDir dir;
  // x2 = 2·x1: collinear. sep: separates events perfectly (monotone likelihood).
  std::string csv = "time,status,x1,x2,sep,neg\n";
  for (int i = 1; i <= 40; ++i) {
    csv += std::to_string(i) + "," + std::to_string(i % 2) + "," + std::to_string(i % 7) + "," +
           std::to_string(2 * (i % 7)) + "," + std::to_string(i % 2) + "," +
           std::to_string(i - 20) + "\n";
  }
  testing::WriteFile(dir.File("bad.csv"), csv);
  struct Case {
    const char* formula;
    const char* message;
  };
  for (const Case& c : {Case{"Surv(time, status) ~ x1 + x2", "x2 is a linear combination"},
                        Case{"Surv(time, status) ~ sep", "did not converge"},
                        Case{"Surv(time, status) ~ log(neg)", "log() needs > 0"},
                        Case{"Surv(time, status) ~ 1", "at least one covariate"}}) {
    const auto run = testing::RunLivercell(
        {"stats", "cox", "--csv", dir.File("bad.csv"), "--formula", c.formula});
    EXPECT_EQ(run.exit_code, 2) << c.formula;
    EXPECT_EQ(run.out, "");
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.formula;
  }
}

TEST(StatsCli, JsonHasTheSpecShape) {
  const auto run = testing::RunLivercell({"stats", "km", "--csv", kPbc, "--formula",
                                          "Surv(time, status == 2) ~ trt", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["n"], 312);
  EXPECT_EQ(json["n_event"], 125);
  EXPECT_EQ(json["n_dropped"], 106);
  EXPECT_EQ(json["strata"][0]["name"], "trt=1");
  EXPECT_EQ(json["strata"][0]["median"], 3282);
  EXPECT_EQ(json["strata"][0]["median_lower"], 2583);
  EXPECT_TRUE(json["strata"][0]["median_upper"].is_null());
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("nan")));
}

}  // namespace
}  // namespace livercell
