// The repository's lab results (schema 6): one clustered table keyed (patient_id, code, time,
// source_key), provenance text stored once in `provenances`, code_system NULL for LOINC.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_set>
#include <vector>

#include "livercell/storage/repository.h"
#include "livercell/storage/row_values.h"

namespace livercell::storage {
namespace {

using sql::Row;
using sql::TextView;
using sql::Value;

// The labs table's key first: reads walk it in order.
constexpr const char* kSelectLabs =
    "SELECT l.patient_id, l.code, l.time, l.source_key, l.code_system, l.value, l.unit, "
    "l.canonical_value, l.canonical_unit, p.text, l.line, l.flag "
    "FROM labs l JOIN provenances p ON p.id = l.provenance_id";
// Leaves out labs a correction voided or superseded (schema 10).
constexpr const char* kCurrentLabs =
    "AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.kind = 'lab' AND c.patient_id = "
    "l.patient_id AND c.record_key = l.code || '|' || l.time || '|' || l.source_key)";
constexpr const char* kInsertColumns =
    "patient_id, code, time, source_key, code_system, value, unit, canonical_value, "
    "canonical_unit, provenance_id, line, flag";
constexpr std::size_t kInsertColumnCount = 12;
constexpr std::string_view kLineSeparator = " line ";

domain::LabObservation LabOf(const Row& row) {
  domain::LabObservation lab;
  lab.patient_id = row.Int(0);
  lab.code = row.Text(1);
  lab.time = TimeOf(row, 2);
  lab.source_key = row.Text(3);
  lab.code_system = row.IsNull(4) ? std::string(domain::kLoincSystem) : row.Text(4);
  lab.value = row.Double(5);
  lab.unit = row.Text(6);
  if (!row.IsNull(7)) lab.canonical_value = row.Double(7);
  lab.canonical_unit = row.Text(8);
  lab.provenance = row.Text(9);
  if (!row.IsNull(10)) {
    lab.provenance += kLineSeparator;
    lab.provenance += std::to_string(row.Int(10));
  }
  lab.flag = row.Text(11);
  return lab;
}

}  // namespace

Repository::SplitProvenance Repository::Split(std::string_view provenance) {
  const std::size_t at = provenance.rfind(kLineSeparator);
  if (at == std::string_view::npos) return {provenance, std::nullopt};
  const std::string_view digits = provenance.substr(at + kLineSeparator.size());
  std::int64_t line = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
  // Only a number that prints back as the same digits, so that the text round-trips exactly.
  if (digits.empty() || digits[0] == '0' || ec != std::errc() ||
      end != digits.data() + digits.size()) {
    return {provenance, std::nullopt};
  }
  return {provenance.substr(0, at), line};
}

base::Result<std::int64_t> Repository::ProvenanceId(std::string_view text) {
  const Value params[] = {TextView{text}};
  std::optional<std::int64_t> id;
  const auto take = [&id](const Row& row) { id = row.Int(0); };
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT id FROM provenances WHERE text = ?", params, take).status());
  if (!id) {
    LC_RETURN_IF_ERROR(
        db_->Execute("INSERT INTO provenances (text) VALUES (?) RETURNING id", params, take)
            .status());
  }
  return *id;
}

base::Status Repository::CheckPatientExists(std::int64_t patient_id) {
  const base::Result<std::int64_t> version = PatientVersion(patient_id);
  if (version.ok() || version.status().code() != base::StatusCode::kNotFound) {
    return version.status();
  }
  base::Status status = base::NotFoundError(
      fmt::format("a lab result names patient {}, who is not in the registry", patient_id));
  status.SetPath("patient_id").SetValue(static_cast<double>(patient_id));
  return status;
}

base::Result<std::int64_t> Repository::InsertLabRows(
    std::size_t count, const std::function<LabRow(std::size_t)>& row_at) {
  const sql::BulkInsert insert{.table = "labs",
                               .columns = kInsertColumns,
                               .column_count = kInsertColumnCount,
                               .key = "(patient_id, code, time, source_key)"};
  // Schema 8: a lab's patient is checked here, once for each patient the rows name (rows come
  // grouped by patient from a LabBatch), not by a foreign key for every row.
  std::unordered_set<std::int64_t> known_patients;
  std::optional<std::int64_t> last_patient;
  // Every NOT NULL column gets a number checked here or a text: SQLite writes the rows with
  // INSERT OR IGNORE (Connection::InsertRows), which would skip a row with a NULL there —
  // and it stores a NaN as NULL.
  return db_->InsertRows(insert, count, [&](std::size_t index, std::span<Value> out) {
    const LabRow r = row_at(index);
    if (r.patient_id != last_patient && !known_patients.contains(r.patient_id)) {
      LC_RETURN_IF_ERROR(CheckPatientExists(r.patient_id));
      known_patients.insert(r.patient_id);
    }
    last_patient = r.patient_id;
    if (!std::isfinite(r.value)) {
      base::Status status = base::InvalidArgumentError(
          fmt::format("a lab result's value must be a finite number, not {}", r.value));
      status.SetPath("value");
      return status;
    }
    // In kInsertColumns' order; `out` comes with every value NULL.
    out[0] = r.patient_id;
    out[1] = TextView{r.code};
    out[2] = TextView{r.time};
    out[3] = TextView{r.source_key};
    if (r.code_system != domain::kLoincSystem) out[4] = TextView{r.code_system};
    out[5] = r.value;
    out[6] = TextView{r.unit};
    if (r.canonical_value) out[7] = *r.canonical_value;
    out[8] = TextView{r.canonical_unit};
    out[9] = r.provenance_id;
    if (r.line) out[10] = *r.line;
    out[11] = TextView{r.flag};
    return base::OkStatus();
  });
}

base::Result<bool> Repository::AddLab(const domain::LabObservation& lab) {
  LC_ASSIGN_OR_RETURN(const std::int64_t stored, AddLabs({&lab, 1}));
  return stored > 0;
}

base::Result<std::int64_t> Repository::AddLabs(std::span<const domain::LabObservation> labs) {
  std::vector<std::string> times;
  times.reserve(labs.size());
  std::vector<LabRow> rows;
  rows.reserve(labs.size());
  for (const domain::LabObservation& lab : labs) {
    const SplitProvenance provenance = Split(lab.provenance);
    LC_ASSIGN_OR_RETURN(const std::int64_t provenance_id, ProvenanceId(provenance.text));
    times.push_back(lab.time.ToString());
    rows.push_back({lab.patient_id, lab.code, times.back(), lab.source_key, lab.code_system,
                    lab.value, lab.unit, lab.canonical_value, lab.canonical_unit, provenance_id,
                    provenance.line, lab.flag});
  }
  return InsertLabRows(rows.size(), [&rows](std::size_t i) { return rows[i]; });
}

base::Result<std::vector<domain::LabObservation>> Repository::Labs(std::int64_t patient_id,
                                                                   Visibility visibility) {
  const Value params[] = {patient_id};
  return Collect<domain::LabObservation>(
      *db_,
      fmt::format("{} WHERE l.patient_id = ? {} ORDER BY l.time, l.code, l.source_key",
                  kSelectLabs, visibility == Visibility::kCurrent ? kCurrentLabs : ""),
      params, LabOf);
}

base::Status Repository::ForEachLab(const std::function<void(const domain::LabObservation&)>& fn) {
  return db_
      ->Execute(fmt::format("{} WHERE TRUE {} ORDER BY l.patient_id, l.code, l.time, l.source_key",
                            kSelectLabs, kCurrentLabs),
                {}, [&fn](const Row& row) { fn(LabOf(row)); })
      .status();
}

}  // namespace livercell::storage
