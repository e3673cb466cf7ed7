// Black-box tests of the registry commands (issue #4): the PBC import and its counts, the
// tidy export round trip, all-or-nothing lab imports, re-import idempotence, the map file, and
// the same import on the real PostgreSQL.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <sqlite3.h>

#include <chrono>

#include "livercell/base/csv.h"
#include "run_process.h"
#include "test_databases.h"

namespace livercell {
namespace {

using ::testing::HasSubstr;
using testing::ReadFile;
using testing::RunLivercell;
using testing::TempDir;
using testing::WriteFile;

const std::string kCohorts = std::string(LIVERCELL_SOURCE_DIR) + "/data/cohorts/";

nlohmann::json Records(const std::string& db) {
  const auto run = RunLivercell({"db", "status", "--db", db, "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return nlohmann::json::parse(run.out)["records"];
}

// Counts the non-empty cells of `columns` in a CSV, and rows whose `column` is in `values`.
struct SourceCounts {
  std::int64_t rows = 0, cells = 0;
};
SourceCounts CountCells(const std::string& path, const std::vector<std::string>& columns) {
  auto csv = base::CsvReader::Open(path).value();
  EXPECT_TRUE(csv->Next().value());
  std::vector<std::size_t> wanted;
  for (std::size_t i = 0; i < csv->fields().size(); ++i) {
    if (std::find(columns.begin(), columns.end(), std::string(csv->fields()[i])) != columns.end()) {
      wanted.push_back(i);
    }
  }
  SourceCounts counts;
  while (csv->Next().value()) {
    ++counts.rows;
    for (std::size_t i : wanted) counts.cells += csv->fields()[i].empty() ? 0 : 1;
  }
  return counts;
}

std::int64_t CountStatus(const std::string& path, const std::vector<std::string>& values) {
  auto csv = base::CsvReader::Open(path).value();
  EXPECT_TRUE(csv->Next().value());
  std::int64_t n = 0;
  while (csv->Next().value()) {
    n += std::find(values.begin(), values.end(), std::string(csv->fields()[2])) != values.end();
  }
  return n;
}

void ExpectPbcCounts(const std::string& db) {
  const std::vector<std::string> labs_base = {"bili", "albumin",  "protime", "platelet", "ast",
                                              "chol", "alk.phos", "trig",    "copper"};
  const std::vector<std::string> labs_seq = {"bili", "albumin", "protime", "platelet",
                                             "ast",  "chol",    "alk.phos"};
  const std::vector<std::string> findings = {"ascites", "hepato", "spiders", "edema", "stage"};
  const auto base_labs = CountCells(kCohorts + "pbc.csv", labs_base);
  const auto seq_labs = CountCells(kCohorts + "pbcseq.csv", labs_seq);
  const auto base_findings = CountCells(kCohorts + "pbc.csv", findings);
  const auto seq_findings = CountCells(kCohorts + "pbcseq.csv", findings);
  const nlohmann::json records = Records(db);
  EXPECT_EQ(base_labs.rows, 418);
  EXPECT_EQ(records["patients"], 418);
  EXPECT_EQ(records["labs"], base_labs.cells + seq_labs.cells);
  EXPECT_EQ(records["findings"], base_findings.cells + seq_findings.cells);
  // Source: data README: status 1 = transplant (25), 2 = dead (161).
  EXPECT_EQ(records["events"], CountStatus(kCohorts + "pbc.csv", {"1", "2"}));
  EXPECT_EQ(records["events"], 25 + 161);
}

TEST(PbcImport, GivesEveryPatientLabFindingAndEventOfTheSource) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("pbc.db");
  const auto run = RunLivercell({"import", "pbc", "--db", db, "--pbc", kCohorts + "pbc.csv",
                                 "--pbcseq", kCohorts + "pbcseq.csv", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectPbcCounts(db);
  // Importing again changes nothing.
  const auto again = RunLivercell({"import", "pbc", "--db", db, "--pbc", kCohorts + "pbc.csv",
                                   "--pbcseq", kCohorts + "pbcseq.csv", "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["patients"], 0);
  EXPECT_EQ(nlohmann::json::parse(again.out)["labs"], 0);
  ExpectPbcCounts(db);

  const auto show =
      RunLivercell({"patients", "show", "--db", db, "mayo-pbc:1", "--format", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto patient = nlohmann::json::parse(show.out);
  EXPECT_EQ(patient["sex"], "female");
  EXPECT_EQ(patient["aetiology_icd10"], "K74.3");
  EXPECT_EQ(patient["events"][0]["type"], "death");
  EXPECT_EQ(patient["events"][0]["time"], "1975-02-05") << "day 400 from the nominal 1974-01-01";
  EXPECT_EQ(patient["scores"]["albi"]["grade"], 3);
  EXPECT_TRUE(patient["scores"]["unavailable"].contains("meld")) << "the trial had no INR";

  const auto list = RunLivercell({"patients", "list", "--db", db, "--q", "41", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["total"], 10) << "41, 410–418";
  const auto labs = RunLivercell({"labs", "--db", db, "mayo-pbc:1"});
  EXPECT_EQ(labs.exit_code, 0);
  EXPECT_THAT(labs.out, HasSubstr("bilirubin"));
  EXPECT_EQ(RunLivercell({"patients", "show", "--db", db, "mayo-pbc:999"}).exit_code, 2);
}

TEST(PbcImport, SameCountsOnPostgres) {
  testing::TestDatabase pg("postgres");
  ASSERT_TRUE(pg.ok()) << pg.error();
  const auto run = RunLivercell({"import", "pbc", "--db", pg.url(), "--pbc", kCohorts + "pbc.csv",
                                 "--pbcseq", kCohorts + "pbcseq.csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectPbcCounts(pg.url());
}

TEST(ExportTidy, ReimportReproducesTheRegistry) {
  TempDir dir;
  const std::string a = "sqlite:" + dir.File("a.db");
  const std::string b = "sqlite:" + dir.File("b.db");
  ASSERT_EQ(RunLivercell({"import", "pbc", "--db", a, "--pbc", kCohorts + "pbc.csv", "--pbcseq",
                          kCohorts + "pbcseq.csv"})
                .exit_code,
            0);
  ASSERT_EQ(RunLivercell({"export", "tidy", "--db", a, "--out", dir.File("ea")}).exit_code, 0);
  const auto imported = RunLivercell({"import", "tidy", "--db", b, "--dir", dir.File("ea")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(RunLivercell({"export", "tidy", "--db", b, "--out", dir.File("eb")}).exit_code, 0);
  for (const char* file : {"patients.csv", "labs.csv", "findings.csv", "events.csv",
                           "adverse_events.csv", "qol.csv", "dictionary.csv"}) {
    const std::string first = ReadFile(dir.File("ea/") + file);
    EXPECT_FALSE(first.empty()) << file;
    EXPECT_EQ(first, ReadFile(dir.File("eb/") + file)) << file;
  }
  EXPECT_EQ(Records(a), Records(b));
  const std::string dictionary = ReadFile(dir.File("ea/dictionary.csv"));
  EXPECT_THAT(dictionary, HasSubstr("labs.csv,unit,text,,UCUM,"));
}

// 10,000 lab rows for 100 patients; row `bad_line` (1-based file line) has an unknown unit.
std::string LabCsv(int bad_line) {
  std::string csv = "patient_id,date,loinc,value,unit\n";
  for (int i = 0; i < 10000; ++i) {
    const int line = i + 2;
    csv += fmt::format("P{:03},2026-{:02}-{:02},1975-2,{},{}\n", i % 100, 1 + i % 12, 1 + i % 28,
                       0.5 + i * 0.001, line == bad_line ? "furlongs" : "mg/dL");
  }
  return csv;
}

TEST(ImportLabs, OneBadRowImportsNothingAndNamesTheRow) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  WriteFile(dir.File("labs.csv"), LabCsv(5001));
  const auto run = RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("labs.csv")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("error: line 5001, column \"unit\": \"furlongs\" is not a known "
                                 "unit for bilirubin (use mg/dL or umol/L)"));
  EXPECT_THAT(run.err, HasSubstr("nothing was imported"));
  EXPECT_EQ(Records(db)["labs"], 0);
  EXPECT_EQ(Records(db)["patients"], 0);
}

TEST(ImportLabs, AMalformedLineStopsTheImportNamingItsLine) {
  // The CSV is read on a thread of its own: its errors must still reach the user, and nothing
  // read before them may be stored.
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  std::string csv = LabCsv(-1);
  csv += "P001,2026-01-01,1975-2,\"1.2,mg/dL\n";  // line 10002: the quote never closes
  WriteFile(dir.File("labs.csv"), csv);
  const auto run = RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("labs.csv")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("line 10002"));
  EXPECT_EQ(Records(db)["labs"], 0);
  EXPECT_EQ(Records(db)["patients"], 0);
}

TEST(ImportLabs, SkipInvalidImportsTheRestAndWritesRejects) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  WriteFile(dir.File("labs.csv"), LabCsv(5001));
  const auto run =
      RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("labs.csv"), "--skip-invalid",
                    "--rejects", dir.File("rejects.csv"), "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto summary = nlohmann::json::parse(run.out);
  EXPECT_EQ(summary["imported"], 9999);
  EXPECT_EQ(summary["rejected"], 1);
  EXPECT_EQ(summary["patients_created"], 100);
  EXPECT_EQ(Records(db)["labs"], 9999);
  const std::string rejects = ReadFile(dir.File("rejects.csv"));
  EXPECT_THAT(rejects, HasSubstr("patient_id,date,loinc,value,unit,line,reason\n"));
  EXPECT_THAT(rejects, HasSubstr("furlongs,5001,"));
  EXPECT_EQ(std::count(rejects.begin(), rejects.end(), '\n'), 2);
}

TEST(ImportLabs, ReimportingTheSameFileChangesNothing) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  WriteFile(dir.File("labs.csv"), LabCsv(-1));
  ASSERT_EQ(RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("labs.csv")}).exit_code,
            0);
  const auto again = RunLivercell(
      {"import", "labs", "--db", db, "--csv", dir.File("labs.csv"), "--format", "json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["imported"], 0);
  EXPECT_EQ(nlohmann::json::parse(again.out)["already_present"], 10000);
  EXPECT_EQ(Records(db)["labs"], 10000);
}

TEST(ImportLabs, MapFileRenamesColumnsAndMapsLocalNames) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  WriteFile(dir.File("local.csv"),
            "MRN,collected,test,result,units\n"
            "A1,2026-01-05T08:00:00Z,BILI,34.2,umol/L\n"
            "A1,2026-01-05T08:00:00Z,ALB,35,g/L\n"
            "B 2,2026-01-06,INR,1.3,1\n");
  WriteFile(dir.File("map.toml"),
            "[columns]\npatient_id = \"MRN\"\ndate = \"collected\"\nloinc = \"test\"\n"
            "value = \"result\"\nunit = \"units\"\n[patient]\nsystem = \"hospital\"\n"
            "[codes]\nBILI = \"1975-2\"\nALB = \"1751-7\"\nINR = \"6301-6\"\n");
  const auto run = RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("local.csv"),
                                 "--map", dir.File("map.toml")});
  ASSERT_EQ(run.exit_code, 2) << "\"B 2\" is not a valid identifier";
  EXPECT_THAT(run.err, HasSubstr("line 4, column \"MRN\""));
  WriteFile(dir.File("local.csv"),
            "MRN,collected,test,result,units\n"
            "A1,2026-01-05T08:00:00Z,BILI,34.2,umol/L\n"
            "A1,2026-01-05T08:00:00Z,ALB,35,g/L\n");
  const auto ok = RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("local.csv"),
                                "--map", dir.File("map.toml"), "--format", "json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto labs = nlohmann::json::parse(
      RunLivercell({"labs", "--db", db, "hospital:A1", "--format", "json"}).out);
  ASSERT_EQ(labs["labs"].size(), 2u);
  EXPECT_EQ(labs["labs"][1]["unit"], "umol/L");
  EXPECT_DOUBLE_EQ(labs["labs"][1]["canonical_value"].get<double>(), 2.0);
  WriteFile(dir.File("bad.toml"), "[columns]\nvalue = 3\n");
  const auto bad = RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("local.csv"),
                                 "--map", dir.File("bad.toml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("columns.value: expected a string"));
}

TEST(Db, InitStatusAndRefusalWithoutSchema) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("new.db");
  const auto list = RunLivercell({"patients", "list", "--db", db});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_THAT(list.err, HasSubstr("livercell db init"));
  EXPECT_EQ(RunLivercell({"db", "init", "--db", db}).exit_code, 0);
  EXPECT_EQ(RunLivercell({"db", "init", "--db", db}).exit_code, 2) << "already initialised";
  const auto migrate = RunLivercell({"db", "migrate", "--db", db});
  EXPECT_EQ(migrate.exit_code, 0);
  EXPECT_THAT(migrate.out, HasSubstr("applied 0 migration(s)"));
  const auto status =
      nlohmann::json::parse(RunLivercell({"db", "status", "--db", db, "--format", "json"}).out);
  EXPECT_EQ(status["pending"], 0);
  EXPECT_EQ(RunLivercell({"db", "status", "--db", "mysql://x"}).exit_code, 2);
}

// --- candidacy assessments from the registry (issue #7 part 4) --------------------------------

std::string DaysAgo(int days) {
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
                   std::chrono::days(days);
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

TEST(AssessRegistry, FromTheRecordWithStatementsStoredAndReplayed) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("r.db");
  ASSERT_EQ(RunLivercell({"db", "init", "--db", db}).exit_code, 0);
  std::string csv = "patient_id,date,loinc,value,unit\n";
  for (const char* row : {"1975-2,1.1,mg/dL", "1751-7,4.0,g/dL", "6301-6,1.0,1", "2160-0,0.8,mg/dL",
                          "2951-2,140,mmol/L", "777-3,180,10*9/L"}) {
    csv += "C1," + DaysAgo(5) + "," + row + "\n";
  }
  csv += "C1," + DaysAgo(400) + ",1751-7,2.5,g/dL\n";  // superseded by the fresh albumin
  csv += "C1," + DaysAgo(400) + ",1920-8,40,U/L\n";    // the only AST: too old to count
  WriteFile(dir.File("labs.csv"), csv);
  ASSERT_EQ(RunLivercell({"import", "labs", "--db", db, "--csv", dir.File("labs.csv")}).exit_code,
            0);

  // From the record alone: incomplete, the stale AST named, nothing stored with --no-store.
  const auto bare = RunLivercell(
      {"assess", "--db", db, "--patient", "mrn:C1", "--no-store", "--format", "json"});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  const auto first = nlohmann::json::parse(bare.out);
  EXPECT_EQ(first["decision"], "incomplete");
  ASSERT_EQ(first["stale"].size(), 1u);
  EXPECT_EQ(first["stale"][0]["input"], "labs.ast");
  EXPECT_EQ(first["stale"][0]["age_days"], 400);
  EXPECT_EQ(first["stale"][0]["max_age_days"], 30);
  EXPECT_FALSE(first.contains("id"));
  const std::vector<std::string> missing = first["missing"];
  EXPECT_THAT(missing, ::testing::Contains("history.variceal_bleeding"));
  EXPECT_THAT(missing, ::testing::Not(::testing::Contains("labs.bilirubin")));

  // The physician states what the registry cannot know: eligible, and stored.
  WriteFile(dir.File("statements.json"), R"({
    "sex": "female", "age_years": 52, "cirrhosis_confirmed": true, "aetiology": ["pbc"],
    "ascites": "none", "encephalopathy": "none",
    "history": {"varices": "none", "variceal_bleeding": "never", "ascites_ever": false,
                "refractory_ascites": false, "encephalopathy_ever": false, "jaundice": false,
                "hepatorenal_syndrome": false, "sbp_ever": false},
    "hcc": "none", "other_malignancy_within_5y": false, "active_infection": false,
    "pregnant_or_breastfeeding": false, "ecog": 1, "severe_comorbidity": false,
    "labs": {"ast": {"value": 30, "unit": "U/L"}}})");
  // Storing is signing (issue #22): without an account nothing is stored.
  const auto anonymous = RunLivercell({"assess", "--db", db, "--patient", "mrn:C1",
                                       dir.File("statements.json"), "--format", "json"});
  EXPECT_EQ(anonymous.exit_code, 2);
  EXPECT_THAT(anonymous.err, HasSubstr("unauthenticated"));
  EXPECT_THAT(RunLivercell({"assess", "--db", db, "--patient", "mrn:C1", "--history"}).out,
              ::testing::Not(HasSubstr("eligible")));
  ASSERT_EQ(RunLivercell({"user", "add", "--db", db, "--username", "dr.ada", "--role",
                          "physician", "--password-stdin"},
                         "a long enough password\n")
                .exit_code,
            0);
  const auto wrong = RunLivercell({"assess", "--db", db, "--patient", "mrn:C1",
                                   dir.File("statements.json"), "--as", "dr.ada",
                                   "--password-stdin"},
                                  "not it\n");
  EXPECT_EQ(wrong.exit_code, 2);
  const auto stored = RunLivercell({"assess", "--db", db, "--patient", "mrn:C1",
                                    dir.File("statements.json"), "--format", "json", "--as",
                                    "dr.ada", "--password-stdin"},
                                   "a long enough password\n");
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  const auto second = nlohmann::json::parse(stored.out);
  EXPECT_EQ(second["decision"], "eligible") << stored.out;
  EXPECT_TRUE(second["stale"].empty()) << "the physician stated a current AST";
  // ALBI from the registry's bilirubin 1.1 mg/dL and albumin 4.0 g/dL: -2.56, grade 2.
  EXPECT_EQ(second["stage"]["albi"]["grade"], 2) << "registry labs kept";
  const std::string id = second["id"].dump();

  const auto history = RunLivercell({"assess", "--db", db, "--patient", "mrn:C1", "--history"});
  EXPECT_THAT(history.out, HasSubstr("eligible"));
  EXPECT_THAT(history.out, HasSubstr("dr.ada (physician)"));
  const auto replay = RunLivercell({"assess", "--db", db, "--replay", id});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out, HasSubstr("reproduced exactly; content hash intact"));

  // Someone rewrites the stored result behind the database's back: the replay says so.
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("r.db").c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle,
                         "DROP TRIGGER assessments_no_update; UPDATE assessments SET result_json = "
                         "replace(result_json, '\"eligible\"', '\"not_eligible\"')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(handle);
  const auto tampered = RunLivercell({"assess", "--db", db, "--replay", id});
  EXPECT_EQ(tampered.exit_code, 3);
  EXPECT_THAT(tampered.out, HasSubstr("NOT reproduced"));
  EXPECT_THAT(tampered.out, HasSubstr("DOES NOT MATCH"));

  // The audit trail holds each attempt through the CLI: the refusals and the signature.
  const auto audit = RunLivercell({"audit", "export", "--db", db, "--format", "jsonl"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr(R"("outcome":"unauthenticated")"));
  EXPECT_THAT(audit.out, HasSubstr(R"("action":"sign")"));
  EXPECT_THAT(audit.out, HasSubstr(R"("username":"dr.ada")"));
  EXPECT_THAT(audit.out, HasSubstr(R"("resource":"cli: livercell assess --patient mrn:C1")"));

  // Usage: something to assess is required.
  EXPECT_EQ(RunLivercell({"assess", "--db", db}).exit_code, 2);
}

}  // namespace
}  // namespace livercell
