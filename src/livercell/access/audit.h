// The audit trail (issue #6): every read and write of patient data and every log-in appends
// an entry whose hash covers its fields and the previous entry's hash, so that altering,
// deleting or reordering entries breaks the chain from that entry on. The database refuses
// UPDATE and DELETE on the table (triggers), and the head of the chain is kept beside it, so
// cutting entries off the end is caught too. Since issue #23 the hash is an HMAC-SHA-256 under
// a key kept outside the database (audit_key.h), and so is the head: whoever can write the
// database but not read the key cannot recompute the chain, append a forged entry or move the
// head. Anchors (the head, MAC'd, written elsewhere) catch a chain cut back to an older head.
#ifndef LIVERCELL_ACCESS_AUDIT_H_
#define LIVERCELL_ACCESS_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/access/audit_key.h"
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
// is kGenesisHash): HMAC-SHA-256 under `key`; with no key, the unkeyed SHA-256 of entries
// written before issue #23 (verified as such up to where the keyed chain starts).
std::string ChainHash(const AuditEntry& entry, const AuditKey* key = nullptr);
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Where the chain first breaks.
struct AuditBreak {
  std::int64_t seq = 0;  // the first entry that does not verify
  std::string reason;
};

// The head of the chain at one moment, MAC'd, for keeping outside the database (a file only
// ever appended to, or a second system): `audit verify --anchor` checks it is still there.
struct AuditAnchor {
  std::int64_t seq = 0;
  std::string hash;
  std::string at;   // when it was taken
  std::string mac;  // HMAC of the three under the audit key
};

class AuditLog {
 public:
  // Reading (ForEach, Count) needs no key; appending, verifying and anchoring do.
  explicit AuditLog(storage::sql::Connection& db) : db_(db) {}
  AuditLog(storage::sql::Connection& db, const AuditKey& key) : db_(db), key_(&key) {}

  // Appends `entries` in order, assigning seq, prev_hash and hash. Call inside the
  // transaction that holds the change being recorded. kDataLoss, writing nothing, when the
  // chain's head is missing or forged (the trail was tampered with: `audit verify` says how).
  base::Status Append(std::vector<AuditEntry>& entries);
  // Walks the whole chain and checks its head; nullopt when it verifies.
  base::Result<std::optional<AuditBreak>> Verify(std::int64_t* entries = nullptr);
  // The current head as an anchor taken at `at`.
  base::Result<AuditAnchor> Anchor(std::string at);
  // Where `anchors` (oldest first) disagree with the chain: an anchor whose MAC is wrong,
  // whose entry is gone or differs, or a chain that ends before the last anchor.
  base::Result<std::optional<AuditBreak>> CheckAnchors(const std::vector<AuditAnchor>& anchors);
  // The MAC an anchor of (seq, hash, at) carries.
  std::string AnchorMac(std::int64_t seq, std::string_view hash, std::string_view at) const;
  // Entries at or after `since` (an instant or date prefix; "" = all), oldest first, then
  // at most `limit` (0 = all) from `offset`.
  base::Status ForEach(std::string_view since, std::int64_t limit, std::int64_t offset,
                       const std::function<void(const AuditEntry&)>& fn);
  base::Result<std::int64_t> Count(std::string_view since);

 private:
  struct Head {
    std::int64_t keyed_from = 1;  // the first entry of the keyed chain
    std::int64_t seq = 0;
    std::string hash;
    bool unkeyed = false;  // in the form written before issue #23 ("seq:hash")
  };
  // The head as stored: nullopt when absent; kDataLoss when its MAC does not verify.
  base::Result<std::optional<Head>> ReadHead();
  std::string HeadText(const Head& head) const;
  base::Status WriteHead(const Head& head);

  const AuditKey& Key() const;  // checked: a key was given

  storage::sql::Connection& db_;
  const AuditKey* key_ = nullptr;
};

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_AUDIT_H_
