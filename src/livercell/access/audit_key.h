// The audit chain's key (issue #23). The chain is an HMAC-SHA-256 chain, and its key lives
// outside the database, so that someone who can write the database (drop the triggers, edit
// rows, recompute hashes) cannot forge a chain that verifies. By default the key is
// `<registry file>.audit-key` beside a SQLite registry, created 0600 by the first command that
// appends; `--audit-key FILE` or $LIVERCELL_AUDIT_KEY_FILE names another (PostgreSQL
// deployments must name one).
#ifndef LIVERCELL_ACCESS_AUDIT_KEY_H_
#define LIVERCELL_ACCESS_AUDIT_KEY_H_

#include <array>
#include <string>
#include <string_view>

#include "livercell/base/result.h"

namespace livercell::access {

class AuditKey {
 public:
  // Reads the key at `path`; when it is absent and `create`, makes one (32 random bytes, hex,
  // mode 0600). kNotFound when absent and not `create`; kInvalidArgument when malformed;
  // kFailedPrecondition when others may read it.
  static base::Result<AuditKey> Load(const std::string& path, bool create);
  // A key that lives as long as the process (in-memory registries).
  static AuditKey Ephemeral();

  // HMAC-SHA-256 of `text` under the key, lowercase hex.
  std::string Mac(std::string_view text) const;
  const std::string& path() const { return path_; }
  // Made by this process (Load created it, or Ephemeral): a chain may start under it.
  bool created() const { return created_; }
  // The key beside its SQLite registry, that registry's alone: a key older than an empty
  // chain then means the chain was emptied.
  bool dedicated() const { return dedicated_; }

 private:
  friend base::Result<AuditKey> AuditKeyFor(std::string_view, std::string_view, bool);
  std::array<unsigned char, 32> bytes_{};
  std::string path_;
  bool created_ = false;
  bool dedicated_ = false;
};

// Where the key of the registry at `db_url` is: `explicit_path` when given, else
// $LIVERCELL_AUDIT_KEY_FILE, else beside a SQLite file ("" for an in-memory one).
// kFailedPrecondition for PostgreSQL when neither names one.
base::Result<std::string> AuditKeyPath(std::string_view db_url, std::string_view explicit_path);

// AuditKeyPath, then Load (or Ephemeral for an in-memory registry).
base::Result<AuditKey> AuditKeyFor(std::string_view db_url, std::string_view explicit_path,
                                   bool create);

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_AUDIT_KEY_H_
