#include "livercell/clinic/accounts.h"

#include "livercell/base/status_code.h"

namespace livercell::clinic {
namespace {

Actor AsUser(const access::User& user, const Actor& door, std::string authenticated_by) {
  Actor actor = door;
  actor.username = user.username;
  actor.role = user.role;
  actor.authenticated_by = std::move(authenticated_by);
  return actor;
}

// The log-in entry of `username` (not yet known to be anyone).
access::AuditEntry LoginEntry(const Context& context, const Actor& door,
                              const std::string& username) {
  access::AuditEntry entry = EntryFor(door, "login", std::nullopt, context.now);
  entry.username = username;
  entry.role = "";
  return entry;
}

// Checks the password; a failure is audited.
base::Result<access::User> CheckPassword(const Context& context, const std::string& username,
                                         const std::string& password, const Actor& door) {
  base::Result<access::User> user =
      access::Accounts(context.repo.connection()).CheckPassword(username, password, context.now);
  if (!user.ok()) {
    access::AuditEntry entry = LoginEntry(context, door, username);
    entry.outcome = std::string(base::InfoOf(user.status().code()).name);
    LC_RETURN_IF_ERROR(context.journal.Record(std::move(entry)));
  }
  return user;
}

// An account change by `actor`, audited as `action`.
base::Status ChangeAccount(const Context& context, const Actor& actor, std::string_view action,
                           std::string_view what,
                           const std::function<base::Status(access::Accounts&)>& change) {
  if (base::Status allowed = Authorize(actor, access::Permission::kManageAccounts, what, true);
      !allowed.ok()) {
    return Refuse(context, actor, action, std::nullopt, std::move(allowed));
  }
  return context.journal.Record(EntryFor(actor, action, std::nullopt, context.now),
                                [&](storage::Repository& r) {
                                  access::Accounts accounts(r.connection());
                                  return change(accounts);
                                });
}

}  // namespace

base::Result<LoggedIn> LogIn(const Context& context, const std::string& username,
                             const std::string& password, const Actor& door) {
  LC_ASSIGN_OR_RETURN(const access::User user, CheckPassword(context, username, password, door));
  LoggedIn out{AsUser(user, door, "password"), {}};
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(out.actor, "login", std::nullopt, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(out.session,
                            access::Accounts(r.connection()).StartSession(user, context.now));
        return base::OkStatus();
      }));
  return out;
}

base::Result<Actor> ActorOfSession(const Context& context, std::string_view token,
                                   const Actor& door) {
  LC_ASSIGN_OR_RETURN(const access::User user, access::Accounts(context.repo.connection())
                                                   .UserOfSession(token, context.now));
  return AsUser(user, door, "session");
}

base::Result<Actor> Authenticate(const Context& context, const std::string& username,
                                 const std::string& password, const Actor& door) {
  LC_ASSIGN_OR_RETURN(const access::User user, CheckPassword(context, username, password, door));
  return AsUser(user, door, "password");
}

base::Status LogOut(const Context& context, const Actor& actor, std::string_view token) {
  return context.journal.Record(EntryFor(actor, "logout", std::nullopt, context.now),
                                [&](storage::Repository& r) {
                                  return access::Accounts(r.connection()).EndSession(token);
                                });
}

base::Result<access::User> AddAccount(const Context& context, const Actor& actor,
                                      const std::string& username, access::Role role,
                                      const std::string& password) {
  access::User added;
  LC_RETURN_IF_ERROR(ChangeAccount(context, actor, "account-add", "add an account",
                                   [&](access::Accounts& accounts) -> base::Status {
                                     LC_ASSIGN_OR_RETURN(added,
                                                         accounts.Add(username, role, password));
                                     return base::OkStatus();
                                   }));
  return added;
}

base::Status DisableAccount(const Context& context, const Actor& actor,
                            const std::string& username) {
  return ChangeAccount(context, actor, "account-disable", "disable an account",
                       [&](access::Accounts& accounts) {
                         return accounts.SetDisabled(username, true);
                       });
}

base::Status SetAccountPassword(const Context& context, const Actor& actor,
                                const std::string& username, const std::string& password) {
  return ChangeAccount(context, actor, "account-password", "set an account's password",
                       [&](access::Accounts& accounts) {
                         return accounts.SetPassword(username, password);
                       });
}

}  // namespace livercell::clinic
