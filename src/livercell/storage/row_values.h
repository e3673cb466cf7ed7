// Internal to storage/: converting between domain values and SQL parameters and rows, shared
// by the repository's translation units.
#ifndef LIVERCELL_STORAGE_ROW_VALUES_H_
#define LIVERCELL_STORAGE_ROW_VALUES_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/storage/sql/connection.h"

namespace livercell::storage {

inline sql::Value Text(std::string_view text) { return std::string(text); }
inline sql::Value OptionalText(const std::optional<std::string>& text) {
  return text ? sql::Value(*text) : sql::Value(std::monostate{});
}

inline std::string DateText(std::chrono::sys_days day) {
  return domain::ClinicalTime::FromDate(day).ToString();
}

// Times come from our own writes; a malformed one means the database was edited by hand.
inline domain::ClinicalTime TimeOf(const sql::Row& row, int column) {
  base::Result<domain::ClinicalTime> time = domain::ClinicalTime::Parse(row.Text(column));
  return time.ok() ? time.value() : domain::ClinicalTime::FromDate({});
}

inline std::optional<std::string> OptionalTextOf(const sql::Row& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Text(column);
}

template <typename T, typename Convert>
inline base::Result<std::vector<T>> Collect(sql::Connection& db, const std::string& sql,
                                     std::span<const sql::Value> params, Convert convert) {
  std::vector<T> out;
  LC_RETURN_IF_ERROR(
      db.Execute(sql, params, [&](const sql::Row& row) { out.push_back(convert(row)); }).status());
  return out;
}

}  // namespace livercell::storage

#endif  // LIVERCELL_STORAGE_ROW_VALUES_H_
