// Outcomes (issue #24, specs/outcomes.md): every rule on both sides of its boundary, the Wilson
// interval against published values, the definitions file's checks, the tidy reader (status
// column, unknown patients) and `livercell outcomes` end to end on a tidy folder.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "livercell/base/csv.h"
#include "livercell/clinic/outcomes.h"
#include "livercell/domain/outcomes/outcomes.h"
#include "livercell/formats/outcomes_file.h"
#include "run_process.h"

namespace livercell::domain::outcomes {
namespace {

using std::chrono::days;
using namespace std::chrono_literals;

constexpr Day kT0 = Day(2025y / 3 / 1);
const TimePoint k183{183, 30};

Endpoint BilirubinFall() {
  Endpoint e;
  e.id = "bilirubin_fall_20pct";
  e.kind = Kind::kRelativeChange;
  e.loinc = "1975-2";
  e.direction = Direction::kFall;
  e.factor = 0.8;
  return e;
}

Endpoint AlbuminRise() {
  Endpoint e;
  e.id = "albumin_rise_0_3";
  e.kind = Kind::kAbsoluteChange;
  e.loinc = "1751-7";
  e.direction = Direction::kRise;
  e.delta = 0.3;
  return e;
}

// A treated patient (first administration t0) with bilirubin values at the given days from t0.
PatientData Treated(std::initializer_list<std::pair<int, double>> bilirubin) {
  PatientData p;
  p.patient = "1";
  p.sex = Sex::kFemale;
  p.administrations = {kT0 + days(1), kT0};  // the first one, not the first listed
  for (const auto& [day, value] : bilirubin) p.labs.push_back({"1975-2", kT0 + days(day), value});
  return p;
}

std::optional<Class> ClassOf(const PatientData& p, const Endpoint& e = BilirubinFall(),
                             const TimePoint& tp = k183) {
  return Classify(e, tp, p).value;
}

TEST(OutcomeRules, BaselineIsTheLatestValueInTheNinetyDaysUpToT0) {
  // Day -90 is inside, -91 outside.
  EXPECT_EQ(ClassOf(Treated({{-90, 2.0}, {183, 1.6}})), Class::kResponder);
  EXPECT_FALSE(ClassOf(Treated({{-91, 2.0}, {183, 1.6}})));
  EXPECT_EQ(Classify(BilirubinFall(), k183, Treated({{-91, 2.0}})).ineligible_reason,
            "no baseline bilirubin");
  // The latest day wins, and t0 itself is a baseline day.
  EXPECT_EQ(ClassOf(Treated({{-30, 4.0}, {0, 2.0}, {183, 1.6}})), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{0, 4.0}, {-30, 2.0}, {183, 1.6}})), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{-30, 1.0}, {0, 2.0}, {183, 1.7}})), Class::kNonResponder);
}

TEST(OutcomeRules, SameDayValuesCountAsTheirMean) {
  // Baseline mean(1.0, 3.0) = 2.0; follow-up 1.6 = 0.8 x 2.0 meets the threshold exactly.
  EXPECT_EQ(ClassOf(Treated({{-5, 1.0}, {-5, 3.0}, {183, 1.6}})), Class::kResponder);
  // Follow-up mean(1.5, 1.8) = 1.65 > 1.6.
  EXPECT_EQ(ClassOf(Treated({{-5, 2.0}, {183, 1.5}, {183, 1.8}})), Class::kNonResponder);
}

TEST(OutcomeRules, FollowUpWindowEdgesAndTies) {
  // 183 ± 30: days 153 and 213 are inside, 152 and 214 outside.
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {153, 1.0}})), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {213, 1.0}})), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {152, 1.0}})), Class::kMissing);
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {214, 1.0}})), Class::kMissing);
  // The closest day wins; of two equally close (173 and 193) the earlier.
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {160, 1.0}, {190, 3.0}})), Class::kNonResponder);
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {173, 1.0}, {193, 3.0}})), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{-1, 2.0}, {173, 3.0}, {193, 1.0}})), Class::kNonResponder);
  // Day 10 ± 3 starts after t0: t0's own value is the baseline, never a follow-up.
  EXPECT_EQ(ClassOf(Treated({{0, 2.0}, {7, 1.0}}), BilirubinFall(), {10, 3}), Class::kResponder);
  EXPECT_EQ(ClassOf(Treated({{0, 2.0}, {6, 1.0}}), BilirubinFall(), {10, 3}), Class::kMissing);
}

TEST(OutcomeRules, DeathOrTransplantWithoutAValueIsFailedInsideTheWindowOnly) {
  PatientData p = Treated({{-1, 2.0}});
  p.events.push_back({"death", kT0 + days(213)});  // t0 + T + W
  EXPECT_EQ(ClassOf(p), Class::kFailed);
  p.events.back().day = kT0 + days(214);
  EXPECT_EQ(ClassOf(p), Class::kMissing);
  p.events.back() = {"transplant", kT0 + days(20)};
  EXPECT_EQ(ClassOf(p), Class::kFailed);
  p.events.back() = {"variceal_bleeding", kT0 + days(20)};
  EXPECT_EQ(ClassOf(p), Class::kMissing);
  // A follow-up value classes the patient even if they died later in the window.
  PatientData q = Treated({{-1, 2.0}, {160, 1.0}});
  q.events.push_back({"death", kT0 + days(170)});
  EXPECT_EQ(ClassOf(q), Class::kResponder);
}

TEST(OutcomeRules, ThresholdsCountInTheRespondersFavourAtExactlyTheBoundary) {
  PatientData p;
  p.patient = "2";
  p.administrations = {kT0};
  p.labs = {{"1751-7", kT0, 3.0}, {"1751-7", kT0 + days(183), 3.3}};
  EXPECT_EQ(ClassOf(p, AlbuminRise()), Class::kResponder);  // 3.0 + 0.3 in double is 3.3000…04
  p.labs.back().value = 3.29;
  EXPECT_EQ(ClassOf(p, AlbuminRise()), Class::kNonResponder);
  // Bilirubin reported in µmol/L (LOINC 14631-6) is the same series as 1975-2, compared in the
  // canonical mg/dL.
  PatientData b = Treated({{-1, 2.0}});
  b.labs.push_back({"14631-6", kT0 + days(183), 1.5});
  EXPECT_EQ(ClassOf(b), Class::kResponder);
}

TEST(OutcomeRules, Meld3ChangeNeedsEveryInputAndTheSex) {
  Endpoint meld;
  meld.id = "meld3_fall_2";
  meld.kind = Kind::kScoreChange;
  meld.score = "meld3";
  meld.direction = Direction::kFall;
  meld.delta = 2;
  PatientData p;
  p.patient = "3";
  p.sex = Sex::kMale;
  p.administrations = {kT0};
  // Baseline bilirubin 4, INR 1.8, creatinine 1.5, Na 130, albumin 2.8; follow-up better.
  const std::pair<const char*, std::pair<double, double>> labs[] = {
      {"1975-2", {4.0, 1.2}}, {"6301-6", {1.8, 1.2}}, {"2160-0", {1.5, 1.0}},
      {"2951-2", {130, 138}}, {"1751-7", {2.8, 3.5}}};
  for (const auto& [code, values] : labs) {
    p.labs.push_back({code, kT0 - days(3), values.first});
    p.labs.push_back({code, kT0 + days(180), values.second});
  }
  EXPECT_EQ(ClassOf(p, meld), Class::kResponder);
  PatientData no_sex = p;
  no_sex.sex.reset();
  EXPECT_EQ(Classify(meld, k183, no_sex).ineligible_reason, "no sex recorded");
  PatientData no_sodium = p;
  std::erase_if(no_sodium.labs, [](const auto& l) { return l.code == "2951-2" && l.day < kT0; });
  EXPECT_EQ(Classify(meld, k183, no_sodium).ineligible_reason, "no baseline sodium");
  // A follow-up input missing leaves no follow-up score.
  PatientData no_follow = p;
  std::erase_if(no_follow.labs, [](const auto& l) { return l.code == "2160-0" && l.day > kT0; });
  EXPECT_EQ(ClassOf(no_follow, meld), Class::kMissing);
}

// Wilson score intervals without continuity correction: Newcombe 1998, Stat Med 17:857-872,
// Table I, method 3 (to the four decimals published), and specs/outcomes.md §5's example.
TEST(Wilson, AgreesWithNewcombeTableOne) {
  struct Case {
    int x, n;
    double lower, upper;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605},
                        Case{0, 20, 0.0, 0.1611}, Case{1, 29, 0.0061, 0.1718},
                        Case{40, 130, 0.2348, 0.3916}}) {
    const Proportion p = Wilson(c.x, c.n);
    ASSERT_TRUE(p.proportion);
    EXPECT_NEAR(*p.lower, c.lower, 5e-5) << c.x << "/" << c.n;
    EXPECT_NEAR(*p.upper, c.upper, 5e-5) << c.x << "/" << c.n;
  }
  EXPECT_FALSE(Wilson(0, 0).proportion);
}

TEST(Evaluate, CountsEachClassAndTheThreeProportions) {
  Definitions d;
  d.endpoints = {BilirubinFall()};
  std::vector<PatientData> patients;
  auto add = [&](std::string id, PatientData p) {
    p.patient = std::move(id);
    patients.push_back(std::move(p));
  };
  add("r1", Treated({{-1, 2.0}, {183, 1.0}}));
  add("r2", Treated({{-1, 2.0}, {183, 1.0}}));
  add("n1", Treated({{-1, 2.0}, {183, 2.0}}));
  PatientData failed = Treated({{-1, 2.0}});
  failed.events.push_back({"death", kT0 + days(100)});
  add("f1", failed);
  add("m1", Treated({{-1, 2.0}}));
  add("i1", Treated({{183, 1.0}}));  // no baseline: not eligible
  PatientData untreated = Treated({{-1, 2.0}});
  untreated.administrations.clear();
  add("u1", untreated);
  const Report r = Evaluate(d, patients, Subgroups::kAll);
  EXPECT_EQ(r.treated, 6);
  EXPECT_EQ(r.untreated, 1);
  const auto it = std::find_if(r.endpoints.begin(), r.endpoints.end(),
                               [](const auto& e) { return e.time_point_days == 183; });
  ASSERT_NE(it, r.endpoints.end());
  EXPECT_EQ(it->eligible, 5);
  EXPECT_EQ(it->responders, 2);
  EXPECT_EQ(it->non_responders, 1);
  EXPECT_EQ(it->failed, 1);
  EXPECT_EQ(it->missing, 1);
  EXPECT_EQ(it->complete_case.n, 3);
  EXPECT_EQ(it->failures_as_non_response.n, 4);
  EXPECT_EQ(it->worst_case.n, 5);
  ASSERT_EQ(r.ineligible.size(), 1u);
  EXPECT_EQ(r.ineligible[0].patients, 1);
  // Survival: f1 died on day 100; the others are censored at their last record.
  const auto f1 = std::find_if(r.survival.begin(), r.survival.end(),
                               [](const auto& s) { return s.patient == "f1"; });
  ASSERT_NE(f1, r.survival.end());
  EXPECT_TRUE(f1->event);
  EXPECT_EQ(f1->days, 100);
  // The order of the patients does not change the result.
  std::reverse(patients.begin(), patients.end());
  const Report reversed = Evaluate(d, patients, Subgroups::kAll);
  EXPECT_EQ(reversed.endpoints.size(), r.endpoints.size());
  for (std::size_t i = 0; i < r.endpoints.size(); ++i) {
    EXPECT_EQ(reversed.endpoints[i].responders, r.endpoints[i].responders);
    EXPECT_EQ(reversed.endpoints[i].missing, r.endpoints[i].missing);
  }
}

TEST(Evaluate, StageAtTZeroSplitsCompensatedFromDecompensated) {
  Definitions d;
  d.endpoints = {BilirubinFall()};
  PatientData compensated = Treated({{-1, 2.0}, {183, 1.0}});
  compensated.patient = "c";
  compensated.events.push_back({"ascites", kT0 + days(30)});  // after t0: still compensated
  PatientData decompensated = Treated({{-1, 2.0}, {183, 2.0}});
  decompensated.patient = "d";
  decompensated.events.push_back({"variceal_bleeding", kT0 - days(400)});
  const std::vector<PatientData> patients = {compensated, decompensated};
  const Report r = Evaluate(d, patients, Subgroups::kStage);
  int seen = 0;
  for (const auto& e : r.endpoints) {
    if (e.time_point_days != 183) continue;
    if (e.subgroup == "compensated") {
      EXPECT_EQ(e.responders, 1);
      ++seen;
    } else if (e.subgroup == "decompensated") {
      EXPECT_EQ(e.non_responders, 1);
      ++seen;
    } else if (e.subgroup == "all") {
      EXPECT_EQ(e.eligible, 2);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace livercell::domain::outcomes

namespace livercell::formats {
namespace {

TEST(OutcomeDefinitions, TheShippedFileHasTheSpecsEndpointsEachWithItsSource) {
  const auto& d = DefaultOutcomeDefinitions();
  EXPECT_EQ(d.id, "livercell-outcomes-default");
  EXPECT_EQ(d.sha256.size(), 64u);
  std::vector<std::string> ids;
  for (const auto& e : d.endpoints) {
    ids.push_back(e.id);
    EXPECT_FALSE(e.source.empty()) << e.id;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"bilirubin_fall_20pct", "albumin_rise_0_3",
                                           "meld3_fall_2", "child_pugh_improved"}));
  EXPECT_DOUBLE_EQ(d.endpoints[0].factor, 0.8);
  EXPECT_DOUBLE_EQ(d.endpoints[1].delta, 0.3);
}

TEST(OutcomeDefinitions, EveryProblemIsNamedWithItsPath) {
  const auto parsed = ParseOutcomeDefinitions(R"(id = "mine"
version = "1"
[[endpoints]]
id = "a"
text = "t"
source = "s"
kind = "relative_change"
loinc = "9999-9"
direction = "down"
factor = -1
[[endpoints]]
id = "a"
text = "t"
source = "s"
kind = "ratio"
)",
                                              "mine.toml");
  ASSERT_FALSE(parsed.value);
  std::vector<std::string> paths;
  for (const auto& e : parsed.errors) paths.emplace_back(e.path());
  for (const char* want : {"mine.toml: endpoints[0].loinc", "mine.toml: endpoints[0].direction",
                           "mine.toml: endpoints[0].factor", "mine.toml: endpoints[1].kind",
                           "mine.toml: endpoints[1].id"}) {
    EXPECT_NE(std::find(paths.begin(), paths.end(), want), paths.end()) << want;
  }
}

TEST(Evidence, EveryTrialArmAndClaimIsListedWithItsSource) {
  const auto& evidence = EvidenceJson();
  EXPECT_EQ(evidence.size(), 27u);  // data/evidence/trials.csv: 27 arms
  for (const auto& arm : evidence) {
    EXPECT_TRUE(arm.contains("trial") && arm.contains("n") && arm.contains("ci95"));
  }
  EXPECT_EQ(evidence[0]["n"], 27);
  const auto& claims = ClaimsJson();
  ASSERT_FALSE(claims.empty());
  for (const auto& c : claims) {
    EXPECT_TRUE(c["source"].is_null());
    EXPECT_EQ(c["status"], "no published source found");
  }
}

}  // namespace
}  // namespace livercell::formats

namespace livercell::clinic {
namespace {

using livercell::testing::RunLivercell;
using livercell::testing::TempDir;
using livercell::testing::WriteFile;

// A tidy folder: patient 1 treated (responds at 183 days), 2 treated with a voided follow-up
// (missing), 3 untreated.
void WriteTidy(const TempDir& dir) {
  WriteFile(dir.File("patients.csv"),
            "patient_id,identifiers,sex,birth_date\n1,mrn:A,female,1960-01-01\n"
            "2,mrn:B,male,1955-06-01\n3,mrn:C,,\n");
  WriteFile(dir.File("labs.csv"),
            "patient_id,time,code,canonical_value,status\n"
            "1,2025-02-20,1975-2,2.0,final\n1,2025-09-01T10:00:00Z,1975-2,1.2,final\n"
            "2,2025-02-20,1975-2,2.0,final\n2,2025-09-01,1975-2,1.0,entered-in-error\n"
            "3,2025-02-20,1975-2,2.0,final\n");
  WriteFile(dir.File("findings.csv"), "patient_id,time,kind,value\n");
  WriteFile(dir.File("events.csv"), "patient_id,time,type\n");
  WriteFile(dir.File("administrations.csv"),
            "patient_id,administered_at,route,din\n1,2025-03-01T09:30:00Z,iv,G123426000001\n"
            "2,2025-03-01,hepatic-artery,G123426000002\n");
}

TEST(TidyOutcomes, StatusColumnAndUnknownPatients) {
  TempDir dir;
  WriteTidy(dir);
  auto outcomes = TidyOutcomes(dir.path(), {});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  EXPECT_EQ(outcomes->report.treated, 2);
  EXPECT_EQ(outcomes->report.untreated, 1);
  for (const auto& e : outcomes->report.endpoints) {
    if (e.endpoint != "bilirubin_fall_20pct" || e.time_point_days != 183) continue;
    EXPECT_EQ(e.responders, 1);
    EXPECT_EQ(e.missing, 1);  // patient 2's follow-up was entered in error
  }
  WriteFile(dir.File("events.csv"), "patient_id,time,type\n9,2025-01-01,death\n");
  auto bad = TidyOutcomes(dir.path(), {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("patient 9 is not in patients.csv"), std::string::npos)
      << bad.status().ToString();
  EXPECT_NE(bad.status().ToString().find("events.csv"), std::string::npos);
}

TEST(OutcomesCli, JsonTableCsvAndPlotFromATidyFolder) {
  TempDir dir;
  WriteTidy(dir);
  const auto json = RunLivercell({"outcomes", "--tidy", dir.path(), "--format", "json",
                                  "--plot", dir.File("outcomes.svg")});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["treated"], 2);
  EXPECT_EQ(doc["untreated"], 1);
  EXPECT_TRUE(doc["treatment_status"].get<std::string>().starts_with("Investigational."));
  EXPECT_EQ(doc["definitions"]["id"], "livercell-outcomes-default");
  EXPECT_EQ(doc["evidence"].size(), 27u);
  EXPECT_FALSE(doc["claims"].empty());
  EXPECT_EQ(doc["survival"]["km"]["n"], 2);
  bool found = false;
  for (const auto& e : doc["endpoints"]) {
    if (e["id"] != "bilirubin_fall_20pct" || e["time_point_days"] != 183) continue;
    found = true;
    EXPECT_EQ(e["complete_case"]["x"], 1);
    EXPECT_EQ(e["complete_case"]["n"], 1);
    EXPECT_EQ(e["worst_case"]["n"], 2);
  }
  EXPECT_TRUE(found);
  const std::string svg = livercell::testing::ReadFile(dir.File("outcomes.svg"));
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("Treatment: Investigational."), std::string::npos);
  EXPECT_NE(svg.find("Newsome REALISTIC"), std::string::npos);
  const auto table = RunLivercell({"outcomes", "--tidy", dir.path()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Treatment: Investigational."), std::string::npos);
  EXPECT_NE(table.out.find("no published source found"), std::string::npos);
  EXPECT_NE(table.out.find("ascites and encephalopathy grades are not recorded"),
            std::string::npos);
  const auto csv = RunLivercell({"outcomes", "--tidy", dir.path(), "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("endpoint,time_point_days,window_days,subgroup,eligible", 0), 0u);
  // A definitions file with a mistake: exit 2 (invalid input), the path named.
  WriteFile(dir.File("bad.toml"), "id = \"x\"\nversion = \"1\"\n");
  const auto bad = RunLivercell(
      {"outcomes", "--tidy", dir.path(), "--definitions", dir.File("bad.toml")});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("endpoints"), std::string::npos) << bad.err;
}

TEST(OutcomesCli, ExportTidyWritesAdministrationsAndDescribesThem) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  ASSERT_EQ(RunLivercell({"db", "init", "--db", db}).exit_code, 0);
  const auto exported = RunLivercell({"export", "tidy", "--db", db, "--out", dir.File("x")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string header = livercell::testing::ReadFile(dir.File("x/administrations.csv"));
  EXPECT_EQ(header.rfind("patient_id,administered_at,route,din,product_type", 0), 0u) << header;
  const std::string dictionary = livercell::testing::ReadFile(dir.File("x/dictionary.csv"));
  EXPECT_NE(dictionary.find("administrations.csv,route"), std::string::npos);
  // The registry and its export agree (an empty registry: no one treated).
  const auto from_db = RunLivercell({"outcomes", "--db", db, "--format", "json"});
  const auto from_tidy =
      RunLivercell({"outcomes", "--tidy", dir.File("x"), "--format", "json"});
  ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
  ASSERT_EQ(from_tidy.exit_code, 0) << from_tidy.err;
  EXPECT_EQ(from_db.out, from_tidy.out);
}

// Each patient's (LOINC, canonical value) sequence and lab days, from labs.csv, by patient.
std::map<std::string, std::vector<std::pair<std::string, long>>> LabsByPatient(
    const std::string& file) {
  std::map<std::string, std::vector<std::pair<std::string, long>>> out;
  auto opened = base::CsvTable::Open(file);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return out;
  base::CsvTable t = std::move(opened).value();
  while (true) {
    const auto more = t.Next();
    if (!more.ok() || !more.value()) break;
    const std::string time = t.Text("time").value();
    const auto day = domain::ClinicalTime::Parse(time).value().day().time_since_epoch().count();
    out[t.Text("patient_id").value()].emplace_back(
        t.Text("code").value() + "=" + t.Text("canonical_value").value(), day);
  }
  return out;
}

TEST(OutcomesCli, ResearchersExportDeidentifiedOnly) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  ASSERT_EQ(RunLivercell({"db", "init", "--db", db}).exit_code, 0);
  const std::string source = LIVERCELL_SOURCE_DIR;
  ASSERT_EQ(RunLivercell({"import", "pbc", "--db", db, "--pbc", source + "/data/cohorts/pbc.csv",
                          "--pbcseq", source + "/data/cohorts/pbcseq.csv"})
                .exit_code,
            0);
  const std::string password = "Quiet-harbour-lamp-91\n";
  ASSERT_EQ(RunLivercell({"user", "add", "--db", db, "--username", "rae", "--role", "researcher",
                          "--password-stdin"},
                         password)
                .exit_code,
            0);
  const auto identified_refused =
      RunLivercell({"export", "tidy", "--db", db, "--out", dir.File("id"), "--as", "rae",
                    "--password-stdin"},
                   password);
  EXPECT_NE(identified_refused.exit_code, 0);
  EXPECT_NE(identified_refused.err.find("researcher"), std::string::npos) << identified_refused.err;
  const auto deidentified =
      RunLivercell({"export", "tidy", "--db", db, "--out", dir.File("de"), "--deidentified",
                    "--as", "rae", "--password-stdin"},
                   password);
  ASSERT_EQ(deidentified.exit_code, 0) << deidentified.err;
  ASSERT_EQ(RunLivercell({"export", "tidy", "--db", db, "--out", dir.File("id")}).exit_code, 0);
  const std::string patients = livercell::testing::ReadFile(dir.File("de/patients.csv"));
  EXPECT_EQ(patients.rfind("patient_id,sex,age_years,aetiology_icd10", 0), 0u) << patients;
  EXPECT_EQ(patients.find("mayo-pbc"), std::string::npos);
  EXPECT_NE(patients.find("\nS-"), std::string::npos);
  for (const char* file : {"de/labs.csv", "de/events.csv", "de/findings.csv"}) {
    const std::string text = livercell::testing::ReadFile(dir.File(file));
    EXPECT_EQ(text.find("pbc"), std::string::npos) << file << ": provenance left in";
  }
  EXPECT_NE(livercell::testing::ReadFile(dir.File("de/dictionary.csv")).find("de-identified"),
            std::string::npos);
  // Values unchanged, each patient's days moved back by one amount of 1-365 days.
  const auto identified = LabsByPatient(dir.File("id/labs.csv"));
  const auto hidden = LabsByPatient(dir.File("de/labs.csv"));
  ASSERT_EQ(identified.size(), hidden.size());
  int matched = 0;
  for (const auto& [id, labs] : identified) {
    for (const auto& [code, other] : hidden) {
      if (other.size() != labs.size()) continue;
      bool same = true;
      for (std::size_t i = 0; same && i < labs.size(); ++i) same = labs[i].first == other[i].first;
      if (!same) continue;
      std::set<long> shifts;
      for (std::size_t i = 0; i < labs.size(); ++i) shifts.insert(labs[i].second - other[i].second);
      if (shifts.size() != 1) continue;
      EXPECT_GE(*shifts.begin(), 1) << id;
      EXPECT_LE(*shifts.begin(), 365) << id;
      ++matched;
      break;
    }
    if (matched >= 5) break;
  }
  EXPECT_EQ(matched, 5);
}

}  // namespace
}  // namespace livercell::clinic
