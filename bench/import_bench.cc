// BM_ImportLabs: `livercell import labs` of 10^6 generated lab rows (fixed seed; override with
// LIVERCELL_BENCH_ROWS) into a fresh SQLite registry, against the reference floor: the sqlite3
// shell's `.import --csv` of the same file into a plain table on disk, timed in the same run.
// Both run as child processes (process start included); peak memory is the child's max RSS.
// LiverCell validates every row, converts units, keys rows by content and keeps three indexes;
// the shell does none of that (issue #4 target: ≤ 1.5× the shell's time).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "child_process.h"

namespace {

std::size_t BenchRows() {
  const char* rows = std::getenv("LIVERCELL_BENCH_ROWS");
  return rows != nullptr ? std::strtoull(rows, nullptr, 10) : 1'000'000;
}

struct Workspace {
  Workspace() {
    char pattern[] = "/tmp/livercell-import-bench-XXXXXX";
    dir = mkdtemp(pattern);
    csv = dir + "/labs.csv";
    std::FILE* out = std::fopen(csv.c_str(), "w");
    std::fputs("patient_id,date,loinc,value,unit\n", out);
    std::mt19937_64 rng(20261123);
    const char* codes[][2] = {{"1975-2", "mg/dL"}, {"14631-6", "umol/L"}, {"1751-7", "g/dL"},
                              {"6301-6", "1"},     {"2160-0", "mg/dL"},   {"2951-2", "mmol/L"}};
    for (std::size_t i = 0; i < BenchRows(); ++i) {
      const auto& code = codes[rng() % 6];
      const double value = code[1][0] == 'u' ? 5 + rng() % 300
                           : code[1][0] == 'm' && code[0][0] == '2' && code[0][1] == '9'
                               ? 120 + rng() % 30
                               : 0.5 + (rng() % 300) / 100.0;
      std::fprintf(out, "MRN%05zu,2026-%02d-%02dT%02d:%02d:00Z,%s,%g,%s\n", i % 20000,
                   static_cast<int>(1 + rng() % 12), static_cast<int>(1 + rng() % 28),
                   static_cast<int>(rng() % 24), static_cast<int>(i % 60), code[0], value, code[1]);
    }
    std::fclose(out);
  }
  ~Workspace() { std::filesystem::remove_all(dir); }
  std::string dir, csv;
};

using livercell::bench::ChildRun;

ChildRun Run(std::vector<std::string> argv, bool capture = false) {
  return livercell::bench::RunChild(std::move(argv), capture);
}

void BM_ImportLabs(benchmark::State& state) {
  static Workspace workspace;
  static int round = 0;  // across repetitions too: each round imports into a new registry
  for (auto _ : state) {
    const std::string db = fmt::format("{}/registry{}.db", workspace.dir, round);
    const std::string plain = fmt::format("{}/plain{}.db", workspace.dir, round++);
    const ChildRun ours =
        Run({LIVERCELL_BINARY, "import", "labs", "--db", db, "--csv", workspace.csv, "--quiet"});
    const ChildRun shell = Run({"sqlite3", plain, ".import --csv " + workspace.csv + " labs"});
    if (ours.exit_code != 0 || shell.exit_code != 0) state.SkipWithError("an import failed");
    state.SetIterationTime(ours.seconds);
    state.counters["rows/s"] = static_cast<double>(BenchRows()) / ours.seconds;
    state.counters["peak_MB"] = ours.peak_mb;
    state.counters["sqlite3_s"] = shell.seconds;
    state.counters["sqlite3_peak_MB"] = shell.peak_mb;
    state.counters["ratio"] = ours.seconds / shell.seconds;
    state.counters["rows"] = static_cast<double>(BenchRows());
  }
}
BENCHMARK(BM_ImportLabs)->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
