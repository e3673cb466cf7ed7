#include "livercell/server/anonymous_tally.h"

#include <fmt/format.h>

#include <algorithm>

#include "livercell/base/instant.h"

namespace livercell::server {

std::vector<access::AuditEntry> AnonymousTally::Count(const std::string& address,
                                                      std::chrono::system_clock::time_point now) {
  const Minute minute = std::chrono::floor<std::chrono::minutes>(now);
  std::lock_guard lock(mutex_);
  ++counts_[{minute, address}];
  return TakeBefore(minute, now);
}

std::vector<access::AuditEntry> AnonymousTally::Flush() {
  std::lock_guard lock(mutex_);
  return TakeBefore(Minute::max(), std::chrono::system_clock::now());
}

std::vector<access::AuditEntry> AnonymousTally::TakeBefore(
    Minute minute, std::chrono::system_clock::time_point now) {
  std::vector<access::AuditEntry> entries;
  for (auto it = counts_.begin(); it != counts_.end() && it->first.first < minute;) {
    const auto& [when, address] = it->first;
    access::AuditEntry e;
    // When the minute ended, or now if it has not (the entry is written at shutdown).
    e.at = base::FormatInstant(std::chrono::floor<std::chrono::seconds>(
        std::min<std::chrono::system_clock::time_point>(when + std::chrono::minutes(1), now)));
    e.action = "unauthenticated";
    e.resource = fmt::format("{} request(s) without a valid session from {} in the minute from {}",
                             it->second, address.empty() ? "an unknown address" : address,
                             base::FormatInstant(std::chrono::time_point_cast<std::chrono::seconds>(when)));
    e.outcome = "unauthenticated";
    entries.push_back(std::move(e));
    it = counts_.erase(it);
  }
  return entries;
}

}  // namespace livercell::server
