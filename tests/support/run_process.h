// Runs a program as a child process with given standard input and captures its exit status,
// standard output and standard error. For black-box CLI tests (tests/cli/).
#ifndef LIVERCELL_TESTS_SUPPORT_RUN_PROCESS_H_
#define LIVERCELL_TESTS_SUPPORT_RUN_PROCESS_H_

#include <string>
#include <vector>

namespace livercell::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is the program path) with `input` on its standard input.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "");

// Runs the livercell binary under test with `args`.
ProcessResult RunLivercell(const std::vector<std::string>& args, const std::string& input = "");

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& contents);

}  // namespace livercell::testing

#endif  // LIVERCELL_TESTS_SUPPORT_RUN_PROCESS_H_
