// `livercell serve` as a child process on a free port, for tests that drive it over HTTP.
#ifndef LIVERCELL_TESTS_SUPPORT_SERVER_PROCESS_H_
#define LIVERCELL_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace livercell::testing {

// `livercell serve --db URL --listen 127.0.0.1:0 EXTRA…`, stopped with SIGTERM. The binary is
// this build's, or LIVERCELL_TEST_SERVER_BINARY's when set.
class ServerProcess {
 public:
  explicit ServerProcess(const std::string& url, std::vector<std::string> extra = {});
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Stop(); }
  // SIGTERM, then its exit status (0: it stopped cleanly).
  int Stop();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  int port_ = 0;
  int exit_ = -1;
};

// The resident set of process `pid` in KiB (VmRSS of /proc/PID/status), or -1.
long ResidentKib(pid_t pid);

}  // namespace livercell::testing

#endif  // LIVERCELL_TESTS_SUPPORT_SERVER_PROCESS_H_
