#include "server_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace livercell::testing {

ServerProcess::ServerProcess(const std::string& url, std::vector<std::string> extra) {
  // LIVERCELL_TEST_SERVER_BINARY: another build's binary (make test-long soaks the release one).
  const char* other = std::getenv("LIVERCELL_TEST_SERVER_BINARY");
  const std::string binary = other != nullptr && *other != '\0' ? other : LIVERCELL_BINARY;
  std::vector<std::string> args = {binary, "serve", "--db", url, "--listen",
                                   "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  if (pipe(out) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    // The server dies with the test, even when the test is killed or crashes.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  // "livercell serving … on http://127.0.0.1:PORT/ …"
  std::string line;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  out_ = out[0];
  const std::size_t colon = line.rfind(':');
  if (colon != std::string::npos) port_ = std::atoi(line.c_str() + colon + 1);
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return exit_;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  close(out_);
  pid_ = 0;
  exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exit_;
}

long ResidentKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace livercell::testing
