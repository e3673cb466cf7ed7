// User accounts and sessions (issue #6) over the registry's database: Argon2id password
// hashes, session tokens known to the database only by their SHA-256, expiry, and lock-out
// with back-off after repeated failed log-ins. Not thread-safe: one Accounts per connection.
#ifndef LIVERCELL_ACCESS_ACCOUNTS_H_
#define LIVERCELL_ACCESS_ACCOUNTS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/access/roles.h"
#include "livercell/base/instant.h"
#include "livercell/base/result.h"
#include "livercell/storage/sql/connection.h"

namespace livercell::access {

struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::kResearcher;
  bool disabled = false;
  int failed_logins = 0;
  std::string locked_until;  // an instant (base/instant.h), or empty
  std::string created_at;
};

struct Session {
  std::string token;  // given to the client once; stored only as its hash
  std::string expires;
  User user;
};

// Clinic defaults (not clinical numbers): a working shift's session, and OWASP's advice to
// throttle rather than permanently lock (Authentication Cheat Sheet, "Account Lockout").
inline constexpr std::chrono::hours kSessionLifetime{8};
inline constexpr int kFailuresBeforeLock = 5;
inline constexpr std::chrono::seconds kFirstLock{30};   // doubled for each further failure
inline constexpr std::chrono::seconds kLongestLock{900};

// How long an account (or, in the server's throttle, a username) is held after its
// `failures`-th failed log-in in a row: nothing before kFailuresBeforeLock, then kFirstLock
// doubled for each further failure, at most kLongestLock.
constexpr std::chrono::seconds LockAfter(int failures) {
  if (failures < kFailuresBeforeLock) return std::chrono::seconds{0};
  const int doublings = failures - kFailuresBeforeLock < 10 ? failures - kFailuresBeforeLock : 10;
  const std::chrono::seconds lock = kFirstLock * (1 << doublings);
  return lock < kLongestLock ? lock : kLongestLock;
}

class Accounts {
 public:
  explicit Accounts(storage::sql::Connection& db) : db_(db) {}

  // kInvalidArgument for a bad username (1–64 of [a-z0-9._-]) or a short password;
  // kAlreadyExists if the username is taken.
  base::Result<User> Add(std::string_view username, Role role, std::string_view password);
  base::Result<std::vector<User>> List();
  base::Result<User> Find(std::string_view username);  // kNotFound
  // Disabling also ends the user's sessions.
  base::Status SetDisabled(std::string_view username, bool disabled);
  // Also ends the user's sessions and clears a lock.
  base::Status SetPassword(std::string_view username, std::string_view password);

  // A log-in: the user when the password is right and the account usable. kUnauthenticated
  // for an unknown user or a wrong password (the same message, so usernames cannot be
  // probed), kPermissionDenied for a disabled account, kResourceExhausted while locked
  // (naming until when). Each failure is counted; the kFailuresBeforeLock-th locks.
  base::Result<User> CheckPassword(std::string_view username, std::string_view password,
                                   base::Instant now);
  base::Result<Session> StartSession(const User& user, base::Instant now);
  // The user of a live session; kUnauthenticated if the token is unknown or expired, or the
  // account has been disabled since.
  base::Result<User> UserOfSession(std::string_view token, base::Instant now);
  base::Status EndSession(std::string_view token);

 private:
  base::Status EndSessionsOf(std::int64_t user_id);
  storage::sql::Connection& db_;
};

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_ACCOUNTS_H_
