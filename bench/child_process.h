// Runs a program as a child process for the benchmarks that time whole commands (process start
// included): wall time, the child's peak resident memory, its exit status, and optionally the
// first line of its standard output.
#ifndef LIVERCELL_BENCH_CHILD_PROCESS_H_
#define LIVERCELL_BENCH_CHILD_PROCESS_H_

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace livercell::bench {

struct ChildRun {
  double seconds = 0;
  double peak_mb = 0;
  int exit_code = -1;
  std::string first_line;  // of standard output, when captured
  std::string output;      // all of standard output, when captured
};

inline ChildRun RunChild(std::vector<std::string> argv, bool capture_output = false) {
  char out_path[] = "/tmp/livercell-bench-out-XXXXXX";
  const int out_fd = mkstemp(out_path);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  ChildRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (capture_output) {
    std::FILE* f = std::fopen(out_path, "r");
    char buffer[4096];
    std::size_t n = 0;
    while (f != nullptr && (n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
      run.output.append(buffer, n);
    }
    if (f != nullptr) std::fclose(f);
    const std::size_t newline = run.output.find('\n');
    run.first_line =
        newline == std::string::npos ? run.output : run.output.substr(0, newline + 1);
  }
  close(out_fd);
  std::remove(out_path);
  return run;
}

}  // namespace livercell::bench

#endif  // LIVERCELL_BENCH_CHILD_PROCESS_H_
