// The clinic's one door (STYLE.md C16, issue #22): who acts, through which interface, and the
// context every use case runs in. Each use case (records.h, assessments.h, plans.h,
// products.h, accounts.h) takes a Context and an Actor and, in this order and one
// transaction, checks the actor's permission (access/roles.h), validates the request against
// the record as it now stands, makes the change and appends the audit entry. A refusal is
// audited too, with its reason as the outcome. `server/` and `cli/` only translate HTTP or a
// terminal into these calls; a test calls them directly.
#ifndef LIVERCELL_CLINIC_CLINIC_H_
#define LIVERCELL_CLINIC_CLINIC_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "livercell/access/audit.h"
#include "livercell/access/roles.h"
#include "livercell/base/status.h"
#include "livercell/clinic/journal.h"
#include "livercell/domain/assessment/protocol.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/release.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

// The door a request came through; the audit entry's resource starts with it for the CLI
// ("cli: livercell product release …"), the API's is its method and path.
enum class Interface { kApi, kWeb, kCli };
std::string_view ToString(Interface interface);

struct Actor {
  // An account's user name, or "os:<login>" for the operating-system user who owns the
  // registry file and administers it from the command line (db, user, import, export, audit).
  std::string username;
  // The account's role; nullopt for the OS user, who holds only administration (Authorize).
  std::optional<access::Role> role;
  // How the actor proved who they are: "password" (this request), "session" (a token from an
  // earlier log-in), "os" (owner of the registry file).
  std::string authenticated_by;
  Interface interface = Interface::kCli;
  std::string request_id;  // the server's X-Request-Id; the CLI makes one per run
  std::string resource;    // what was asked, as the audit entry records it

  bool os_user() const { return !role.has_value(); }
  std::string role_name() const;  // "physician", or "os" for the OS user
};

// The OS user running this process, acting on the command line (`resource`: the command).
Actor OsActor(std::string resource);

// The clinic's settings and the registry, for one call. `repo` serves reads (on the command
// line also the writes, through `journal`); `now` is the call's clock (tests set it).
struct Context {
  storage::Repository& repo;
  Journal& journal;
  const domain::Protocol& protocol;
  const domain::ClinicCalendar& calendar;
  const domain::ReleaseSpec& release_spec;
  std::chrono::sys_seconds now;
};

// kOk when `actor` holds `permission`; kUnauthenticated for the OS user unless
// `administration` (the commands that administer the registry file: accounts, imports,
// exports, the audit trail); kPermissionDenied naming the role and `what` otherwise.
base::Status Authorize(const Actor& actor, access::Permission permission, std::string_view what,
                       bool administration = false);

// The audit entry of `actor` doing `action` (outcome "ok" until a refusal says otherwise).
access::AuditEntry EntryFor(const Actor& actor, std::string_view action,
                            std::optional<std::int64_t> patient_id, std::chrono::sys_seconds now);

// Appends the entry of a refused request (the refusal's code as outcome, or `outcome` when
// given) in a short transaction of its own and returns `refusal` — or the audit's own failure,
// since an unaudited answer must not leave.
base::Status Refuse(const Context& context, const Actor& actor, std::string_view action,
                    std::optional<std::int64_t> patient_id, base::Status refusal,
                    std::string outcome = "");

// An e-signature: `actor` types their password again (an account's; a wrong one counts towards
// the lock-out). kPermissionDenied at path `path` ("password") when it is wrong.
base::Status SignAgain(const Context& context, const Actor& actor, const std::string& password,
                       std::string_view refused, std::string_view path = "password");

// Records an administrative act on the registry file that has no change of its own to commit
// here (a schema migration, run before the audit trail could hold it): `actor` must be the OS
// user or hold manage-accounts; audited as `action` with `detail` appended to the resource.
base::Status RecordAdministration(const Context& context, const Actor& actor,
                                  std::string_view action, std::string_view detail);

// A signed act: `actor` holds `permission` (Authorize, `what` naming the act) and signs with
// `password` (SignAgain, `unsigned_why` saying what did not happen). A refusal is audited as
// `action` for `patient_id` and returned.
base::Status AuthorizeSigned(const Context& context, const Actor& actor,
                             access::Permission permission, std::string_view what,
                             const std::string& password, std::string_view unsigned_why,
                             std::string_view action, std::optional<std::int64_t> patient_id);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_CLINIC_H_
