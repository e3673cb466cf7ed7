#include "livercell/domain/labs/lab_value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "livercell/domain/labs/analyte.h"

namespace livercell::domain {
namespace {

TEST(LabValue, KeepsReceivedUnitAndComputesCanonical) {
  // Source: DESIGN.md §3 / specs/scores.md §1.2: bilirubin 1 mg/dL = 17.1 µmol/L.
  const auto bili = LabValue::Create(Analyte::kBilirubin, 34.2, "umol/L");
  ASSERT_TRUE(bili.ok());
  EXPECT_EQ(bili->received().unit, Unit::kMicromolePerLitre);
  EXPECT_EQ(bili->received().value, 34.2);
  EXPECT_DOUBLE_EQ(bili->canonical(), 2.0);
  EXPECT_EQ(bili->In(Unit::kMicromolePerLitre), 34.2) << "SI value returned untouched";
  EXPECT_DOUBLE_EQ(bili->In(Unit::kMilligramPerDecilitre), 2.0);
}

TEST(LabValue, ConvertsEveryAcceptedUnit) {
  struct Case {
    Analyte analyte;
    double value;
    const char* unit;
    double canonical;
  };
  // Factors: creatinine 88.4 µmol/L per mg/dL; albumin 10 g/L per g/dL (specs/scores.md §1.2).
  const Case cases[] = {
      {Analyte::kBilirubin, 2.5, "mg/dL", 2.5},
      {Analyte::kBilirubin, 17.1, "umol/L", 1.0},
      {Analyte::kCreatinine, 1.1, "mg/dL", 1.1},
      {Analyte::kCreatinine, 176.8, "umol/L", 2.0},
      {Analyte::kAlbumin, 3.2, "g/dL", 3.2},
      {Analyte::kAlbumin, 32, "g/L", 3.2},
      {Analyte::kInr, 1.4, "1", 1.4},
      {Analyte::kSodium, 131, "mmol/L", 131},
      {Analyte::kAst, 45, "U/L", 45},
      {Analyte::kAlt, 30, "U/L", 30},
      {Analyte::kAstUln, 40, "U/L", 40},
      {Analyte::kPlatelets, 95, "10*9/L", 95},
      {Analyte::kProthrombinTime, 12.1, "s", 12.1},
  };
  for (const Case& c : cases) {
    const auto lab = LabValue::Create(c.analyte, c.value, c.unit);
    ASSERT_TRUE(lab.ok()) << lab.status().ToString();
    EXPECT_NEAR(lab->canonical(), c.canonical, 1e-12) << InfoOf(c.analyte).key << " " << c.unit;
  }
}

TEST(LabValue, PlausibleRangeIsInclusiveInEveryUnit) {
  for (const AnalyteInfo& info : AllAnalytes()) {
    for (const AcceptedUnit& unit : info.units()) {
      const std::string code(UcumCode(unit.unit));
      // The bounds as a laboratory would quote them in that unit (1.71 µmol/L, 8.84 µmol/L).
      const double low = std::round(info.plausible_min * unit.factor * 1000) / 1000;
      const double high = std::round(info.plausible_max * unit.factor * 1000) / 1000;
      EXPECT_TRUE(LabValue::Create(info.analyte, low, code).ok()) << info.key << " " << low;
      EXPECT_TRUE(LabValue::Create(info.analyte, high, code).ok()) << info.key << " " << high;
      const auto below = LabValue::Create(info.analyte, low * 0.99, code);
      ASSERT_FALSE(below.ok()) << info.key;
      EXPECT_EQ(below.status().code(), base::StatusCode::kOutOfRange);
      EXPECT_EQ(below.status().path(), "value");
      EXPECT_FALSE(LabValue::Create(info.analyte, high * 1.01, code).ok()) << info.key;
      EXPECT_FALSE(LabValue::Create(info.analyte, 0, code).ok()) << info.key;
      EXPECT_FALSE(LabValue::Create(info.analyte, -1, code).ok()) << info.key;
    }
  }
}

TEST(LabValue, RejectsNonFinite) {
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    const auto lab = LabValue::Create(Analyte::kInr, bad, "1");
    ASSERT_FALSE(lab.ok());
    EXPECT_EQ(lab.status().path(), "value");
    EXPECT_NE(lab.status().message().find("finite"), std::string_view::npos);
  }
}

TEST(LabValue, UnknownUnitNamesFieldValueAndAllowed) {
  const auto lab = LabValue::Create(Analyte::kBilirubin, 1.2, "furlongs");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(lab.status().path(), "unit");
  EXPECT_EQ(std::get<std::string>(lab.status().value()), "furlongs");
  EXPECT_EQ(lab.status().allowed(), "mg/dL or umol/L");
  EXPECT_EQ(lab.status().message(),
            "\"furlongs\" is not a known unit for bilirubin (use mg/dL or umol/L)");
}

TEST(LabValue, UnitMixUpIsOutOfRangeWithBothUnitsShown) {
  const auto lab = LabValue::Create(Analyte::kAlbumin, 3.5, "g/L");
  ASSERT_FALSE(lab.ok());
  EXPECT_EQ(lab.status().message(),
            "3.5 g/L (= 0.35 g/dL) is outside the plausible range 0.5–7 g/dL");
}

TEST(AnalyteCatalogue, LooksUpByKeyAndLoinc) {
  EXPECT_EQ(AnalyteFromKey("ast_uln"), Analyte::kAstUln);
  EXPECT_EQ(AnalyteFromKey("bili"), std::nullopt);
  // LOINC 1975-2 (mass) and 14631-6 (molar) are both total bilirubin.
  EXPECT_EQ(AnalyteFromLoinc("1975-2"), Analyte::kBilirubin);
  EXPECT_EQ(AnalyteFromLoinc("14631-6"), Analyte::kBilirubin);
  EXPECT_EQ(AnalyteFromLoinc("2160-0"), Analyte::kCreatinine);
  EXPECT_EQ(AnalyteFromLoinc(""), std::nullopt);
  for (const AnalyteInfo& info : AllAnalytes()) {
    EXPECT_EQ(&InfoOf(info.analyte), &info);
    EXPECT_EQ(info.units().front().unit, info.canonical) << "canonical unit first";
    EXPECT_EQ(info.units().front().factor, 1.0);
  }
}

TEST(Units, UcumCodesRoundTripAndAreCaseSensitive) {
  for (Unit unit : {Unit::kMilligramPerDecilitre, Unit::kMicromolePerLitre, Unit::kBillionPerLitre,
                    Unit::kUnity, Unit::kSecond}) {
    EXPECT_EQ(UnitFromUcum(UcumCode(unit)), unit);
  }
  EXPECT_EQ(UnitFromUcum("MG/DL"), std::nullopt);
  EXPECT_EQ(UnitFromUcum("10*6/L"), std::nullopt);
}

}  // namespace
}  // namespace livercell::domain
