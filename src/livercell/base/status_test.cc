#include "livercell/base/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "livercell/base/result.h"
#include "livercell/base/status_code.h"

namespace livercell::base {
namespace {

TEST(StatusCodeTable, EveryCodeHasExactlyOneRowAndUniqueName) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kStatusCodes.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kStatusCodes[i].code), i) << "rows follow enum order";
    EXPECT_TRUE(names.insert(kStatusCodes[i].name).second) << kStatusCodes[i].name;
    EXPECT_FALSE(kStatusCodes[i].description.empty());
  }
  EXPECT_EQ(kStatusCodes.back().code, StatusCode::kInternal) << "a new code needs a row";
}

TEST(StatusCodeTable, ExitStatusesFollowCliSpec) {
  // specs/cli.md: 0 success, 1 internal failure, 2 bad input, 3 verification failed.
  EXPECT_EQ(InfoOf(StatusCode::kOk).exit_code, 0);
  EXPECT_EQ(InfoOf(StatusCode::kInvalidArgument).exit_code, 2);
  EXPECT_EQ(InfoOf(StatusCode::kOutOfRange).exit_code, 2);
  EXPECT_EQ(InfoOf(StatusCode::kInternal).exit_code, 1);
  EXPECT_EQ(InfoOf(StatusCode::kUnavailable).exit_code, 1);
  EXPECT_EQ(InfoOf(StatusCode::kDataLoss).exit_code, 3);
  for (const StatusCodeInfo& info : kStatusCodes) {
    EXPECT_GE(info.exit_code, 0);
    EXPECT_LE(info.exit_code, 3);
    EXPECT_GE(info.http_status, 200);
    EXPECT_LT(info.http_status, 600);
  }
}

TEST(StatusCodeTable, LooksUpByName) {
  EXPECT_EQ(StatusCodeFromName("out_of_range"), StatusCode::kOutOfRange);
  EXPECT_EQ(StatusCodeFromName("no_such_code"), std::nullopt);
}

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(Status, CarriesStructuredDetail) {
  Status status = OutOfRangeError("-1 mg/dL is outside the plausible range 0.1–100 mg/dL");
  status.SetPath("value").SetValue(-1.0).SetAllowed("0.1–100 mg/dL").SetSource("spec");
  status.PrefixPath("labs.bilirubin");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.path(), "labs.bilirubin.value");
  EXPECT_EQ(std::get<double>(status.value()), -1.0);
  EXPECT_EQ(status.allowed(), "0.1–100 mg/dL");
  EXPECT_EQ(status.source(), "spec");
  EXPECT_EQ(status.ToString(),
            "labs.bilirubin.value: -1 mg/dL is outside the plausible range 0.1–100 mg/dL");
}

TEST(Status, PrefixJoinsArrayIndexWithoutDot) {
  Status status = InvalidArgumentError("bad");
  status.SetPath("[2].unit").PrefixPath("labs");
  EXPECT_EQ(status.path(), "labs[2].unit");
  Status bare = InvalidArgumentError("bad");
  bare.PrefixPath("labs.inr");
  EXPECT_EQ(bare.path(), "labs.inr");
}

TEST(Status, CopiesAreIndependent) {
  Status a = InvalidArgumentError("a");
  Status b = a;
  b.SetPath("x");
  EXPECT_EQ(a.path(), "");
  EXPECT_EQ(b.path(), "x");
  EXPECT_EQ(b.message(), "a");
}

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgumentError("odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  LC_ASSIGN_OR_RETURN(int half, Half(n));
  LC_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  LC_RETURN_IF_ERROR(Half(n).status());
  return OkStatus();
}

TEST(Result, PropagatesThroughMacros) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), StatusCode::kInvalidArgument);
}

TEST(ResultDeathTest, ValueOfFailedResultAborts) {
  Result<int> failed = InvalidArgumentError("nope");
  EXPECT_DEATH((void)failed.value(), "value\\(\\) of a failed Result: nope");
}

}  // namespace
}  // namespace livercell::base
