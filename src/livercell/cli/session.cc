// `livercell login|logout` and the actor of every command that changes clinical data
// (session.h).
#include "livercell/cli/session.h"

#include "livercell/access/audit_key.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "livercell/base/instant.h"
#include "livercell/base/sha256.h"
#include "livercell/clinic/accounts.h"
#include "livercell/cli/app.h"
#include "livercell/cli/input.h"

namespace livercell::cli {
namespace {

using nlohmann::json;

// A run's request id: the audit trail tells two commands of one second apart.
std::string NewRequestId() {
  return fmt::format("cli-{}-{}", base::NowText(), getpid());
}

std::string StateDir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && *state == '/') return fmt::format("{}/livercell", state);
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.local/state/livercell", home != nullptr ? home : ".");
}

struct SavedSession {
  std::string username, token, expires;
};

std::optional<SavedSession> ReadSession(const std::string& db_url) {
  std::ifstream in(SessionFilePath(db_url));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const json saved = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!saved.is_object() || saved.value("db", "") != db_url) return std::nullopt;
  SavedSession s{saved.value("username", ""), saved.value("token", ""),
                 saved.value("expires", "")};
  if (s.token.empty()) return std::nullopt;
  return s;
}

// Written 0600 from the start (never world-readable for an instant), replaced atomically.
base::Status WriteSession(const std::string& db_url, const access::Session& session) {
  std::error_code ec;
  std::filesystem::create_directories(StateDir(), ec);
  chmod(StateDir().c_str(), 0700);
  const std::string path = SessionFilePath(db_url);
  const std::string temp = path + ".tmp";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    base::Status status(base::StatusCode::kUnavailable, "cannot write the session file");
    status.SetPath(path);
    return status;
  }
  const std::string text = json{{"db", db_url},
                                {"username", session.user.username},
                                {"token", session.token},
                                {"expires", session.expires}}
                               .dump();
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  fchmod(fd, 0600);
  close(fd);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) {
    base::Status status(base::StatusCode::kUnavailable, "cannot write the session file");
    status.SetPath(path);
    return status;
  }
  return base::OkStatus();
}

template <typename T>
base::Result<T> FirstProblem(base::Result<T> loaded, const std::vector<base::Status>& problems) {
  if (!loaded.ok() && !problems.empty()) return problems.front();
  return loaded;
}

struct LoginArgs {
  std::string db, format;
  Credentials credentials;
};

int RunLogin(const LoginArgs& args) {
  const Format format = ParseFormat(args.format);
  if (args.credentials.as.empty()) {
    base::Status status(base::StatusCode::kInvalidArgument, "log in as whom? give --as USER");
    return Fail(status.SetPath("--as"), format);
  }
  const auto password = ReadPasswordStdin(args.credentials.password_stdin);
  if (!password.ok()) return Fail(password.status(), format);
  // Logged in as the OS user until the password is checked: the log-in itself is audited.
  auto call = ClinicCall::Open(args.db, {}, {}, "livercell login");
  if (!call.ok()) return Fail(call.status(), format);
  const std::string url = ResolveDbUrl(args.db);
  clinic::Actor door = (*call)->actor();
  const auto in = clinic::LogIn((*call)->context(), args.credentials.as, *password, door);
  if (!in.ok()) return Fail(in.status(), format);
  if (base::Status saved = WriteSession(url, in->session); !saved.ok()) return Fail(saved, format);
  if (format == Format::kJson) {
    fmt::print("{}\n", json{{"username", in->session.user.username},
                            {"role", access::ToString(in->session.user.role)},
                            {"expires", in->session.expires},
                            {"session_file", SessionFilePath(url)}}
                           .dump());
  } else {
    fmt::print("logged in to {} as {} ({}) until {}\n", url, in->session.user.username,
               access::ToString(in->session.user.role), in->session.expires);
  }
  return 0;
}

int RunLogout(const LoginArgs& args) {
  const Format format = ParseFormat(args.format);
  const std::string url = ResolveDbUrl(args.db);
  const auto saved = ReadSession(url);
  if (!saved) {
    fmt::print("not logged in to {}\n", url);
    return 0;
  }
  auto call = ClinicCall::Open(args.db, {}, {}, "livercell logout");
  if (!call.ok()) return Fail(call.status(), format);
  if (base::Status ended = clinic::LogOut((*call)->context(), (*call)->actor(), saved->token);
      !ended.ok()) {
    return Fail(ended, format);
  }
  std::remove(SessionFilePath(url).c_str());
  fmt::print("logged out of {}\n", url);
  return 0;
}

}  // namespace

void AddCredentialOptions(CLI::App& sub, Credentials* credentials) {
  sub.add_option("--as", credentials->as,
                 "Act as this account (its password on standard input with --password-stdin); "
                 "default: the session of `livercell login`");
  sub.add_flag("--password-stdin", credentials->password_stdin,
               "Read the account's password from the first line of standard input (also the "
               "signature of a release, an assessment or a plan)");
}

std::string SessionFilePath(const std::string& db_url) {
  return fmt::format("{}/session-{}.json", StateDir(), base::Sha256Hex(db_url).substr(0, 16));
}

base::Result<std::unique_ptr<ClinicCall>> ClinicCall::Open(const std::string& db,
                                                           const Credentials& credentials,
                                                           const Settings& settings,
                                                           std::string command) {
  std::unique_ptr<ClinicCall> call(new ClinicCall());
  formats::ProtocolParse protocol = LoadProtocol(settings.protocol);
  if (!protocol.protocol) return protocol.errors.front();
  call->protocol_ = std::move(*protocol.protocol);
  std::vector<base::Status> problems;
  LC_ASSIGN_OR_RETURN(call->calendar_,
                      FirstProblem(LoadClinicCalendar(settings.calendar, &problems), problems));
  LC_ASSIGN_OR_RETURN(call->release_spec_,
                      FirstProblem(LoadReleaseSpec(settings.release_spec, &problems), problems));
  if (!credentials.as.empty()) {
    LC_ASSIGN_OR_RETURN(call->password_, ReadPasswordStdin(credentials.password_stdin));
  } else if (credentials.password_stdin) {
    // A password for the saved session's signatures.
    LC_ASSIGN_OR_RETURN(call->password_, ReadPasswordStdin(true));
  }
  const std::string url = ResolveDbUrl(db);
  if (settings.initialize_if_empty) {
    LC_ASSIGN_OR_RETURN(call->repo_,
                        storage::Repository::Open(
                            url, storage::Repository::SchemaPolicy::kInitializeIfEmpty));
  } else {
    LC_ASSIGN_OR_RETURN(call->repo_, OpenRegistry(db));
  }
  // The audit key: beside a SQLite registry, or $LIVERCELL_AUDIT_KEY_FILE.
  LC_ASSIGN_OR_RETURN(access::AuditKey key, access::AuditKeyFor(url, "", /*create=*/true));
  call->journal_ = std::make_unique<clinic::DirectJournal>(*call->repo_, std::move(key));
  clinic::Actor door = clinic::OsActor(std::move(command));
  door.request_id = NewRequestId();
  call->actor_ = door;
  const clinic::Context context = call->context();
  if (!credentials.as.empty()) {
    base::Result<clinic::Actor> actor =
        clinic::Authenticate(context, credentials.as, call->password_, door);
    if (!actor.ok()) {
      base::Status status = actor.status();
      return std::move(status.SetPath("--as").SetValue(credentials.as));
    }
    call->actor_ = *actor;
  } else if (const auto saved = ReadSession(url)) {
    base::Result<clinic::Actor> actor = clinic::ActorOfSession(context, saved->token, door);
    if (!actor.ok()) {
      base::Status status(base::StatusCode::kUnauthenticated,
                          fmt::format("the session of {} has ended (expired, logged out or the "
                                      "account disabled): log in again with `livercell login`",
                                      saved->username));
      return std::move(status.SetPath("--as"));
    }
    call->actor_ = *actor;
  }
  return call;
}

clinic::Context ClinicCall::context() const {
  return clinic::Context{*repo_,    *journal_,     protocol_,
                         calendar_, release_spec_, base::NowSeconds()};
}

void RegisterLoginCommands(CLI::App& app, Action* selected) {
  auto args = std::make_shared<LoginArgs>();
  CLI::App* login = app.add_subcommand(
      "login", "Log in to a registry: later commands act as this account until it expires");
  AddDbOption(*login, &args->db);
  AddCredentialOptions(*login, &args->credentials);
  AddFormatOption(*login, &args->format, {"table", "json"});
  login->footer(fmt::format(
      "The session lasts {} h, like a web session, and is kept 0600 under "
      "$XDG_STATE_HOME/livercell/ (default ~/.local/state/livercell/).\n"
      "Example:\n  echo \"$PW\" | livercell login --db sqlite:var/livercell.db --as dr.ada "
      "--password-stdin",
      std::chrono::hours(access::kSessionLifetime).count()));
  login->callback([selected, args] { *selected = [args] { return RunLogin(*args); }; });
  CLI::App* logout = app.add_subcommand("logout", "End the session of `livercell login`");
  AddDbOption(*logout, &args->db);
  logout->callback([selected, args] { *selected = [args] { return RunLogout(*args); }; });
}

}  // namespace livercell::cli
