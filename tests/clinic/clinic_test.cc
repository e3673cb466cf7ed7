// The clinic's use cases called directly (STYLE.md C16, issue #22): no HTTP, no terminal. On
// SQLite and on PostgreSQL, each use case checks the actor's permission, validates against the
// record as stored, writes, and leaves exactly one audit entry — a refusal included — and a
// refused change writes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "livercell/access/audit.h"
#include "livercell/clinic/accounts.h"
#include "livercell/clinic/clinic.h"
#include "livercell/clinic/journal.h"
#include "livercell/clinic/outcomes.h"
#include "livercell/clinic/plans.h"
#include "livercell/clinic/products.h"
#include "livercell/clinic/records.h"
#include "livercell/clinic/tidy.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/release_spec.h"
#include "livercell/storage/repository.h"
#include "test_databases.h"

namespace livercell::clinic {
namespace {

using storage::Repository;
using namespace std::chrono_literals;

constexpr const char* kPassword = "a long enough password";

class ClinicTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::TestDatabase>(GetParam());
    ASSERT_TRUE(db_->ok()) << db_->error();
    auto repo = Repository::Open(db_->url(), Repository::SchemaPolicy::kInitializeIfEmpty);
    ASSERT_TRUE(repo.ok()) << repo.status().ToString();
    repo_ = std::move(repo).value();
    auto key = access::AuditKeyFor(db_->url(), "", /*create=*/true);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = *key;
    journal_ = std::make_unique<DirectJournal>(*repo_, *key_);
    protocol_ = *formats::DefaultProtocol().protocol;
    const Actor os = OsActor("clinic_test");
    for (const auto& [name, role] : {std::pair{"dr.ada", access::Role::kPhysician},
                                     {"rn.kim", access::Role::kNurse},
                                     {"lab.lee", access::Role::kLab},
                                     {"cp.cora", access::Role::kCellProcessing},
                                     {"cp.quinn", access::Role::kCellProcessing}}) {
      ASSERT_TRUE(AddAccount(context(), os, name, role, kPassword).ok());
    }
  }

  Context context() const {
    return Context{*repo_, *journal_, protocol_, calendar_, formats::DefaultReleaseSpec(), now_};
  }

  Actor As(const std::string& username) {
    auto actor = Authenticate(context(), username, kPassword, OsActor("test"));
    EXPECT_TRUE(actor.ok()) << actor.status().ToString();
    Actor a = actor.value();
    a.resource = "test";
    return a;
  }

  std::vector<access::AuditEntry> Audit() {
    std::vector<access::AuditEntry> entries;
    EXPECT_TRUE(access::AuditLog(repo_->connection(), *key_)
                    .ForEach("", 0, 0, [&](const access::AuditEntry& e) { entries.push_back(e); })
                    .ok());
    return entries;
  }

  std::int64_t NewPatient(const std::string& mrn, std::chrono::sys_days birth) {
    domain::Patient p;
    p.identifiers.push_back({"mrn", mrn});
    p.birth_date = birth;
    auto stored = RegisterPatient(context(), As("rn.kim"), p);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? stored->id : 0;
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<Repository> repo_;
  std::optional<access::AuditKey> key_;
  std::unique_ptr<DirectJournal> journal_;
  domain::Protocol protocol_;
  domain::ClinicCalendar calendar_;
  std::chrono::sys_seconds now_ =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
};

domain::LabObservation Bilirubin(std::int64_t patient, double value, std::string time) {
  auto made = domain::MakeLabObservation("1975-2", value, "mg/dL",
                                         *domain::ClinicalTime::Parse(time));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  domain::LabObservation lab = *made;
  lab.patient_id = patient;
  return lab;
}

TEST_P(ClinicTest, OsUserAdministersButMayNotChangeClinicalData) {
  const std::int64_t patient = NewPatient("A1", std::chrono::sys_days(1960y / 1 / 1));
  const std::size_t before = Audit().size();
  const base::Status refused =
      RecordLab(context(), OsActor("livercell record"), Bilirubin(patient, 1.2, "2026-01-05"))
          .status();
  EXPECT_EQ(refused.code(), base::StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.path(), "--as");
  EXPECT_TRUE(repo_->Labs(patient)->empty());
  const auto entries = Audit();
  ASSERT_EQ(entries.size(), before + 1);  // the refusal is on the record
  EXPECT_EQ(entries.back().outcome, "unauthenticated");
  EXPECT_TRUE(entries.back().username.starts_with("os:"));
  EXPECT_TRUE(entries.back().resource.starts_with("cli: "));
}

TEST_P(ClinicTest, RoleWithoutPermissionIsRefusedAndAudited) {
  const std::int64_t patient = NewPatient("A2", std::chrono::sys_days(1960y / 1 / 1));
  domain::ClinicalEvent event;
  event.patient_id = patient;
  event.type = "ascites";
  event.time = *domain::ClinicalTime::Parse("2026-01-05");
  const base::Status refused = RecordEvent(context(), As("lab.lee"), event).status();
  EXPECT_EQ(refused.code(), base::StatusCode::kPermissionDenied);
  EXPECT_TRUE(repo_->Events(patient)->empty());
  EXPECT_EQ(Audit().back().outcome, "permission_denied");
  EXPECT_EQ(Audit().back().username, "lab.lee");
  EXPECT_TRUE(RecordEvent(context(), As("rn.kim"), event).ok());
  EXPECT_EQ(repo_->Events(patient)->size(), 1u);
  EXPECT_EQ(Audit().back().outcome, "ok");
  EXPECT_EQ(Audit().back().action, "create");
  EXPECT_EQ(Audit().back().patient_id, patient);
}

TEST_P(ClinicTest, ClinicalTimeInTheFutureOrBeforeBirthIsRefused) {
  const std::int64_t patient = NewPatient("A3", std::chrono::sys_days(1960y / 6 / 1));
  const Actor lab = As("lab.lee");
  for (const char* time : {"2030-01-01", "1900-01-01", "1960-05-31"}) {
    const base::Status refused = RecordLab(context(), lab, Bilirubin(patient, 1.2, time)).status();
    EXPECT_EQ(refused.code(), base::StatusCode::kOutOfRange) << time;
    EXPECT_EQ(refused.path(), "time") << time;
    EXPECT_EQ(std::get<std::string>(refused.value()), time);
    EXPECT_EQ(Audit().back().outcome, "out_of_range");
  }
  EXPECT_TRUE(repo_->Labs(patient)->empty());
  // Five minutes of clock skew are allowed; the birthday itself is fine.
  const auto soon = domain::ClinicalTime::FromInstant(now_ + 4min).ToString();
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 1.2, soon)).ok());
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 1.3, "1960-06-01")).ok());
  const auto late = domain::ClinicalTime::FromInstant(now_ + 6min).ToString();
  EXPECT_EQ(RecordLab(context(), lab, Bilirubin(patient, 1.4, late)).status().code(),
            base::StatusCode::kOutOfRange);
  EXPECT_EQ(repo_->Labs(patient)->size(), 2u);
}

TEST_P(ClinicTest, DuplicateLabIsRefusedNamingTheStoredOne) {
  const std::int64_t patient = NewPatient("A4", std::chrono::sys_days(1960y / 1 / 1));
  const Actor lab = As("lab.lee");
  ASSERT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 1.8, "2026-02-01")).ok());
  const base::Status again =
      RecordLab(context(), lab, Bilirubin(patient, 1.8, "2026-02-01")).status();
  EXPECT_EQ(again.code(), base::StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("already recorded"), std::string::npos) << again.message();
  EXPECT_EQ(repo_->Labs(patient)->size(), 1u);
  // Another value at that time is another result.
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 1.9, "2026-02-01")).ok());
  // Ten times the previous value a day later: a typing error more often than a patient. It is
  // questioned (the delta check) and recorded only when confirmed.
  const base::Status asked =
      RecordLab(context(), lab, Bilirubin(patient, 19, "2026-02-02")).status();
  EXPECT_EQ(asked.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(asked.path(), "confirm");
  EXPECT_NE(asked.message().find(" → 19 mg/dL since 2026-02-01: is this right?"),
            std::string::npos)
      << asked.message();
  EXPECT_EQ(repo_->Labs(patient)->size(), 2u);
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 19, "2026-02-02"), true).ok());
  // A gradual rise, and a jump after more than 90 days, pass unasked.
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 25, "2026-02-10")).ok());
  EXPECT_TRUE(RecordLab(context(), lab, Bilirubin(patient, 2, "2026-06-01")).ok());
}

TEST_P(ClinicTest, CorrectionsVoidOrAmendAndNothingIsDeleted) {
  const std::int64_t patient = NewPatient("A9", std::chrono::sys_days(1960y / 1 / 1));
  const Actor lab = As("lab.lee");
  // "1,8" typed as 18: recorded, then amended to 1.8.
  auto typo = RecordLab(context(), lab, Bilirubin(patient, 18, "2026-02-01"));
  ASSERT_TRUE(typo.ok()) << typo.status().ToString();
  EXPECT_EQ(typo->size(), 16u);
  EXPECT_EQ(AmendLab(context(), lab, *typo, Bilirubin(patient, 1.8, "2026-02-01"), "").status()
                .path(),
            "reason");
  auto fixed = AmendLab(context(), lab, *typo, Bilirubin(patient, 1.8, "2026-02-01"),
                        "typed 18 for 1,8");
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_NE(*fixed, *typo);
  EXPECT_EQ(Audit().back().action, "amend");
  // Current readers see the correction only; the record itself is still there.
  auto current = repo_->Labs(patient);
  ASSERT_EQ(current->size(), 1u);
  EXPECT_EQ(current->front().value, 1.8);
  EXPECT_EQ(repo_->Labs(patient, Repository::Visibility::kAll)->size(), 2u);
  auto corrections = repo_->Corrections(patient);
  ASSERT_EQ(corrections->size(), 1u);
  EXPECT_EQ(corrections->front().record_id, *typo);
  EXPECT_EQ(corrections->front().status, domain::kSuperseded);
  EXPECT_EQ(corrections->front().replaced_by, *fixed);
  EXPECT_EQ(corrections->front().by, "lab.lee");
  EXPECT_EQ(corrections->front().reason, "typed 18 for 1,8");
  // The superseded version is stale: a second amendment or a void of it is refused (412).
  EXPECT_EQ(AmendLab(context(), lab, *typo, Bilirubin(patient, 1.7, "2026-02-01"), "again")
                .status()
                .code(),
            base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(VoidRecord(context(), lab, domain::RecordKind::kLab, patient, *typo, "x").code(),
            base::StatusCode::kFailedPrecondition);
  // An event of another patient recorded here by mistake: voided, with its reason.
  domain::ClinicalEvent event;
  event.patient_id = patient;
  event.type = "ascites";
  event.time = *domain::ClinicalTime::Parse("2026-01-05");
  auto id = RecordEvent(context(), As("rn.kim"), event);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(VoidRecord(context(), As("lab.lee"), domain::RecordKind::kEvent, patient, *id,
                       "another patient's")
                .code(),
            base::StatusCode::kPermissionDenied);
  EXPECT_EQ(VoidRecord(context(), As("rn.kim"), domain::RecordKind::kEvent, patient, "999",
                       "x")
                .code(),
            base::StatusCode::kNotFound);
  ASSERT_TRUE(VoidRecord(context(), As("rn.kim"), domain::RecordKind::kEvent, patient, *id,
                         "another patient's")
                  .ok());
  EXPECT_TRUE(repo_->Events(patient)->empty());
  EXPECT_EQ(repo_->Events(patient, Repository::Visibility::kAll)->size(), 1u);
  EXPECT_EQ(Audit().back().action, "void");
  // A finding (imported: stored here directly as an import would) is amended the same way.
  domain::Finding ascites;
  ascites.patient_id = patient;
  ascites.kind = "ascites";
  ascites.value = 1;
  ascites.time = *domain::ClinicalTime::Parse("2026-01-06");
  ascites.source_key = "test:ascites";
  ascites.provenance = "test";
  ASSERT_TRUE(repo_->AddFinding(ascites).ok());
  const std::string finding_id = std::to_string(repo_->Findings(patient)->front().id);
  domain::Finding none = ascites;
  none.value = 0;
  auto amended = AmendFinding(context(), As("rn.kim"), finding_id, none, "no ascites on US");
  ASSERT_TRUE(amended.ok()) << amended.status().ToString();
  ASSERT_EQ(repo_->Findings(patient)->size(), 1u);
  EXPECT_EQ(repo_->Findings(patient)->front().value, 0);
  // The database itself refuses to change or remove a correction.
  EXPECT_FALSE(repo_->connection().ExecuteScript("DELETE FROM corrections").ok());
  EXPECT_FALSE(repo_->connection().ExecuteScript("UPDATE corrections SET reason = 'x'").ok());
  EXPECT_EQ(repo_->Corrections(patient)->size(), 3u);
}

TEST_P(ClinicTest, StaleUpdateIsRefusedWithTheCurrentVersion) {
  const std::int64_t patient = NewPatient("A5", std::chrono::sys_days(1960y / 1 / 1));
  domain::Patient stored = *repo_->GetPatient(patient);
  stored.ecog = 1;
  auto v2 = UpdatePatient(context(), As("dr.ada"), stored, 1);
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(*v2, 2);
  stored.ecog = 2;
  auto stale = UpdatePatient(context(), As("rn.kim"), stored, 1);
  EXPECT_EQ(stale.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stale.status().allowed(), "2");
  EXPECT_EQ(repo_->GetPatient(patient)->ecog, 1);
  EXPECT_EQ(Audit().back().outcome, "failed_precondition");
}

TEST_P(ClinicTest, PlanNeedsSignatureEligibilityAndALivingPatient) {
  const std::int64_t patient = NewPatient("A6", std::chrono::sys_days(1960y / 1 / 1));
  PlanRequest request;
  request.patient_id = patient;
  request.course = *BuiltinCourseTemplate("iv-2x5");
  request.start = std::chrono::floor<std::chrono::days>(now_) + std::chrono::days(7);
  request.weight_kg = 70;
  request.password = kPassword;
  // No signed eligible assessment: refused unless overridden.
  auto refused = CreatePlan(context(), As("dr.ada"), request);
  EXPECT_EQ(refused.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().path(), "assessment");
  EXPECT_TRUE(repo_->Plans(patient)->empty());
  // A nurse may not plan; a wrong password does not sign.
  request.override_reason = "assessed on paper";
  EXPECT_EQ(CreatePlan(context(), As("rn.kim"), request).status().code(),
            base::StatusCode::kPermissionDenied);
  PlanRequest wrong = request;
  wrong.password = "not the password";
  EXPECT_EQ(CreatePlan(context(), As("dr.ada"), wrong).status().path(), "password");
  auto planned = CreatePlan(context(), As("dr.ada"), request);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_TRUE(planned->warnings.empty());
  EXPECT_EQ(Audit().back().action, "sign-override");
  EXPECT_NE(Audit().back().resource.find("assessed on paper"), std::string::npos);
  // A second, overlapping plan is stored with a warning.
  auto second = CreatePlan(context(), As("dr.ada"), request);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->warnings.size(), 1u);
  EXPECT_NE(second->warnings[0].find("overlaps plan"), std::string::npos);
  // After a recorded death: no plan.
  domain::ClinicalEvent death;
  death.patient_id = patient;
  death.type = "death";
  death.time = domain::ClinicalTime::FromDate(std::chrono::floor<std::chrono::days>(now_));
  ASSERT_TRUE(RecordEvent(context(), As("dr.ada"), death).ok());
  auto dead = CreatePlan(context(), As("dr.ada"), request);
  EXPECT_EQ(dead.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(dead.status().path(), "patient_id");
  EXPECT_EQ(repo_->Plans(patient)->size(), 2u);
}

TEST_P(ClinicTest, ReleaseIsSignedAndIndependentOfProcessingAndQc) {
  const std::int64_t patient = NewPatient("A7", std::chrono::sys_days(1960y / 1 / 1));
  domain::Product product;
  product.din = *domain::Din::Parse("G123426000001");
  product.product_code = "S1234";
  product.product_type = "bm_mnc";
  product.patient_id = patient;
  PlanRequest plan;  // the plan gives release the recipient's weight and the dose
  plan.patient_id = patient;
  plan.course = *BuiltinCourseTemplate("hepatic-artery");
  plan.start = std::chrono::floor<std::chrono::days>(now_);  // the procedure is today
  plan.weight_kg = 70;
  plan.password = kPassword;
  plan.override_reason = "test";
  calendar_ = domain::ClinicCalendar("every day", {true, true, true, true, true, true, true}, {});
  auto planned = CreatePlan(context(), As("dr.ada"), plan);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  product.plan_id = planned->plan.id;
  const Actor cora = As("cp.cora");
  auto registered = RegisterProduct(context(), cora, product);
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  EXPECT_EQ(registered->registered_by, "cp.cora");
  // Records an event by hand; returns its warnings.
  const auto record_on = [&](std::int64_t product_id, domain::CustodyKind kind,
                             std::map<std::string, std::string, std::less<>> text) {
    std::vector<base::Status> problems;
    auto fields = domain::ParseFields(kind, text, &problems);
    EXPECT_TRUE(fields.ok()) << (problems.empty() ? fields.status() : problems[0]).ToString();
    domain::CustodyEvent event;
    event.kind = kind;
    event.at = now_;
    event.fields = fields.ok() ? *fields : domain::Fields();
    auto stored = RecordCustodyEvent(context(), cora, product_id, event);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!stored.ok()) return std::vector<std::string>{"not stored"};
    EXPECT_EQ(stored->event.actor, "cp.cora");
    return stored->warnings;
  };
  const auto record = [&](domain::CustodyKind kind,
                          std::map<std::string, std::string, std::less<>> text) {
    EXPECT_TRUE(record_on(registered->id, kind, std::move(text)).empty());
  };
  const std::string now_text = domain::ClinicalTime::FromInstant(now_).ToString();
  const std::string tomorrow = domain::ClinicalTime::FromInstant(now_ + 24h).ToString();
  record(domain::CustodyKind::kHarvest,
         {{"volume_ml", "45"}, {"collected_at", now_text}, {"operator", "Dr Ames"}});
  record(domain::CustodyKind::kProcessing,
         {{"method", "density gradient"}, {"target", "mnc"}, {"total_nucleated_cells", "3e9"},
          {"target_cells", "1.5e8"}, {"cd34_cells", "2e6"}, {"viability_percent", "92"},
          {"volume_ml", "20"}, {"expires_at", tomorrow}});
  record(domain::CustodyKind::kQc, {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
                                    {"endotoxin_eu_per_ml", "0.2"}, {"viability_percent", "88"}});
  // A second product for the same plan, in date only until the night before the procedure:
  // stored, with a warning (its release will be refused).
  domain::Product late = product;
  late.din = *domain::Din::Parse("G123426000002");
  auto late_registered = RegisterProduct(context(), cora, late);
  ASSERT_TRUE(late_registered.ok()) << late_registered.status().ToString();
  EXPECT_TRUE(record_on(late_registered->id, domain::CustodyKind::kHarvest,
                        {{"volume_ml", "45"}, {"collected_at", now_text}, {"operator", "Dr Ames"}})
                  .empty());
  const std::string last_night = domain::ClinicalTime::FromInstant(
      std::chrono::floor<std::chrono::days>(now_) - 1h).ToString();
  const std::vector<std::string> warnings = record_on(
      late_registered->id, domain::CustodyKind::kProcessing,
      {{"method", "density gradient"}, {"target", "mnc"}, {"total_nucleated_cells", "3e9"},
       {"target_cells", "1.5e8"}, {"cd34_cells", "2e6"}, {"viability_percent", "92"},
       {"volume_ml", "20"}, {"expires_at", last_night}});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("expires at " + last_night + ", before its planned administration"),
            std::string::npos)
      << warnings[0];
  domain::ReleaseChecklist checklist;
  // cora processed and tested it: she may not release it.
  auto own = ReleaseProduct(context(), cora, registered->id, kPassword, &checklist);
  EXPECT_EQ(own.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_EQ(own.status().path(), "released_by");
  EXPECT_EQ(Audit().back().outcome, "failed_precondition");
  // quinn is independent, but must sign with the password.
  const Actor quinn = As("cp.quinn");
  EXPECT_EQ(ReleaseProduct(context(), quinn, registered->id, "", &checklist).status().path(),
            "password");
  EXPECT_FALSE(domain::StateOf(*repo_->GetProduct(registered->id)).released);
  auto released = ReleaseProduct(context(), quinn, registered->id, kPassword, &checklist);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(released->actor, "cp.quinn");
  EXPECT_TRUE(domain::StateOf(*repo_->GetProduct(registered->id)).released);
  EXPECT_EQ(Audit().back().action, "release");
  EXPECT_EQ(Audit().back().outcome, "ok");
  // At the bedside the procedure needs this week's platelets and INR within their limits.
  const auto verify = [&] {
    auto v = VerifyAtBedside(context(), As("rn.kim"), "mrn:A7", "G123426000001");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->verdict : domain::BedsideVerdict();
  };
  const auto lab = [&](const char* loinc, double value, const char* unit, std::string time) {
    auto made = domain::MakeLabObservation(loinc, value, unit, *domain::ClinicalTime::Parse(time));
    ASSERT_TRUE(made.ok());
    domain::LabObservation l = *made;
    l.patient_id = patient;
    ASSERT_TRUE(RecordLab(context(), As("lab.lee"), l).ok());
  };
  domain::BedsideVerdict v = verify();
  EXPECT_EQ(v.failed_check, "pre-procedure");
  EXPECT_NE(v.reason.find("no platelets on record"), std::string::npos) << v.reason;
  EXPECT_EQ(Audit().back().outcome, "mismatch:pre-procedure");
  const std::string today = domain::ClinicalTime::FromDate(std::chrono::floor<std::chrono::days>(now_)).ToString();
  lab("777-3", 120, "10*9/L", "2020-01-01");  // years old
  lab("6301-6", 1.1, "1", today);
  v = verify();
  EXPECT_EQ(v.failed_check, "pre-procedure");
  EXPECT_NE(v.reason.find("days old"), std::string::npos) << v.reason;
  lab("777-3", 45, "10*9/L", today);  // below 50
  v = verify();
  EXPECT_EQ(v.failed_check, "pre-procedure");
  EXPECT_NE(v.reason.find("does not meet platelets >= 50"), std::string::npos) << v.reason;
  lab("777-3", 80, "10*9/L", domain::ClinicalTime::FromInstant(now_ - 60s).ToString());
  v = verify();
  EXPECT_TRUE(v.match) << v.reason;
  // A bedside STOP is audited with its reason.
  auto verdict = VerifyAtBedside(context(), As("rn.kim"), "mrn:SOMEONE-ELSE", "G123426000001");
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_FALSE(verdict->verdict.match);
  EXPECT_TRUE(Audit().back().outcome.starts_with("mismatch:")) << Audit().back().outcome;
  EXPECT_EQ(Audit().back().action, "bedside-verify");

  // Given, with a physician confirming: the patient is treated, and the outcomes read from the
  // registry and from its tidy export are the same document (issue #24, specs/outcomes.md §1).
  lab("1975-2", 2.4, "mg/dL", domain::ClinicalTime::FromInstant(now_ - 72h).ToString());
  BedsideResult checked;
  auto given = AdministerProduct(context(), As("rn.kim"), "mrn:A7", "G123426000001", "dr.ada",
                                 kPassword, &checked);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  NewPatient("B8", std::chrono::sys_days(1970y / 5 / 5));  // untreated
  auto from_registry = RegistryOutcomes(context(), As("dr.ada"), {});
  ASSERT_TRUE(from_registry.ok()) << from_registry.status().ToString();
  EXPECT_EQ(Audit().back().action, "outcomes");
  EXPECT_EQ(from_registry->report.treated, 1);
  EXPECT_EQ(from_registry->report.untreated, 1);
  const std::string dir = ::testing::TempDir() + "/outcomes-" + GetParam();
  ASSERT_TRUE(ExportTidy(context(), OsActor("test"), dir).ok());
  auto from_tidy = TidyOutcomes(dir, {});
  ASSERT_TRUE(from_tidy.ok()) << from_tidy.status().ToString();
  EXPECT_EQ(OutcomesJson(*from_tidy).dump(), OutcomesJson(*from_registry).dump());
  for (const auto& e : from_registry->report.endpoints) {
    if (e.endpoint == "bilirubin_fall_20pct") {
      EXPECT_EQ(e.eligible, 1) << e.time_point_days;
    }
  }
  // Only those who read patients may ask.
  EXPECT_EQ(RegistryOutcomes(context(), As("cp.cora"), {}).status().code(),
            base::StatusCode::kPermissionDenied);
}

TEST_P(ClinicTest, EveryEntryChainsAndVerifies) {
  NewPatient("A8", std::chrono::sys_days(1960y / 1 / 1));
  EXPECT_EQ(RecordLab(context(), OsActor("x"), Bilirubin(1, 1, "2026-01-01")).status().code(),
            base::StatusCode::kUnauthenticated);
  std::int64_t count = 0;
  auto broken = access::AuditLog(repo_->connection(), *key_).Verify(&count);
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(broken->has_value());
  EXPECT_EQ(count, 7);  // five accounts, a patient, a refusal (good passwords leave no entry)
}

INSTANTIATE_TEST_SUITE_P(Backends, ClinicTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace livercell::clinic
