// Group commit for the audit trail (issue #6). Every audited request hands its entry — and,
// for a write, the change itself — to the one writer thread, which takes everything waiting
// at that moment, runs each change under its own savepoint, appends all entries to the hash
// chain and commits once. A request returns only when its entry is durable, yet the number of
// durable commits, not requests, is what the disk sees. One writer also gives the chain its
// order without locks.
#ifndef LIVERCELL_SERVER_AUDIT_WRITER_H_
#define LIVERCELL_SERVER_AUDIT_WRITER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "livercell/access/audit.h"
#include "livercell/base/status.h"
#include "livercell/storage/repository.h"

namespace livercell::server {

class AuditWriter {
 public:
  using Change = std::function<base::Status(storage::Repository&)>;

  explicit AuditWriter(std::unique_ptr<storage::Repository> repository);
  ~AuditWriter();  // finishes what is queued
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Runs `change` (may be empty) and appends `entry` in one transaction; returns once both
  // are durable. A failed change is rolled back alone, its entry recording the failure's code
  // as the outcome, and its status returned. An error committing fails the whole group.
  base::Status Record(access::AuditEntry entry, const Change& change = {});

 private:
  struct Pending;
  void Run();
  base::Status CommitGroup(std::deque<Pending*>& group);

  std::unique_ptr<storage::Repository> repository_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_AUDIT_WRITER_H_
