// Crash test (issues #4, #22): `kill -9` of a lab import at random moments must leave a database
// that passes PRAGMA integrity_check and holds all of the import, with its one audit entry, or
// none of it and no entry. 100 trials, seeded, each on a fresh database; both outcomes must
// occur (kills are spread from the start to past the end of an uninterrupted import), so the
// test cannot pass by always killing too early or too late.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "run_process.h"

namespace livercell {
namespace {

constexpr int kRows = 30000;

std::string Query(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string result;
  sqlite3_exec(
      db, sql,
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  return result;
}

TEST(CrashDuringImport, KillNineLeavesAllOrNothing) {
  testing::TempDir dir;
  std::string csv = "patient_id,date,loinc,value,unit\n";
  for (int i = 0; i < kRows; ++i) {
    csv += fmt::format("C{},2026-01-{:02},1975-2,{},mg/dL\n", i % 500, 1 + i % 28, 0.5 + i * 0.001);
  }
  testing::WriteFile(dir.File("labs.csv"), csv);
  // Measure one uninterrupted import, then kill at random moments within that span.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(testing::RunLivercell({"import", "labs", "--db", dir.File("full.db"), "--csv",
                                   dir.File("labs.csv"), "--quiet"})
                .exit_code,
            0);
  const auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  std::mt19937_64 rng(20261123);
  constexpr int kTrials = 100;
  int none = 0, all = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const std::string db = dir.File(fmt::format("t{}.db", trial));
    const pid_t pid = fork();
    if (pid == 0) {
      if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
      execl(LIVERCELL_BINARY, LIVERCELL_BINARY, "import", "labs", "--db", db.c_str(), "--csv",
            dir.File("labs.csv").c_str(), "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto delay = std::uniform_int_distribution<long>(0, full_ms + 50)(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_EQ(Query(db, "PRAGMA integrity_check"), "ok") << "trial " << trial;
    const std::string labs = Query(db, "SELECT count(*) FROM labs");
    // The import's audit entry is committed with its rows, or not at all.
    const std::string entries = Query(db, "SELECT count(*) FROM audit_log WHERE action = 'import'");
    if (labs.empty() || labs == "0") {
      EXPECT_TRUE(entries.empty() || entries == "0") << "trial " << trial;
      ++none;
    } else {
      EXPECT_EQ(labs, std::to_string(kRows)) << "trial " << trial << " after " << delay << " ms";
      EXPECT_EQ(Query(db, "SELECT count(DISTINCT patient_id) FROM labs"), "500");
      EXPECT_EQ(entries, "1") << "trial " << trial;
      EXPECT_NE(Query(db, "SELECT resource FROM audit_log WHERE action = 'import'")
                    .find(fmt::format("written {} already 0 rejected 0", kRows)),
                std::string::npos);
      ++all;
    }
  }
  RecordProperty("none", none);
  RecordProperty("all", all);
  EXPECT_EQ(none + all, kTrials);
  EXPECT_GT(none, 0) << "no kill landed before the commit";
  EXPECT_GT(all, 0) << "no import finished";
}

}  // namespace
}  // namespace livercell
