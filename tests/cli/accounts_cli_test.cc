// The command line acts as an account (issue #22): a walk through the clinic's use cases from
// the terminal — log in, register a patient, record, amend and void a lab, import, register,
// process, test, release and check a product — each checked against the audit entry it leaves;
// without an account a clinical change is refused and writes nothing; wrong passwords lock the
// account as on the web; the session file is private and ends with `logout`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "livercell/base/sha256.h"
#include "run_process.h"

namespace livercell::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr const char* kPassword = "a long enough password";

class AccountsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Sessions land in this test's own state folder.
    setenv("XDG_STATE_HOME", dir_.path().c_str(), 1);
    ASSERT_EQ(RunLivercell({"db", "init", "--db", db_}).exit_code, 0);
    for (const auto& [user, role] : std::vector<std::pair<const char*, const char*>>{
             {"dr.ada", "physician"}, {"rn.kim", "nurse"}, {"lab.lee", "lab"},
             {"cp.cora", "cell-processing"}, {"cp.quinn", "cell-processing"}}) {
      const ProcessResult added =
          RunLivercell({"user", "add", "--db", db_, "--username", user, "--role", role,
                        "--password-stdin"},
                       std::string(kPassword) + "\n");
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
  }

  ProcessResult As(const std::string& user, std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_, "--as", user, "--password-stdin"});
    return RunLivercell(args, std::string(kPassword) + "\n");
  }

  std::vector<json> Audit() {
    const ProcessResult out = RunLivercell({"audit", "export", "--db", db_, "--format", "jsonl"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    std::vector<json> entries;
    std::istringstream lines(out.out);
    for (std::string line; std::getline(lines, line);) entries.push_back(json::parse(line));
    return entries;
  }

  TempDir dir_;
  std::string db_ = "sqlite:" + dir_.File("r.db");
};

TEST_F(AccountsCli, EveryUseCaseLeavesItsAuditEntry) {
  // The schema's creation and account administration, as the OS user: one entry each.
  std::vector<json> first = Audit();
  std::size_t seen = first.size();
  ASSERT_EQ(seen, 6u);
  const std::string os = first.front()["username"];
  EXPECT_EQ(first.front()["action"], "db");
  EXPECT_THAT(first.front()["resource"].get<std::string>(),
              HasSubstr("cli: livercell db init (schema version"));
  first.erase(first.begin());
  for (const json& e : first) {
    EXPECT_EQ(e["action"], "account-add");
    EXPECT_THAT(e["username"].get<std::string>(), ::testing::StartsWith("os:"));
    EXPECT_THAT(e["resource"].get<std::string>(), ::testing::StartsWith("cli: livercell user add"));
  }
  // Each step: the command, then the one new entry it must leave.
  const auto step = [&](const ProcessResult& run, const char* action, const char* user,
                        const char* outcome = "ok") {
    EXPECT_EQ(run.exit_code, std::string(outcome) == "ok" ? 0 : 2) << run.out << run.err;
    const std::vector<json> entries = Audit();
    ASSERT_EQ(entries.size(), seen + 1) << action;
    const json& e = entries.back();
    EXPECT_EQ(e["action"], action) << e.dump();
    EXPECT_EQ(e["username"], user) << e.dump();
    EXPECT_EQ(e["outcome"], outcome) << e.dump();
    EXPECT_THAT(e["resource"].get<std::string>(), ::testing::StartsWith("cli: ")) << e.dump();
    seen = entries.size();
  };
  step(As("rn.kim", {"patients", "register", "--id", "mrn:Z1", "--family", "Ames", "--given",
                     "Ada", "--birth-date", "1961-04-02", "--sex", "female"}),
       "create", "rn.kim");
  const ProcessResult lab = As("lab.lee", {"record", "lab", "--patient", "mrn:Z1", "--code",
                                           "1975-2", "--value", "18", "--unit", "mg/dL",
                                           "--time", "2026-11-20", "--format", "json"});
  step(lab, "create", "lab.lee");
  const std::string lab_id = json::parse(lab.out)["id"];
  // No account: refused, audited, nothing written.
  const ProcessResult anonymous =
      RunLivercell({"record", "lab", "--db", db_, "--patient", "mrn:Z1", "--code", "1975-2",
                    "--value", "1.2", "--unit", "mg/dL", "--time", "2026-11-21"});
  EXPECT_THAT(anonymous.err, HasSubstr("needs an account"));
  step(anonymous, "create", os.c_str(), "unauthenticated");
  step(As("lab.lee", {"record", "amend", "--patient", "mrn:Z1", "--id", lab_id, "--value", "1.8",
                      "--reason", "typed 18 for 1,8"}),
       "amend", "lab.lee");
  const ProcessResult labs = RunLivercell({"labs", "--db", db_, "mrn:Z1", "--format", "json"});
  EXPECT_THAT(labs.out, HasSubstr("1.8"));
  EXPECT_THAT(labs.out, ::testing::Not(HasSubstr("\"value\":18")));
  const ProcessResult voided = RunLivercell({"labs", "--db", db_, "mrn:Z1", "--include-voided"});
  EXPECT_THAT(voided.out, HasSubstr(lab_id + " superseded by lab.lee"));
  EXPECT_THAT(voided.out, HasSubstr("typed 18 for 1,8"));
  // The import: one entry, naming the file's SHA-256 and the counts.
  const std::string csv = "patient_id,date,loinc,value,unit\nZ1,2026-11-22,777-3,120,10*9/L\n";
  WriteFile(dir_.File("labs.csv"), csv);
  step(RunLivercell({"import", "labs", "--db", db_, "--csv", dir_.File("labs.csv"), "--quiet"}),
       "import", os.c_str());
  EXPECT_THAT(Audit().back()["resource"].get<std::string>(),
              HasSubstr("(sha256:" + base::Sha256Hex(csv) + " rows 1 written 1 already 0 rejected 0)"));
  // A product through its chain: registration, custody, release by someone independent.
  const std::string din = "G123426000001";
  step(As("cp.cora", {"product", "register", "--patient", "mrn:Z1", "--din", din, "--code",
                      "S1234", "--type", "bm_mnc"}),
       "create", "cp.cora");
  step(As("cp.cora", {"product", "record", "--din", din, "--kind", "harvest", "--set",
                      "volume_ml=45", "--set", "collected_at=2026-11-22T08:00:00Z", "--set",
                      "operator=Dr Ames"}),
       "record", "cp.cora");
  step(As("cp.cora", {"product", "record", "--din", din, "--kind", "processing", "--set",
                      "method=density gradient", "--set", "target=mnc", "--set",
                      "total_nucleated_cells=3e9", "--set", "target_cells=1.5e8", "--set",
                      "cd34_cells=2e6", "--set", "viability_percent=92", "--set", "volume_ml=20",
                      "--set", "expires_at=2099-01-01T00:00:00Z"}),
       "record", "cp.cora");
  step(As("cp.cora", {"product", "record", "--din", din, "--kind", "qc", "--set",
                      "sterility=no-growth", "--set", "mycoplasma=not-detected", "--set",
                      "endotoxin_eu_per_ml=0.2", "--set", "viability_percent=88"}),
       "record", "cp.cora");
  step(As("cp.cora", {"product", "release", "--din", din}), "release", "cp.cora",
       "failed_precondition");
  step(As("lab.lee", {"product", "release", "--din", din}), "release", "lab.lee",
       "permission_denied");
  // The bedside check of the wrong patient's wristband: a STOP, on the record with its reason.
  const ProcessResult stop = As("rn.kim", {"product", "verify", "--wristband", "mrn:NOBODY",
                                           "--din", din});
  EXPECT_EQ(stop.exit_code, 3);
  const std::vector<json> entries = Audit();
  ASSERT_EQ(entries.size(), seen + 1);
  EXPECT_EQ(entries.back()["action"], "bedside-verify");
  EXPECT_EQ(entries.back()["outcome"], "mismatch:patient");
  // And the chain of all of it verifies.
  EXPECT_EQ(RunLivercell({"audit", "verify", "--db", db_}).exit_code, 0);
}

// The lines of `csv` whose id column (or any other whole field) is `id`.
std::vector<std::string> LinesWith(const std::string& csv, const std::string& id) {
  const std::string needle = "," + id + ",";
  std::vector<std::string> found;
  std::istringstream lines(csv);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

TEST_F(AccountsCli, TidyExportShowsCorrectedRecordsOnlyWhenAskedAndImportSkipsThem) {
  ASSERT_EQ(As("rn.kim", {"patients", "register", "--id", "mrn:Z1", "--family", "Ames",
                          "--birth-date", "1961-04-02"})
                .exit_code,
            0);
  const auto record = [&](const char* code, const char* value, const char* unit,
                          const char* time) {
    const ProcessResult run = As("lab.lee", {"record", "lab", "--patient", "mrn:Z1", "--code",
                                             code, "--value", value, "--unit", unit, "--time",
                                             time, "--format", "json"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return json::parse(run.out)["id"].get<std::string>();
  };
  const std::string wrong = record("1975-2", "18", "mg/dL", "2026-11-20");
  const std::string stray = record("777-3", "120", "10*9/L", "2026-11-21");
  const std::string kept = record("6301-6", "1.3", "1", "2026-11-21");
  const ProcessResult amended =
      As("lab.lee", {"record", "amend", "--patient", "mrn:Z1", "--id", wrong, "--value", "1.8",
                     "--reason", "typed 18 for 1,8", "--format", "json"});
  ASSERT_EQ(amended.exit_code, 0) << amended.err;
  const std::string fixed = json::parse(amended.out)["id"];
  ASSERT_EQ(As("lab.lee", {"record", "void", "--patient", "mrn:Z1", "--id", stray, "--reason",
                           "another patient's sample"})
                .exit_code,
            0);

  // By default: current records only, each final with its id.
  ASSERT_EQ(RunLivercell({"export", "tidy", "--db", db_, "--out", dir_.File("now")}).exit_code, 0);
  const std::string now = ReadFile(dir_.File("now/labs.csv"));
  EXPECT_THAT(now, HasSubstr(",id,status,corrected_at,corrected_by,correction_reason,"
                             "replaced_by\n"));
  EXPECT_TRUE(LinesWith(now, wrong).empty()) << now;
  EXPECT_TRUE(LinesWith(now, stray).empty()) << now;
  ASSERT_EQ(LinesWith(now, kept).size(), 1u) << now;
  EXPECT_THAT(LinesWith(now, kept)[0], HasSubstr("," + kept + ",final,,,,"));
  EXPECT_THAT(LinesWith(now, fixed)[0], HasSubstr(",1.8,mg/dL,"));

  // --include-voided: the corrected ones too, with who, when and why.
  const ProcessResult all = RunLivercell(
      {"export", "tidy", "--db", db_, "--out", dir_.File("all"), "--include-voided"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("2 of the records were voided or superseded"));
  const std::string every = ReadFile(dir_.File("all/labs.csv"));
  ASSERT_EQ(LinesWith(every, wrong).size(), 1u) << every;
  EXPECT_THAT(LinesWith(every, wrong)[0], HasSubstr(",18,mg/dL,"));
  EXPECT_THAT(LinesWith(every, wrong)[0], HasSubstr("," + wrong + ",superseded,20"));
  EXPECT_THAT(LinesWith(every, wrong)[0], HasSubstr("Z,lab.lee,\"typed 18 for 1,8\","));
  EXPECT_THAT(LinesWith(every, wrong)[0], ::testing::EndsWith("," + fixed));
  ASSERT_EQ(LinesWith(every, stray).size(), 1u);
  EXPECT_THAT(LinesWith(every, stray)[0], HasSubstr(",entered-in-error,"));
  EXPECT_THAT(LinesWith(every, stray)[0], HasSubstr(",lab.lee,another patient's sample,"));
  EXPECT_THAT(ReadFile(dir_.File("all/dictionary.csv")),
              HasSubstr("labs.csv,status,text,,,"));

  // Imported elsewhere: the current records only, the corrected rows counted and left out.
  const std::string copy = "sqlite:" + dir_.File("copy.db");
  const ProcessResult imported =
      RunLivercell({"import", "tidy", "--db", copy, "--dir", dir_.File("all")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("2 labs"));
  EXPECT_THAT(imported.out, HasSubstr("2 voided or superseded rows were not imported"));
  const ProcessResult labs = RunLivercell({"labs", "--db", copy, "mrn:Z1", "--format", "json"});
  EXPECT_THAT(labs.out, HasSubstr("1.8"));
  EXPECT_THAT(labs.out, ::testing::Not(HasSubstr("120")));

  // A status it does not know stops the import, naming the line and column.
  std::string edited = every;
  edited.replace(edited.find(",final,"), 7, ",gone,");
  std::filesystem::copy(dir_.File("all"), dir_.File("bad"));
  WriteFile(dir_.File("bad/labs.csv"), edited);
  const ProcessResult bad = RunLivercell(
      {"import", "tidy", "--db", "sqlite:" + dir_.File("bad.db"), "--dir", dir_.File("bad")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("column \"status\": \"gone\" is not final"));
}

TEST_F(AccountsCli, LoginSessionIsPrivateExpiresWithLogoutAndWrongPasswordsLock) {
  const ProcessResult in = RunLivercell({"login", "--db", db_, "--as", "rn.kim",
                                         "--password-stdin"},
                                        std::string(kPassword) + "\n");
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_THAT(in.out, HasSubstr("as rn.kim (nurse)"));
  // One file for this registry, readable by its owner only.
  std::string file;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.File("livercell")))
    file = entry.path();
  ASSERT_FALSE(file.empty());
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  // The session acts without a password.
  const ProcessResult registered = RunLivercell(
      {"patients", "register", "--db", db_, "--id", "mrn:S1", "--family", "Bell"});
  EXPECT_EQ(registered.exit_code, 0) << registered.err;
  EXPECT_EQ(Audit().back()["username"], "rn.kim");
  EXPECT_EQ(RunLivercell({"logout", "--db", db_}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(file));
  const ProcessResult after = RunLivercell(
      {"patients", "register", "--db", db_, "--id", "mrn:S2", "--family", "Bell"});
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_THAT(after.err, HasSubstr("needs an account"));
  // Five wrong passwords lock the account, as on the web: then even the right one is refused.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(RunLivercell({"login", "--db", db_, "--as", "lab.lee", "--password-stdin"},
                           "wrong password\n")
                  .exit_code,
              2);
  }
  const ProcessResult locked = RunLivercell(
      {"login", "--db", db_, "--as", "lab.lee", "--password-stdin"}, std::string(kPassword) + "\n");
  EXPECT_NE(locked.exit_code, 0);
  EXPECT_THAT(locked.err, HasSubstr("too many failed log-ins: try again after"));
}

}  // namespace
}  // namespace livercell::testing
