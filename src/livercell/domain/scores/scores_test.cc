// Unit and property tests of the score formulas. Worked examples from the publications live in
// tests/cases/scores/*.tsv; here: rounding and bound rules, the registry's availability
// logic, and monotonicity wherever the formula is monotone.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "livercell/domain/scores/albi.h"
#include "livercell/domain/scores/child_pugh.h"
#include "livercell/domain/scores/fibrosis.h"
#include "livercell/domain/scores/mayo_pbc.h"
#include "livercell/domain/scores/meld.h"
#include "livercell/domain/scores/registry.h"

namespace livercell::domain {
namespace {

TEST(Meld, RoundsToTenthsHalfUp) {
  // x = 0.957 ln(Cr) + 0.643 with bili = INR = 1. Cr = e^((0.65 - 0.643)/0.957) puts x just
  // above 0.65, which rounds to 0.7 → 7; a hair below rounds to 0.6 → 6.
  const double cr_at_065 = std::exp((0.65 - 0.643) / 0.957);
  EXPECT_EQ(ComputeMeldInitial(1.0, 1.0, cr_at_065 * 1.000001, false), 7);
  EXPECT_EQ(ComputeMeldInitial(1.0, 1.0, cr_at_065 * 0.999999, false), 6);
}

TEST(Meld, BoundsBelowOneAndCreatinineAboveFour) {
  EXPECT_EQ(ComputeMeld(0.2, 0.6, 0.3, false), ComputeMeld(1.0, 1.0, 1.0, false));
  EXPECT_EQ(ComputeMeld(1.0, 1.0, 1.0, false), 6);
  EXPECT_EQ(ComputeMeld(2.0, 1.5, 9.0, false), ComputeMeld(2.0, 1.5, 4.0, false));
  EXPECT_EQ(ComputeMeld(2.0, 1.5, 0.8, true), ComputeMeld(2.0, 1.5, 4.0, false));
}

TEST(Meld, CappedAtFortyButInitialIsNot) {
  EXPECT_GT(ComputeMeldInitial(40, 8, 4, false), 40);
  EXPECT_EQ(ComputeMeld(40, 8, 4, false), 40);
}

TEST(MeldNa, SodiumTermOnlyAboveEleven) {
  // MELD(i) = 11 exactly (bili 1.6, INR 1.1, Cr 1.2): any sodium leaves it at 11.
  ASSERT_EQ(ComputeMeldInitial(1.6, 1.1, 1.2, false), 11);
  EXPECT_EQ(ComputeMeldNa(1.6, 1.1, 1.2, false, 125), 11);
  // MELD(i) = 12: the sodium term applies.
  ASSERT_EQ(ComputeMeldInitial(2.0, 1.1, 1.2, false), 12);
  EXPECT_GT(ComputeMeldNa(2.0, 1.1, 1.2, false, 125), 12);
}

TEST(MeldNa, SodiumBoundedTo125And137) {
  EXPECT_EQ(ComputeMeldNa(4.2, 1.2, 1.9, false, 100), ComputeMeldNa(4.2, 1.2, 1.9, false, 125));
  EXPECT_EQ(ComputeMeldNa(4.2, 1.2, 1.9, false, 180), ComputeMeldNa(4.2, 1.2, 1.9, false, 137));
  EXPECT_EQ(ComputeMeldNa(4.2, 1.2, 1.9, false, 137), 20);
}

TEST(Meld3, BoundsOfEveryInput) {
  const int base = ComputeMeld3(2.0, 1.5, 1.5, false, 130, 2.5, false);
  EXPECT_EQ(ComputeMeld3(2.0, 1.5, 1.5, false, 110, 2.5, false),
            ComputeMeld3(2.0, 1.5, 1.5, false, 125, 2.5, false));
  EXPECT_EQ(ComputeMeld3(2.0, 1.5, 5.0, false, 130, 2.5, false),
            ComputeMeld3(2.0, 1.5, 3.0, false, 130, 2.5, false));
  EXPECT_EQ(ComputeMeld3(2.0, 1.5, 0.5, true, 130, 2.5, false),
            ComputeMeld3(2.0, 1.5, 3.0, false, 130, 2.5, false));
  EXPECT_EQ(ComputeMeld3(2.0, 1.5, 1.5, false, 130, 1.0, false),
            ComputeMeld3(2.0, 1.5, 1.5, false, 130, 1.5, false));
  EXPECT_EQ(ComputeMeld3(2.0, 1.5, 1.5, false, 130, 5.0, false),
            ComputeMeld3(2.0, 1.5, 1.5, false, 130, 3.5, false));
  EXPECT_GE(ComputeMeld3(2.0, 1.5, 1.5, false, 130, 2.5, true), base + 1);
  EXPECT_EQ(ComputeMeld3(0.3, 0.7, 0.4, false, 150, 4.5, false), 6);
  EXPECT_EQ(ComputeMeld3(60, 9, 8, false, 110, 1.0, true), 40);
}

TEST(ChildPugh, ClassBoundaries) {
  EXPECT_EQ(ComputeChildPugh(1, 4, 1, Ascites::kNone, Encephalopathy::kNone).points, 5);
  EXPECT_EQ(ComputeChildPugh(2.5, 4, 1, Ascites::kNone, Encephalopathy::kNone).points, 6);
  EXPECT_EQ(ComputeChildPugh(2.5, 4, 1, Ascites::kNone, Encephalopathy::kNone).child_class, 'A');
  EXPECT_EQ(ComputeChildPugh(2.5, 4, 1, Ascites::kMild, Encephalopathy::kNone).points, 7);
  EXPECT_EQ(ComputeChildPugh(2.5, 4, 1, Ascites::kMild, Encephalopathy::kNone).child_class, 'B');
  EXPECT_EQ(ComputeChildPugh(2.5, 3, 2, Ascites::kMild, Encephalopathy::kNone).points, 9);
  EXPECT_EQ(ComputeChildPugh(2.5, 3, 2, Ascites::kMild, Encephalopathy::kGrade1To2).points, 10);
  EXPECT_EQ(ComputeChildPugh(2.5, 3, 2, Ascites::kMild, Encephalopathy::kGrade1To2).child_class,
            'C');
  const ChildPugh worst =
      ComputeChildPugh(5, 2, 3, Ascites::kModerateSevere, Encephalopathy::kGrade3To4);
  EXPECT_EQ(worst.points, 15);
  EXPECT_EQ(worst.child_class, 'C');
}

TEST(Albi, GradeCutPointsBelongToTheLowerGrade) {
  // Johnson 2015: grade 1 ≤ −2.60 < grade 2 ≤ −1.39 < grade 3.
  EXPECT_EQ(AlbiGrade(-2.60), 1);
  EXPECT_EQ(AlbiGrade(std::nextafter(-2.60, 0.0)), 2);
  EXPECT_EQ(AlbiGrade(-1.39), 2);
  EXPECT_EQ(AlbiGrade(std::nextafter(-1.39, 0.0)), 3);
}

TEST(Fibrosis, FormulasAsPublished) {
  EXPECT_DOUBLE_EQ(ComputeApri(80, 40, 100), 2.0);
  EXPECT_DOUBLE_EQ(ComputeFib4(50, 60, 49, 150), 50.0 * 60.0 / (150.0 * 7.0));
}

TEST(MayoPbc, EdemaCoding) {
  EXPECT_EQ(MayoEdemaValue(Edema::kNone), 0.0);
  EXPECT_EQ(MayoEdemaValue(Edema::kUntreatedOrResolved), 0.5);
  EXPECT_EQ(MayoEdemaValue(Edema::kDespiteDiuretics), 1.0);
  EXPECT_NEAR(ComputeMayoPbc(1, 3.5, 50, 10, Edema::kDespiteDiuretics) -
                  ComputeMayoPbc(1, 3.5, 50, 10, Edema::kNone),
              0.859, 1e-12);
}

// --- Registry -------------------------------------------------------------------------------

ScoreInput Lab(ScoreInput in, Analyte analyte, double value, const char* unit) {
  in.labs[static_cast<std::size_t>(analyte)] = LabValue::Create(analyte, value, unit).value();
  return in;
}

TEST(Registry, EmptyInputMakesEveryScoreUnavailableNamingItsNeeds) {
  const ScoreReport report = ComputeScores(ScoreInput{});
  for (const ScoreInfo& info : AllScores()) {
    EXPECT_FALSE(report.result(info.id).has_value()) << info.key;
    EXPECT_EQ(report.MissingInputs(info.id).size(), info.needs.size()) << info.key;
  }
  EXPECT_TRUE(report.AnyUnavailable());
}

TEST(Registry, Meld3NeedsSexOnlyForAdults) {
  ScoreInput in;
  in = Lab(in, Analyte::kBilirubin, 2, "mg/dL");
  in = Lab(in, Analyte::kInr, 1.5, "1");
  in = Lab(in, Analyte::kCreatinine, 1.2, "mg/dL");
  in = Lab(in, Analyte::kSodium, 130, "mmol/L");
  in = Lab(in, Analyte::kAlbumin, 3, "g/dL");
  ScoreReport report = ComputeScores(in);
  ASSERT_EQ(report.MissingInputs(ScoreId::kMeld3), std::vector<ScoreInputId>{ScoreInputId::kSex});
  EXPECT_EQ(InputName(ScoreInputId::kSex), "sex");
  in.age_years = 14;
  report = ComputeScores(in);
  ASSERT_TRUE(report.result(ScoreId::kMeld3).has_value());
  in.sex = Sex::kFemale;
  EXPECT_EQ(ComputeScores(in).result(ScoreId::kMeld3)->value,
            report.result(ScoreId::kMeld3)->value);
  EXPECT_TRUE(report.result(ScoreId::kMeld).has_value());
  EXPECT_TRUE(report.result(ScoreId::kAlbi).has_value());
  EXPECT_FALSE(report.result(ScoreId::kChildPugh).has_value());
  EXPECT_EQ(report.MissingInputs(ScoreId::kChildPugh),
            (std::vector<ScoreInputId>{ScoreInputId::kAscites, ScoreInputId::kEncephalopathy}));
}

// --- Properties -----------------------------------------------------------------------------
// Monotonicity over random patients from a fixed seed (STYLE.md C11): MELD, MELD-Na, MELD 3.0
// and Child-Pugh never fall when bilirubin, INR or creatinine rise (with sodium and albumin
// fixed) or when sodium falls (MELD-Na) or albumin falls (MELD 3.0, below Cr 2.75); ALBI rises with
// bilirubin and falls with albumin; APRI and FIB-4 rise with AST and fall with platelets; Mayo
// rises with bilirubin, age and PT.

struct Patient {
  double bili, inr, cr, na, alb, ast, alt, plt, age, pt;
};

Patient RandomPatient(std::mt19937_64& rng) {
  auto log_uniform = [&rng](double lo, double hi) {
    std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
    return std::exp(u(rng));
  };
  return {log_uniform(0.1, 100),
          log_uniform(0.5, 15),
          log_uniform(0.1, 25),
          std::uniform_real_distribution<double>(100, 180)(rng),
          log_uniform(0.5, 7),
          log_uniform(1, 20000),
          log_uniform(1, 20000),
          log_uniform(1, 2000),
          std::uniform_real_distribution<double>(0, 120)(rng),
          log_uniform(5, 200)};
}

constexpr int kPropertyTrials = 20000;

TEST(ScoreProperties, MeldFamilyNeverFallsWhenLabsWorsen) {
  std::mt19937_64 rng(20261123);
  for (int i = 0; i < kPropertyTrials; ++i) {
    const Patient p = RandomPatient(rng);
    const double up = std::uniform_real_distribution<double>(1.0, 3.0)(rng);
    const double down = 1 / up;
    for (bool dialysis : {false, true}) {
      EXPECT_LE(ComputeMeld(p.bili, p.inr, p.cr, dialysis),
                ComputeMeld(p.bili * up, p.inr, p.cr, dialysis));
      EXPECT_LE(ComputeMeld(p.bili, p.inr, p.cr, dialysis),
                ComputeMeld(p.bili, p.inr * up, p.cr, dialysis));
      EXPECT_LE(ComputeMeld(p.bili, p.inr, p.cr, dialysis),
                ComputeMeld(p.bili, p.inr, p.cr * up, dialysis));
      EXPECT_LE(ComputeMeldNa(p.bili, p.inr, p.cr, dialysis, p.na),
                ComputeMeldNa(p.bili * up, p.inr, p.cr, dialysis, p.na));
      EXPECT_LE(ComputeMeldNa(p.bili, p.inr, p.cr, dialysis, p.na),
                ComputeMeldNa(p.bili, p.inr, p.cr, dialysis, p.na - 5 * up));
      EXPECT_LE(ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, false),
                ComputeMeld3(p.bili * up, p.inr, p.cr, dialysis, p.na, p.alb, false));
      EXPECT_LE(ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, false),
                ComputeMeld3(p.bili, p.inr * up, p.cr, dialysis, p.na, p.alb, false));
      EXPECT_LE(ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, false),
                ComputeMeld3(p.bili, p.inr, p.cr * up, dialysis, p.na, p.alb, false));
      // Falling albumin raises MELD 3.0 only while 1.85 − 1.83·ln(Cr) > 0, i.e. Cr < 2.75:
      // the interaction term of Kim 2021 reverses it near the 3.0 cap.
      if (!dialysis && p.cr < 2.7) {
        EXPECT_LE(ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, false),
                  ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb * down, false));
      }
      EXPECT_LE(ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, false),
                ComputeMeld3(p.bili, p.inr, p.cr, dialysis, p.na, p.alb, true));
    }
    if (::testing::Test::HasFailure()) break;  // one counter-example is enough to read
  }
}

TEST(ScoreProperties, OtherScoresMoveWithTheirInputs) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < kPropertyTrials; ++i) {
    const Patient p = RandomPatient(rng);
    const double up = std::uniform_real_distribution<double>(1.0, 3.0)(rng);
    EXPECT_LE(
        ComputeChildPugh(p.bili, p.alb, p.inr, Ascites::kNone, Encephalopathy::kNone).points,
        ComputeChildPugh(p.bili * up, p.alb / up, p.inr * up, Ascites::kMild, Encephalopathy::kNone)
            .points);
    EXPECT_LE(ComputeAlbi(p.bili * 17.1, p.alb * 10).score,
              ComputeAlbi(p.bili * 17.1 * up, p.alb * 10).score);
    EXPECT_GE(ComputeAlbi(p.bili * 17.1, p.alb * 10).score,
              ComputeAlbi(p.bili * 17.1, p.alb * 10 * up).score);
    EXPECT_LE(ComputeApri(p.ast, 40, p.plt), ComputeApri(p.ast * up, 40, p.plt));
    EXPECT_GE(ComputeApri(p.ast, 40, p.plt), ComputeApri(p.ast, 40, p.plt * up));
    EXPECT_LE(ComputeFib4(p.age, p.ast, p.alt, p.plt),
              ComputeFib4(p.age, p.ast * up, p.alt, p.plt));
    EXPECT_GE(ComputeFib4(p.age, p.ast, p.alt, p.plt),
              ComputeFib4(p.age, p.ast, p.alt, p.plt * up));
    EXPECT_LE(ComputeMayoPbc(p.bili, p.alb, p.age, p.pt, Edema::kNone),
              ComputeMayoPbc(p.bili * up, p.alb, p.age + up, p.pt * up, Edema::kNone));
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace livercell::domain
