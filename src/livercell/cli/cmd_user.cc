// `livercell user add|list|disable|passwd`: the server's accounts (access/accounts.h).
// Passwords are read from standard input (--password-stdin), never from the command line,
// where they would show in `ps` and shell history. Administration of the registry file: the OS
// user runs it, through the clinic (clinic/accounts.h), and every change is audited as
// `os:<login>`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/access/accounts.h"
#include "livercell/clinic/accounts.h"
#include "livercell/cli/session.h"
#include "livercell/cli/app.h"
#include "livercell/cli/input.h"
#include "livercell/storage/repository.h"

namespace livercell::cli {
namespace {

using storage::Repository;

struct UserArgs {
  std::string db, username, role, format;
  bool password_stdin = false;
};

// Runs `body` with the clinic, as the OS user, for `command`.
template <typename Body>
int AsAdministrator(const UserArgs& args, std::string command, Body&& body) {
  ClinicCall::Settings settings;
  settings.initialize_if_empty = true;
  auto call = ClinicCall::Open(args.db, {}, settings, std::move(command));
  if (!call.ok()) return Fail(call.status(), ParseFormat(args.format));
  const base::Status status = body((*call)->context(), (*call)->actor());
  if (!status.ok()) return Fail(status, ParseFormat(args.format));
  return 0;
}

template <typename Body>
int WithAccounts(const UserArgs& args, Body&& body) {
  auto repo = Repository::Open(ResolveDbUrl(args.db), Repository::SchemaPolicy::kInitializeIfEmpty);
  if (!repo.ok()) return Fail(repo.status(), ParseFormat(args.format));
  access::Accounts accounts(repo.value()->connection());
  const base::Status status = body(accounts);
  if (!status.ok()) return Fail(status, ParseFormat(args.format));
  return 0;
}

int RunAdd(const UserArgs& args) {
  const std::optional<access::Role> role = access::ParseRole(args.role);
  if (!role) {
    std::string allowed;
    for (const access::Role r : access::AllRoles())
      allowed += (allowed.empty() ? "" : ", ") + std::string(access::ToString(r));
    base::Status status(base::StatusCode::kInvalidArgument, "unknown role");
    status.SetPath("--role").SetValue(args.role).SetAllowed(allowed);
    return Fail(status, Format::kTable);
  }
  auto password = ReadPasswordStdin(args.password_stdin);
  if (!password.ok()) return Fail(password.status(), Format::kTable);
  return AsAdministrator(args, fmt::format("livercell user add {}", args.username),
                        [&](const clinic::Context& context,
                            const clinic::Actor& actor) -> base::Status {
    LC_ASSIGN_OR_RETURN(const access::User user, clinic::AddAccount(context, actor, args.username,
                                                                    *role, password.value()));
    fmt::print("added {} ({})\n", user.username, access::ToString(user.role));
    return base::OkStatus();
  });
}

int RunList(const UserArgs& args) {
  return WithAccounts(args, [&](access::Accounts& accounts) -> base::Status {
    LC_ASSIGN_OR_RETURN(const auto users, accounts.List());
    if (ParseFormat(args.format) == Format::kJson) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& u : users) {
        items.push_back({{"username", u.username},
                         {"role", access::ToString(u.role)},
                         {"disabled", u.disabled},
                         {"locked_until", u.locked_until.empty() ? nlohmann::json()
                                                                 : nlohmann::json(u.locked_until)},
                         {"created_at", u.created_at}});
      }
      fmt::print("{}\n", nlohmann::json{{"items", items}}.dump());
      return base::OkStatus();
    }
    const std::string now = base::NowText();  // instants compare as text
    fmt::print("{:<24} {:<16} {:<9} {}\n", "username", "role", "state", "created");
    for (const auto& u : users) {
      fmt::print("{:<24} {:<16} {:<9} {}\n", u.username, access::ToString(u.role),
                 u.disabled ? "disabled" : u.locked_until > now ? "locked" : "active",
                 u.created_at);
    }
    return base::OkStatus();
  });
}

int RunDisable(const UserArgs& args) {
  return AsAdministrator(args, fmt::format("livercell user disable {}", args.username),
                        [&](const clinic::Context& context,
                            const clinic::Actor& actor) -> base::Status {
    LC_RETURN_IF_ERROR(clinic::DisableAccount(context, actor, args.username));
    fmt::print("disabled {}; their sessions have ended\n", args.username);
    return base::OkStatus();
  });
}

int RunPasswd(const UserArgs& args) {
  auto password = ReadPasswordStdin(args.password_stdin);
  if (!password.ok()) return Fail(password.status(), Format::kTable);
  return AsAdministrator(args, fmt::format("livercell user passwd {}", args.username),
                        [&](const clinic::Context& context,
                            const clinic::Actor& actor) -> base::Status {
    LC_RETURN_IF_ERROR(
        clinic::SetAccountPassword(context, actor, args.username, password.value()));
    fmt::print("changed the password of {}; their sessions have ended\n", args.username);
    return base::OkStatus();
  });
}

}  // namespace

void RegisterUserCommand(CLI::App& app, Action* selected) {
  auto args = std::make_shared<UserArgs>();
  CLI::App* user = app.add_subcommand("user", "Manage the server's user accounts");
  user->require_subcommand(1);

  CLI::App* add = user->add_subcommand("add", "Add an account");
  AddDbOption(*add, &args->db);
  add->add_option("--username", args->username, "1–64 of a–z 0–9 . _ -")->required();
  add->add_option("--role", args->role,
                  "admin, physician, nurse, lab, cell-processing or researcher")
      ->required();
  add->add_flag("--password-stdin", args->password_stdin, "Read the password (≥ 8 characters) "
                                                          "from standard input");
  add->footer("Example:\n  printf '%s\\n' \"$PW\" | livercell user add --username ana "
              "--role nurse --password-stdin");
  add->callback([selected, args] { *selected = [args] { return RunAdd(*args); }; });

  CLI::App* list = user->add_subcommand("list", "List the accounts");
  AddDbOption(*list, &args->db);
  AddFormatOption(*list, &args->format, {"table", "json"});
  list->callback([selected, args] { *selected = [args] { return RunList(*args); }; });

  CLI::App* disable = user->add_subcommand("disable", "Disable an account and end its sessions");
  AddDbOption(*disable, &args->db);
  disable->add_option("--username", args->username, "The account")->required();
  disable->callback([selected, args] { *selected = [args] { return RunDisable(*args); }; });

  CLI::App* passwd = user->add_subcommand("passwd", "Set an account's password");
  AddDbOption(*passwd, &args->db);
  passwd->add_option("--username", args->username, "The account")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, "Read it from standard input");
  passwd->callback([selected, args] { *selected = [args] { return RunPasswd(*args); }; });
}

}  // namespace livercell::cli
