// Where a command reads one document from: a file, or standard input for "-". The document is
// read whole, up to a limit, so that a runaway or hostile input cannot exhaust memory.
#ifndef LIVERCELL_CLI_INPUT_H_
#define LIVERCELL_CLI_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/domain/outcomes/outcomes.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/release.h"
#include "livercell/formats/protocol_file.h"

namespace livercell::cli {

// An open input file descriptor, closed on scope exit unless it is standard input.
class InputFile {
 public:
  // kNotFound when the file does not exist, kInvalidArgument when it cannot be opened; the
  // path is named in both.
  static base::Result<std::unique_ptr<InputFile>> Open(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  int fd() const { return fd_; }
  // Size of a regular file, 0 otherwise (pipes, terminals).
  std::uint64_t size() const;

 private:
  explicit InputFile(int fd) : fd_(fd) {}
  int fd_;
};

// Reads the whole input, refusing more than `limit` bytes (`what` names one such document in
// the error, e.g. "one patient (use --batch for many)").
base::Result<std::string> ReadAll(const InputFile& file, const std::string& path, std::size_t limit,
                                  const std::string& what);

// Opens `path` ("-" = standard input) and reads it whole, as ReadAll.
base::Result<std::string> ReadDocument(const std::string& path, std::size_t limit,
                                       const std::string& what);

// A candidacy protocol: the file at `path` ("-" = standard input, at most 1 MiB), or the
// built-in default when `path` is empty. Every problem is reported, a file that cannot be
// read being one of them.
formats::ProtocolParse LoadProtocol(const std::string& path);

// Outcome definitions (TOML, at most 1 MiB), or the shipped ones when `path` is empty. On
// failure every problem is in `problems`.
base::Result<domain::outcomes::Definitions> LoadOutcomeDefinitions(
    const std::string& path, std::vector<base::Status>* problems);

// A clinic calendar TOML file (at most 1 MiB), or Monday–Friday without holidays when `path`
// is empty. On failure every problem is in `problems`.
base::Result<domain::ClinicCalendar> LoadClinicCalendar(const std::string& path,
                                                        std::vector<base::Status>* problems);

// A clinic's release specification (TOML, at most 1 MiB; its [exceptions] say which criteria a
// physician may except), or the shipped one when `path` is empty. On failure every problem is
// in `problems`.
base::Result<domain::ReleaseSpec> LoadReleaseSpec(const std::string& path,
                                                  std::vector<base::Status>* problems);

// A password from the first line of standard input; kInvalidArgument at --password-stdin when
// the flag was not given (passwords never come on the command line, where `ps` and shell
// history would show them).
base::Result<std::string> ReadPasswordStdin(bool password_stdin);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_INPUT_H_
