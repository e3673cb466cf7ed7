// outcomes_bench: `livercell outcomes --tidy DIR --format json` end to end (process start, the
// five CSV files read, every rule applied, the JSON written) on a generated tidy export of
// treated patients (issue #24: 100,000 patients with 10^7 labs in under 2 s).
// LIVERCELL_BENCH_PATIENTS and LIVERCELL_BENCH_LABS override 100000 and 10000000; fixed seed.
// The time is the median of three runs; LIVERCELL_BENCH_KEEP=1 keeps the folder.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "child_process.h"

namespace {

long EnvLong(const char* name, long fallback) {
  const char* text = std::getenv(name);
  return text ? std::strtol(text, nullptr, 10) : fallback;
}

// Days since 1970 of 2020-01-01, the first index day.
constexpr int kFirstIndexDay = 18262;

std::string Date(int days) {
  // Civil date from days since 1970-01-01 (Hinnant's algorithm, days_from_civil inverse).
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04}-{:02}-{:02}", y + (m <= 2), m, d);
}

// A tidy export: every patient treated once; labs (bilirubin, albumin, INR, creatinine, sodium
// in turn) on days spread from 60 days before to 400 days after the index day; one in ten
// patients dies within the year. No treatment effect: values wander around each patient's own.
void Generate(const std::string& dir, long patients, long labs) {
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(20261203);
  std::uniform_real_distribution<double> u(0, 1);
  std::FILE* p = std::fopen((dir + "/patients.csv").c_str(), "w");
  std::FILE* a = std::fopen((dir + "/administrations.csv").c_str(), "w");
  std::FILE* e = std::fopen((dir + "/events.csv").c_str(), "w");
  std::FILE* f = std::fopen((dir + "/findings.csv").c_str(), "w");
  std::FILE* l = std::fopen((dir + "/labs.csv").c_str(), "w");
  std::fputs("patient_id,identifiers,sex,birth_date\n", p);
  std::fputs("patient_id,administered_at,route,din\n", a);
  std::fputs("patient_id,time,type\n", e);
  std::fputs("patient_id,time,kind,value\n", f);
  std::fputs("patient_id,time,code,canonical_value,status\n", l);
  const char* codes[] = {"1975-2", "1751-7", "6301-6", "2160-0", "2951-2"};
  const double typical[] = {2.0, 3.2, 1.4, 1.0, 136};
  const long per_patient = std::max(1L, labs / patients);
  for (long i = 1; i <= patients; ++i) {
    const int t0 = kFirstIndexDay + static_cast<int>(i % 1500);
    std::fprintf(p, "%ld,bench:%ld,%s,%s\n", i, i, u(rng) < 0.5 ? "female" : "male",
                 Date(t0 - 20000 - static_cast<int>(i % 7000)).c_str());
    std::fprintf(a, "%ld,%s,iv,\n", i, Date(t0).c_str());
    if (u(rng) < 0.1) std::fprintf(e, "%ld,%s,death\n", i, Date(t0 + 30 + i % 330).c_str());
    for (long k = 0; k < per_patient; ++k) {
      const int code = static_cast<int>(k % 5);
      const int day = t0 - 60 + static_cast<int>((k * 460) / per_patient);
      const double value = typical[code] * (0.7 + 0.6 * u(rng));
      std::fprintf(l, "%ld,%s,%s,%.3f,final\n", i, Date(day).c_str(), codes[code], value);
    }
  }
  for (std::FILE* file : {p, a, e, f, l}) std::fclose(file);
}

}  // namespace

int main() {
  const long patients = EnvLong("LIVERCELL_BENCH_PATIENTS", 100000);
  const long labs = EnvLong("LIVERCELL_BENCH_LABS", 10000000);
  const std::string dir =
      (std::filesystem::temp_directory_path() / fmt::format("livercell-outcomes-bench-{}", patients))
          .string();
  Generate(dir, patients, labs);
  std::vector<double> seconds;
  double peak_mb = 0;
  std::string first;
  for (int run = 0; run < 3; ++run) {
    const auto r = livercell::bench::RunChild(
        {LIVERCELL_BINARY, "outcomes", "--tidy", dir, "--format", "json"}, true);
    if (r.exit_code != 0) {
      std::fprintf(stderr, "outcomes_bench: livercell outcomes failed (exit %d)\n", r.exit_code);
      return 1;
    }
    if (r.output.find("\"treated\":" + std::to_string(patients)) == std::string::npos) {
      std::fprintf(stderr, "outcomes_bench: not every patient was counted as treated\n");
      return 1;
    }
    seconds.push_back(r.seconds);
    peak_mb = std::max(peak_mb, r.peak_mb);
  }
  std::sort(seconds.begin(), seconds.end());
  fmt::print("outcomes_bench: livercell outcomes --tidy, end to end, median of 3\n\n"
             "| patients | labs | seconds | peak MiB | target |\n| --- | --- | --- | --- | --- |\n"
             "| {} | {} | {:.2f} | {:.0f} | < 2 s at 10^5 patients, 10^7 labs: {} |\n",
             patients, (labs / patients) * patients, seconds[1], peak_mb,
             seconds[1] < 2 ? "met" : "NOT met");
  if (!std::getenv("LIVERCELL_BENCH_KEEP")) std::filesystem::remove_all(dir);
  return 0;
}
