#include <gtest/gtest.h>

#include "livercell/domain/records/clinical_time.h"
#include "livercell/domain/records/current_scores.h"
#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"

namespace livercell::domain {
namespace {

TEST(ClinicalTime, ParsesDatesAndUtcInstantsAndRoundTrips) {
  EXPECT_EQ(ClinicalTime::Parse("2026-11-23").value().ToString(), "2026-11-23");
  EXPECT_TRUE(ClinicalTime::Parse("2026-11-23").value().date_only());
  EXPECT_EQ(ClinicalTime::Parse("2026-11-23T08:30:05Z").value().ToString(), "2026-11-23T08:30:05Z");
  EXPECT_EQ(ClinicalTime::Parse("2026-11-23T08:30:05.250Z").value().ToString(),
            "2026-11-23T08:30:05Z");
  EXPECT_EQ(ClinicalTime::Parse("2024-02-29").value().ToString(), "2024-02-29");
  for (const char* bad : {"2026-02-30", "2026-13-01", "23/11/2026", "2026-11-23T08:30:05+01:00",
                          "2026-11-23T25:00:00Z", "", "2026-11-23T08:30Z"}) {
    const auto parsed = ClinicalTime::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().allowed(), "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ");
  }
}

TEST(Patient, ValidatesIdentifiersAetiologyAndEcog) {
  EXPECT_TRUE(ValidateExternalId({"mrn", "A-123/4"}).ok());
  EXPECT_EQ(ValidateExternalId({"MRN", "x"}).path(), "system");
  EXPECT_EQ(ValidateExternalId({"mrn", "has space"}).path(), "value");
  EXPECT_EQ(ValidateExternalId({"mrn", ""}).path(), "value");
  for (const char* ok : {"K70.30", "K74.3", "K746", "K74.69", "B18.2"}) {
    EXPECT_TRUE(ValidateAetiologyIcd10(ok).ok()) << ok;
  }
  for (const char* bad : {"K74.2", "K70.1", "C22.0", "k74.6", "74.6"}) {
    EXPECT_FALSE(ValidateAetiologyIcd10(bad).ok()) << bad;
  }
  EXPECT_TRUE(ValidateEcog(0).ok());
  EXPECT_TRUE(ValidateEcog(5).ok());
  EXPECT_EQ(ValidateEcog(6).code(), base::StatusCode::kOutOfRange);
}

TEST(LabObservation, CataloguedLabsAreConvertedAndChecked) {
  const auto t = ClinicalTime::Parse("2026-01-01").value();
  const auto bili = MakeLabObservation("14631-6", 34.2, "umol/L", t).value();
  EXPECT_DOUBLE_EQ(*bili.canonical_value, 2.0);
  EXPECT_EQ(bili.canonical_unit, "mg/dL");
  EXPECT_EQ(bili.code_system, kLoincSystem);
  EXPECT_EQ(MakeLabObservation("1751-7", 80, "g/dL", t).status().path(), "value");
  EXPECT_EQ(MakeLabObservation("1751-7", 3, "mmol/L", t).status().path(), "unit");
  const auto flagged =
      MakeLabObservation("1751-7", 8.01, "g/dL", t, PlausibilityPolicy::kFlag).value();
  EXPECT_EQ(flagged.value, 8.01);
  EXPECT_NE(flagged.flag.find("implausible"), std::string::npos);
  EXPECT_EQ(
      MakeLabObservation("1751-7", 0, "furlongs", t, PlausibilityPolicy::kFlag).status().path(),
      "unit")
      << "a flag never excuses a wrong unit";
  const auto other = MakeLabObservation("2324-2", 55, "U/L", t).value();  // GGT: kept as received
  EXPECT_FALSE(other.canonical_value.has_value());
  EXPECT_EQ(MakeLabObservation("bilirubin", 1, "mg/dL", t).status().path(), "code");
  EXPECT_EQ(MakeLabObservation("2093-3", 210, "mg/dL", t).value().code, "2093-3");
}

// One scratch observation filled again and again (as an importer does) holds exactly what a
// new one would: nothing of the row before (its flag, conversion, keys) carries over.
TEST(LabObservation, AScratchObservationRefilledEqualsANewOne) {
  const auto t = ClinicalTime::Parse("2026-01-01").value();
  const auto later = ClinicalTime::Parse("2026-02-03").value();
  LabObservation scratch;
  ASSERT_TRUE(
      MakeLabObservation("1751-7", 8.01, "g/dL", t, PlausibilityPolicy::kFlag, &scratch).ok());
  scratch.patient_id = 7;
  scratch.source_key = "csv|8.01|g/dL";
  scratch.provenance = "a.csv line 2";
  ASSERT_TRUE(
      MakeLabObservation("2324-2", 55, "U/L", later, PlausibilityPolicy::kReject, &scratch).ok());
  const LabObservation fresh = MakeLabObservation("2324-2", 55, "U/L", later).value();
  EXPECT_EQ(scratch.patient_id, fresh.patient_id);
  EXPECT_EQ(scratch.code_system, fresh.code_system);
  EXPECT_EQ(scratch.code, fresh.code);
  EXPECT_EQ(scratch.value, fresh.value);
  EXPECT_EQ(scratch.unit, fresh.unit);
  EXPECT_EQ(scratch.canonical_value, fresh.canonical_value);
  EXPECT_EQ(scratch.canonical_unit, fresh.canonical_unit);
  EXPECT_EQ(scratch.time.ToString(), fresh.time.ToString());
  EXPECT_EQ(scratch.flag, fresh.flag);
  EXPECT_EQ(scratch.source_key, fresh.source_key);
  EXPECT_EQ(scratch.provenance, fresh.provenance);
  // An extra lab (not in the catalogue) after a catalogued one, and a refusal in between.
  EXPECT_EQ(
      MakeLabObservation("1751-7", 80, "g/dL", t, PlausibilityPolicy::kReject, &scratch).path(),
      "value");
  ASSERT_TRUE(
      MakeLabObservation("2093-3", 210, "mg/dL", t, PlausibilityPolicy::kReject, &scratch).ok());
  EXPECT_EQ(scratch.code, "2093-3");
  EXPECT_EQ(scratch.canonical_value, 210);
  EXPECT_TRUE(scratch.flag.empty());
}

TEST(Events, TypesGradesAndAttribution) {
  const auto t = ClinicalTime::Parse("2026-01-01").value();
  EXPECT_TRUE(ValidateEvent({0, 1, "hepatic_encephalopathy", 3, t, "k", ""}).ok());
  EXPECT_EQ(ValidateEvent({0, 1, "hepatic_encephalopathy", 5, t, "k", ""}).path(), "grade");
  EXPECT_EQ(ValidateEvent({0, 1, "death", 1, t, "k", ""}).path(), "grade");
  EXPECT_EQ(ValidateEvent({0, 1, "bleeding", std::nullopt, t, "k", ""}).path(), "type");
  for (const EventType& type : EventTypes()) EXPECT_FALSE(type.icd10.empty()) << type.key;
  EXPECT_EQ(ParseAttribution("probable").value(), Attribution::kProbable);
  EXPECT_FALSE(ParseAttribution("maybe").ok());
  AdverseEvent ae;
  ae.ctcae_term = "Fever";
  ae.grade = 6;
  EXPECT_EQ(ValidateAdverseEvent(ae).path(), "grade");
}

TEST(QualityOfLife, CldqDomainsAreItemMeans) {
  std::array<int, 29> items{};
  items.fill(7);
  items[0] = 1;  // item 1 is abdominal symptoms (Younossi 1999)
  const CldqScores s = ScoreCldq(items).value();
  EXPECT_DOUBLE_EQ(s.abdominal, (1 + 7 + 7) / 3.0);
  EXPECT_DOUBLE_EQ(s.fatigue, 7);
  EXPECT_DOUBLE_EQ(s.total, (28 * 7 + 1) / 29.0);
  items[10] = 8;
  EXPECT_EQ(ScoreCldq(items).status().path(), "cldq[10]");
  EXPECT_FALSE(ScoreCldq(std::span<const int>(items.data(), 28)).ok());
  EXPECT_EQ(Eq5dProfile({1, 1, 2, 1, 3}), "11213");
}

TEST(CurrentScores, UsesTheLatestLabsAndAgeAtThatDate) {
  Patient p;
  p.sex = Sex::kFemale;
  p.birth_date = ClinicalTime::Parse("1960-01-01").value().day();
  std::vector<LabObservation> labs;
  auto add = [&labs](const char* code, double v, const char* unit, const char* when) {
    labs.push_back(MakeLabObservation(code, v, unit, ClinicalTime::Parse(when).value()).value());
  };
  add("1975-2", 5.0, "mg/dL", "2025-01-01");
  add("1975-2", 2.0, "mg/dL", "2026-01-01");
  add("1751-7", 30, "g/L", "2025-06-01");
  std::vector<Finding> findings = {
      {0, 0, "edema", 0.5, ClinicalTime::Parse("2025-01-01").value(), "", ""}};
  const CurrentInputs current = LatestScoreInput(p, labs, findings);
  EXPECT_EQ(current.input.lab(Analyte::kBilirubin)->canonical(), 2.0);
  EXPECT_DOUBLE_EQ(current.input.lab(Analyte::kAlbumin)->canonical(), 3.0);
  EXPECT_EQ(current.as_of->ToString(), "2026-01-01");
  EXPECT_NEAR(*current.input.age_years, 66.0, 0.01);
  EXPECT_EQ(current.input.edema, Edema::kUntreatedOrResolved);
  EXPECT_FALSE(current.input.ascites.has_value()) << "an ungraded finding is not guessed";
}

}  // namespace
}  // namespace livercell::domain
