#include "livercell/storage/lab_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

namespace livercell::storage {
namespace {

using Length = std::uint16_t;
// Below this, a second thread costs more than it saves.
constexpr std::size_t kParallelSortEntries = 1 << 13;
// Per row: value, canonical value (NaN when absent), provenance id, line (-1 when none).
constexpr std::size_t kNumbers = 4 * sizeof(std::int64_t);
constexpr std::size_t kIdsAt = 2 * sizeof(double);  // where the two ids start

void AppendText(std::string_view text, std::string* out) {
  const Length length = static_cast<Length>(text.size());
  out->append(reinterpret_cast<const char*>(&length), sizeof length);
  out->append(text);
}

// The text at `*at`, which is moved past it.
std::string_view NextText(const std::string& buffer, std::size_t* at) {
  Length length;
  std::memcpy(&length, buffer.data() + *at, sizeof length);
  const char* begin = buffer.data() + *at + sizeof length;
  *at += sizeof length + length;
  return {begin, length};
}

// The first 8 bytes of `text` from `from` as a big-endian number (zero-padded), so that
// comparing two prefixes as numbers compares the bytes as memcmp does.
std::uint64_t Prefix(std::string_view text, std::size_t from) {
  std::uint64_t prefix = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const std::size_t at = from + i;
    prefix = prefix << 8 | (at < text.size() ? static_cast<unsigned char>(text[at]) : 0u);
  }
  return prefix;
}

}  // namespace

base::Status LabBatch::Add(std::int64_t patient_id, const Encoded& lab, std::string_view bytes,
                           std::string_view file, std::int64_t line) {
  return Add(patient_id, lab, bytes, Repository::SplitProvenance{file, line});
}

base::Status LabBatch::Add(const domain::LabObservation& lab) {
  scratch_.clear();
  base::Result<Encoded> encoded = Encode(lab, &scratch_);
  if (!encoded.ok()) {
    base::Status status = encoded.status();
    status.SetPath(lab.provenance.substr(0, 200));
    return status;
  }
  return Add(lab.patient_id, encoded.value(), scratch_, Repository::Split(lab.provenance));
}

base::Result<LabBatch::Encoded> LabBatch::Encode(const domain::LabObservation& lab,
                                                 std::string* bytes) {
  for (std::string_view text : {std::string_view(lab.code), std::string_view(lab.source_key),
                                std::string_view(lab.code_system), std::string_view(lab.unit),
                                std::string_view(lab.canonical_unit), std::string_view(lab.flag)}) {
    if (text.size() > std::numeric_limits<Length>::max()) {
      return base::InvalidArgumentError(fmt::format("a lab result's text is longer than {} bytes",
                                                    std::numeric_limits<Length>::max()));
    }
  }
  Encoded encoded;
  encoded.offset = bytes->size();
  // The numbers, the provenance id and line left for Add to fill in.
  const double numbers[2] = {
      lab.value, lab.canonical_value.value_or(std::numeric_limits<double>::quiet_NaN())};
  const std::int64_t ids[2] = {0, 0};
  bytes->append(reinterpret_cast<const char*>(numbers), sizeof numbers);
  bytes->append(reinterpret_cast<const char*>(ids), sizeof ids);
  AppendText(lab.code, bytes);
  // The time's text, written in place after its length.
  const std::size_t time_at = bytes->size();
  bytes->append(sizeof(Length), '\0');
  lab.time.AppendTo(bytes);
  const auto time_length = static_cast<Length>(bytes->size() - time_at - sizeof(Length));
  std::memcpy(bytes->data() + time_at, &time_length, sizeof time_length);
  const std::string_view time(bytes->data() + time_at + sizeof(Length), time_length);
  encoded.code_prefix = Prefix(lab.code, 0);
  encoded.time_prefix[0] = Prefix(time, 0);
  encoded.time_prefix[1] = Prefix(time, 8);
  encoded.time_prefix[2] = Prefix(time, 16);
  AppendText(lab.source_key, bytes);  // (`time` is not valid past here: the bytes may move)
  AppendText(lab.code_system, bytes);
  AppendText(lab.unit, bytes);
  AppendText(lab.canonical_unit, bytes);
  AppendText(lab.flag, bytes);
  encoded.size = bytes->size() - encoded.offset;
  return encoded;
}

base::Status LabBatch::Add(std::int64_t patient_id, const Encoded& lab, std::string_view bytes,
                           Repository::SplitProvenance provenance) {
  if (buffer_.size() >= max_buffer_bytes_) LC_RETURN_IF_ERROR(Flush());
  // An import's rows share one text: the last one found is checked before the map.
  if (last_provenance_ == provenance_ids_.end() || last_provenance_->first != provenance.text) {
    last_provenance_ = provenance_ids_.find(provenance.text);
    if (last_provenance_ == provenance_ids_.end()) {
      LC_ASSIGN_OR_RETURN(const std::int64_t id, repo_.ProvenanceId(provenance.text));
      last_provenance_ = provenance_ids_.emplace(provenance.text, id).first;
    }
  }
  const std::size_t offset = buffer_.size();
  entries_.push_back({patient_id,
                      lab.code_prefix,
                      {lab.time_prefix[0], lab.time_prefix[1], lab.time_prefix[2]},
                      offset});
  buffer_.append(bytes.substr(lab.offset, lab.size));
  const std::int64_t ids[2] = {last_provenance_->second, provenance.line.value_or(-1)};
  std::memcpy(buffer_.data() + offset + kIdsAt, ids, sizeof ids);
  return base::OkStatus();
}

// Nearly the table's key order on SQLite (patient, then code and time bytewise): the prefixes
// held in the entries decide, so sorting never reads the buffer. Rows whose prefixes tie
// (the same code and time to the 24th byte) keep the order they were added in, so of two
// copies of one result the first is the one stored. Any order would be correct.
bool LabBatch::Less(const Entry& a, const Entry& b) const {
  if (a.patient_id != b.patient_id) return a.patient_id < b.patient_id;
  if (a.code_prefix != b.code_prefix) return a.code_prefix < b.code_prefix;
  if (a.time_prefix[0] != b.time_prefix[0]) return a.time_prefix[0] < b.time_prefix[0];
  if (a.time_prefix[1] != b.time_prefix[1]) return a.time_prefix[1] < b.time_prefix[1];
  if (a.time_prefix[2] != b.time_prefix[2]) return a.time_prefix[2] < b.time_prefix[2];
  return a.offset < b.offset;
}

Repository::LabRow LabBatch::RowOf(const Entry& entry) const {
  double numbers[2];
  std::int64_t ids[2];
  std::memcpy(numbers, buffer_.data() + entry.offset, sizeof numbers);
  std::memcpy(ids, buffer_.data() + entry.offset + kIdsAt, sizeof ids);
  std::size_t at = entry.offset + kNumbers;
  Repository::LabRow row;
  row.patient_id = entry.patient_id;
  row.code = NextText(buffer_, &at);
  row.time = NextText(buffer_, &at);
  row.source_key = NextText(buffer_, &at);
  row.code_system = NextText(buffer_, &at);
  row.value = numbers[0];
  row.unit = NextText(buffer_, &at);
  if (!std::isnan(numbers[1])) row.canonical_value = numbers[1];
  row.canonical_unit = NextText(buffer_, &at);
  row.provenance_id = ids[0];
  if (ids[1] >= 0) row.line = ids[1];
  row.flag = NextText(buffer_, &at);
  return row;
}

void LabBatch::Reserve(std::size_t rows, std::size_t bytes) {
  // No more than one full buffer's worth (a row takes at least 64 bytes in it).
  entries_.reserve(std::min(rows, max_buffer_bytes_ / 64 + 1));
  buffer_.reserve(std::min(bytes, max_buffer_bytes_ + (std::size_t{1} << 20)));
}

base::Status LabBatch::Flush() {
  const auto less = [this](const Entry& a, const Entry& b) { return Less(a, b); };
  // A large batch is sorted in two halves at once, on two cores, then merged: Less is a total
  // order (it ends on the offset), so the result is the same as one sort's.
  if (entries_.size() >= kParallelSortEntries) {
    const auto middle = entries_.begin() + static_cast<std::ptrdiff_t>(entries_.size() / 2);
    std::thread second([&] { std::sort(middle, entries_.end(), less); });
    std::sort(entries_.begin(), middle, less);
    second.join();
    std::inplace_merge(entries_.begin(), middle, entries_.end(), less);
  } else {
    std::sort(entries_.begin(), entries_.end(), less);
  }
  LC_ASSIGN_OR_RETURN(
      const std::int64_t stored,
      repo_.InsertLabRows(entries_.size(), [this](std::size_t i) { return RowOf(entries_[i]); }));
  stored_ += stored;
  written_ += static_cast<std::int64_t>(entries_.size());
  entries_.clear();
  buffer_.clear();
  return base::OkStatus();
}

}  // namespace livercell::storage
