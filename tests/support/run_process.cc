#include "run_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace livercell::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "livercell-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input) {
  // Files, not pipes: no deadlock however much the child writes.
  TempDir dir;
  WriteFile(dir.File("in"), input);
  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(dir.File("in").c_str(), "rb", stdin) ||
        !freopen(dir.File("out").c_str(), "wb", stdout) ||
        !freopen(dir.File("err").c_str(), "wb", stderr)) {
      _exit(127);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(dir.File("out"));
  result.err = ReadFile(dir.File("err"));
  return result;
}

ProcessResult RunLivercell(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv = {LIVERCELL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, input);
}

}  // namespace livercell::testing
