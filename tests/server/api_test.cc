// The clinic API against the running binary (issue #6): `livercell serve` on a fresh
// registry, on SQLite and on the throwaway PostgreSQL, driven over HTTP. Every documented
// route is called by every role and without a session; the answers must match the permission
// table as the OpenAPI document states it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "livercell/access/audit.h"
#include "livercell/base/instant.h"
#include "livercell/domain/product/product.h"
#include "livercell/storage/repository.h"
#include "livercell/storage/sql/connection.h"
#include "run_process.h"
#include "server_process.h"
#include "test_databases.h"

namespace livercell::testing {
namespace {

using nlohmann::json;

const char* const kRoles[] = {"admin", "physician", "nurse", "lab", "cell-processing",
                              "researcher"};

// Days since 1970 of a "YYYY-MM-DD…" date.
long DayNumber(const json& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  EXPECT_EQ(std::sscanf(text.get<std::string>().c_str(), "%d-%u-%u", &y, &m, &d), 3) << text;
  return std::chrono::sys_days(std::chrono::year{y} / m / d).time_since_epoch().count();
}


// The shipped release specification (`livercell product spec`) with the clinic's exceptions.
std::string ClinicReleaseSpec() {
  // Removed when the test process ends.
  struct TempFile {
    std::string path;
    ~TempFile() { std::remove(path.c_str()); }
  };
  static const TempFile spec{[] {
    const ProcessResult shipped = RunLivercell({"product", "spec"});
    EXPECT_EQ(shipped.exit_code, 0) << shipped.err;
    // One file per test process: ctest runs tests in parallel, and a shared path was truncated
    // by one process while another's server was reading it (a fresh-clone run failed so).
    const std::string file =
        ::testing::TempDir() + "livercell-clinic-release-" + std::to_string(getpid()) + ".toml";
    std::FILE* f = std::fopen(file.c_str(), "w");
    EXPECT_NE(f, nullptr);
    const std::string text = shipped.out +
                             "\n[exceptions]\ncriteria = [\"viability\", \"dose\"]\n"
                             "source = \"test clinic SOP QA-12: exceptional release\"\n";
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return file;
  }()};
  return spec.path;
}

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_TRUE(db_->ok()) << db_->error();
    ASSERT_EQ(RunLivercell({"db", "init", "--db", db_->url()}).exit_code, 0);
    for (const char* role : kRoles) {
      const ProcessResult added =
          RunLivercell({"user", "add", "--db", db_->url(), "--username", std::string("u-") + role,
                        "--role", role, "--password-stdin"},
                       std::string("pw-") + role + "-12345\n");
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    // A releaser independent of processing and QC (issue #22: separation of duties).
    ASSERT_EQ(RunLivercell({"user", "add", "--db", db_->url(), "--username", "u-releaser",
                            "--role", "cell-processing", "--password-stdin"},
                           "pw-releaser-12345\n")
                  .exit_code,
              0);
    // Open every day, so that plans starting today call for today whatever the weekday; a
    // clinic specification that lets a physician except viability and dose.
    server_ = std::make_unique<ServerProcess>(
        db_->url(), std::vector<std::string>{"--calendar",
                                             LIVERCELL_SOURCE_DIR "/tests/data/every-day.toml",
                                             "--release-spec", ClinicReleaseSpec()});
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  std::string Login(const std::string& role) {
    const json body = {{"username", "u-" + role}, {"password", Password(role)}};
    auto res = client_->Post("/api/v1/session", body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res && res->status == 201 ? json::parse(res->body)["token"].get<std::string>() : "";
  }

  static std::string Password(const std::string& role) { return "pw-" + role + "-12345"; }

  httplib::Result Call(const std::string& method, const std::string& path,
                       const std::string& token, const std::string& body = "{}",
                       httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (method == "GET") return client_->Get(path, headers);
    if (method == "POST") return client_->Post(path, headers, body, "application/json");
    if (method == "PUT") return client_->Put(path, headers, body, "application/json");
    if (method == "PATCH") return client_->Patch(path, headers, body, "application/json");
    return client_->Delete(path, headers);
  }

  std::int64_t CreatePatient(const std::string& token, const std::string& mrn) {
    const json body = {{"identifiers", {{{"system", "mrn"}, {"value", mrn}}}},
                       {"sex", "female"},
                       {"birth_date", "1950-03-04"},
                       {"family_name", "Doe-" + mrn},
                       {"given_name", "Jane"}};
    auto res = Call("POST", "/api/v1/patients", token, body.dump());
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "");
    return res ? json::parse(res->body).value("id", std::int64_t{0}) : 0;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_P(ApiTest, HealthAndLogIn) {
  auto health = client_->Get("/api/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body), json({{"status", "ok"}}));

  auto wrong = client_->Post("/api/v1/session", R"({"username":"u-nurse","password":"nope-nope"})",
                             "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_EQ(json::parse(wrong->body)["status"], 401);

  auto right = client_->Post("/api/v1/session",
                             R"({"username":"u-nurse","password":"pw-nurse-12345"})",
                             "application/json");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 201);
  const json session = json::parse(right->body);
  EXPECT_EQ(session["token"].get<std::string>().size(), 64u);
  EXPECT_TRUE(session.contains("expires"));
  const std::string cookie = right->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  // The cookie alone is a session too; logging out ends it.
  httplib::Headers with_cookie = {{"Cookie", cookie.substr(0, cookie.find(';'))}};
  auto list = client_->Get("/api/v1/patients", with_cookie);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/session", session["token"])->status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/patients", session["token"])->status, 401);
}

TEST_P(ApiTest, LockOutAfterRepeatedFailures) {
  for (int i = 0; i < 5; ++i) {
    auto res = client_->Post("/api/v1/session", R"({"username":"u-lab","password":"wrong-one"})",
                             "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
  }
  // Locked now: even the right password is refused, saying until when.
  auto locked = client_->Post("/api/v1/session", R"({"username":"u-lab","password":"pw-lab-12345"})",
                              "application/json");
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  EXPECT_NE(locked->body.find("try again after"), std::string::npos);
}

// Every documented route × every role, and without a session: 401 without one, 403 exactly
// where the document's x-roles leaves the role out.
// Every route, called anonymously and as every role, answers as tests/server/roles.tsv says —
// a table written from the intent documented in access/roles.cc, not from the server's own
// OpenAPI (issue #22) — and the OpenAPI document lists exactly the routes of the table.
TEST_P(ApiTest, EveryRouteEveryRole) {
  const std::string physician = Login("physician");
  const std::int64_t id = CreatePatient(physician, "R-1");
  ASSERT_GT(id, 0);
  std::map<std::pair<std::string, std::string>, std::string> table;
  {
    std::ifstream in(std::string(LIVERCELL_SOURCE_DIR) + "/tests/server/roles.tsv");
    ASSERT_TRUE(in) << "tests/server/roles.tsv";
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const std::size_t a = line.find('\t'), b = line.find('\t', a + 1);
      ASSERT_NE(b, std::string::npos) << line;
      table[{line.substr(0, a), line.substr(a + 1, b - a - 1)}] = line.substr(b + 1);
    }
  }
  auto doc = client_->Get("/api/v1/openapi.json");
  ASSERT_TRUE(doc);
  const json paths = json::parse(doc->body)["paths"];
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, methods] : paths.items()) {
    for (const auto& [method_lower, op] : methods.items()) {
      std::string method = method_lower;
      for (char& c : method) c = static_cast<char>(std::toupper(c));
      documented.insert({method, path});
      EXPECT_TRUE(table.contains({method, path})) << method << " " << path
                                                  << " is missing from tests/server/roles.tsv";
    }
  }
  int checked = 0;
  for (const auto& [route, roles] : table) {
    const auto& [method, path] = route;
    EXPECT_TRUE(documented.contains(route)) << method << " " << path << " is not served";
    std::string concrete = path;
    if (auto at = concrete.find("{id}"); at != std::string::npos)
      concrete.replace(at, 4, std::to_string(id));
    if (path == "/api/v1/session") continue;  // log-in and log-out: HealthAndLogIn
    auto anonymous = Call(method, concrete, "");
    ASSERT_TRUE(anonymous) << method << " " << path;
    if (roles == "public") {
      EXPECT_EQ(anonymous->status, 200) << method << " " << path;
      continue;
    }
    EXPECT_EQ(anonymous->status, 401) << method << " " << path;
    for (const char* role : kRoles) {
      const bool allowed = roles == "session" ||
                           ("," + roles + ",").find(std::string(",") + role + ",") !=
                               std::string::npos;
      auto res = Call(method, concrete, Login(role), "{}");
      ASSERT_TRUE(res);
      if (allowed) {
        EXPECT_NE(res->status, 403) << role << " " << method << " " << path << res->body;
        EXPECT_NE(res->status, 401) << role << " " << method << " " << path;
      } else {
        EXPECT_EQ(res->status, 403) << role << " " << method << " " << path << res->body;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 6 * 40);
}

// Least privilege (issue #23): the lab and cell-processing read who a patient is — to label
// a tube or a bag — but not what they suffer from; physicians still read all of it.
TEST_P(ApiTest, TheLabAndCellProcessingSeeWhoAPatientIsNotTheirConditions) {
  const std::string physician = Login("physician");
  const json body = {{"identifiers", {{{"system", "mrn"}, {"value", "LP-1"}}}},
                     {"family_name", "Doe"},
                     {"given_name", "Jane"},
                     {"birth_date", "1950-03-04"},
                     {"sex", "female"},
                     {"aetiology_icd10", "K70.3"},
                     {"comorbidities_icd10", {"E11.9"}},
                     {"ecog", 1}};
  auto created = Call("POST", "/api/v1/patients", physician, body.dump());
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  const std::string path = "/api/v1/patients/" + json::parse(created->body)["id"].dump();
  for (const char* role : {"lab", "cell-processing", "physician"}) {
    auto res = Call("GET", path, Login(role));
    ASSERT_TRUE(res && res->status == 200) << role;
    const json patient = json::parse(res->body);
    EXPECT_EQ(patient["family_name"], "Doe") << role;
    EXPECT_EQ(patient["identifiers"][0]["value"], "LP-1") << role;
    const bool clinical = std::string(role) == "physician";
    for (const char* field : {"aetiology_icd10", "comorbidities_icd10", "ecog"}) {
      EXPECT_EQ(patient.contains(field), clinical) << role << " " << field;
    }
    auto listed = Call("GET", "/api/v1/patients?q=LP-1", Login(role));
    ASSERT_TRUE(listed && listed->status == 200) << role;
    EXPECT_EQ(json::parse(listed->body)["items"][0].contains("comorbidities_icd10"), clinical)
        << role;
  }
}

// Events, adverse events and quality of life: recorded, read back, bad input refused naming
// the field; scores with their history and bands; the export; the cohort's survival.
TEST_P(ApiTest, ClinicalRecordsScoresExportAndCohort) {
  const std::string nurse = Login("nurse");
  const std::int64_t id = CreatePatient(nurse, "C-1");
  const std::string base = "/api/v1/patients/" + std::to_string(id);
  auto post = [&](const std::string& what, const json& body) {
    auto res = Call("POST", base + what, nurse, body.dump());
    EXPECT_TRUE(res);
    return res ? std::make_pair(res->status, json::parse(res->body)) : std::make_pair(0, json());
  };
  auto [s1, event] = post("/events", {{"type", "hepatic_encephalopathy"}, {"grade", 2},
                                      {"time", "2026-03-01"}});
  EXPECT_EQ(s1, 201) << event;
  EXPECT_EQ(event["icd10"], "K72.9");
  auto [s2, bad_grade] = post("/events", {{"type", "hepatic_encephalopathy"}, {"grade", 7},
                                          {"time", "2026-03-01"}});
  EXPECT_EQ(s2, 422);
  EXPECT_EQ(bad_grade["path"], "grade");
  auto [s3, bad_type] = post("/events", {{"type", "hiccups"}, {"time", "2026-03-01"}});
  EXPECT_EQ(s3, 400);
  EXPECT_EQ(bad_type["path"], "type");
  EXPECT_NE(bad_type["allowed"].get<std::string>().find("variceal_bleeding"), std::string::npos);
  auto [s4, ae] = post("/adverse-events", {{"ctcae_term", "Fever"}, {"grade", 1},
                                           {"attribution", "possible"}, {"onset", "2026-03-02"}});
  EXPECT_EQ(s4, 201) << ae;
  auto [s5, bad_ae] = post("/adverse-events", {{"ctcae_term", "Fever"}, {"grade", 1},
                                               {"attribution", "maybe"}, {"onset", "2026-03-02"}});
  EXPECT_EQ(s5, 400);
  EXPECT_EQ(bad_ae["path"], "attribution");
  auto [s6, qol] = post("/qol", {{"time", "2026-03-03"}, {"eq5d5l", {1, 2, 3, 2, 1}}});
  EXPECT_EQ(s6, 201) << qol;
  EXPECT_EQ(qol["eq5d5l_profile"], "12321");
  auto [s7, bad_qol] = post("/qol", {{"time", "2026-03-03"}, {"eq5d5l", {1, 2, 9, 2, 1}}});
  EXPECT_EQ(s7, 422);
  EXPECT_EQ(bad_qol["path"], "eq5d5l[2]");
  // Only the good ones were stored.
  auto events = Call("GET", base + "/events", nurse);
  EXPECT_EQ(json::parse(events->body)["items"].size(), 1u);
  EXPECT_EQ(events->get_header_value("ETag").rfind("W/\"", 0), 0u);  // every resource has one
  EXPECT_EQ(json::parse(Call("GET", base + "/adverse-events", nurse)->body)["items"].size(), 1u);
  EXPECT_EQ(json::parse(Call("GET", base + "/qol", nurse)->body)["items"].size(), 1u);

  // Two visits' labs: the ALBI history has two points, the current one is the later visit's.
  for (const auto& [time, bili, alb] : {std::tuple{"2026-01-10", 1.0, 4.5},
                                        std::tuple{"2026-02-10", 3.0, 3.0}}) {
    // Bilirubin tripling in a month is questioned by the delta check: confirmed here.
    EXPECT_EQ(post("/labs", {{"code", "1975-2"}, {"value", bili}, {"unit", "mg/dL"},
                             {"time", time}, {"confirm", true}}).first, 201);
    EXPECT_EQ(post("/labs", {{"code", "1751-7"}, {"value", alb}, {"unit", "g/dL"},
                             {"time", time}}).first, 201);
  }
  const json scores = json::parse(Call("GET", base + "/scores", nurse)->body);
  ASSERT_EQ(scores["history"].size(), 2u) << scores;
  EXPECT_EQ(scores["history"][0]["scores"]["albi"]["grade"], 1);
  EXPECT_EQ(scores["current"]["as_of"], "2026-02-10");
  EXPECT_EQ(scores["current"]["scores"]["albi"], scores["history"][1]["scores"]["albi"]);
  EXPECT_EQ(scores["bands"]["albi"]["bands"][0]["max"], -2.60);
  EXPECT_TRUE(scores["current"]["scores"]["unavailable"].contains("meld_3"));

  // Export: one line per patient with its records, for the admin alone (issue #23: the whole
  // identified registry is administration); researchers get it de-identified.
  EXPECT_EQ(Call("GET", "/api/v1/export", Login("physician"))->status, 403);
  auto exported = Call("GET", "/api/v1/export", Login("admin"));
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->status, 200);
  const json line = json::parse(exported->body.substr(0, exported->body.find('\n')));
  EXPECT_EQ(line["identifiers"][0]["value"], "C-1");
  EXPECT_EQ(line["labs"].size(), 4u);
  EXPECT_EQ(line["events"].size(), 1u);
  auto deidentified = Call("GET", "/api/v1/export", Login("researcher"));
  ASSERT_TRUE(deidentified);
  EXPECT_EQ(deidentified->status, 200);
  EXPECT_EQ(deidentified->body.find("C-1"), std::string::npos);
  // Names are PHI: the identified export has them, the de-identified one not (issue #22).
  EXPECT_EQ(line["family_name"], "Doe-C-1");
  EXPECT_EQ(line["identity"], "DOE-C-1, Jane · mrn:C-1 · born 1950-03-04");
  EXPECT_EQ(deidentified->body.find("Doe-"), std::string::npos);
  EXPECT_EQ(deidentified->body.find("Jane"), std::string::npos);
  // Dates shifted: every record of the patient moves back by the same 1–365 days. (Checked
  // record by record: a shifted date may by chance equal another record's true one.)
  const json hidden =
      json::parse(deidentified->body.substr(0, deidentified->body.find('\n')));
  std::set<long> shifts;
  for (const auto& [kind, key] : {std::pair{"labs", "time"}, std::pair{"events", "time"},
                                  std::pair{"adverse_events", "onset"},
                                  std::pair{"quality_of_life", "time"}}) {
    ASSERT_EQ(hidden[kind].size(), line[kind].size()) << kind;
    ASSERT_FALSE(line[kind].empty()) << kind;
    for (std::size_t i = 0; i < line[kind].size(); ++i) {
      shifts.insert(DayNumber(line[kind][i][key]) - DayNumber(hidden[kind][i][key]));
    }
  }
  ASSERT_EQ(shifts.size(), 1u);
  EXPECT_GE(*shifts.begin(), 1);
  EXPECT_LE(*shifts.begin(), 365);

  // The cohort: one patient followed from 2026-01-10 to 2026-03-03 (the QoL visit), no death.
  const json km = json::parse(Call("GET", "/api/v1/cohort/survival", nurse)->body);
  EXPECT_EQ(km["n"], 1);
  EXPECT_EQ(km["n_event"], 0);
  EXPECT_NEAR(km["strata"][0]["time"].back().get<double>(), 52 / 365.25, 1e-12);
  auto bad_by = Call("GET", "/api/v1/cohort/survival?by=shoe_size", nurse);
  EXPECT_EQ(bad_by->status, 400);
  EXPECT_EQ(json::parse(bad_by->body)["path"], "by");

  // Outcomes (issue #24): no one treated yet; the evidence, the claims and the protocol's own
  // words on the treatment are there for clinicians and researchers alike.
  for (const std::string& who : {nurse, Login("researcher")}) {
    auto outcomes = Call("GET", "/api/v1/outcomes?by=stage", who);
    ASSERT_EQ(outcomes->status, 200) << outcomes->body;
    const json doc = json::parse(outcomes->body);
    EXPECT_EQ(doc["treated"], 0);
    EXPECT_EQ(doc["untreated"], 1);
    EXPECT_EQ(doc["evidence"].size(), 27u);
    EXPECT_TRUE(doc["treatment_status"].get<std::string>().starts_with("Investigational."));
    EXPECT_EQ(doc["endpoints"].size(), 4u * 4u * 3u);  // endpoints x time points x subgroups
  }
  auto svg = Call("GET", "/api/v1/outcomes/forest.svg", nurse);
  ASSERT_EQ(svg->status, 200);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_NE(svg->body.find("Published trial arms"), std::string::npos);
  auto bad_outcomes = Call("GET", "/api/v1/outcomes?by=shoe_size", nurse);
  EXPECT_EQ(bad_outcomes->status, 400);
  EXPECT_EQ(json::parse(bad_outcomes->body)["path"], "by");
}

// The UI is served by the binary itself, with a policy that admits nothing from elsewhere.
TEST_P(ApiTest, ServesTheWebUi) {
  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("/ui/app.js"), std::string::npos);
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  for (const char* asset : {"/ui/app.js", "/ui/charts.js", "/ui/app.css",
                            "/ui/vendor/uPlot.iife.min.js", "/ui/vendor/uPlot.min.css"}) {
    auto res = client_->Get(asset);
    ASSERT_TRUE(res) << asset;
    EXPECT_EQ(res->status, 200) << asset;
    EXPECT_GT(res->body.size(), 500u) << asset;
  }
  EXPECT_EQ(client_->Get("/ui/nothing.js")->status, 404);
}

TEST_P(ApiTest, StaleIfMatchIsRefusedAndBadInputWritesNothing) {
  const std::string nurse = Login("nurse");
  const std::int64_t id = CreatePatient(nurse, "E-1");
  const std::string path = "/api/v1/patients/" + std::to_string(id);
  auto read = Call("GET", path, nurse);
  ASSERT_TRUE(read);
  const std::string etag = read->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto first = Call("PUT", path, nurse, R"({"sex":"female","ecog":1})", {{"If-Match", etag}});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  EXPECT_NE(first->get_header_value("ETag"), etag);
  // A second nurse with the old version: 412, and the first change stands.
  auto stale = Call("PUT", path, nurse, R"({"sex":"female","ecog":3})", {{"If-Match", etag}});
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(json::parse(Call("GET", path, nurse)->body)["ecog"], 1);
  EXPECT_EQ(Call("PUT", path, nurse, R"({"ecog":2})")->status, 412);  // no If-Match at all

  // An implausible lab value: a problem naming the field, and nothing stored.
  auto bad = Call("POST", path + "/labs", nurse,
                  R"({"code":"1751-7","value":45,"unit":"g/dL","time":"2026-11-20"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status / 100, 4);
  const json problem = json::parse(bad->body);
  EXPECT_EQ(problem["path"], "value");
  EXPECT_EQ(bad->get_header_value("Content-Type"), "application/problem+json");
  auto good = Call("POST", path + "/labs", nurse,
                   R"({"code":"1751-7","value":3.1,"unit":"g/dL","time":"2026-11-20"})");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 201) << good->body;
  const json labs = json::parse(Call("GET", path + "/labs", nurse)->body)["items"];
  ASSERT_EQ(labs.size(), 1u);
  EXPECT_EQ(labs[0]["value"], 3.1);

  auto missing_field = Call("POST", "/api/v1/patients", nurse, R"({"ecog":9})");
  ASSERT_TRUE(missing_field);
  EXPECT_EQ(json::parse(missing_field->body)["path"], "ecog");
}

// Issue #22: corrections, never deletions. A lab typed wrong is amended (If-Match required),
// an event entered for the wrong patient voided; listings, scores and exports show the
// current records, ?include=entered-in-error all of them with who, when and why; a clinical
// time in the future or before birth, and a duplicate, are refused naming the field.
TEST_P(ApiTest, CorrectionsAndChecksOnClinicalRecords) {
  const std::string nurse = Login("nurse");
  const std::int64_t id = CreatePatient(nurse, "K-1");
  const std::string labs = fmt::format("/api/v1/patients/{}/labs", id);
  auto posted = Call("POST", labs, nurse,
                     R"({"code":"1975-2","value":18,"unit":"mg/dL","time":"2026-03-01"})");
  ASSERT_TRUE(posted && posted->status == 201) << (posted ? posted->body : "");
  const std::string lab_id = json::parse(posted->body)["id"];
  EXPECT_EQ(posted->get_header_value("ETag"), "\"" + lab_id + "\"");
  // The same result again: 409 naming the stored one.
  auto duplicate = Call("POST", labs, nurse,
                        R"({"code":"1975-2","value":18,"unit":"mg/dL","time":"2026-03-01"})");
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(duplicate->status, 409);
  EXPECT_NE(duplicate->body.find(lab_id), std::string::npos) << duplicate->body;
  // Before the birth date (1950-03-04) and in the future: 422 naming "time".
  for (const char* time : {"1949-12-31", "2099-01-01"}) {
    auto refused = Call("POST", labs, nurse,
                        fmt::format(R"({{"code":"1975-2","value":1,"unit":"mg/dL","time":"{}"}})",
                                    time));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 422) << time;
    EXPECT_EQ(json::parse(refused->body)["path"], "time") << refused->body;
  }
  const std::string one = labs + "/" + lab_id;
  auto got = Call("GET", one, nurse);
  ASSERT_TRUE(got && got->status == 200);
  const std::string etag = got->get_header_value("ETag");
  const std::string fix = R"({"code":"1975-2","value":1.8,"unit":"mg/dL","time":"2026-03-01",)"
                          R"("reason":"typed 18 for 1,8"})";
  EXPECT_EQ(Call("PATCH", one, nurse, fix)->status, 412);  // an amendment needs If-Match
  EXPECT_EQ(Call("PATCH", one, Login("researcher"), fix, {{"If-Match", etag}})->status, 403);
  auto amended = Call("PATCH", one, nurse, fix, {{"If-Match", etag}});
  ASSERT_TRUE(amended && amended->status == 201) << (amended ? amended->body : "");
  EXPECT_EQ(json::parse(amended->body)["replaces"], lab_id);
  EXPECT_EQ(Call("PATCH", one, nurse, fix, {{"If-Match", etag}})->status, 412);  // stale now
  auto current = json::parse(Call("GET", labs, nurse)->body)["items"];
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0]["value"], 1.8);
  auto all = json::parse(Call("GET", labs + "?include=entered-in-error", nurse)->body)["items"];
  ASSERT_EQ(all.size(), 2u);
  int superseded = 0;
  for (const json& l : all) {
    if (l["status"] != "superseded") continue;
    ++superseded;
    EXPECT_EQ(l["correction"]["reason"], "typed 18 for 1,8");
    EXPECT_EQ(l["correction"]["by"], "u-nurse");
  }
  EXPECT_EQ(superseded, 1);
  // An event voided as entered in error leaves listings and the export.
  auto event = Call("POST", fmt::format("/api/v1/patients/{}/events", id), nurse,
                    R"({"type":"ascites","time":"2026-03-02"})");
  ASSERT_TRUE(event && event->status == 201);
  const std::string event_path =
      fmt::format("/api/v1/patients/{}/events/{}", id, json::parse(event->body)["id"].dump());
  EXPECT_EQ(Call("PATCH", event_path, nurse, R"({"status":"entered-in-error"})")->status, 400);
  auto voided = Call("PATCH", event_path, nurse,
                     R"({"status":"entered-in-error","reason":"another patient's"})");
  ASSERT_TRUE(voided && voided->status == 200) << (voided ? voided->body : "");
  EXPECT_TRUE(
      json::parse(Call("GET", fmt::format("/api/v1/patients/{}/events", id), nurse)->body)["items"]
          .empty());
  auto exported = Call("GET", "/api/v1/export", Login("admin"));
  ASSERT_TRUE(exported && exported->status == 200);
  EXPECT_EQ(exported->body.find("\"value\":18"), std::string::npos);
  EXPECT_EQ(exported->body.find("ascites"), std::string::npos);
  // An adverse event's grade corrected: the new version supersedes it.
  auto ae = Call("POST", fmt::format("/api/v1/patients/{}/adverse-events", id), nurse,
                 R"({"ctcae_term":"Fever","grade":3,"attribution":"possible","onset":"2026-03-03"})");
  ASSERT_TRUE(ae && ae->status == 201) << (ae ? ae->body : "");
  const std::string ae_path = fmt::format("/api/v1/patients/{}/adverse-events/{}", id,
                                          json::parse(ae->body)["id"].dump());
  auto ae_fixed = Call("PATCH", ae_path, nurse,
                       R"({"ctcae_term":"Fever","grade":1,"attribution":"possible",)"
                       R"("onset":"2026-03-03","reason":"grade 1, not 3"})",
                       {{"If-Match", Call("GET", ae_path, nurse)->get_header_value("ETag")}});
  ASSERT_TRUE(ae_fixed && ae_fixed->status == 201) << (ae_fixed ? ae_fixed->body : "");
  auto aes = json::parse(
      Call("GET", fmt::format("/api/v1/patients/{}/adverse-events", id), nurse)->body)["items"];
  ASSERT_EQ(aes.size(), 1u);
  EXPECT_EQ(aes[0]["grade"], 1);
  // Each correction is audited with its action.
  auto audit = json::parse(Call("GET", "/api/v1/audit?limit=1000", Login("admin"))->body)["items"];
  std::map<std::string, int> actions;
  for (const json& e : audit) ++actions[e["action"].get<std::string>() + ":" + e["outcome"].get<std::string>()];
  EXPECT_EQ(actions["amend:ok"], 2);
  EXPECT_EQ(actions["void:ok"], 1);
  EXPECT_GE(actions["amend:failed_precondition"], 1);
}

// Researchers see no identifiers and no internal ids (issue #23): each patient under a keyed
// pseudonym, the same in every answer and the export, and the only name a path accepts.
TEST_P(ApiTest, ResearchersSeeDeidentifiedRecords) {
  const std::string physician = Login("physician");
  const std::int64_t id = CreatePatient(physician, "D-1");
  const std::string researcher = Login("researcher");
  const std::string internal = "/api/v1/patients/" + std::to_string(id);
  auto by_id = Call("GET", internal, researcher);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->status, 404) << "an internal id names no patient for a researcher";
  EXPECT_NE(by_id->body.find("pseudonym"), std::string::npos) << by_id->body;
  auto listed = Call("GET", "/api/v1/patients", researcher);
  ASSERT_TRUE(listed && listed->status == 200);
  const json items = json::parse(listed->body)["items"];
  ASSERT_EQ(items.size(), 1u);
  const std::string pseudonym = items[0]["id"];
  EXPECT_TRUE(pseudonym.starts_with("S-")) << pseudonym;
  EXPECT_EQ(pseudonym.size(), 18u);
  auto res = Call("GET", "/api/v1/patients/" + pseudonym, researcher);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json p = json::parse(res->body);
  EXPECT_EQ(p["id"], pseudonym);
  EXPECT_FALSE(p.contains("identifiers"));
  EXPECT_FALSE(p.contains("birth_date"));
  EXPECT_EQ(p["deidentified"], true);
  EXPECT_LE(p["age_years"].get<int>(), 90);
  EXPECT_EQ(res->body.find("D-1"), std::string::npos);
  auto labs = Call("GET", "/api/v1/patients/" + pseudonym + "/labs", researcher);
  ASSERT_TRUE(labs && labs->status == 200);
  EXPECT_EQ(json::parse(labs->body)["patient_id"], pseudonym);
  // Clinicians name the patient by id, and a pseudonym names no one for them.
  EXPECT_EQ(Call("GET", internal, physician)->status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/patients/" + pseudonym, physician)->status, 404);
  // A made-up pseudonym is simply not found.
  EXPECT_EQ(Call("GET", "/api/v1/patients/S-0000000000000000", researcher)->status, 404);
  // The export carries the same pseudonym.
  auto exported = Call("GET", "/api/v1/export", researcher);
  ASSERT_TRUE(exported && exported->status == 200);
  EXPECT_EQ(json::parse(exported->body.substr(0, exported->body.find('\n')))["id"], pseudonym);
}

TEST_P(ApiTest, EveryRequestIsAuditedAndTheChainVerifies) {
  const std::string nurse = Login("nurse");
  const std::int64_t id = CreatePatient(nurse, "A-1");
  Call("GET", "/api/v1/patients/" + std::to_string(id), nurse);
  Call("GET", "/api/v1/audit", nurse);  // denied, and audited as such
  auto audit = Call("GET", "/api/v1/audit?limit=1000", Login("admin"));
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200);
  const json items = json::parse(audit->body)["items"];
  std::vector<std::string> seen;
  for (const json& e : items) {
    seen.push_back(e["action"].get<std::string>() + " " + e["outcome"].get<std::string>());
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), "create ok"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "read ok"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "read permission_denied"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "login ok"), seen.end());
  EXPECT_EQ(server_->Stop(), 0);
  const ProcessResult verify = RunLivercell({"audit", "verify", "--db", db_->url()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  const ProcessResult exported =
      RunLivercell({"audit", "export", "--db", db_->url(), "--format", "jsonl"});
  EXPECT_EQ(exported.exit_code, 0);
  EXPECT_GE(std::count(exported.out.begin(), exported.out.end(), '\n'),
            static_cast<long>(items.size()));
}

// Candidacy assessments (issue #7 part 5): previewed without storing, signed only with the
// physician's password again, stored with the protocol and signer, audited, listed, and
// re-run from the database to the same result.
TEST_P(ApiTest, AssessmentsPreviewSignAuditAndReplay) {
  const std::string physician = Login("physician");
  const json patient = {{"identifiers", {{{"system", "mrn"}, {"value", "S-1"}}}},
                        {"sex", "male"},
                        {"birth_date", "1975-06-01"},
                        {"aetiology_icd10", "B18.1"},
                        {"ecog", 1}};
  auto created = Call("POST", "/api/v1/patients", physician, patient.dump());
  ASSERT_TRUE(created && created->status == 201);
  const std::string base =
      "/api/v1/patients/" + std::to_string(json::parse(created->body)["id"].get<std::int64_t>());
  const std::string now = base::NowText();
  for (const auto& [code, value, unit] :
       std::vector<std::tuple<const char*, double, const char*>>{{"1975-2", 1.2, "mg/dL"},
                                                                 {"1751-7", 3.9, "g/dL"},
                                                                 {"6301-6", 1.1, "1"},
                                                                 {"2160-0", 0.9, "mg/dL"},
                                                                 {"2951-2", 139, "mmol/L"},
                                                                 {"777-3", 140, "10*9/L"}}) {
    const json lab = {{"code", code}, {"value", value}, {"unit", unit}, {"time", now}};
    auto res = Call("POST", base + "/labs", physician, lab.dump());
    ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "");
  }
  const json inputs = {
      {"cirrhosis_confirmed", true},
      {"ascites", "none"},
      {"encephalopathy", "none"},
      {"history",
       {{"varices", "small"}, {"variceal_bleeding", "never"}, {"ascites_ever", false},
        {"refractory_ascites", false}, {"encephalopathy_ever", false}, {"jaundice", false},
        {"hepatorenal_syndrome", false}, {"sbp_ever", false}}},
      {"hcc", "none"},
      {"other_malignancy_within_5y", false},
      {"active_infection", false},
      {"pregnant_or_breastfeeding", false},
      {"severe_comorbidity", false},
      {"hbv", {{"hbsag", true}, {"dna_detectable", true}, {"on_antiviral", false}}}};

  auto preview = Call("POST", base + "/assessments", physician,
                      json{{"preview", true}, {"inputs", inputs}}.dump());
  ASSERT_TRUE(preview);
  ASSERT_EQ(preview->status, 200) << preview->body;
  const json shown = json::parse(preview->body);
  EXPECT_EQ(shown["result"]["decision"], "eligible_after_antiviral") << shown["result"]["missing"];
  EXPECT_EQ(shown["input"]["aetiology"], json::array({"hbv"}));  // from B18.1 in the registry
  EXPECT_EQ(shown["signed"], false);
  auto none = Call("GET", base + "/assessments", physician);
  ASSERT_TRUE(none);
  EXPECT_TRUE(json::parse(none->body)["items"].empty()) << "a preview stores nothing";

  const json unsigned_body = {{"inputs", inputs}};
  auto no_password = Call("POST", base + "/assessments", physician, unsigned_body.dump());
  EXPECT_EQ(no_password->status, 400);
  EXPECT_EQ(json::parse(no_password->body)["path"], "password");
  json wrong = unsigned_body;
  wrong["password"] = "not-my-password";
  auto refused = Call("POST", base + "/assessments", physician, wrong.dump());
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(json::parse(refused->body)["path"], "password");
  EXPECT_EQ(Call("GET", base, physician)->status, 200) << "the session survives a wrong password";
  json bad = unsigned_body;
  bad["inputs"]["hcc"] = "huge";
  bad["password"] = "pw-physician-12345";
  auto bad_input = Call("POST", base + "/assessments", physician, bad.dump());
  EXPECT_EQ(bad_input->status, 400);
  EXPECT_EQ(json::parse(bad_input->body)["path"], "inputs.hcc");
  EXPECT_EQ(Call("POST", base + "/assessments", Login("nurse"),
                 json{{"preview", true}}.dump())->status,
            403);

  json sign = unsigned_body;
  sign["password"] = "pw-physician-12345";
  auto signed_res = Call("POST", base + "/assessments", physician, sign.dump());
  ASSERT_TRUE(signed_res);
  ASSERT_EQ(signed_res->status, 201) << signed_res->body;
  const json stored = json::parse(signed_res->body);
  EXPECT_EQ(stored["decision"], "eligible_after_antiviral");
  EXPECT_EQ(stored["signed_by"], "u-physician");
  EXPECT_EQ(stored["signed_role"], "physician");
  EXPECT_EQ(stored["content_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(stored["protocol"]["id"], "livercell-default");
  EXPECT_EQ(signed_res->get_header_value("Location"),
            base + "/assessments/" + stored["id"].dump());

  auto listed = Call("GET", base + "/assessments", Login("nurse"));
  ASSERT_TRUE(listed && listed->status == 200);
  const json items = json::parse(listed->body)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["result"], stored["result"]);
  EXPECT_EQ(Call("GET", base + "/assessments", Login("researcher"))->status, 403);

  auto audit = Call("GET", "/api/v1/audit?limit=1000", Login("admin"));
  ASSERT_TRUE(audit && audit->status == 200);
  const json entries = json::parse(audit->body)["items"];
  std::vector<std::string> signs;
  for (const json& e : entries) {
    if (e["action"] == "sign") signs.push_back(e["outcome"].get<std::string>());
  }
  // no password, wrong password, bad input, nurse (denied), signed; the preview is its own
  EXPECT_EQ(std::count(signs.begin(), signs.end(), "ok"), 1) << json(signs);
  EXPECT_EQ(std::count(signs.begin(), signs.end(), "invalid_argument"), 2) << json(signs);
  EXPECT_EQ(std::count(signs.begin(), signs.end(), "permission_denied"), 2) << json(signs);

  const ProcessResult replay =
      RunLivercell({"assess", "--db", db_->url(), "--replay", stored["id"].dump()});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("reproduced exactly"), std::string::npos) << replay.out;
}

// HTTPS with a throwaway certificate: the API answers over TLS, the session cookie is marked
// Secure, and plain HTTP to the TLS port gets no answer.
TEST(TlsTest, ServesHttpsWithSecureCookie) {
  TempDir dir;
  const std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string url = "sqlite:" + dir.path() + "/r.db";
  ASSERT_EQ(RunLivercell({"db", "init", "--db", url}).exit_code, 0);
  ASSERT_EQ(RunLivercell({"user", "add", "--db", url, "--username", "u", "--role", "nurse",
                          "--password-stdin"}, "pw-nurse-12345\n").exit_code, 0);
  ServerProcess server(url, {"--tls-cert", cert, "--tls-key", key});
  ASSERT_GT(server.port(), 0);
  httplib::SSLClient tls("127.0.0.1", server.port());
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto health = tls.Get("/api/v1/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  auto login = tls.Post("/api/v1/session", R"({"username":"u","password":"pw-nurse-12345"})",
                        "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 201);
  EXPECT_NE(login->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(2);
  auto refused = plain.Get("/api/v1/health");
  EXPECT_TRUE(!refused || refused->status != 200);
  EXPECT_EQ(server.Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::Values("sqlite", "postgres"));

// Issue #8: the whole chain for an autologous product and for a bank fallback, through the API
// as the cell-processing, physician and nurse roles would use it; every wrong-bag case stopped
// with its reason and audited; a released record resists change through the API, the CLI and
// the database itself.
class ChainTest : public ApiTest {
 protected:
  static std::string Now(int plus_seconds = 0) {
    const auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                   std::chrono::seconds(plus_seconds);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
  }
  static std::string Today() { return Now().substr(0, 10); }

  json Post(const std::string& path, const std::string& token, const json& body, int expect) {
    auto res = Call("POST", path, token, body.dump());
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expect) << path << " " << body.dump() << "\n" << res->body;
    return json::parse(res->body, nullptr, false);
  }

  // A stored plan: hepatic-artery from today (harvest and infusion today) or iv-2x5 (first
  // infusion 30+ days away).
  std::int64_t Plan(std::int64_t patient, const std::string& template_id) {
    // The hepatic-artery procedure needs platelets and INR of the week (pre-procedure limits).
    if (template_id == "hepatic-artery") {
      Lab(patient, "777-3", 120, "10*9/L");
      Lab(patient, "6301-6", 1.1, "1");
    }
    return Post("/api/v1/plans", Login("physician"),
                {{"patient_id", patient}, {"template", template_id}, {"start", Today()},
                 {"weight_kg", 70}, {"password", Password("physician")},
                 {"override_reason", "assessed on paper before the registry"}},
                201)
        .value("id", std::int64_t{0});
  }

  void Lab(std::int64_t patient, const std::string& loinc, double value, const std::string& unit) {
    Post(fmt::format("/api/v1/patients/{}/labs", patient), Login("nurse"),
         {{"code", loinc}, {"value", value}, {"unit", unit}, {"time", Now(-60)}}, 201);
  }

  std::int64_t Register(std::int64_t patient, std::optional<std::int64_t> plan, int sequence,
                        const std::string& type = "bm_mnc", const std::string& origin = "autologous") {
    const ProcessResult din = RunLivercell({"din", "make", "--facility", "G1234", "--year", "2026",
                                            "--sequence", std::to_string(sequence)});
    json body = {{"din", din.out.substr(0, 13)}, {"product_code", "S1234"},
                 {"product_type", type}, {"patient_id", patient}, {"origin", origin}};
    if (plan) body["plan_id"] = *plan;
    return Post("/api/v1/products", Login("cell-processing"), body, 201).value("id", std::int64_t{0});
  }

  void Record(std::int64_t product, const std::string& kind, const json& fields, int expect = 201) {
    Post(fmt::format("/api/v1/products/{}/events", product), Login("cell-processing"),
         {{"kind", kind}, {"fields", fields}}, expect);
  }

  // Harvest, processing (`cells`, expiring at `expires`) and QC (`viability` %).
  void Prepare(std::int64_t product, double cells, const std::string& expires, double viability) {
    Record(product, "harvest", {{"volume_ml", 45}, {"collected_at", Now()}, {"operator", "Dr Ames"}});
    Record(product, "processing",
           {{"method", "density gradient"}, {"target", "mnc"}, {"total_nucleated_cells", 3e9},
            {"target_cells", cells}, {"cd34_cells", 2e6}, {"viability_percent", 92},
            {"volume_ml", 20}, {"expires_at", expires}});
    Record(product, "qc", {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
                           {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", viability}});
  }

  // QC results of mesenchymal stromal cells meeting the ISCT markers (release_criteria.toml).
  static json MscQc() {
    json qc = {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
               {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", 90}};
    for (const char* m : {"cd105_percent", "cd73_percent", "cd90_percent"}) qc[m] = 97;
    for (const char* m : {"cd45_percent", "cd34_percent", "cd14_or_cd11b_percent",
                          "cd79a_or_cd19_percent", "hla_dr_percent"})
      qc[m] = 0.5;
    return qc;
  }

  json Release(std::int64_t product, int expect) {
    return Post(fmt::format("/api/v1/products/{}/release", product), Login("releaser"),
                {{"password", Password("releaser")}}, expect);
  }

  json Verify(const std::string& wristband, const std::string& din) {
    return Post("/api/v1/bedside/verify", Login("nurse"), {{"wristband", wristband}, {"din", din}},
                200);
  }

  std::string Din(std::int64_t product) {
    auto res = Call("GET", fmt::format("/api/v1/products/{}", product), Login("nurse"));
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body)["din"].get<std::string>() : "";
  }

  json Administer(const std::string& wristband, const std::string& din, int expect,
                  const std::string& second = "u-physician",
                  const std::string& password = "pw-physician-12345") {
    return Post("/api/v1/bedside/administer", Login("nurse"),
                {{"wristband", wristband}, {"din", din}, {"second_username", second},
                 {"second_password", password}},
                expect);
  }
};

TEST_P(ChainTest, AutologousProductFromHarvestToBedside) {
  const std::string physician = Login("physician");
  const std::int64_t patient = CreatePatient(physician, "H-1");
  const std::int64_t plan = Plan(patient, "hepatic-artery");
  ASSERT_GT(plan, 0);
  auto ics = Call("GET", fmt::format("/api/v1/plans/{}?format=ics", plan), physician);
  ASSERT_TRUE(ics && ics->status == 200);
  EXPECT_NE(ics->body.find("BEGIN:VCALENDAR"), std::string::npos);

  const std::int64_t product = Register(patient, plan, 11);
  ASSERT_GT(product, 0);
  // Out of order and badly typed custody events are refused, naming the field.
  Record(product, "qc", {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
                         {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", 90}}, 412);
  const json bad = Post(fmt::format("/api/v1/products/{}/events", product), Login("cell-processing"),
                        {{"kind", "harvest"}, {"fields", {{"volume_ml", -4}, {"collected_at", Now()},
                                                          {"operator", "x"}}}},
                        400);
  EXPECT_EQ(bad["path"], "fields.volume_ml");
  // A nurse may not record processing; a cell-processing technician may not administer.
  EXPECT_EQ(Call("POST", fmt::format("/api/v1/products/{}/events", product), Login("nurse"),
                 R"({"kind":"harvest","fields":{}})")->status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/bedside/verify", Login("cell-processing"),
                 R"({"wristband":"1","din":"x"})")->status, 403);

  Prepare(product, 1.5e8, Now(86400), 88);
  const json checklist = Release(product, 201);
  // The label names the recipient and, for the patient's own cells, says so (21 CFR 1271.90).
  auto label = Call("GET", fmt::format("/api/v1/products/{}/label", product), Login("nurse"));
  ASSERT_TRUE(label && label->status == 200);
  EXPECT_NE(label->body.find("Recipient: DOE-H-1, Jane · mrn:H-1 · born 1950-03-04"),
            std::string::npos) << label->body;
  EXPECT_NE(label->body.find("FOR AUTOLOGOUS USE ONLY"), std::string::npos);
  EXPECT_EQ(checklist["releasable"], true);
  EXPECT_GE(checklist["items"].size(), 9u);
  for (const json& item : checklist["items"]) EXPECT_FALSE(item["source"].get<std::string>().empty());

  const std::string din = Din(product);
  const std::string wristband = "mrn:H-1";
  const json verdict = Verify(wristband, "=" + din + "00");
  EXPECT_EQ(verdict["match"], true) << verdict.dump();
  // The same person cannot confirm twice; a wrong password is refused.
  Administer(wristband, din, 400, "u-nurse", "pw-nurse-12345");
  Administer(wristband, din, 403, "u-physician", "wrong-password");
  const json given = Administer(wristband, din, 201);
  EXPECT_EQ(given["administration"]["second_signer"], "u-physician");
  // Already given.
  const json again = Administer(wristband, din, 412);
  EXPECT_NE(again["message"].get<std::string>().find("already been given"), std::string::npos);

  // The released record resists change: API, CLI and the database itself.
  Record(product, "qc", {{"sterility", "growth"}, {"mycoplasma", "not-detected"},
                         {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", 90}}, 412);
  Release(product, 412);
  const ProcessResult cli = RunLivercell(
      {"product", "record", "--db", db_->url(), "--din", din, "--kind", "processing", "--set",
       "method=x", "--as", "u-cell-processing", "--password-stdin"},
      Password("cell-processing") + "\n");
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("released"), std::string::npos) << cli.err;
  auto repo = storage::Repository::Open(db_->url(), storage::Repository::SchemaPolicy::kRequireCurrent);
  ASSERT_TRUE(repo.ok());
  for (const char* sql : {"UPDATE product_event_fields SET number = 1 WHERE name = 'target_cells'",
                          "DELETE FROM product_events",
                          "UPDATE products SET patient_id = patient_id",
                          "INSERT INTO product_events (product_id, seq, kind, at, actor, role, "
                          "content_hash) VALUES (1, 99, 'qc', 'x', 'x', 'x', 'x')",
                          "INSERT INTO product_events (product_id, seq, kind, at, actor, role, "
                          "content_hash) VALUES (1, 99, 'release-exception', 'x', 'x', 'x', "
                          "'x')"}) {
    EXPECT_FALSE((*repo)->connection().Execute(sql, {}).ok()) << sql;
  }
  const auto stored = (*repo)->GetProduct(product);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(domain::StateOf(*stored).status, "administered");
  // Each event's hash chains to the one before.
  std::string previous;
  for (const domain::CustodyEvent& e : stored->events) {
    EXPECT_EQ(e.content_hash, domain::CustodyEventHash(previous, stored->din, e)) << e.seq;
    previous = e.content_hash;
  }
}

TEST_P(ChainTest, BankFallbackWhenTheHarvestYieldsTooFew) {
  const std::int64_t patient = CreatePatient(Login("physician"), "B-1");
  const std::int64_t plan = Plan(patient, "hepatic-artery");
  const std::int64_t own = Register(patient, plan, 21);
  Prepare(own, 4e7, Now(86400), 90);  // below the planned 1e8
  const json refused = Release(own, 412);
  EXPECT_NE(refused["message"].get<std::string>().find("dose"), std::string::npos) << refused.dump();
  auto doc = Call("GET", fmt::format("/api/v1/products/{}", own), Login("nurse"));
  ASSERT_TRUE(doc && doc->status == 200);
  EXPECT_EQ(json::parse(doc->body)["bank_fallback"]["product_type"], "uc_msc") << doc->body;

  const std::int64_t bank = Register(patient, plan, 22, "uc_msc", "bank");
  Record(bank, "harvest", {{"volume_ml", 45}, {"collected_at", Now()}, {"operator", "x"}}, 412);
  Record(bank, "bank-receipt", {{"bank", "Regional cord bank"}, {"bank_unit", "RCB-0042"},
                                {"donor", "D-981"}, {"donor_eligible", true},
                                {"received_at", Now()}});
  Record(bank, "processing",
         {{"method", "thaw and wash"}, {"target", "msc"}, {"total_nucleated_cells", 1.2e8},
          {"target_cells", 1.1e8}, {"viability_percent", 91}, {"volume_ml", 20},
          {"expires_at", Now(86400)}});
  Record(bank, "qc", MscQc());
  const json released = Release(bank, 201);
  bool donor_checked = false;
  for (const json& item : released["items"]) donor_checked |= item["criterion"] == "donor eligibility";
  EXPECT_TRUE(donor_checked) << released.dump();
  Administer("mrn:B-1", Din(bank), 201);
  EXPECT_EQ(Verify("mrn:B-1", Din(own))["failed_check"], "released");
}

TEST_P(ChainTest, EveryWrongBagIsStoppedWithItsReasonAndAudited) {
  const std::string physician = Login("physician");
  const std::int64_t alice = CreatePatient(physician, "W-1");
  const std::int64_t bob = CreatePatient(physician, "W-2");
  const std::int64_t plan = Plan(alice, "hepatic-artery");
  // Released, due today, for Alice.
  const std::int64_t good = Register(alice, plan, 31);
  Prepare(good, 1.5e8, Now(86400), 88);
  Release(good, 201);
  // Registered only.
  const std::int64_t unreleased = Register(alice, plan, 32);
  // QC failed: viability 50 % < 70 %.
  const std::int64_t failed = Register(alice, plan, 33);
  Prepare(failed, 1.5e8, Now(86400), 50);
  Release(failed, 412);
  // Expires three seconds after release.
  const std::int64_t expiring = Register(alice, plan, 34);
  Prepare(expiring, 1.5e8, Now(3), 88);
  Release(expiring, 201);
  // Released, but its plan's first infusion is weeks away.
  const std::int64_t later_plan = Plan(alice, "iv-2x5");
  const std::int64_t later = Register(alice, later_plan, 35, "bm_msc");
  Record(later, "harvest", {{"volume_ml", 45}, {"collected_at", Now()}, {"operator", "x"}});
  Record(later, "processing",
         {{"method", "culture"}, {"target", "msc"}, {"total_nucleated_cells", 1e9},
          {"target_cells", 1e8}, {"viability_percent", 92}, {"volume_ml", 20},
          {"expires_at", Now(86400 * 90)}});
  Record(later, "qc", MscQc());
  Release(later, 201);
  std::this_thread::sleep_for(std::chrono::seconds(4));

  const std::string good_din = Din(good);
  std::string mistyped = good_din;
  mistyped[12] = mistyped[12] == '1' ? '2' : '1';
  struct Case {
    std::string wristband, din, failed_check, reason;
  };
  const std::vector<Case> cases = {
      {"mrn:W-2", good_din, "recipient",
       "belongs to DOE-W-1, Jane · mrn:W-1 · born 1950-03-04, not to this patient (DOE-W-2, "
       "Jane · mrn:W-2"},
      {"mrn:W-1", Din(unreleased), "released", "not released (registered)"},
      {"mrn:W-1", Din(failed), "released", "viability: 50 %"},
      {"mrn:W-1", Din(expiring), "expiry", "EXPIRED"},
      {"mrn:W-1", Din(later), "plan", "no administration on"},
      {"mrn:W-1", mistyped + " " + std::string(1, Din(good).back()), "din", "does not read"},
      {"mrn:NOBODY", good_din, "patient", "no patient has the wristband"},
  };
  // The mistyped case types the DIN with the right check character for the true DIN.
  const std::string check = RunLivercell({"din", "check", "--format", "json", good_din}).out;
  const std::string true_check = json::parse(check)["check"];
  for (Case c : cases) {
    if (c.failed_check == "din") c.din = mistyped + true_check;
    const json v = Verify(c.wristband, c.din);
    EXPECT_EQ(v["match"], false) << c.failed_check;
    EXPECT_EQ(v["failed_check"], c.failed_check) << v.dump();
    EXPECT_NE(v["reason"].get<std::string>().find(c.reason), std::string::npos) << v.dump();
    Administer(c.wristband, c.din, 412);
  }
  EXPECT_EQ(Verify("mrn:W-1", good_din)["match"], true);
  (void)bob;
  // A newer platelet count below the limit for an arterial puncture stops the procedure.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Lab(alice, "777-3", 40, "10*9/L");
  const json low = Verify("mrn:W-1", good_din);
  EXPECT_EQ(low["match"], false);
  EXPECT_EQ(low["failed_check"], "pre-procedure") << low.dump();
  EXPECT_NE(low["reason"].get<std::string>().find("platelets 40"), std::string::npos)
      << low.dump();
  Administer("mrn:W-1", good_din, 412);

  auto audit = Call("GET", "/api/v1/audit?limit=1000", Login("admin"));
  ASSERT_TRUE(audit && audit->status == 200);
  std::map<std::string, int> outcomes;
  const json entries = json::parse(audit->body)["items"];
  for (const json& e : entries) {
    if (e["action"] == "bedside-verify" || e["action"] == "administer") {
      ++outcomes[e["action"].get<std::string>() + " " + e["outcome"].get<std::string>()];
      if (e["action"] == "administer" && e["outcome"] != "mismatch:patient") {
        EXPECT_FALSE(e["patient_id"].is_null()) << e.dump();  // the patient is named
      }
    }
  }
  for (const char* check_name : {"recipient", "released", "expiry", "plan", "din", "patient"}) {
    EXPECT_GE(outcomes[fmt::format("bedside-verify mismatch:{}", check_name)], 1) << check_name;
    EXPECT_GE(outcomes[fmt::format("administer mismatch:{}", check_name)], 1) << check_name;
  }
  EXPECT_EQ(outcomes["bedside-verify match"], 1);
  // One entry per attempt: a mismatch is not recorded a second time under its status code.
  EXPECT_EQ(outcomes["administer failed_precondition"], 0);
  EXPECT_EQ(outcomes["administer mismatch:din"], 1);
  const ProcessResult verify = RunLivercell({"audit", "verify", "--db", db_->url()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// Release exceptions: the clinic's specification allows viability and dose; only a physician,
// typing their password again, accepts a failing result, and only that result; every attempt
// is audited; the release then names the exception.
TEST_P(ChainTest, OnlyAPhysicianSignsAReleaseExceptionTheClinicAllows) {
  const std::string physician = Login("physician");
  const std::int64_t patient = CreatePatient(physician, "X-1");
  const std::int64_t plan = Plan(patient, "hepatic-artery");
  const std::int64_t product = Register(patient, plan, 41);
  Prepare(product, 1.5e8, Now(86400), 65);  // viability 65 % < 70 %
  Release(product, 412);
  const std::string path = fmt::format("/api/v1/products/{}/exceptions", product);
  auto read = Call("GET", fmt::format("/api/v1/products/{}", product), physician);
  ASSERT_TRUE(read && read->status == 200);
  std::map<std::string, json> items;
  const json before = json::parse(read->body);
  for (const json& item : before["release_checklist"]["items"])
    items[item["criterion"].get<std::string>()] = item;
  EXPECT_EQ(items["viability"]["outcome"], "fail");
  EXPECT_EQ(items["viability"]["may_be_excepted"], true);
  EXPECT_EQ(items["sterility"]["may_be_excepted"], false);

  const json exception = {{"criterion", "viability"},
                          {"reason", "no bank unit in time; benefit judged to outweigh risk"},
                          {"password", "pw-physician-12345"}};
  // Not a physician: forbidden whatever the password.
  for (const char* role : {"cell-processing", "nurse", "lab"}) {
    json attempt = exception;
    attempt["password"] = std::string("pw-") + role + "-12345";
    Post(path, Login(role), attempt, 403);
  }
  json wrong = exception;
  wrong["password"] = "not-my-password";
  EXPECT_EQ(Post(path, physician, wrong, 403)["path"], "password");
  json not_allowed = exception;
  not_allowed["criterion"] = "sterility";
  EXPECT_NE(Post(path, physician, not_allowed, 412)["detail"].get<std::string>().find(
                "allows no exception for sterility"),
            std::string::npos);
  json never = exception;
  never["criterion"] = "identity and labelling";
  Post(path, physician, never, 412);
  json no_reason = exception;
  no_reason["reason"] = "  ";
  EXPECT_EQ(Post(path, physician, no_reason, 400)["path"], "reason");
  Release(product, 412);  // nothing signed yet
  // The CLI: the shipped specification allows no exception; a nurse may not sign; the
  // clinic's specification is summarised as the server enforces it.
  const std::string din = Din(product);
  const std::vector<std::string> except = {"product", "except", "--db", db_->url(), "--din", din,
                                           "--criterion", "viability", "--reason", "r",
                                           "--password-stdin"};
  auto with = [](std::vector<std::string> args, std::initializer_list<std::string> more) {
    args.insert(args.end(), more);
    return args;
  };
  ProcessResult cli = RunLivercell(with(except, {"--as", "u-physician"}), "pw-physician-12345\n");
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("allows no exception for viability"), std::string::npos) << cli.err;
  cli = RunLivercell(with(except, {"--as", "u-nurse", "--release-spec", ClinicReleaseSpec()}),
                     "pw-nurse-12345\n");
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("nurse may not sign a release exception"), std::string::npos) << cli.err;
  cli = RunLivercell(with(except, {"--as", "u-physician", "--release-spec", ClinicReleaseSpec()}),
                     "wrong\n");
  EXPECT_EQ(cli.exit_code, 2) << cli.out << cli.err;
  cli = RunLivercell({"product", "spec", "--format", "json", "--release-spec", ClinicReleaseSpec()});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out)["exceptions"]["criteria"],
            json::array({"dose", "viability"}));

  const json signed_ = Post(path, physician, exception, 201);
  EXPECT_EQ(signed_["checklist"]["releasable"], true);
  Post(path, physician, exception, 412);  // already excepted
  const json released = Release(product, 201);
  EXPECT_EQ(released["releasable"], true);
  read = Call("GET", fmt::format("/api/v1/products/{}", product), physician);
  ASSERT_TRUE(read && read->status == 200);
  const json document = json::parse(read->body);
  std::vector<std::string> kinds;
  json release_event, exception_event;
  for (const json& e : document["events"]) {
    kinds.push_back(e["kind"]);
    if (e["kind"] == "release") release_event = e;
    if (e["kind"] == "release-exception") exception_event = e;
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"harvest", "processing", "qc", "release-exception",
                                             "release"}));
  EXPECT_EQ(exception_event["actor"], "u-physician");
  EXPECT_EQ(exception_event["role"], "physician");
  EXPECT_EQ(exception_event["fields"]["observed"], "65 %");
  EXPECT_NE(release_event["fields"]["exceptions"].get<std::string>().find("viability 65 %"),
            std::string::npos);
  // Released: the record is closed to exceptions too, by the API and by the database.
  json dose = exception;
  dose["criterion"] = "dose";
  Post(path, physician, dose, 412);
  // The bag is given like any released one.
  EXPECT_EQ(Verify("mrn:X-1", din)["match"], true);

  auto audit = Call("GET", "/api/v1/audit?limit=1000", Login("admin"));
  ASSERT_TRUE(audit && audit->status == 200);
  std::map<std::string, int> outcomes;
  const json entries = json::parse(audit->body)["items"];
  int refused_releases = 0;
  for (const json& e : entries) {
    if (e["action"] == "release-exception") ++outcomes[e["outcome"].get<std::string>()];
    if (e["action"] == "release" && e["outcome"] != "ok") ++refused_releases;
  }
  EXPECT_EQ(refused_releases, 2);  // each refusal audited once
  EXPECT_EQ(outcomes["ok"], 1);
  // Three roles and the wrong password through the API, the nurse through the CLI (issue #22:
  // the CLI's refusals are on the record too).
  EXPECT_EQ(outcomes["permission_denied"], 5);
  EXPECT_EQ(outcomes["failed_precondition"], 5);  // and the CLI's spec without exceptions
  EXPECT_EQ(outcomes["invalid_argument"], 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainTest, ::testing::Values("sqlite", "postgres"));

// Tampering, done directly in the SQLite file: each kind is caught and the entry named.
// Tampering with the trail as someone with write access to the database but not the key
// would, on both backends.
class AuditTamperTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok()) << db_.error();
    ASSERT_EQ(RunLivercell({"db", "init", "--db", url_}).exit_code, 0);
    ASSERT_EQ(RunLivercell({"user", "add", "--db", url_, "--username", "n", "--role", "nurse",
                            "--password-stdin"},
                           "a nurse's password\n")
                  .exit_code,
              0);
    ServerProcess server(url_);
    httplib::Client client("127.0.0.1", server.port());
    for (int i = 0; i < 6; ++i) {
      client.Post("/api/v1/session", R"({"username":"n","password":"a nurse's password"})",
                  "application/json");
    }
    ASSERT_EQ(server.Stop(), 0);
    ASSERT_EQ(RunLivercell({"audit", "verify", "--db", url_}).exit_code, 0);
    auto opened = storage::sql::Open(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    sql_ = std::move(opened).value();
  }
  bool sqlite() const { return GetParam() == "sqlite"; }

  // Runs `statement` (no parameters) on the database; its error, if any.
  base::Status Sql(const std::string& statement) { return sql_->ExecuteScript(statement); }

  // Runs `script` with the append-only triggers dropped, as an attacker would.
  void Tamper(const std::string& script) {
    const std::string drop = sqlite() ? "DROP TRIGGER audit_log_no_update; "
                                        "DROP TRIGGER audit_log_no_delete; "
                                      : "DROP TRIGGER audit_log_append_only ON audit_log; ";
    const base::Status status = Sql(drop + script);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }

  ProcessResult Verify() { return RunLivercell({"audit", "verify", "--db", url_}); }

  TestDatabase db_{GetParam()};
  std::string url_ = db_.url();
  std::unique_ptr<storage::sql::Connection> sql_;
};

TEST_P(AuditTamperTest, TriggersRefuseChanges) {
  EXPECT_FALSE(Sql("UPDATE audit_log SET outcome = 'x'").ok());
  EXPECT_FALSE(Sql("DELETE FROM audit_log").ok());
}

TEST_P(AuditTamperTest, AlteredEntry) {
  Tamper("UPDATE audit_log SET username = 'someone-else' WHERE seq = 3;");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 3"), std::string::npos) << r.err;
}

TEST_P(AuditTamperTest, DeletedEntry) {
  Tamper("DELETE FROM audit_log WHERE seq = 2;");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 2"), std::string::npos) << r.err;
}

TEST_P(AuditTamperTest, ReorderedEntries) {
  Tamper("UPDATE audit_log SET seq = 100 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 5; "
         "UPDATE audit_log SET seq = 5 WHERE seq = 100;");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("entry 4"), std::string::npos) << r.err;
}

TEST_P(AuditTamperTest, EmptiedTrailIsCaughtAndNothingMoreIsWrittenOnIt) {
  Tamper("DELETE FROM audit_log; DELETE FROM settings WHERE name = 'audit_head';");
  ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("head is missing"), std::string::npos) << r.err;
  // The next change would start a fresh chain over the gap: refused, the key being older.
  const ProcessResult add =
      RunLivercell({"user", "add", "--db", url_, "--username", "m", "--role",
                    "nurse", "--password-stdin"},
                   "another nurse's password\n");
  EXPECT_NE(add.exit_code, 0);
  // Beside a SQLite registry its own key is older than the empty trail; a named key
  // (PostgreSQL) may be shared, but the registry holds an account the trail no longer names.
  EXPECT_NE(add.err.find(sqlite() ? "audit trail is empty, but its key"
                                  : "audit trail is empty, but the registry holds"),
            std::string::npos)
      << add.err;
  EXPECT_EQ(Verify().exit_code, 3);
}

// Every entry from `from` on re-hashed the way an attacker without the key can (SHA-256, as
// before issue #23), after `edit`; the head rewritten to match in the unkeyed form.
void Recompute(storage::sql::Connection& db, std::int64_t from,
               const std::function<void(access::AuditEntry&)>& edit) {
  std::vector<access::AuditEntry> entries;
  access::AuditLog reader(db);
  const base::Status read = reader.ForEach("", 0, 0, [&](const access::AuditEntry& e) {
    entries.push_back(e);
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  ASSERT_FALSE(entries.empty());
  std::string prev = entries[0].prev_hash;
  for (access::AuditEntry& e : entries) {
    if (e.seq >= from) {
      if (e.seq == from) edit(e);
      e.prev_hash = prev;
      e.hash = access::ChainHash(e, nullptr);
      EXPECT_TRUE(db.ExecuteScript(fmt::format("UPDATE audit_log SET username = '{}', prev_hash = "
                                               "'{}', hash = '{}' WHERE seq = {}",
                                               e.username, e.prev_hash, e.hash, e.seq))
                      .ok());
    }
    prev = e.hash;
  }
  EXPECT_TRUE(db.ExecuteScript(fmt::format("UPDATE settings SET value = '{}:{}' WHERE name = "
                                           "'audit_head'",
                                           entries.back().seq, prev))
                  .ok());
}

TEST_P(AuditTamperTest, RecomputedChainIsCaught) {
  Tamper("");
  Recompute(*sql_, 3, [](access::AuditEntry& e) { e.username = "someone-else"; });
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("unkeyed form"), std::string::npos) << r.err;
}

TEST_P(AuditTamperTest, ForgedEntryIsCaught) {
  // Appended with the unkeyed hash an attacker can compute, the keyed head left alone.
  Tamper("");
  std::string prev;
  std::int64_t last = 0;
  ASSERT_TRUE(sql_->Execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {},
                            [&](const storage::sql::Row& row) {
                              last = row.Int(0);
                              prev = row.Text(1);
                            })
                  .ok());
  ASSERT_GT(last, 0);
  access::AuditEntry forged;
  forged.seq = last + 1;
  forged.at = "2026-12-01T00:00:00Z";
  forged.username = "n";
  forged.role = "nurse";
  forged.action = "logout";
  forged.outcome = "ok";
  forged.prev_hash = prev;
  forged.hash = access::ChainHash(forged, nullptr);
  ASSERT_TRUE(Sql(fmt::format(
                      "INSERT INTO audit_log (seq, at, username, role, action, resource, "
                      "patient_id, outcome, request_id, prev_hash, hash) VALUES ({}, '{}', 'n', "
                      "'nurse', 'logout', '', NULL, 'ok', '', '{}', '{}')",
                      forged.seq, forged.at, forged.prev_hash, forged.hash))
                  .ok());
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(fmt::format("entry {}", last + 1)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MAC does not verify"), std::string::npos) << r.err;
}

TEST_P(AuditTamperTest, AnchorCatchesARegistryRolledBackToAnOlderCopy) {
  TempDir dir;
  const std::string anchors = dir.File("anchors.jsonl");
  // A copy of the trail as it is now: the older, self-consistent registry an attacker would
  // restore (the SQLite file itself; on PostgreSQL the trail and its head, which are all that
  // verify reads).
  const std::string copy = dir.File("older.db");
  if (sqlite()) {
    std::filesystem::copy_file(url_.substr(7), copy);
  } else {
    ASSERT_TRUE(Sql("CREATE TABLE older_log AS SELECT * FROM audit_log; CREATE TABLE "
                    "older_head AS SELECT * FROM settings WHERE name = 'audit_head';")
                    .ok());
  }
  // More happens; the head is anchored outside the registry.
  ASSERT_EQ(RunLivercell({"user", "add", "--db", url_, "--username", "m", "--role", "nurse",
                          "--password-stdin"},
                         "another nurse's password\n")
                .exit_code,
            0);
  const ProcessResult anchored = RunLivercell({"audit", "anchor", "--db", url_, "--out", anchors});
  ASSERT_EQ(anchored.exit_code, 0) << anchored.err;
  EXPECT_EQ(RunLivercell({"audit", "verify", "--db", url_, "--anchor", anchors}).exit_code, 0);
  // The older copy is a consistent chain on its own, but not the one anchored.
  if (sqlite()) {
    sql_.reset();
    std::filesystem::copy_file(copy, url_.substr(7),
                               std::filesystem::copy_options::overwrite_existing);
  } else {
    Tamper("DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM older_log; "
           "UPDATE settings SET value = (SELECT value FROM older_head) WHERE name = "
           "'audit_head';");
  }
  EXPECT_EQ(Verify().exit_code, 0);
  const ProcessResult r = RunLivercell({"audit", "verify", "--db", url_, "--anchor", anchors});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cut off"), std::string::npos) << r.err;
  // A forged anchor does not verify.
  std::string text = ReadFile(anchors);
  text.replace(text.find("\"seq\":"), 7, "\"seq\":1");
  WriteFile(anchors, text);
  EXPECT_EQ(RunLivercell({"audit", "verify", "--db", url_, "--anchor", anchors}).exit_code, 3);
}

TEST_P(AuditTamperTest, TruncatedTail) {
  Tamper("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log);");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cut off"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTamperTest, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace livercell::testing
