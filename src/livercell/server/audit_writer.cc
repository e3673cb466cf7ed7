#include "livercell/server/audit_writer.h"

#include "livercell/base/status_code.h"

namespace livercell::server {

struct AuditWriter::Pending {
  access::AuditEntry entry;
  const Change* change = nullptr;
  base::Status result;
  bool done = false;
  // Its own: the writer wakes exactly the requests of the group it committed, not every
  // request still queued (a hundred waiters would otherwise all wake at every commit).
  std::condition_variable committed;
};

AuditWriter::AuditWriter(std::unique_ptr<storage::Repository> repository)
    : repository_(std::move(repository)), thread_([this] { Run(); }) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

base::Status AuditWriter::Record(access::AuditEntry entry, const Change& change) {
  Pending pending;
  pending.entry = std::move(entry);
  pending.change = change ? &change : nullptr;
  std::unique_lock lock(mutex_);
  queue_.push_back(&pending);
  wake_.notify_one();
  pending.committed.wait(lock, [&] { return pending.done; });
  return pending.result;
}

void AuditWriter::Run() {
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

base::Status AuditWriter::CommitGroup(std::deque<Pending*>& group) {
  storage::sql::Connection& db = repository_->connection();
  return repository_->InTransaction([&]() -> base::Status {
    std::vector<access::AuditEntry> entries;
    entries.reserve(group.size());
    for (Pending* p : group) {
      // Set afresh on each attempt: InTransaction retries the whole group after a conflict.
      p->result = base::OkStatus();
      entries.push_back(p->entry);
      if (p->change != nullptr) {
        LC_RETURN_IF_ERROR(db.ExecuteScript("SAVEPOINT livercell_change"));
        p->result = (*p->change)(*repository_);
        if (!p->result.ok()) {
          LC_RETURN_IF_ERROR(db.ExecuteScript("ROLLBACK TO SAVEPOINT livercell_change"));
          entries.back().outcome = std::string(base::InfoOf(p->result.code()).name);
        }
        LC_RETURN_IF_ERROR(db.ExecuteScript("RELEASE SAVEPOINT livercell_change"));
      }
    }
    return access::AuditLog(db).Append(entries);
  });
}

}  // namespace livercell::server
