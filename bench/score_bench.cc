// BM_Score*: throughput of `livercell score --batch`, JSON parsing included (issue #3 target:
// ≥ 500,000 patients/s on one core). The workload is 10^6 generated NDJSON patients (fixed
// seed; LIVERCELL_BENCH_ROWS overrides the count) written once to a temporary file, then
// scored by the same function the CLI runs, with output to /dev/null.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "livercell/cli/batch.h"
#include "livercell/formats/patient_json.h"
#include "livercell/domain/scores/registry.h"

namespace {

std::size_t BenchRows() {
  const char* rows = std::getenv("LIVERCELL_BENCH_ROWS");
  return rows != nullptr ? std::strtoull(rows, nullptr, 10) : 1'000'000;
}

// One plausible patient, every field present, values drawn around clinical ranges.
std::string PatientLine(std::mt19937_64& rng) {
  auto u = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  const char* sexes[] = {"female", "male"};
  const char* ascites[] = {"none", "mild", "moderate-severe"};
  const char* he[] = {"none", "grade-1-2", "grade-3-4"};
  const char* edema[] = {"none", "untreated-or-resolved", "despite-diuretics"};
  const bool si = u(0, 1) < 0.5;
  return fmt::format(
      "{{\"sex\":\"{}\",\"age_years\":{:.1f},\"dialysis_twice_past_week\":{},"
      "\"ascites\":\"{}\",\"encephalopathy\":\"{}\",\"edema\":\"{}\",\"labs\":{{"
      "\"bilirubin\":{{\"value\":{:.2f},\"unit\":\"{}\"}},"
      "\"albumin\":{{\"value\":{:.1f},\"unit\":\"{}\"}},"
      "\"inr\":{{\"value\":{:.2f},\"unit\":\"1\"}},"
      "\"creatinine\":{{\"value\":{:.2f},\"unit\":\"mg/dL\"}},"
      "\"sodium\":{{\"value\":{:.0f},\"unit\":\"mmol/L\"}},"
      "\"ast\":{{\"value\":{:.0f},\"unit\":\"U/L\"}},\"alt\":{{\"value\":{:.0f},\"unit\":\"U/L\"}},"
      "\"ast_uln\":{{\"value\":40,\"unit\":\"U/L\"}},"
      "\"platelets\":{{\"value\":{:.0f},\"unit\":\"10*9/L\"}},"
      "\"prothrombin_time\":{{\"value\":{:.1f},\"unit\":\"s\"}}}}}}\n",
      sexes[rng() % 2], u(18, 85), u(0, 1) < 0.05 ? "true" : "false", ascites[rng() % 3],
      he[rng() % 3], edema[rng() % 3], si ? u(5, 300) : u(0.3, 17), si ? "umol/L" : "mg/dL",
      si ? u(20, 50) : u(2.0, 5.0), si ? "g/L" : "g/dL", u(0.9, 3.5), u(0.5, 4.5), u(120, 145),
      u(15, 400), u(10, 300), u(30, 350), u(9, 25));
}

// The NDJSON workload file, made on first use and removed at exit.
struct WorkloadFile {
  WorkloadFile()
      : path((std::filesystem::temp_directory_path() /
              fmt::format("livercell-bench-{}.ndjson", getpid()))
                 .string()) {
    std::FILE* out = std::fopen(path.c_str(), "w");
    std::mt19937_64 rng(20261123);
    for (std::size_t i = 0; i < BenchRows(); ++i) std::fputs(PatientLine(rng).c_str(), out);
    std::fclose(out);
  }
  ~WorkloadFile() { std::filesystem::remove(path); }
  std::string path;
};

const std::string& Workload(std::size_t* bytes) {
  static const WorkloadFile file;
  *bytes = std::filesystem::file_size(file.path);
  return file.path;
}

void BM_ScoreBatch(benchmark::State& state) {
  std::size_t bytes = 0;
  const std::string& path = Workload(&bytes);
  std::FILE* sink = std::fopen("/dev/null", "w");
  std::uint64_t patients = 0;
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    auto summary = livercell::cli::RunScoreBatch(fd, sink, nullptr);
    ::close(fd);
    if (!summary.ok() || summary->failed != 0) state.SkipWithError("batch failed");
    patients += summary->scored;
  }
  std::fclose(sink);
  state.counters["patients/s"] =
      benchmark::Counter(static_cast<double>(patients), benchmark::Counter::kIsRate);
  state.counters["MB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e6,
                         benchmark::Counter::kIsRate);
  state.counters["rows"] = static_cast<double>(BenchRows());
}
BENCHMARK(BM_ScoreBatch)->Unit(benchmark::kMillisecond)->UseRealTime();

// The domain alone: validated input → eight scores (no JSON).
void BM_ScoreCompute(benchmark::State& state) {
  std::mt19937_64 rng(7);
  simdjson::dom::parser parser;
  livercell::domain::ScoreInput input;
  const std::string line = PatientLine(rng);
  (void)livercell::formats::ParsePatient(line, parser, &input);
  for (auto _ : state) {
    benchmark::DoNotOptimize(livercell::domain::ComputeScores(input));
  }
  state.counters["patients/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScoreCompute);

}  // namespace

BENCHMARK_MAIN();
