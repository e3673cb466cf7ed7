// Who runs a command that changes clinical data (issue #22). The command line acts as an
// account, like the web: `--as USER --password-stdin` for one command, or the session that
// `livercell login` saved (0600, under $XDG_STATE_HOME/livercell/, one per registry, expiring
// like a web session). Without either the OS user runs it, which the clinic allows only for
// administration of the registry file (db, user, import, export, audit); clinical changes are
// refused with `unauthenticated` (exit 2) and change nothing. Wrong passwords count towards the
// account's lock-out as on the web.
#ifndef LIVERCELL_CLI_SESSION_H_
#define LIVERCELL_CLI_SESSION_H_

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/clinic/journal.h"
#include "livercell/storage/repository.h"

namespace livercell::cli {

struct Credentials {
  std::string as;               // --as USER
  bool password_stdin = false;  // --password-stdin
};

// Adds --as and --password-stdin to `sub`.
void AddCredentialOptions(CLI::App& sub, Credentials* credentials);

// One command's door to the clinic: the registry, a journal committing on it, the clinic's
// settings and the actor. The password read from standard input is kept for the signatures
// the command needs (release, assessment, plan).
class ClinicCall {
 public:
  struct Settings {
    std::string protocol;      // --protocol FILE ("" = built in)
    std::string calendar;      // --calendar FILE ("" = Monday–Friday)
    std::string release_spec;  // --release-spec FILE ("" = shipped)
    bool initialize_if_empty = false;  // create the schema in a brand-new registry (user add)
  };

  // Opens the registry `db` and establishes the actor for `command` (the audit entry's
  // resource, e.g. "livercell product release 12"): --as with the password, else the saved
  // session, else the OS user.
  static base::Result<std::unique_ptr<ClinicCall>> Open(const std::string& db,
                                                        const Credentials& credentials,
                                                        const Settings& settings,
                                                        std::string command);

  clinic::Context context() const;
  const clinic::Actor& actor() const { return actor_; }
  const std::string& password() const { return password_; }  // "" when none was given
  storage::Repository& repo() { return *repo_; }

 private:
  ClinicCall() = default;
  std::unique_ptr<storage::Repository> repo_;
  std::unique_ptr<clinic::DirectJournal> journal_;
  domain::Protocol protocol_;
  domain::ClinicCalendar calendar_;
  domain::ReleaseSpec release_spec_;
  clinic::Actor actor_;
  std::string password_;
};

// Where `livercell login` keeps the session for registry `db_url`.
std::string SessionFilePath(const std::string& db_url);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_SESSION_H_
