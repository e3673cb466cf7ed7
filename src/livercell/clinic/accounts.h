// Accounts through the clinic's door (issues #6, #22): logging in (from the web, the API or
// the command line), finding who holds a session, and administering accounts. Every log-in,
// successful or not, and every account change is audited; a wrong password counts towards the
// account's lock-out whichever door it was typed at.
#ifndef LIVERCELL_CLINIC_ACCOUNTS_H_
#define LIVERCELL_CLINIC_ACCOUNTS_H_

#include <string>
#include <string_view>

#include "livercell/access/accounts.h"
#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"

namespace livercell::clinic {

struct LoggedIn {
  Actor actor;              // authenticated_by "password"
  access::Session session;  // a new session (its token is shown once)
};

// Checks `password` for `username` and starts a session; `door` gives the interface, request
// id and resource the entry records. kUnauthenticated (wrong user or password: the same
// message), kPermissionDenied (disabled), kResourceExhausted (locked) — each audited.
base::Result<LoggedIn> LogIn(const Context& context, const std::string& username,
                             const std::string& password, const Actor& door);

// The actor holding session `token` (authenticated_by "session"), through `door`'s interface.
// kUnauthenticated for an unknown or expired token or a disabled account. Not audited: the
// act the session is used for is.
base::Result<Actor> ActorOfSession(const Context& context, std::string_view token,
                                   const Actor& door);

// Checks `password` for `username` without starting a session (the CLI's --as with
// --password-stdin): the actor, authenticated_by "password". Failures are audited as "login".
base::Result<Actor> Authenticate(const Context& context, const std::string& username,
                                 const std::string& password, const Actor& door);

// Ends session `token` (audited as "logout").
base::Status LogOut(const Context& context, const Actor& actor, std::string_view token);

// Account administration (permission manage-accounts; the OS user may too).
base::Result<access::User> AddAccount(const Context& context, const Actor& actor,
                                      const std::string& username, access::Role role,
                                      const std::string& password);
base::Status DisableAccount(const Context& context, const Actor& actor,
                            const std::string& username);
base::Status SetAccountPassword(const Context& context, const Actor& actor,
                                const std::string& username, const std::string& password);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_ACCOUNTS_H_
