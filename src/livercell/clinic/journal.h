// Where the clinic's changes are committed, each with its audit entry in one transaction
// (STYLE.md C16). Two implementations:
//
// - GroupJournal, for the server: every request hands its entry (and its change) to one writer
//   thread, which takes everything waiting at that moment, runs each change under its own
//   savepoint, appends all entries to the hash chain and commits once. A request returns only
//   when its entry is durable, yet the disk sees one commit per group, not per request. One
//   writer also gives the chain its order without locks.
// - DirectJournal, for the command line: one process, one change, committed on the caller's
//   connection before the call returns.
//
// Either way a change that fails is rolled back alone and its entry is still appended, with
// the failure's code as the outcome: a refusal is on the record whichever door it came through.
#ifndef LIVERCELL_CLINIC_JOURNAL_H_
#define LIVERCELL_CLINIC_JOURNAL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "livercell/access/audit.h"
#include "livercell/base/status.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

class Journal {
 public:
  using Change = std::function<base::Status(storage::Repository&)>;
  // A change that also completes its own entry (an import names what it wrote).
  using EntryChange = std::function<base::Status(storage::Repository&, access::AuditEntry&)>;
  virtual ~Journal() = default;

  // Runs `change` (may be empty) and appends `entry` in one transaction; returns once both
  // are durable. A failed change is rolled back alone, its entry recording the failure's code
  // as the outcome (unless the change set another outcome), and its status returned. An error
  // committing fails the whole call.
  base::Status Record(access::AuditEntry entry, const Change& change = {});
  virtual base::Status RecordEditing(access::AuditEntry entry, const EntryChange& change) = 0;
};

class GroupJournal final : public Journal {
 public:
  // `key`: the audit chain's (access/audit_key.h).
  GroupJournal(std::unique_ptr<storage::Repository> repository, access::AuditKey key);
  ~GroupJournal() override;  // finishes what is queued
  GroupJournal(const GroupJournal&) = delete;
  GroupJournal& operator=(const GroupJournal&) = delete;

  base::Status RecordEditing(access::AuditEntry entry, const EntryChange& change) override;

 private:
  struct Pending;
  void Run();
  base::Status CommitGroup(std::deque<Pending*>& group);

  std::unique_ptr<storage::Repository> repository_;
  const access::AuditKey key_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// Commits on `repository` (which must outlive it). Not thread-safe.
class DirectJournal final : public Journal {
 public:
  DirectJournal(storage::Repository& repository, access::AuditKey key)
      : repository_(repository), key_(std::move(key)) {}
  base::Status RecordEditing(access::AuditEntry entry, const EntryChange& change) override;

 private:
  storage::Repository& repository_;
  const access::AuditKey key_;
};

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_JOURNAL_H_
