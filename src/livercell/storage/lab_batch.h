// Bulk writing of lab results (imports of 10^5–10^7 rows). A LabBatch keeps the results it is
// given in a compact buffer and writes them to the repository sorted by the labs table's key
// (patient, code, time, source key): the B-tree is then filled in order, page after page,
// instead of at a random page for every row — on SQLite 3–4× faster for a million rows, and
// the pages come out full. Memory is bounded by `max_buffer_bytes`, whatever the number of
// rows: a full buffer is written and reused (each write is one sorted run).
//
// A batch lives inside one transaction (Repository::connection().Begin()), which its writes
// join, so an import stays all or nothing. Not thread-safe.
#ifndef LIVERCELL_STORAGE_LAB_BATCH_H_
#define LIVERCELL_STORAGE_LAB_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/string_hash.h"
#include "livercell/domain/records/observation.h"
#include "livercell/storage/repository.h"

namespace livercell::storage {

class LabBatch {
 public:
  // 128 MiB holds about a million CSV rows: one sorted run for a typical large import.
  static constexpr std::size_t kDefaultBufferBytes = std::size_t{128} << 20;

  explicit LabBatch(Repository& repo, std::size_t max_buffer_bytes = kDefaultBufferBytes)
      : repo_(repo), max_buffer_bytes_(max_buffer_bytes) {}

  // A result as the batch keeps it, encoded by Encode() on any thread: the first bytes of its
  // code and time (the sort's key after the patient) and where its bytes are in the caller's
  // buffer.
  struct Encoded {
    std::uint64_t code_prefix = 0;
    std::uint64_t time_prefix[3] = {};
    std::size_t offset = 0, size = 0;
  };
  // Appends `lab`'s encoding (without patient and provenance, which Add() gives) to `bytes`.
  // Needs no repository and touches no batch: thread-safe. kInvalidArgument for a text over
  // 65,535 bytes.
  static base::Result<Encoded> Encode(const domain::LabObservation& lab, std::string* bytes);

  // Copies `lab` into the buffer, writing the buffer first when it is full (a new provenance
  // text is stored at once). Errors: Encode's and the repository's.
  base::Status Add(const domain::LabObservation& lab);
  // The same for a result encoded into `bytes`, of patient `patient_id`, with provenance
  // "<file> line <line>" (a text not built: an import's rows name one file and their lines).
  base::Status Add(std::int64_t patient_id, const Encoded& lab, std::string_view bytes,
                   std::string_view file, std::int64_t line);
  // Sizes the buffer for about `rows` results taking `bytes` (saves regrowing it; optional).
  void Reserve(std::size_t rows, std::size_t bytes);
  // Writes what is buffered. Call before committing.
  base::Status Flush();

  // Results written that were new, and those whose key was already stored (or repeated in
  // the batch), over all flushes so far.
  std::int64_t stored() const { return stored_; }
  std::int64_t already_present() const { return written_ - stored_; }

 private:
  struct Entry {
    std::int64_t patient_id;
    std::uint64_t code_prefix;  // the key's first bytes: the sort's whole key
    std::uint64_t time_prefix[3];
    std::size_t offset;  // of the row's fields in buffer_
  };
  base::Status Add(std::int64_t patient_id, const Encoded& lab, std::string_view bytes,
                   Repository::SplitProvenance provenance);
  bool Less(const Entry& a, const Entry& b) const;
  Repository::LabRow RowOf(const Entry& entry) const;

  Repository& repo_;
  const std::size_t max_buffer_bytes_;
  // Per row: value, canonical value (NaN when absent), provenance id and line (-1 when none)
  // as raw 8-byte numbers, then code, time, source key, code system, unit, canonical unit and
  // flag, each after its length (16 bits).
  std::string buffer_;
  std::vector<Entry> entries_;
  // Provenance texts already in the database: valid for the transaction the batch is in.
  std::unordered_map<std::string, std::int64_t, base::StringHash, std::equal_to<>> provenance_ids_;
  decltype(provenance_ids_)::const_iterator last_provenance_ = provenance_ids_.end();
  std::string scratch_;  // one result's encoding, for Add(lab)
  std::int64_t stored_ = 0;
  std::int64_t written_ = 0;
};

}  // namespace livercell::storage

#endif  // LIVERCELL_STORAGE_LAB_BATCH_H_
