// stats_bench: `livercell stats km|logrank|cox|cif` end to end (process start, CSV read, fit,
// JSON written) against R's model call alone (read.csv excluded, timed separately), on the
// same generated data, in the same run (specs/stats.md "Performance"). Sizes 10^4, 10^5, 10^6
// rows by default (LIVERCELL_BENCH_SIZES="10000,100000" overrides); fixed seed.
// LiverCell's time is the median of five runs, R's one run (seconds, not milliseconds).
// LIVERCELL_BENCH_NO_R=1 times LiverCell alone; LIVERCELL_BENCH_KEEP=1 keeps the CSV files.
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"

namespace {

using livercell::bench::ChildRun;

ChildRun Run(std::vector<std::string> argv, bool capture = false) {
  return livercell::bench::RunChild(std::move(argv), capture);
}

void Generate(const std::string& path, std::size_t rows) {
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> u(0, 1);
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("time,status,trt,age,bili,albumin,protime,sex\n", f);
  for (std::size_t i = 0; i < rows; ++i) {
    const double bili = std::exp(u(rng) * 3 - 1);
    const double hazard = 0.0004 * std::exp(0.5 * std::log(bili));
    const double event_time = -std::log(u(rng)) / hazard;
    const double censor = u(rng) * 4000;
    const int status = event_time < censor ? (u(rng) < 0.15 ? 1 : 2) : 0;
    std::fprintf(f, "%.0f,%d,%d,%.2f,%.2f,%.2f,%.1f,%c\n", std::ceil(std::min(event_time, censor)),
                 status, 1 + static_cast<int>(rng() % 2), 30 + u(rng) * 50, bili, 2.5 + u(rng) * 2,
                 9 + u(rng) * 6, u(rng) < 0.88 ? 'f' : 'm');
  }
  std::fclose(f);
}

}  // namespace

constexpr int kRuns = 5;

int main() {
  std::vector<std::size_t> sizes = {10000, 100000, 1000000};
  if (const char* env = std::getenv("LIVERCELL_BENCH_SIZES")) {
    sizes.clear();
    std::stringstream list(env);
    for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoull(item));
  }
  const std::string dir = std::filesystem::temp_directory_path() / "livercell-stats-bench";
  std::filesystem::create_directories(dir);
  const std::string r_script = std::string(LIVERCELL_SOURCE_DIR) + "/bench/stats_bench.R";
  struct Command {
    const char* name;
    const char* formula;
    double target;
  };
  const Command commands[] = {
      {"km", "Surv(time, status > 0) ~ trt", 10},
      {"logrank", "Surv(time, status > 0) ~ trt", 10},
      {"cox",
       "Surv(time, status > 0) ~ age + log(bili) + log(albumin) + log(protime) + strata(sex)", 20},
      {"cif", "Surv(time, status) ~ trt", 50},
  };
  fmt::print("{:>9} {:<8} {:>12} {:>12} {:>12} {:>8} {:>8} {:>12}\n", "rows", "command",
             "livercell s", "R model s", "R read s", "ratio", "target", "peak MB");
  int failures = 0;
  for (std::size_t rows : sizes) {
    const std::string csv = fmt::format("{}/bench_{}.csv", dir, rows);
    Generate(csv, rows);
    for (const Command& c : commands) {
      // The median of kRuns runs: this kind of VM has noisy neighbours.
      std::vector<ChildRun> runs;
      for (int i = 0; i < kRuns; ++i) {
        runs.push_back(Run({LIVERCELL_BINARY, "stats", c.name, "--csv", csv, "--formula", c.formula,
                            "--format", "json"}));
      }
      std::sort(runs.begin(), runs.end(),
                [](const ChildRun& a, const ChildRun& b) { return a.seconds < b.seconds; });
      const ChildRun ours = runs[runs.size() / 2];
      if (std::getenv("LIVERCELL_BENCH_NO_R") != nullptr) {
        fmt::print("{:>9} {:<8} {:>12.3f} {:>12} {:>12} {:>8} {:>7.0f}x {:>12.1f}\n", rows, c.name,
                   ours.seconds, "-", "-", "-", c.target, ours.peak_mb);
        continue;
      }
      const ChildRun r = Run({"Rscript", r_script, c.name, csv}, true);
      double r_model = 0, r_read = 0;
      std::sscanf(r.first_line.c_str(), "%lf %lf", &r_model, &r_read);
      if (ours.exit_code != 0 || r.exit_code != 0) ++failures;
      fmt::print("{:>9} {:<8} {:>12.3f} {:>12.3f} {:>12.3f} {:>7.1f}x {:>7.0f}x {:>12.1f}\n", rows,
                 c.name, ours.seconds, r_model, r_read, r_model / ours.seconds, c.target,
                 ours.peak_mb);
    }
  }
  // LIVERCELL_BENCH_KEEP=1 keeps the generated files (for profiling).
  if (std::getenv("LIVERCELL_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
