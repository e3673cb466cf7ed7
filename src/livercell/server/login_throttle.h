// Log-in throttling for the server (issue #23): per username, known or not, on the schedule
// the accounts table uses for real accounts (access/accounts.h), so that a 429 says nothing
// about whether an account exists; and per client address, so that one client cannot try
// username after username. In memory: a restart forgets the address counts, while the
// accounts' own lock (in the registry) persists.
#ifndef LIVERCELL_SERVER_LOGIN_THROTTLE_H_
#define LIVERCELL_SERVER_LOGIN_THROTTLE_H_

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "livercell/base/status.h"

namespace livercell::server {

class LoginThrottle {
 public:
  using Time = std::chrono::sys_seconds;
  // Failed log-ins one address may make in a window before it waits for the window's end.
  static constexpr int kAddressFailures = 50;
  static constexpr std::chrono::seconds kAddressWindow{900};

  // kResourceExhausted "too many failed log-ins: try again after …" while `address` or
  // `username` is held back; OK otherwise.
  base::Status Check(std::string_view address, std::string_view username, Time now);
  void Failed(std::string_view address, std::string_view username, Time now);
  void Succeeded(std::string_view username);

 private:
  struct Counter {
    int failures = 0;
    Time since{};  // the address window's start
    Time until{};  // held back until
  };
  // Drops entries whose holds and windows have passed, when the maps grow large (a flood of
  // made-up usernames must not grow memory without bound).
  void Prune(Time now);
  std::mutex mutex_;
  std::unordered_map<std::string, Counter> by_username_;
  std::unordered_map<std::string, Counter> by_address_;
};

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_LOGIN_THROTTLE_H_
