#include "livercell/cli/input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "livercell/formats/assessment_json.h"
#include "livercell/formats/course_file.h"
#include "livercell/formats/outcomes_file.h"
#include "livercell/formats/release_spec.h"

namespace livercell::cli {

base::Result<std::unique_ptr<InputFile>> InputFile::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<InputFile>(new InputFile(STDIN_FILENO));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    base::Status status(
        errno == ENOENT ? base::StatusCode::kNotFound : base::StatusCode::kInvalidArgument,
        fmt::format("cannot open: {}", std::strerror(errno)));
    status.SetPath(path).SetValue(path);
    return status;
  }
  return std::unique_ptr<InputFile>(new InputFile(fd));
}

InputFile::~InputFile() {
  if (fd_ != STDIN_FILENO) ::close(fd_);
}

std::uint64_t InputFile::size() const {
  struct stat st {};
  return fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

base::Result<std::string> ReadAll(const InputFile& file, const std::string& path, std::size_t limit,
                                  const std::string& what) {
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(file.fd(), chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      base::Status status(base::StatusCode::kInvalidArgument,
                          fmt::format("cannot read: {}", std::strerror(errno)));
      status.SetPath(path);
      return status;
    }
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > limit) {
      base::Status status = base::InvalidArgumentError(
          fmt::format("input exceeds {} bytes, the limit for {}", limit, what));
      status.SetPath(path);
      return status;
    }
  }
  return text;
}

base::Result<std::string> ReadDocument(const std::string& path, std::size_t limit,
                                       const std::string& what) {
  LC_ASSIGN_OR_RETURN(const std::unique_ptr<InputFile> file, InputFile::Open(path));
  return ReadAll(*file, path, limit, what);
}

formats::ProtocolParse LoadProtocol(const std::string& path) {
  if (path.empty()) return formats::DefaultProtocol();
  // Largest protocol file accepted: the default is under 10 KiB.
  constexpr std::size_t kMaxProtocolBytes = std::size_t{1} << 20;
  base::Result<std::string> text = ReadDocument(path, kMaxProtocolBytes, "a protocol file");
  if (!text.ok()) return {std::nullopt, {text.status()}};
  return formats::ParseProtocolFile(*text, path);
}

namespace {

// A clinic's TOML file of at most 1 MiB through its parser; every problem in `problems`.
template <typename T>
base::Result<T> LoadClinicFile(const std::string& path, const char* what,
                               formats::FileParse<T> (*parse)(std::string_view, std::string_view),
                               std::vector<base::Status>* problems) {
  base::Result<std::string> text = ReadDocument(path, 1 << 20, what);
  if (!text.ok()) {
    problems->push_back(text.status());
    return text.status();
  }
  formats::FileParse<T> parsed = parse(*text, path);
  if (!parsed.value) {
    *problems = std::move(parsed.errors);
    return problems->front();
  }
  return std::move(*parsed.value);
}

}  // namespace

base::Result<domain::outcomes::Definitions> LoadOutcomeDefinitions(
    const std::string& path, std::vector<base::Status>* problems) {
  if (path.empty()) return formats::DefaultOutcomeDefinitions();
  return LoadClinicFile(path, "an outcome definitions file", &formats::ParseOutcomeDefinitions,
                        problems);
}

base::Result<domain::ClinicCalendar> LoadClinicCalendar(const std::string& path,
                                                        std::vector<base::Status>* problems) {
  if (path.empty()) return domain::ClinicCalendar();
  return LoadClinicFile(path, "one calendar", &formats::ParseClinicCalendar, problems);
}

base::Result<std::string> ReadPasswordStdin(bool password_stdin) {
  if (!password_stdin) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        "give the password on standard input with --password-stdin");
    status.SetPath("--password-stdin");
    return status;
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

base::Result<domain::ReleaseSpec> LoadReleaseSpec(const std::string& path,
                                                  std::vector<base::Status>* problems) {
  if (path.empty()) return formats::DefaultReleaseSpec();
  return LoadClinicFile(path, "one release specification", &formats::ParseReleaseSpec, problems);
}

}  // namespace livercell::cli
