// Failed anonymous requests, counted per client address and minute (issue #23). Each one used
// to be an audit entry of its own, so a flood of requests without a session (200,000 in 15 s)
// filled the disk; now a client's failures in one minute become one entry, with their count.
#ifndef LIVERCELL_SERVER_ANONYMOUS_TALLY_H_
#define LIVERCELL_SERVER_ANONYMOUS_TALLY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "livercell/access/audit.h"

namespace livercell::server {

class AnonymousTally {
 public:
  using Minute = std::chrono::sys_time<std::chrono::minutes>;
  // Counts one failure of `address` at `now`; returns the entries of the minutes that have
  // ended, to be appended to the audit trail now (one per client and minute).
  std::vector<access::AuditEntry> Count(const std::string& address,
                                        std::chrono::system_clock::time_point now);
  // Every count still held (at shutdown).
  std::vector<access::AuditEntry> Flush();

 private:
  // The counts of minutes before `minute` as entries, removed (with mutex_ held).
  std::vector<access::AuditEntry> TakeBefore(Minute minute,
                                             std::chrono::system_clock::time_point now);
  std::mutex mutex_;
  std::map<std::pair<Minute, std::string>, std::int64_t> counts_;
};

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_ANONYMOUS_TALLY_H_
