// Connection::InsertRows for any driver: multi-row INSERT … ON CONFLICT DO NOTHING statements
// through Execute. A driver with a faster bulk path overrides it (the SQLite driver does).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "livercell/storage/sql/connection.h"

namespace livercell::storage::sql {
namespace {

// Up to kGroupRows rows a statement: one round trip on PostgreSQL for many rows.
constexpr std::size_t kGroupRows = 64;

std::string GroupSql(const BulkInsert& insert, std::size_t rows) {
  std::string row = "(";
  for (std::size_t c = 0; c < insert.column_count; ++c) row += c == 0 ? "?" : ", ?";
  row += ")";
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", insert.table, insert.columns);
  for (std::size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ", ";
    sql += row;
  }
  sql += fmt::format(" ON CONFLICT {} DO NOTHING", insert.key);
  return sql;
}

}  // namespace

base::Result<std::int64_t> Connection::InsertRows(const BulkInsert& insert, std::size_t rows,
                                                  const RowFill& fill) {
  const std::string full_group = GroupSql(insert, kGroupRows);
  std::vector<Value> values;
  std::int64_t stored = 0;
  for (std::size_t begin = 0; begin < rows; begin += kGroupRows) {
    const std::size_t n = std::min(kGroupRows, rows - begin);
    values.assign(n * insert.column_count, Value());
    for (std::size_t i = 0; i < n; ++i) {
      LC_RETURN_IF_ERROR(fill(begin + i, std::span<Value>(values).subspan(
                                             i * insert.column_count, insert.column_count)));
    }
    LC_ASSIGN_OR_RETURN(const std::int64_t changed,
                        Execute(n == kGroupRows ? full_group : GroupSql(insert, n), values));
    stored += changed;
  }
  return stored;
}

}  // namespace livercell::storage::sql
