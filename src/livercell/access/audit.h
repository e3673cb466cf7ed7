// The audit trail (issue #6): every read and write of patient data and every log-in appends
// an entry whose SHA-256 covers its fields and the previous entry's hash, so that altering,
// deleting or reordering entries breaks the chain from that entry on. The database refuses
// UPDATE and DELETE on the table (triggers), and the head of the chain is kept beside it, so
// cutting entries off the end is caught too.
#ifndef LIVERCELL_ACCESS_AUDIT_H_
#define LIVERCELL_ACCESS_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/storage/sql/connection.h"

namespace livercell::access {

struct AuditEntry {
  std::int64_t seq = 0;  // assigned by Append
  std::string at;        // UTC instant (base/instant.h)
  std::string username;  // "" when no one is logged in
  std::string role;
  std::string action;    // "read", "create", "update", "login", "logout", …
  std::string resource;  // "GET /api/v1/patients/12"
  std::optional<std::int64_t> patient_id;
  std::string outcome;  // "ok", or the error's code name ("permission_denied", …)
  std::string request_id;
  std::string prev_hash;  // assigned by Append
  std::string hash;       // assigned by Append
};

// The hash an entry must carry, given the previous entry's (the first entry's predecessor
// is kGenesisHash).
std::string ChainHash(const AuditEntry& entry);
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Where the chain first breaks.
struct AuditBreak {
  std::int64_t seq = 0;  // the first entry that does not verify
  std::string reason;
};

class AuditLog {
 public:
  explicit AuditLog(storage::sql::Connection& db) : db_(db) {}

  // Appends `entries` in order, assigning seq, prev_hash and hash. Call inside the
  // transaction that holds the change being recorded.
  base::Status Append(std::vector<AuditEntry>& entries);
  // Walks the whole chain; nullopt when it verifies.
  base::Result<std::optional<AuditBreak>> Verify(std::int64_t* entries = nullptr);
  // Entries at or after `since` (an instant or date prefix; "" = all), oldest first, then
  // at most `limit` (0 = all) from `offset`.
  base::Status ForEach(std::string_view since, std::int64_t limit, std::int64_t offset,
                       const std::function<void(const AuditEntry&)>& fn);
  base::Result<std::int64_t> Count(std::string_view since);

 private:
  storage::sql::Connection& db_;
};

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_AUDIT_H_
