#include "livercell/clinic/clinic.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include "livercell/access/accounts.h"
#include "livercell/base/instant.h"
#include "livercell/base/status_code.h"

namespace livercell::clinic {

std::string_view ToString(Interface interface) {
  switch (interface) {
    case Interface::kApi:
      return "api";
    case Interface::kWeb:
      return "web";
    case Interface::kCli:
      return "cli";
  }
  return "?";
}

std::string Actor::role_name() const {
  return role ? std::string(access::ToString(*role)) : std::string("os");
}

Actor OsActor(std::string resource) {
  // The login that owns this process, as the system knows it (not $USER, which anyone sets).
  const passwd* entry = getpwuid(geteuid());
  Actor actor;
  actor.username = fmt::format("os:{}", entry != nullptr ? entry->pw_name
                                                         : std::to_string(geteuid()));
  actor.authenticated_by = "os";
  actor.interface = Interface::kCli;
  actor.resource = std::move(resource);
  return actor;
}

base::Status Authorize(const Actor& actor, access::Permission permission, std::string_view what,
                       bool administration) {
  if (actor.os_user()) {
    if (administration) return base::OkStatus();
    base::Status status(base::StatusCode::kUnauthenticated,
                        fmt::format("{} changes clinical data and needs an account: give --as "
                                    "USER --password-stdin, or log in first (livercell login)",
                                    what));
    status.SetPath("--as");
    return status;
  }
  if (access::Allows(*actor.role, permission)) return base::OkStatus();
  base::Status status(base::StatusCode::kPermissionDenied,
                      fmt::format("the role {} may not {}", actor.role_name(), what));
  status.SetPath("role").SetValue(actor.role_name()).SetAllowed(
      fmt::format("a role holding {}", access::ToString(permission)));
  return status;
}

access::AuditEntry EntryFor(const Actor& actor, std::string_view action,
                            std::optional<std::int64_t> patient_id, std::chrono::sys_seconds now) {
  access::AuditEntry e;
  e.at = base::FormatInstant(now);
  e.username = actor.username;
  e.role = actor.role_name();
  e.action = std::string(action);
  e.resource = actor.interface == Interface::kApi || actor.interface == Interface::kWeb
                   ? actor.resource
                   : fmt::format("cli: {}", actor.resource);
  e.patient_id = patient_id;
  e.outcome = "ok";
  e.request_id = actor.request_id;
  return e;
}

base::Status Refuse(const Context& context, const Actor& actor, std::string_view action,
                    std::optional<std::int64_t> patient_id, base::Status refusal,
                    std::string outcome) {
  access::AuditEntry entry = EntryFor(actor, action, patient_id, context.now);
  entry.outcome = outcome.empty() ? std::string(base::InfoOf(refusal.code()).name)
                                  : std::move(outcome);
  LC_RETURN_IF_ERROR(context.journal.Record(std::move(entry)));
  return refusal;
}

base::Status SignAgain(const Context& context, const Actor& actor, const std::string& password,
                       std::string_view refused, std::string_view path) {
  if (actor.os_user()) {
    return base::Status(base::StatusCode::kUnauthenticated,
                        fmt::format("{}: a signature needs an account (--as)", refused));
  }
  if (password.empty()) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        fmt::format("{}: a signature needs your password again", refused));
    status.SetPath(std::string(path));
    return status;
  }
  const base::Result<access::User> again = access::Accounts(context.repo.connection())
                                               .CheckPassword(actor.username, password,
                                                              context.now);
  if (again.ok()) return base::OkStatus();
  // A wrong password is not a lost session (401 would send the UI to the log-in page): the
  // act is refused, the session stays, and the failure counts toward the lock-out.
  base::Status status = again.status().code() == base::StatusCode::kUnauthenticated
                            ? base::Status(base::StatusCode::kPermissionDenied,
                                           fmt::format("wrong password: {}", refused))
                            : again.status();
  status.SetPath(std::string(path));
  return status;
}

base::Status RecordAdministration(const Context& context, const Actor& actor,
                                  std::string_view action, std::string_view detail) {
  if (base::Status allowed =
          Authorize(actor, access::Permission::kManageAccounts, "administer the registry", true);
      !allowed.ok()) {
    return Refuse(context, actor, action, std::nullopt, std::move(allowed));
  }
  access::AuditEntry entry = EntryFor(actor, action, std::nullopt, context.now);
  entry.resource += fmt::format(" ({})", detail);
  return context.journal.Record(std::move(entry));
}

base::Status AuthorizeSigned(const Context& context, const Actor& actor,
                             access::Permission permission, std::string_view what,
                             const std::string& password, std::string_view unsigned_why,
                             std::string_view action, std::optional<std::int64_t> patient_id) {
  base::Status status = Authorize(actor, permission, what);
  if (status.ok()) status = SignAgain(context, actor, password, unsigned_why);
  if (status.ok()) return status;
  return Refuse(context, actor, action, patient_id, std::move(status));
}

}  // namespace livercell::clinic
