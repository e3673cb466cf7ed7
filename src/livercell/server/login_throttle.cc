#include "livercell/server/login_throttle.h"

#include <fmt/format.h>

#include <algorithm>

#include "livercell/access/accounts.h"
#include "livercell/base/instant.h"

namespace livercell::server {
namespace {

constexpr std::size_t kPruneAbove = 100000;  // entries per map

base::Status HeldBack(LoginThrottle::Time until) {
  return base::Status(base::StatusCode::kResourceExhausted,
                      fmt::format("too many failed log-ins: try again after {}",
                                  base::FormatInstant(until)));
}

}  // namespace

base::Status LoginThrottle::Check(std::string_view address, std::string_view username,
                                  Time now) {
  std::lock_guard lock(mutex_);
  Time until{};
  if (auto it = by_address_.find(std::string(address)); it != by_address_.end()) {
    until = std::max(until, it->second.until);
  }
  if (auto it = by_username_.find(std::string(username)); it != by_username_.end()) {
    until = std::max(until, it->second.until);
  }
  return until > now ? HeldBack(until) : base::OkStatus();
}

void LoginThrottle::Failed(std::string_view address, std::string_view username, Time now) {
  std::lock_guard lock(mutex_);
  Prune(now);
  // The username: the accounts' own schedule.
  Counter& user = by_username_[std::string(username)];
  ++user.failures;
  if (user.failures >= access::kFailuresBeforeLock) {
    user.until = now + access::LockAfter(user.failures);
  }
  // The address: a budget per window.
  Counter& client = by_address_[std::string(address)];
  if (now - client.since >= kAddressWindow) client = Counter{0, now, {}};
  if (++client.failures >= kAddressFailures) client.until = client.since + kAddressWindow;
}

void LoginThrottle::Succeeded(std::string_view username) {
  std::lock_guard lock(mutex_);
  by_username_.erase(std::string(username));
}

void LoginThrottle::Prune(Time now) {
  const auto stale = [&](const auto& entry) {
    return entry.second.until <= now && now - entry.second.since >= kAddressWindow &&
           now - entry.second.until >= access::kLongestLock;
  };
  if (by_username_.size() > kPruneAbove) std::erase_if(by_username_, stale);
  if (by_address_.size() > kPruneAbove) std::erase_if(by_address_, stale);
}

}  // namespace livercell::server
