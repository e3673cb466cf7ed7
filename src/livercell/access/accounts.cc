#include "livercell/access/accounts.h"

#include <fmt/format.h>

#include <algorithm>

#include "livercell/access/password_policy.h"
#include "livercell/base/secrets.h"
#include "livercell/base/sha256.h"

namespace livercell::access {
namespace {

using storage::sql::Row;
using storage::sql::Value;

constexpr const char* kUserColumns =
    "id, username, role, disabled, failed_logins, locked_until, created_at";

User UserOf(const Row& row) {
  User user;
  user.id = row.Int(0);
  user.username = row.Text(1);
  // The CHECK constraint admits only known roles; an unknown one (edited by hand) gets the
  // least privilege.
  user.role = ParseRole(row.Text(2)).value_or(Role::kResearcher);
  user.disabled = row.Int(3) != 0;
  user.failed_logins = static_cast<int>(row.Int(4));
  user.locked_until = row.IsNull(5) ? "" : row.Text(5);
  user.created_at = row.Text(6);
  return user;
}

base::Status ValidateUsername(std::string_view username) {
  const bool ok = !username.empty() && username.size() <= 64 &&
                  std::all_of(username.begin(), username.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                           c == '_' || c == '-';
                  });
  if (ok) return base::OkStatus();
  base::Status status(base::StatusCode::kInvalidArgument,
                      "a username is 1–64 characters of a–z, 0–9, '.', '_' and '-'");
  status.SetPath("username").SetValue(std::string(username));
  return status;
}

base::Status NotFound(std::string_view username) {
  base::Status status(base::StatusCode::kNotFound, "no such user");
  status.SetPath("username").SetValue(std::string(username));
  return status;
}

base::Status WrongCredentials() {
  return base::Status(base::StatusCode::kUnauthenticated, "wrong username or password");
}

// A hash of a password no one has, checked for unknown users so that a wrong username costs
// the same time as a wrong password.
const std::string& DecoyHash() {
  static const std::string hash = base::HashPassword(base::RandomHex(16)).value();
  return hash;
}

}  // namespace

base::Result<User> Accounts::Add(std::string_view username, Role role,
                                 std::string_view password) {
  LC_RETURN_IF_ERROR(ValidateUsername(username));
  LC_RETURN_IF_ERROR(CheckNewPassword(password, username));
  LC_ASSIGN_OR_RETURN(const std::string hash, base::HashPassword(password));
  const Value params[] = {std::string(username), std::string(ToString(role)), hash,
                          base::NowText()};
  auto inserted = db_.Execute(
      "INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
      params);
  if (!inserted.ok()) {
    if (inserted.status().code() == base::StatusCode::kAlreadyExists) {
      base::Status status(base::StatusCode::kAlreadyExists, "the username is taken");
      status.SetPath("username").SetValue(std::string(username));
      return status;
    }
    return inserted.status();
  }
  return Find(username);
}

base::Result<std::vector<User>> Accounts::List() {
  std::vector<User> users;
  LC_RETURN_IF_ERROR(db_.Execute(fmt::format("SELECT {} FROM users ORDER BY username",
                                             kUserColumns),
                                 {}, [&](const Row& row) { users.push_back(UserOf(row)); })
                         .status());
  return users;
}

base::Result<User> Accounts::Find(std::string_view username) {
  std::optional<User> user;
  const Value params[] = {std::string(username)};
  LC_RETURN_IF_ERROR(
      db_.Execute(fmt::format("SELECT {} FROM users WHERE username = ?", kUserColumns), params,
                  [&](const Row& row) { user = UserOf(row); })
          .status());
  if (!user) return NotFound(username);
  return *user;
}

base::Status Accounts::SetDisabled(std::string_view username, bool disabled) {
  LC_ASSIGN_OR_RETURN(const User user, Find(username));
  const Value params[] = {std::int64_t{disabled ? 1 : 0}, user.id};
  LC_RETURN_IF_ERROR(db_.Execute("UPDATE users SET disabled = ? WHERE id = ?", params).status());
  return disabled ? EndSessionsOf(user.id) : base::OkStatus();
}

base::Status Accounts::SetPassword(std::string_view username, std::string_view password) {
  LC_ASSIGN_OR_RETURN(const User user, Find(username));
  LC_RETURN_IF_ERROR(CheckNewPassword(password, username));
  LC_ASSIGN_OR_RETURN(const std::string hash, base::HashPassword(password));
  const Value params[] = {hash, user.id};
  LC_RETURN_IF_ERROR(db_.Execute("UPDATE users SET password_hash = ?, failed_logins = 0, "
                                 "locked_until = NULL WHERE id = ?",
                                 params)
                         .status());
  return EndSessionsOf(user.id);
}

base::Result<User> Accounts::CheckPassword(std::string_view username, std::string_view password,
                                           base::Instant now) {
  std::optional<User> user;
  std::string hash;
  const Value params[] = {std::string(username)};
  LC_RETURN_IF_ERROR(
      db_.Execute(fmt::format("SELECT {}, password_hash FROM users WHERE username = ?",
                              kUserColumns),
                  params,
                  [&](const Row& row) {
                    user = UserOf(row);
                    hash = row.Text(7);
                  })
          .status());
  if (!user) {
    base::VerifyPassword(password, DecoyHash());
    return WrongCredentials();
  }
  const std::string now_text = base::FormatInstant(now);
  if (!user->locked_until.empty() && user->locked_until > now_text) {
    return base::Status(base::StatusCode::kResourceExhausted,
                        fmt::format("too many failed log-ins: try again after {}",
                                    user->locked_until));
  }
  if (!base::VerifyPassword(password, hash)) {
    const int failures = user->failed_logins + 1;
    Value locked_until = std::monostate{};
    if (failures >= kFailuresBeforeLock) {
      locked_until = base::FormatInstant(now + LockAfter(failures));
    }
    const Value update[] = {std::int64_t{failures}, locked_until, user->id};
    LC_RETURN_IF_ERROR(
        db_.Execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?", update)
            .status());
    return WrongCredentials();
  }
  if (user->disabled) {
    return base::Status(base::StatusCode::kPermissionDenied, "the account is disabled");
  }
  if (user->failed_logins != 0) {
    const Value update[] = {user->id};
    LC_RETURN_IF_ERROR(
        db_.Execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                    update)
            .status());
    user->failed_logins = 0;
    user->locked_until.clear();
  }
  return *user;
}

base::Result<Session> Accounts::StartSession(const User& user, base::Instant now) {
  Session session;
  session.token = base::RandomHex(32);
  session.expires = base::FormatInstant(now + kSessionLifetime);
  session.user = user;
  const Value params[] = {base::Sha256Hex(session.token), user.id, base::FormatInstant(now),
                          session.expires};
  LC_RETURN_IF_ERROR(db_.Execute("INSERT INTO sessions (token_hash, user_id, created_at, "
                                 "expires_at) VALUES (?, ?, ?, ?)",
                                 params)
                         .status());
  return session;
}

base::Result<User> Accounts::UserOfSession(std::string_view token, base::Instant now) {
  std::optional<User> user;
  const Value params[] = {base::Sha256Hex(token), base::FormatInstant(now)};
  LC_RETURN_IF_ERROR(
      db_.Execute(fmt::format("SELECT {} FROM users WHERE id = (SELECT user_id FROM sessions "
                              "WHERE token_hash = ? AND expires_at > ?)",
                              kUserColumns),
                  params, [&](const Row& row) { user = UserOf(row); })
          .status());
  if (!user || user->disabled) {
    return base::Status(base::StatusCode::kUnauthenticated,
                        "no valid session: log in (POST /api/v1/session)");
  }
  return *user;
}

base::Status Accounts::EndSession(std::string_view token) {
  const Value params[] = {base::Sha256Hex(token)};
  return db_.Execute("DELETE FROM sessions WHERE token_hash = ?", params).status();
}

base::Status Accounts::EndSessionsOf(std::int64_t user_id) {
  const Value params[] = {user_id};
  return db_.Execute("DELETE FROM sessions WHERE user_id = ?", params).status();
}

}  // namespace livercell::access
