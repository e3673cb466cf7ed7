#include "livercell/access/audit.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "livercell/base/check.h"
#include "livercell/base/sha256.h"

namespace livercell::access {
namespace {

using storage::sql::Row;
using storage::sql::Value;

constexpr const char* kColumns =
    "seq, at, username, role, action, resource, patient_id, outcome, request_id, prev_hash, hash";
constexpr const char* kHeadSetting = "audit_head";
constexpr std::string_view kUnkeyedHead =
    "the audit head is in the unkeyed form of before issue #23, but the chain's key is older: "
    "it was rewritten by someone without the key";

AuditEntry EntryOf(const Row& row) {
  AuditEntry e;
  e.seq = row.Int(0);
  e.at = row.Text(1);
  e.username = row.Text(2);
  e.role = row.Text(3);
  e.action = row.Text(4);
  e.resource = row.Text(5);
  if (!row.IsNull(6)) e.patient_id = row.Int(6);
  e.outcome = row.Text(7);
  e.request_id = row.Text(8);
  e.prev_hash = row.Text(9);
  e.hash = row.Text(10);
  return e;
}

// Each field as length:bytes, so that no two different entries serialise alike.
void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

}  // namespace

std::string ChainHash(const AuditEntry& e, const AuditKey* key) {
  std::string text;
  AppendField(text, e.prev_hash);
  AppendField(text, std::to_string(e.seq));
  AppendField(text, e.at);
  AppendField(text, e.username);
  AppendField(text, e.role);
  AppendField(text, e.action);
  AppendField(text, e.resource);
  AppendField(text, e.patient_id ? std::to_string(*e.patient_id) : "");
  AppendField(text, e.outcome);
  AppendField(text, e.request_id);
  return key != nullptr ? key->Mac(text) : base::Sha256Hex(text);
}

const AuditKey& AuditLog::Key() const {
  LC_CHECK(key_ != nullptr) << "the audit log was opened without its key";
  return *key_;
}

std::string AuditLog::HeadText(const Head& head) const {
  const std::string fields = fmt::format("{} {} {}", head.keyed_from, head.seq, head.hash);
  return fmt::format("keyed {} {}", fields, Key().Mac("audit-head|" + fields));
}

base::Result<std::optional<AuditLog::Head>> AuditLog::ReadHead() {
  std::optional<std::string> text;
  const Value name[] = {std::string(kHeadSetting)};
  LC_RETURN_IF_ERROR(db_.Execute("SELECT value FROM settings WHERE name = ?", name,
                                 [&](const Row& row) { text = row.Text(0); })
                         .status());
  if (!text) return std::optional<Head>();
  Head head;
  if (!text->starts_with("keyed ")) {
    // Written before issue #23: "seq:hash" of an unkeyed chain, which the keyed one continues.
    const std::size_t colon = text->find(':');
    head.seq = std::atoll(text->substr(0, colon).c_str());
    head.hash = colon == std::string::npos ? "" : text->substr(colon + 1);
    head.keyed_from = head.seq + 1;
    head.unkeyed = true;
    return std::optional<Head>(head);
  }
  char hash[80] = {}, mac[80] = {};
  long long keyed_from = 0, seq = 0;
  if (std::sscanf(text->c_str(), "keyed %lld %lld %79s %79s", &keyed_from, &seq, hash, mac) != 4) {
    return base::Status(base::StatusCode::kDataLoss, "the audit head is malformed (altered)");
  }
  head.keyed_from = keyed_from;
  head.seq = seq;
  head.hash = hash;
  if (HeadText(head) != *text) {
    return base::Status(base::StatusCode::kDataLoss,
                        "the audit head's MAC does not verify (forged, or another audit key)");
  }
  return std::optional<Head>(head);
}

base::Status AuditLog::Append(std::vector<AuditEntry>& entries) {
  if (entries.empty()) return base::OkStatus();
  std::int64_t seq = 0;
  std::string prev(kGenesisHash);
  LC_RETURN_IF_ERROR(db_.Execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {},
                                 [&](const Row& row) {
                                   seq = row.Int(0);
                                   prev = row.Text(1);
                                 })
                         .status());
  LC_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead());
  const auto tampered = [](std::string what) {
    return base::Status(base::StatusCode::kDataLoss,
                        what + ": nothing more is recorded on it (run `livercell audit verify`)");
  };
  if (!head) {
    if (seq > 0) return tampered("the audit trail's head is missing");
    // A new chain. Beside a SQLite registry the key is that registry's own, made with its
    // first entry: a key older than an empty chain means the entries were deleted.
    if (Key().dedicated() && !Key().created()) {
      return tampered(fmt::format("the audit trail is empty, but its key {} is older than it "
                                  "(for a new registry in the same place, move the old key "
                                  "away)",
                                  Key().path()));
    }
    // A named key may serve several registries (PostgreSQL), so its age proves nothing; but
    // a registry starts its trail at `db init`, before it holds anything, and every account
    // or patient since was audited: an empty trail beside them was emptied.
    if (!Key().created()) {
      std::int64_t held = 0;
      LC_RETURN_IF_ERROR(db_.Execute("SELECT (SELECT count(*) FROM users) + "
                                     "(SELECT count(*) FROM patients)",
                                     {}, [&](const Row& row) { held = row.Int(0); })
                             .status());
      if (held > 0) {
        return tampered(fmt::format("the audit trail is empty, but the registry holds {} "
                                    "accounts and patients, each recorded on it (a new "
                                    "registry starts its trail with `livercell db init`)",
                                    held));
      }
    }
    head = Head{1, 0, std::string(kGenesisHash)};
  } else if (head->seq != seq || head->hash != prev) {
    return tampered(fmt::format("the audit trail ends at entry {}, its head says {}", seq,
                                head->seq));
  } else if (head->unkeyed && !Key().created()) {
    return tampered(std::string(kUnkeyedHead));
  }
  const std::string insert = fmt::format(
      "INSERT INTO audit_log ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kColumns);
  for (AuditEntry& e : entries) {
    e.seq = ++seq;
    e.prev_hash = prev;
    e.hash = ChainHash(e, &Key());
    prev = e.hash;
    const Value params[] = {e.seq,
                            e.at,
                            e.username,
                            e.role,
                            e.action,
                            e.resource,
                            e.patient_id ? Value(*e.patient_id) : Value(std::monostate{}),
                            e.outcome,
                            e.request_id,
                            e.prev_hash,
                            e.hash};
    LC_RETURN_IF_ERROR(db_.Execute(insert, params).status());
  }
  head->seq = seq;
  head->hash = prev;
  return WriteHead(*head);
}

base::Status AuditLog::WriteHead(const Head& head) {
  const Value head_row[] = {std::string(kHeadSetting), HeadText(head)};
  return db_
      .Execute(db_.dialect() == storage::sql::Dialect::kSqlite
                   ? "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)"
                   : "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO "
                     "UPDATE SET value = EXCLUDED.value",
               head_row)
      .status();
}

base::Result<std::optional<AuditBreak>> AuditLog::Verify(std::int64_t* entries) {
  if (entries != nullptr) *entries = 0;
  const auto read_head = ReadHead();
  if (!read_head.ok()) {
    if (read_head.status().code() != base::StatusCode::kDataLoss) return read_head.status();
    return std::optional<AuditBreak>(AuditBreak{0, std::string(read_head.status().message())});
  }
  std::optional<Head> head = read_head.value();
  if (!head) {
    return std::optional<AuditBreak>(AuditBreak{
        1, "the audit trail's head is missing (the trail was emptied or its head deleted)"});
  }
  // An unkeyed head is a registry from before issue #23 only at the moment its key is made;
  // under an older key it was written by someone without the key.
  if (head->unkeyed && !Key().created()) {
    return std::optional<AuditBreak>(AuditBreak{head->seq, std::string(kUnkeyedHead)});
  }
  std::optional<AuditBreak> broken;
  std::int64_t expected = 1;
  std::string prev(kGenesisHash);
  LC_RETURN_IF_ERROR(
      db_.Execute(fmt::format("SELECT {} FROM audit_log ORDER BY seq", kColumns), {},
                  [&](const Row& row) {
                    if (broken) return;
                    const AuditEntry e = EntryOf(row);
                    const AuditKey* key = e.seq >= head->keyed_from ? &Key() : nullptr;
                    if (e.seq != expected) {
                      broken = AuditBreak{expected, fmt::format("entry {} is missing (the next "
                                                                "entry is {})",
                                                                expected, e.seq)};
                    } else if (e.prev_hash != prev) {
                      broken = AuditBreak{e.seq, "its link to the previous entry is broken "
                                                 "(entries deleted, reordered or altered)"};
                    } else if (ChainHash(e, key) != e.hash) {
                      broken = AuditBreak{e.seq, key != nullptr
                                                     ? "its MAC does not verify (altered, "
                                                       "recomputed or forged)"
                                                     : "its contents do not match its hash "
                                                       "(altered)"};
                    }
                    prev = e.hash;
                    ++expected;
                  })
          .status());
  if (entries != nullptr) *entries = expected - 1;
  if (broken) return broken;
  // The head kept beside the chain catches entries cut off the end.
  const std::int64_t last = expected - 1;
  if (head->seq != last || head->hash != prev) {
    return std::optional<AuditBreak>(AuditBreak{
        last + 1, fmt::format("the chain ends at entry {}, but its recorded head is {} "
                              "(entries cut off the end)",
                              last, head->seq)});
  }
  if (head->unkeyed) {
    // The unkeyed chain verified under its new key: seal its head, so that it is keyed from
    // now on even before the next entry.
    head->unkeyed = false;
    LC_RETURN_IF_ERROR(WriteHead(*head));
  }
  return std::optional<AuditBreak>();
}

std::string AuditLog::AnchorMac(std::int64_t seq, std::string_view hash,
                                std::string_view at) const {
  return Key().Mac(fmt::format("audit-anchor|{}|{}|{}", seq, hash, at));
}

base::Result<AuditAnchor> AuditLog::Anchor(std::string at) {
  LC_ASSIGN_OR_RETURN(const std::optional<Head> head, ReadHead());
  if (!head) {
    return base::Status(base::StatusCode::kDataLoss, "the audit trail's head is missing");
  }
  AuditAnchor anchor{head->seq, head->hash, std::move(at), ""};
  anchor.mac = AnchorMac(anchor.seq, anchor.hash, anchor.at);
  return anchor;
}

base::Result<std::optional<AuditBreak>> AuditLog::CheckAnchors(
    const std::vector<AuditAnchor>& anchors) {
  std::int64_t last = 0;
  LC_RETURN_IF_ERROR(db_.Execute("SELECT max(seq) FROM audit_log", {},
                                 [&](const Row& row) { last = row.IsNull(0) ? 0 : row.Int(0); })
                         .status());
  for (const AuditAnchor& anchor : anchors) {
    if (AnchorMac(anchor.seq, anchor.hash, anchor.at) != anchor.mac) {
      return std::optional<AuditBreak>(AuditBreak{
          anchor.seq, fmt::format("the anchor of {} does not verify (altered, or another "
                                  "audit key)",
                                  anchor.at)});
    }
    if (anchor.seq > last) {
      return std::optional<AuditBreak>(AuditBreak{
          last + 1, fmt::format("the chain ends at entry {}, before entry {} anchored at {} "
                                "(entries cut off the end)",
                                last, anchor.seq, anchor.at)});
    }
    if (anchor.seq == 0) continue;
    std::string hash;
    const Value seq[] = {anchor.seq};
    LC_RETURN_IF_ERROR(db_.Execute("SELECT hash FROM audit_log WHERE seq = ?", seq,
                                   [&](const Row& row) { hash = row.Text(0); })
                           .status());
    if (hash != anchor.hash) {
      return std::optional<AuditBreak>(AuditBreak{
          anchor.seq, fmt::format("entry {} is not the one anchored at {} (the chain was "
                                  "rewritten)",
                                  anchor.seq, anchor.at)});
    }
  }
  return std::optional<AuditBreak>();
}

base::Status AuditLog::ForEach(std::string_view since, std::int64_t limit, std::int64_t offset,
                               const std::function<void(const AuditEntry&)>& fn) {
  // Integers of ours, not user text: written into the statement. No limit: SQLite's -1,
  // PostgreSQL's ALL.
  const std::string limit_text = limit > 0 ? std::to_string(limit)
                                 : db_.dialect() == storage::sql::Dialect::kSqlite ? "-1"
                                                                                     : "ALL";
  const Value params[] = {std::string(since)};
  return db_
      .Execute(fmt::format("SELECT {} FROM audit_log WHERE at >= ? ORDER BY seq LIMIT {} OFFSET {}",
                           kColumns, limit_text, offset),
               params, [&](const Row& row) { fn(EntryOf(row)); })
      .status();
}

base::Result<std::int64_t> AuditLog::Count(std::string_view since) {
  std::int64_t count = 0;
  const Value params[] = {std::string(since)};
  LC_RETURN_IF_ERROR(db_.Execute("SELECT count(*) FROM audit_log WHERE at >= ?", params,
                                 [&](const Row& row) { count = row.Int(0); })
                         .status());
  return count;
}

}  // namespace livercell::access
