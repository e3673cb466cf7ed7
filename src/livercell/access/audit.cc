#include "livercell/access/audit.h"

#include <fmt/format.h>

#include "livercell/base/sha256.h"

namespace livercell::access {
namespace {

using storage::sql::Row;
using storage::sql::Value;

constexpr const char* kColumns =
    "seq, at, username, role, action, resource, patient_id, outcome, request_id, prev_hash, hash";
constexpr const char* kHeadSetting = "audit_head";

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

std::string ChainHash(const AuditEntry& e) {
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
  return base::Sha256Hex(text);
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
  const std::string insert = fmt::format(
      "INSERT INTO audit_log ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", kColumns);
  for (AuditEntry& e : entries) {
    e.seq = ++seq;
    e.prev_hash = prev;
    e.hash = ChainHash(e);
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
  const Value head[] = {std::string(kHeadSetting), fmt::format("{}:{}", seq, prev)};
  return db_
      .Execute(db_.dialect() == storage::sql::Dialect::kSqlite
                   ? "INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)"
                   : "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO "
                     "UPDATE SET value = EXCLUDED.value",
               head)
      .status();
}

base::Result<std::optional<AuditBreak>> AuditLog::Verify(std::int64_t* entries) {
  std::optional<AuditBreak> broken;
  std::int64_t expected = 1;
  std::string prev(kGenesisHash);
  LC_RETURN_IF_ERROR(
      db_.Execute(fmt::format("SELECT {} FROM audit_log ORDER BY seq", kColumns), {},
                  [&](const Row& row) {
                    if (broken) return;
                    const AuditEntry e = EntryOf(row);
                    if (e.seq != expected) {
                      broken = AuditBreak{expected, fmt::format("entry {} is missing (the next "
                                                                "entry is {})",
                                                                expected, e.seq)};
                    } else if (e.prev_hash != prev) {
                      broken = AuditBreak{e.seq, "its link to the previous entry is broken "
                                                 "(entries deleted, reordered or altered)"};
                    } else if (ChainHash(e) != e.hash) {
                      broken = AuditBreak{e.seq, "its contents do not match its hash (altered)"};
                    }
                    prev = e.hash;
                    ++expected;
                  })
          .status());
  if (entries != nullptr) *entries = expected - 1;
  if (broken) return broken;
  // The head kept beside the chain catches entries cut off the end.
  std::string head;
  const Value name[] = {std::string(kHeadSetting)};
  LC_RETURN_IF_ERROR(db_.Execute("SELECT value FROM settings WHERE name = ?", name,
                                 [&](const Row& row) { head = row.Text(0); })
                         .status());
  const std::int64_t last = expected - 1;
  if (!head.empty() && head != fmt::format("{}:{}", last, prev)) {
    return std::optional<AuditBreak>(AuditBreak{
        last + 1, fmt::format("the chain ends at entry {}, but its recorded head is {} "
                              "(entries cut off the end)",
                              last, head.substr(0, head.find(':')))});
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
