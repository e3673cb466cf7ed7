// The repository's lab results (schema 6): one clustered table keyed (patient_id, code, time,
// source_key), provenance text stored once in `provenances`, code_system NULL for LOINC.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
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

// INSERT of `rows` labs, each new one stored and a stored one left as it is. On SQLite as
// INSERT OR IGNORE: with ON CONFLICT's DO NOTHING the NOT NULL checks would still abort, so
// each multi-row statement would need a statement journal (schema 7's file says why that
// matters). OR IGNORE would also skip a row with a NULL in a NOT NULL column, which is why
// InsertLabRows binds none: every such column gets a number it has checked or a text.
std::string InsertSql(sql::Dialect dialect, std::size_t rows) {
  std::string sql = fmt::format("INSERT {}INTO labs ({}) VALUES ",
                                dialect == sql::Dialect::kSqlite ? "OR IGNORE " : "",
                                kInsertColumns);
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }
  if (dialect != sql::Dialect::kSqlite) {
    sql += " ON CONFLICT (patient_id, code, time, source_key) DO NOTHING";
  }
  return sql;
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

base::Result<std::int64_t> Repository::InsertLabRows(std::span<const LabRow> rows) {
  // Up to kRows rows a statement: one parse, bind and step for many rows on SQLite, one round
  // trip on PostgreSQL. The statement for a full group is prepared once and cached.
  constexpr std::size_t kRows = 64;
  std::vector<Value> values;
  values.reserve(kRows * kInsertColumnCount);
  const auto optional = [](const auto& v) { return v ? Value(*v) : Value(); };
  // A full group's text is built once for each dialect; only a last, shorter group builds its
  // own.
  const sql::Dialect dialect = db_->dialect();
  static const std::string kSqliteGroup = InsertSql(sql::Dialect::kSqlite, kRows);
  static const std::string kPostgresGroup = InsertSql(sql::Dialect::kPostgres, kRows);
  const std::string& full_group =
      dialect == sql::Dialect::kSqlite ? kSqliteGroup : kPostgresGroup;
  std::int64_t stored = 0;
  for (std::size_t begin = 0; begin < rows.size(); begin += kRows) {
    const std::size_t n = std::min(kRows, rows.size() - begin);
    values.clear();
    for (const LabRow& r : rows.subspan(begin, n)) {
      // SQLite stores NaN as NULL, which its INSERT OR IGNORE (InsertSql) would drop silently.
      if (!std::isfinite(r.value)) {
        base::Status status = base::InvalidArgumentError(
            fmt::format("a lab result's value must be a finite number, not {}", r.value));
        status.SetPath("value");
        return status;
      }
      values.insert(values.end(),
                    {r.patient_id, TextView{r.code}, TextView{r.time}, TextView{r.source_key},
                     r.code_system == domain::kLoincSystem ? Value() : TextView{r.code_system},
                     r.value, TextView{r.unit}, optional(r.canonical_value),
                     TextView{r.canonical_unit}, r.provenance_id, optional(r.line),
                     TextView{r.flag}});
    }
    LC_ASSIGN_OR_RETURN(const std::int64_t changed,
                        db_->Execute(n == kRows ? full_group : InsertSql(dialect, n), values));
    stored += changed;
  }
  return stored;
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
  return InsertLabRows(rows);
}

base::Result<std::vector<domain::LabObservation>> Repository::Labs(std::int64_t patient_id) {
  const Value params[] = {patient_id};
  return Collect<domain::LabObservation>(
      *db_,
      fmt::format("{} WHERE l.patient_id = ? ORDER BY l.time, l.code, l.source_key", kSelectLabs),
      params, LabOf);
}

base::Status Repository::ForEachLab(const std::function<void(const domain::LabObservation&)>& fn) {
  return db_
      ->Execute(fmt::format("{} ORDER BY l.patient_id, l.code, l.time, l.source_key", kSelectLabs),
                {}, [&fn](const Row& row) { fn(LabOf(row)); })
      .status();
}

}  // namespace livercell::storage
