// The repository contract suite (STYLE.md C9): written once, run against SQLite and against a
// real PostgreSQL server. Every behaviour the rest of LiverCell relies on is asserted here.
#include "livercell/storage/repository.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "livercell/base/sha256.h"
#include "livercell/storage/lab_batch.h"
#include "livercell/storage/migrations.h"
#include "livercell/storage/postgres/postgres_connection.h"
#include "test_databases.h"

namespace livercell::storage {
namespace {

using domain::ClinicalTime;
using domain::ExternalId;

ClinicalTime Date(const char* text) { return ClinicalTime::Parse(text).value(); }

domain::LabObservation Lab(std::int64_t patient, const char* loinc, double value, const char* unit,
                           const char* time, const char* key) {
  domain::LabObservation lab = domain::MakeLabObservation(loinc, value, unit, Date(time)).value();
  lab.patient_id = patient;
  lab.source_key = key;
  lab.provenance = "test";
  return lab;
}

class RepositoryContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::TestDatabase>(GetParam());
    ASSERT_TRUE(db_->ok()) << db_->error();
    auto repo = Repository::Open(db_->url(), Repository::SchemaPolicy::kInitializeIfEmpty);
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(repo).value();
  }

  std::int64_t NewPatient(const char* mrn) {
    domain::Patient p;
    p.identifiers = {{"mrn", mrn}};
    p.sex = domain::Sex::kFemale;
    return repo_->CreatePatient(p).value();
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Repository> repo_;
};

TEST_P(RepositoryContract, RefusesADatabaseWithoutSchemaNamingTheCommand) {
  testing::TestDatabase empty(GetParam());
  ASSERT_TRUE(empty.ok()) << empty.error();
  auto repo = Repository::Open(empty.url(), Repository::SchemaPolicy::kRequireCurrent);
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_NE(repo.status().message().find("livercell db init"), std::string_view::npos);
}

TEST_P(RepositoryContract, MigratesOnceToTheLatestVersion) {
  EXPECT_EQ(SchemaVersion(repo_->connection()).value(), LatestSchemaVersion());
  EXPECT_EQ(Migrate(repo_->connection()).value(), 0) << "nothing left to apply";
  EXPECT_TRUE(Repository::Open(db_->url(), Repository::SchemaPolicy::kRequireCurrent).ok());
}

TEST_P(RepositoryContract, StoresAndReadsBackAPatient) {
  domain::Patient p;
  p.identifiers = {{"mrn", "A123"}, {"trial", "LC-007"}};
  p.sex = domain::Sex::kMale;
  p.birth_date = std::chrono::sys_days{std::chrono::year{1960} / 3 / 14};
  p.aetiology_icd10 = "K70.30";
  p.comorbidities_icd10 = {"E11.9", "I10"};
  p.ecog = 1;
  p.provenance = "unit test";
  const std::int64_t id = repo_->CreatePatient(p).value();
  const domain::Patient back = repo_->GetPatient(id).value();
  EXPECT_EQ(back.id, id);
  EXPECT_EQ(back.identifiers, (std::vector<ExternalId>{{"mrn", "A123"}, {"trial", "LC-007"}}));
  EXPECT_EQ(back.sex, domain::Sex::kMale);
  EXPECT_EQ(back.birth_date, p.birth_date);
  EXPECT_EQ(back.aetiology_icd10, "K70.30");
  EXPECT_EQ(back.comorbidities_icd10, p.comorbidities_icd10);
  EXPECT_EQ(back.ecog, 1);
  EXPECT_EQ(back.provenance, "unit test");
  EXPECT_EQ(repo_->FindPatient({"trial", "LC-007"}).value(), id);
  EXPECT_EQ(repo_->ResolvePatient("mrn:A123").value(), id);
  EXPECT_EQ(repo_->ResolvePatient(std::to_string(id)).value(), id);
  EXPECT_EQ(repo_->ResolvePatient("mrn:nobody").status().code(), base::StatusCode::kNotFound);
  EXPECT_EQ(repo_->GetPatient(id + 1000).status().code(), base::StatusCode::kNotFound);
}

TEST_P(RepositoryContract, AnIdentifierBelongsToOnePatient) {
  NewPatient("A1");
  domain::Patient other;
  other.identifiers = {{"mrn", "A1"}};
  const auto created = repo_->CreatePatient(other);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), base::StatusCode::kAlreadyExists);
  domain::Patient bad;
  bad.identifiers = {{"MRN!", "x"}};
  EXPECT_EQ(repo_->CreatePatient(bad).status().path(), "identifiers[0].system");
}

TEST_P(RepositoryContract, LabsAreKeyedBySourceSoReimportChangesNothing) {
  const std::int64_t id = NewPatient("A2");
  EXPECT_TRUE(repo_->AddLab(Lab(id, "14631-6", 34.2, "umol/L", "2026-01-05", "f.csv:2")).value());
  EXPECT_TRUE(
      repo_->AddLab(Lab(id, "1975-2", 1.1, "mg/dL", "2026-01-04T09:30:00Z", "f.csv:3")).value());
  EXPECT_FALSE(repo_->AddLab(Lab(id, "14631-6", 34.2, "umol/L", "2026-01-05", "f.csv:2")).value());
  const auto labs = repo_->Labs(id).value();
  ASSERT_EQ(labs.size(), 2u);
  EXPECT_EQ(labs[0].time.ToString(), "2026-01-04T09:30:00Z") << "ordered by time";
  EXPECT_EQ(labs[1].unit, "umol/L") << "kept as received";
  EXPECT_EQ(labs[1].value, 34.2);
  EXPECT_DOUBLE_EQ(*labs[1].canonical_value, 2.0);
  EXPECT_EQ(labs[1].canonical_unit, "mg/dL");
  EXPECT_EQ(labs[1].code, "14631-6");
  EXPECT_EQ(repo_->Counts().value().labs, 2);
}

TEST_P(RepositoryContract, ALabKeyNeedBeUniqueOnlyAmongOneAnalyteAtOneInstant) {
  const std::int64_t a = NewPatient("K1"), b = NewPatient("K2");
  EXPECT_TRUE(repo_->AddLab(Lab(a, "1975-2", 1.0, "mg/dL", "2026-01-01", "csv|1|mg/dL")).value());
  EXPECT_TRUE(repo_->AddLab(Lab(a, "1975-2", 1.0, "mg/dL", "2026-01-02", "csv|1|mg/dL")).value());
  EXPECT_TRUE(repo_->AddLab(Lab(a, "2160-0", 1.0, "mg/dL", "2026-01-01", "csv|1|mg/dL")).value());
  EXPECT_TRUE(repo_->AddLab(Lab(b, "1975-2", 1.0, "mg/dL", "2026-01-01", "csv|1|mg/dL")).value());
  EXPECT_TRUE(repo_->AddLab(Lab(a, "1975-2", 1.3, "mg/dL", "2026-01-01", "csv|1.3|mg/dL")).value())
      << "a second value at the same instant is a second result";
  EXPECT_FALSE(repo_->AddLab(Lab(a, "1975-2", 1.0, "mg/dL", "2026-01-01", "csv|1|mg/dL")).value());
  EXPECT_EQ(repo_->Counts().value().labs, 5);
}

TEST_P(RepositoryContract, ProvenanceReadsBackExactlyAndAFileIsStoredOnce) {
  const std::int64_t id = NewPatient("P1");
  const char* texts[] = {"/data/labs.csv line 12", "/data/labs.csv line 13",
                         "pbc.csv line 3, column bili; day 0", "notes line 007", "a line ",
                         "api by pia request r-1"};
  int day = 1;
  for (const char* text : texts) {
    domain::LabObservation lab =
        Lab(id, "1975-2", 1.0, "mg/dL", fmt::format("2026-02-{:02}", day++).c_str(), "k");
    lab.provenance = text;
    ASSERT_TRUE(repo_->AddLab(lab).value()) << text;
  }
  const auto labs = repo_->Labs(id).value();
  ASSERT_EQ(labs.size(), std::size(texts));
  for (std::size_t i = 0; i < labs.size(); ++i) EXPECT_EQ(labs[i].provenance, texts[i]);
  std::int64_t files = 0;
  ASSERT_TRUE(repo_->connection()
                  .Execute("SELECT count(*) FROM provenances WHERE text = '/data/labs.csv'", {},
                           [&files](const sql::Row& row) { files = row.Int(0); })
                  .ok());
  EXPECT_EQ(files, 1);
  EXPECT_EQ(labs[0].code_system, domain::kLoincSystem) << "stored as NULL, read back as LOINC";
}

TEST_P(RepositoryContract, ALabBatchWritesEveryRunSortedAndCountsWhatWasThere) {
  const std::int64_t a = NewPatient("B1"), b = NewPatient("B2");
  ASSERT_TRUE(repo_->AddLab(Lab(b, "2160-0", 1.0, "mg/dL", "2026-03-01", "csv|1|mg/dL")).value());
  ASSERT_TRUE(repo_->connection().Begin().ok());
  {
    // A buffer of 600 bytes holds a few rows: the 40 rows are written in several runs.
    LabBatch batch(*repo_, 600);
    for (int i = 39; i >= 0; --i) {
      const int j = i % 20;
      domain::LabObservation lab =
          Lab(j % 2 ? a : b, j % 3 ? "1975-2" : "2160-0", 1.0 + j, "mg/dL",
              fmt::format("2026-03-{:02}", 1 + j).c_str(), "");
      lab.source_key = fmt::format("csv|{}|mg/dL", lab.value);
      lab.provenance = fmt::format("batch.csv line {}", 2 + i);
      ASSERT_TRUE(batch.Add(lab).ok());
    }
    ASSERT_TRUE(batch.Flush().ok());
    // i and i + 20 are the same result (same patient, code, time, value), as is i = 0 and the
    // row stored before the batch: 20 results, one of them already there.
    EXPECT_EQ(batch.stored(), 19);
    EXPECT_EQ(batch.already_present(), 21);
  }
  ASSERT_TRUE(repo_->connection().Commit().ok());
  EXPECT_EQ(repo_->Counts().value().labs, 20);
  const auto labs = repo_->Labs(a).value();
  ASSERT_EQ(labs.size(), 10u);
  for (std::size_t i = 1; i < labs.size(); ++i) {
    EXPECT_LE(labs[i - 1].time.ToString(), labs[i].time.ToString());
  }
  EXPECT_EQ(labs[0].time.ToString(), "2026-03-02");
  EXPECT_EQ(labs[0].value, 2.0);
  EXPECT_DOUBLE_EQ(*labs[0].canonical_value, 2.0);
  EXPECT_EQ(labs[0].provenance, "batch.csv line 23") << "of two copies, the one added first";
}

TEST_P(RepositoryContract, SchemaSixKeepsEveryLabAndReimportStillChangesNothing) {
  // A registry at schema 5 with a CSV-imported, a cohort and an API lab, in schema 1's form.
  testing::TestDatabase old(GetParam());
  ASSERT_TRUE(old.ok()) << old.error();
  auto db = sql::Open(old.url()).value();
  const bool sqlite = db->dialect() == sql::Dialect::kSqlite;
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                                "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
                  .ok());
  for (const Migration& m : AllMigrations()) {
    if (m.version > 5) break;
    ASSERT_TRUE(db->ExecuteScript(sqlite ? m.sqlite_sql : m.postgres_sql).ok()) << m.version;
    ASSERT_TRUE(db->ExecuteScript(fmt::format("INSERT INTO schema_migrations VALUES ({}, '{}', "
                                              "'2026-11-01T00:00:00Z')",
                                              m.version, m.name))
                    .ok());
  }
  ASSERT_TRUE(
      db->ExecuteScript(
            "INSERT INTO patients (id, provenance) VALUES (1, 'test');"
            "INSERT INTO patient_identifiers VALUES (1, 'mrn', 'A1');"
            "INSERT INTO labs (patient_id, code_system, code, value, unit, canonical_value, "
            "canonical_unit, time, flag, source_key, provenance) VALUES "
            "(1, 'http://loinc.org', '14631-6', 34.2, 'umol/L', 2.0, 'mg/dL', "
            "'2026-01-05T08:00:00Z', '', 'lab|mrn:A1|2026-01-05T08:00:00Z|14631-6|34.2|umol/L', "
            "'old.csv line 2'),"
            "(1, 'urn:livercell:code', 'copper', 50, 'ug/d', NULL, '', '2026-01-05', '', "
            "'pbc:1:0:copper', 'pbc.csv line 2, column copper'),"
            "(1, 'http://loinc.org', '1975-2', 1.1, 'mg/dL', 1.1, 'mg/dL', '2026-01-06', "
            "'', 'api:r-9', 'api by pia request r-9');")
          .ok());
  ASSERT_EQ(Migrate(*db).value(), LatestSchemaVersion() - 5);
  db.reset();

  auto repo = Repository::Open(old.url(), Repository::SchemaPolicy::kRequireCurrent).value();
  const auto labs = repo->Labs(1).value();
  ASSERT_EQ(labs.size(), 3u);
  EXPECT_EQ(labs[0].source_key, "pbc:1:0:copper");
  EXPECT_EQ(labs[0].code_system, "urn:livercell:code");
  EXPECT_EQ(labs[0].provenance, "pbc.csv line 2, column copper");
  EXPECT_FALSE(labs[0].canonical_value.has_value());
  EXPECT_EQ(labs[1].source_key, "csv|34.2|umol/L") << "schema 1's CSV key, rewritten";
  EXPECT_EQ(labs[1].code_system, domain::kLoincSystem);
  EXPECT_EQ(labs[1].provenance, "old.csv line 2");
  EXPECT_EQ(labs[2].source_key, "api:r-9");
  // The CSV row imported again, keyed as the importer keys it now, is already there.
  domain::LabObservation again = Lab(1, "14631-6", 34.2, "umol/L", "2026-01-05T08:00:00Z",
                                     "csv|34.2|umol/L");
  EXPECT_FALSE(repo->AddLab(again).value());
  EXPECT_EQ(repo->Counts().value().labs, 3);
}

TEST_P(RepositoryContract, AFailedTransactionLeavesNothing) {
  const std::int64_t id = NewPatient("A3");
  const base::Status status = repo_->InTransaction([&]() -> base::Status {
    LC_RETURN_IF_ERROR(repo_->AddLab(Lab(id, "1975-2", 1.0, "mg/dL", "2026-01-01", "k1")).status());
    LC_RETURN_IF_ERROR(repo_->AddLab(Lab(id, "1975-2", 1.2, "mg/dL", "2026-01-02", "k2")).status());
    return base::InvalidArgumentError("row 3 is bad");
  });
  EXPECT_EQ(status.message(), "row 3 is bad");
  EXPECT_EQ(repo_->Counts().value().labs, 0);
  EXPECT_TRUE(
      repo_
          ->InTransaction([&] {
            return repo_->AddLab(Lab(id, "1975-2", 1.0, "mg/dL", "2026-01-01", "k1")).status();
          })
          .ok());
  EXPECT_EQ(repo_->Counts().value().labs, 1);
}

TEST_P(RepositoryContract, ALabOfAnUnknownPatientFailsItsTransactionAndANaNIsRefused) {
  const std::int64_t id = NewPatient("A4");
  const std::int64_t nobody = id + 1000;
  // Schema 8: the repository checks a lab's patient (no foreign key does); the write is
  // refused by name, and the transaction it was in leaves nothing.
  const base::Status status = repo_->InTransaction([&]() -> base::Status {
    LC_RETURN_IF_ERROR(repo_->AddLab(Lab(id, "1975-2", 1.0, "mg/dL", "2026-01-01", "k1")).status());
    return repo_->AddLab(Lab(nobody, "1975-2", 1.2, "mg/dL", "2026-01-02", "k2")).status();
  });
  EXPECT_EQ(status.code(), base::StatusCode::kNotFound) << status.ToString();
  EXPECT_EQ(status.path(), "patient_id");
  EXPECT_EQ(repo_->Counts().value().labs, 0);
  // The bulk path checks each patient too, wherever in the batch it comes.
  {
    LabBatch batch(*repo_);
    const base::Status bulk = repo_->InTransaction([&]() -> base::Status {
      for (int i = 0; i < 100; ++i) {
        const std::string key = "b" + std::to_string(i);
        LC_RETURN_IF_ERROR(batch.Add(Lab(i == 70 ? nobody : id, "1975-2", 1.0, "mg/dL",
                                         "2026-02-01", key.c_str())));
      }
      return batch.Flush();
    });
    EXPECT_EQ(bulk.code(), base::StatusCode::kNotFound) << bulk.ToString();
    EXPECT_EQ(repo_->Counts().value().labs, 0);
  }
  EXPECT_FALSE(repo_->AddLab(Lab(nobody, "1975-2", 1.2, "mg/dL", "2026-01-02", "k2")).ok())
      << "a lone statement commits, and fails, at once";
  EXPECT_EQ(repo_->Counts().value().labs, 0);
  // SQLite would store NaN as NULL; the repository refuses it rather than skip the row (the
  // domain refuses it too; this is a record built around MakeLabObservation).
  domain::LabObservation not_a_number = Lab(id, "1975-2", 1.0, "mg/dL", "2026-01-03", "k3");
  not_a_number.value = std::nan("");
  const auto nan = repo_->AddLab(not_a_number);
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.status().path(), "value");
  EXPECT_EQ(repo_->Counts().value().labs, 0);
  EXPECT_TRUE(repo_->AddLab(Lab(id, "1975-2", 1.0, "mg/dL", "2026-01-01", "k1")).value());
  EXPECT_EQ(repo_->Counts().value().labs, 1);
}

TEST_P(RepositoryContract, EventsFindingsAdverseEventsAndQualityOfLifeRoundTrip) {
  const std::int64_t id = NewPatient("A4");
  domain::ClinicalEvent he{0, id, "hepatic_encephalopathy", 2, Date("2026-02-01"), "e1", "t"};
  domain::ClinicalEvent death{0, id, "death", std::nullopt, Date("2026-03-01"), "e2", "t"};
  EXPECT_TRUE(repo_->AddEvent(he).value());
  EXPECT_TRUE(repo_->AddEvent(death).value());
  domain::ClinicalEvent graded_death = death;
  graded_death.grade = 2;
  graded_death.source_key = "e3";
  EXPECT_EQ(repo_->AddEvent(graded_death).status().path(), "grade");
  EXPECT_TRUE(
      repo_->AddFinding({0, id, "histologic_stage", 3, Date("2026-01-01"), "f1", "t"}).value());
  EXPECT_EQ(repo_->AddFinding({0, id, "histologic_stage", 5, Date("2026-01-01"), "f2", "t"})
                .status()
                .code(),
            base::StatusCode::kOutOfRange);
  domain::AdverseEvent ae{
      0, id, "Fever", 2, domain::Attribution::kPossible, "INF-1", Date("2026-01-10"), "ae1", "t"};
  EXPECT_TRUE(repo_->AddAdverseEvent(ae).value());
  domain::QualityOfLife qol;
  qol.patient_id = id;
  qol.time = Date("2026-01-15");
  qol.cldq_items = std::array<int, 29>{};
  qol.cldq_items->fill(5);
  qol.eq5d5l = std::array<int, 5>{1, 2, 1, 3, 1};
  qol.source_key = "q1";
  EXPECT_TRUE(repo_->AddQualityOfLife(qol).value());

  const auto events = repo_->Events(id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "hepatic_encephalopathy");
  EXPECT_EQ(events[0].grade, 2);
  EXPECT_EQ(events[1].grade, std::nullopt);
  EXPECT_EQ(repo_->Findings(id).value().at(0).value, 3);
  const auto aes = repo_->AdverseEvents(id).value();
  ASSERT_EQ(aes.size(), 1u);
  EXPECT_EQ(aes[0].attribution, domain::Attribution::kPossible);
  EXPECT_EQ(aes[0].infusion_id, "INF-1");
  const auto qols = repo_->QualityOfLife(id).value();
  ASSERT_EQ(qols.size(), 1u);
  EXPECT_EQ(qols[0].cldq_items, qol.cldq_items);
  EXPECT_EQ(domain::Eq5dProfile(*qols[0].eq5d5l), "12131");
  EXPECT_EQ(repo_->Counts().value(), (RecordCounts{1, 0, 1, 2, 1, 1}));
}

TEST_P(RepositoryContract, ListsPatientsWithSearchAndPaging) {
  for (int i = 0; i < 25; ++i) NewPatient(fmt::format("{}{}", i < 10 ? 'X' : 'Y', i).c_str());
  std::int64_t total = 0;
  EXPECT_EQ(repo_->ListPatients(10, 0, "", &total).value().size(), 10u);
  EXPECT_EQ(total, 25);
  EXPECT_EQ(repo_->ListPatients(10, 20, "", &total).value().size(), 5u);
  const auto xs = repo_->ListPatients(100, 0, "X", &total).value();
  EXPECT_EQ(total, 10);
  EXPECT_EQ(xs.size(), 10u);
  EXPECT_EQ(xs.front().identifiers.front().value, "X0");
}

TEST_P(RepositoryContract, FindOrCreateCreatesOnce) {
  bool created = false;
  const std::int64_t a = repo_->FindOrCreatePatient({"mrn", "Z9"}, &created).value();
  EXPECT_TRUE(created);
  const std::int64_t b = repo_->FindOrCreatePatient({"mrn", "Z9"}, &created).value();
  EXPECT_FALSE(created);
  EXPECT_EQ(a, b);
}

TEST_P(RepositoryContract, AssessmentsAreKeptWithTheirProtocolAndNeverChange) {
  const std::int64_t id = NewPatient("A9");
  domain::AssessmentRecord a;
  a.patient_id = id;
  a.assessed_at = ClinicalTime::Parse("2026-11-23T10:00:00Z").value();
  a.decision = "incomplete";
  a.protocol_id = "clinic";
  a.protocol_version = "1.0.0";
  a.protocol_text = "[protocol]\nid = \"clinic\"\n";
  a.protocol_sha256 = base::Sha256Hex(a.protocol_text);
  a.input_json = R"({"ecog":1})";
  a.result_json = R"({"decision":"incomplete"})";
  a.signed_by = "doc";
  a.signed_role = "physician";
  a.content_hash = "h1";
  const std::int64_t first = repo_->AddAssessment(a).value();
  a.decision = "eligible";
  a.signed_by.reset();
  a.signed_role.reset();
  a.content_hash = "h2";
  const std::int64_t second = repo_->AddAssessment(a).value();  // same protocol: stored once
  EXPECT_GT(second, first);

  const auto all = repo_->Assessments(id).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, second);  // newest first
  EXPECT_EQ(all[1].decision, "incomplete");
  EXPECT_EQ(all[1].signed_by, "doc");
  EXPECT_FALSE(all[0].signed_by);
  EXPECT_EQ(all[1].protocol_text, a.protocol_text);
  EXPECT_EQ(all[1].assessed_at, a.assessed_at);
  EXPECT_EQ(repo_->GetAssessment(first).value().content_hash, "h1");
  EXPECT_EQ(repo_->GetAssessment(first + 100).status().code(), base::StatusCode::kNotFound);

  a.protocol_text += "# edited";  // no longer the text its sha256 names
  EXPECT_EQ(repo_->AddAssessment(a).status().code(), base::StatusCode::kInvalidArgument);
  a.protocol_text = "[protocol]\nid = \"clinic\"\n";
  a.patient_id = id + 1000;
  EXPECT_EQ(repo_->AddAssessment(a).status().code(), base::StatusCode::kNotFound);

  // The database itself refuses to rewrite history.
  EXPECT_FALSE(
      repo_->connection().Execute("UPDATE assessments SET decision = 'eligible'", {}).ok());
  EXPECT_FALSE(repo_->connection().Execute("DELETE FROM assessments", {}).ok());
  EXPECT_FALSE(repo_->connection().Execute("UPDATE protocols SET text = 'x'", {}).ok());
  EXPECT_EQ(repo_->Assessments(id).value().size(), 2u);
}

// Products come back with every event and field, alone or in a patient's list, and each list
// holds only that patient's (the list reads all events in one pass, not one product at a time).
TEST_P(RepositoryContract, ProductsComeBackWithTheirEventsAloneOrListed) {
  const std::int64_t ann = NewPatient("P1");
  const std::int64_t bob = NewPatient("P2");
  const auto add = [&](std::int64_t patient, int sequence, bool bank) {
    domain::Product p;
    p.din = domain::Din::Make("G1234", 2026, sequence).value();
    p.product_code = "S1234";
    p.product_type = bank ? "uc_msc" : "bm_mnc";
    p.origin = bank ? domain::ProductOrigin::kBank : domain::ProductOrigin::kAutologous;
    p.patient_id = patient;
    p.registered_by = "cp";
    p.registered_at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23};
    const std::int64_t id = repo_->AddProduct(p).value();
    domain::CustodyEvent e;
    e.at = p.registered_at;
    e.actor = "cp";
    e.role = "cell-processing";
    if (bank) {
      e.kind = domain::CustodyKind::kBankReceipt;
      e.fields = {{"bank", "RCB"}, {"bank_unit", "U-1"}, {"donor", "D-1"},
                  {"donor_eligible", true}, {"received_at", "2026-11-23T08:00:00Z"}};
    } else {
      e.kind = domain::CustodyKind::kHarvest;
      e.fields = {{"volume_ml", 45.5}, {"collected_at", "2026-11-23T08:00:00Z"},
                  {"operator", "Dr Ames"}};
    }
    EXPECT_TRUE(repo_->AppendCustodyEvent(id, e).ok());
    return id;
  };
  const std::int64_t a1 = add(ann, 1, false);
  const std::int64_t b1 = add(bob, 2, true);
  const std::int64_t a2 = add(ann, 3, true);

  const auto anns = repo_->ListProducts(ann).value();
  ASSERT_EQ(anns.size(), 2u);
  EXPECT_EQ(anns[0].id, a1);
  EXPECT_EQ(anns[1].id, a2);
  for (const domain::Product& listed : anns) {
    const domain::Product alone = repo_->GetProduct(listed.id).value();
    ASSERT_EQ(listed.events.size(), 1u);
    ASSERT_EQ(alone.events.size(), 1u);
    EXPECT_EQ(listed.events[0].content_hash, alone.events[0].content_hash);
    EXPECT_EQ(listed.events[0].fields, alone.events[0].fields);
    EXPECT_EQ(domain::CustodyEventHash("", listed.din, listed.events[0]),
              listed.events[0].content_hash);
  }
  EXPECT_EQ(std::get<double>(anns[0].events[0].fields.at("volume_ml")), 45.5);
  EXPECT_EQ(std::get<bool>(anns[1].events[0].fields.at("donor_eligible")), true);
  EXPECT_EQ(repo_->ListProducts(0).value().size(), 3u);
  EXPECT_EQ(repo_->ListProducts(bob).value().front().id, b1);
  EXPECT_EQ(repo_->GetProduct(b1 + 100).status().code(), base::StatusCode::kNotFound);
}

TEST(PostgresDriver, RewritesPlaceholdersOutsideQuotes) {
  EXPECT_EQ(sql::RewritePlaceholders("SELECT ? , '?' , \"?\" , ?"), "SELECT $1 , '?' , \"?\" , $2");
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryContract, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace livercell::storage
