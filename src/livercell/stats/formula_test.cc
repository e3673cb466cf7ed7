#include "livercell/stats/formula.h"

#include <gtest/gtest.h>

#include "livercell/stats/survival_data.h"
#include "livercell/stats/table.h"

namespace livercell::stats {
namespace {

TEST(Formula, ParsesResponseEventOperatorsAndTerms) {
  const Formula f =
      ParseFormula("Surv(time, status == 2) ~ age + log(bili) + factor(edema) + strata(sex)")
          .value();
  EXPECT_EQ(f.stop, "time");
  EXPECT_TRUE(f.start.empty());
  EXPECT_EQ(f.event.column, "status");
  EXPECT_EQ(f.event.op, EventSpec::Op::kEquals);
  EXPECT_EQ(f.event.values, std::vector<std::string>{"2"});
  ASSERT_EQ(f.terms.size(), 4u);
  EXPECT_EQ(f.terms[1].kind, Term::Kind::kLog);
  EXPECT_EQ(f.terms[1].label, "log(bili)");
  EXPECT_EQ(f.terms[2].label, "factor(edema)");
  EXPECT_EQ(f.terms[3].kind, Term::Kind::kStrata);
  const Formula cp = ParseFormula("Surv(start, stop, event) ~ log(bili) + albumin").value();
  EXPECT_EQ(cp.start, "start");
  EXPECT_EQ(cp.stop, "stop");
  const Formula in = ParseFormula("Surv(t, s %in% c(1, 'x')) ~ 1").value();
  EXPECT_EQ(in.event.values, (std::vector<std::string>{"1", "x"}));
  EXPECT_TRUE(in.terms.empty());
}

TEST(Formula, ErrorsPointAtTheProblem) {
  for (const char* bad : {"Surv(time status) ~ trt", "time ~ trt", "Surv(time, status) trt",
                          "Surv(time, status) ~ sqrt(x)", "Surv(time, status) ~ trt +",
                          "Surv(time, status) ~ 1 + trt"}) {
    const auto f = ParseFormula(bad);
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.status().path(), "--formula");
    EXPECT_NE(f.status().message().find("^"), std::string_view::npos) << "a caret under the spot";
  }
}

TEST(SurvivalData, DropsMissingRowsAndSuggestsColumns) {
  const Table t = Table::FromRows({"time", "status", "bili"},
                                  {{"5", "1", "1.2"}, {"7", "", "3"}, {"9", "0", "NA"}})
                      .value();
  const SurvivalData d =
      BuildSurvivalData(t, ParseFormula("Surv(time, status) ~ 1").value()).value();
  EXPECT_EQ(d.time.size(), 2u);
  EXPECT_EQ(d.n_dropped, 1u);
  EXPECT_EQ(d.group_names, std::vector<std::string>{"all"});
  const auto unknown = BuildSurvivalData(t, ParseFormula("Surv(time, status) ~ billi").value());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown column \"billi\" (did you mean \"bili\"?)");
  const auto all_dropped = BuildSurvivalData(t, ParseFormula("Surv(time, status) ~ bili").value());
  EXPECT_TRUE(all_dropped.ok()) << "two rows have bili";
  const Table empty = Table::FromRows({"time", "status"}, {{"", "1"}, {"3", "NA"}}).value();
  EXPECT_FALSE(BuildSurvivalData(empty, ParseFormula("Surv(time, status) ~ 1").value()).ok());
  const Table bad = Table::FromRows({"time", "status"}, {{"1", "3"}}).value();
  EXPECT_NE(BuildSurvivalData(bad, ParseFormula("Surv(time, status) ~ 1").value())
                .status()
                .message()
                .find("needs 0/1"),
            std::string_view::npos);
}

}  // namespace
}  // namespace livercell::stats
