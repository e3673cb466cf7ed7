// Crash test (issue #4): `kill -9` of a lab import at random moments must leave a database
// that passes PRAGMA integrity_check and holds all of the import or none of it. 24 trials,
// seeded, each on a fresh database.
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
  int none = 0, all = 0;
  for (int trial = 0; trial < 24; ++trial) {
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
    if (labs.empty() || labs == "0") {
      ++none;
    } else {
      EXPECT_EQ(labs, std::to_string(kRows)) << "trial " << trial << " after " << delay << " ms";
      ++all;
    }
  }
  RecordProperty("none", none);
  RecordProperty("all", all);
  EXPECT_EQ(none + all, 24);
}

}  // namespace
}  // namespace livercell
