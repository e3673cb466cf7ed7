#include "livercell/clinic/journal.h"

#include "livercell/base/status_code.h"

namespace livercell::clinic {
namespace {

// Runs `change` under a savepoint: a failure rolls back the change alone (`*result`, and the
// entry's outcome, say why) and leaves the transaction able to append the entry.
base::Status RunChange(storage::Repository& repository, const Journal::EntryChange& change,
                       base::Status* result, access::AuditEntry* entry) {
  storage::sql::Connection& db = repository.connection();
  LC_RETURN_IF_ERROR(db.ExecuteScript("SAVEPOINT livercell_change"));
  *result = change(repository, *entry);
  if (!result->ok()) {
    LC_RETURN_IF_ERROR(db.ExecuteScript("ROLLBACK TO SAVEPOINT livercell_change"));
    if (entry->outcome.empty() || entry->outcome == "ok") {
      entry->outcome = std::string(base::InfoOf(result->code()).name);
    }
  }
  return db.ExecuteScript("RELEASE SAVEPOINT livercell_change");
}

}  // namespace

base::Status Journal::Record(access::AuditEntry entry, const Change& change) {
  if (!change) return RecordEditing(std::move(entry), {});
  return RecordEditing(std::move(entry),
                       [&](storage::Repository& r, access::AuditEntry&) { return change(r); });
}

struct GroupJournal::Pending {
  access::AuditEntry entry;
  const EntryChange* change = nullptr;
  base::Status result;
  bool done = false;
  // Its own: the writer wakes exactly the requests of the group it committed, not every
  // request still queued (a hundred waiters would otherwise all wake at every commit).
  std::condition_variable committed;
};

GroupJournal::GroupJournal(std::unique_ptr<storage::Repository> repository,
                           access::AuditKey key)
    : repository_(std::move(repository)), key_(std::move(key)), thread_([this] { Run(); }) {}

GroupJournal::~GroupJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

base::Status GroupJournal::RecordEditing(access::AuditEntry entry, const EntryChange& change) {
  Pending pending;
  pending.entry = std::move(entry);
  pending.change = change ? &change : nullptr;
  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  wake_.notify_one();
  pending.committed.wait(lock, [&] { return pending.done; });
  return pending.result;
}

void GroupJournal::Run() {
  for (;;) {
    std::deque<Pending*> group;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      group.swap(queue_);
    }
    const base::Status status = CommitGroup(group);
    std::lock_guard lock(mutex_);
    for (Pending* p : group) {
      if (!status.ok()) p->result = status;
      p->done = true;
      p->committed.notify_one();
    }
  }
}

base::Status GroupJournal::CommitGroup(std::deque<Pending*>& group) {
  storage::sql::Connection& db = repository_->connection();
  return repository_->InTransaction([&]() -> base::Status {
    std::vector<access::AuditEntry> entries;
    entries.reserve(group.size());
    for (Pending* p : group) {
      // Set afresh on each attempt: InTransaction retries the whole group after a conflict.
      p->result = base::OkStatus();
      entries.push_back(p->entry);
      if (p->change != nullptr) {
        LC_RETURN_IF_ERROR(RunChange(*repository_, *p->change, &p->result, &entries.back()));
      }
    }
    return access::AuditLog(db, key_).Append(entries);
  });
}

base::Status DirectJournal::RecordEditing(access::AuditEntry entry,
                                           const EntryChange& change) {
  base::Status result;
  const base::Status committed = repository_.InTransaction([&]() -> base::Status {
    access::AuditEntry attempt = entry;  // InTransaction may retry: start afresh each time
    result = base::OkStatus();
    if (change) LC_RETURN_IF_ERROR(RunChange(repository_, change, &result, &attempt));
    std::vector<access::AuditEntry> entries = {std::move(attempt)};
    return access::AuditLog(repository_.connection(), key_).Append(entries);
  });
  LC_RETURN_IF_ERROR(committed);
  return result;
}

}  // namespace livercell::clinic
