// The minimal SQL driver every backend supplies (STYLE.md C8): statements with `?`
// placeholders, rows, transactions. Repository logic is written once over this interface;
// the SQLite and PostgreSQL drivers are thin. A Connection is used by one thread at a time.
#ifndef LIVERCELL_STORAGE_SQL_CONNECTION_H_
#define LIVERCELL_STORAGE_SQL_CONNECTION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "livercell/base/result.h"

namespace livercell::storage::sql {

enum class Dialect { kSqlite, kPostgres };

// Text the caller keeps alive until Execute returns (bulk writes bind it without a copy).
struct TextView {
  std::string_view text;
};

// A parameter or column value. monostate = SQL NULL.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, TextView>;

// One result row; column indexes are 0-based. Getters on NULL return 0 / "".
class Row {
 public:
  virtual ~Row() = default;
  virtual bool IsNull(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
  virtual double Double(int column) const = 0;
  virtual std::string Text(int column) const = 0;
};

using RowCallback = std::function<void(const Row&)>;

// A bulk insert for Connection::InsertRows: rows go into `table`'s `columns` (a comma-separated
// list of `column_count` names), and a row whose `key` (a unique key's columns, in parentheses)
// is already stored is skipped.
struct BulkInsert {
  std::string_view table;
  std::string_view columns;
  std::size_t column_count = 0;
  std::string_view key;
};
// Writes row `index`'s values, in the insert's column order, into `out` (column_count values,
// each NULL until set); a TextView must stay valid until InsertRows returns. A non-OK status
// stops the insert.
using RowFill = std::function<base::Status(std::size_t index, std::span<Value> out)>;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;

  // Runs a script of one or more statements without parameters (schema migrations).
  virtual base::Status ExecuteScript(std::string_view sql) = 0;
  // Runs one statement with `?` placeholders bound to `params`, calling `on_row` (may be
  // empty) for each result row. Returns the number of rows changed by an INSERT/UPDATE/DELETE.
  // Errors: kAlreadyExists for a unique-constraint violation, kAborted for a serialisation
  // failure or deadlock (retry the transaction), kUnavailable for a lost connection, kInternal
  // otherwise; the message names the database's own diagnosis.
  virtual base::Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params,
                                             const RowCallback& on_row = {}) = 0;

  // Inserts rows 0 … rows-1 of `fill` (bulk writes of 10^5–10^7 rows): each new row stored, a
  // row whose key is already stored (or repeated) left as it is. Returns how many were new.
  // Call it inside a transaction: after an error, some rows may have been written, so roll
  // the transaction back. On SQLite the rows are written with INSERT OR IGNORE, which also
  // skips a row with NULL in a NOT NULL column: fill none. The default writes multi-row
  // INSERT … ON CONFLICT DO NOTHING statements through Execute (sql/insert_rows.cc).
  virtual base::Result<std::int64_t> InsertRows(const BulkInsert& insert, std::size_t rows,
                                                const RowFill& fill);

  virtual base::Status Begin() = 0;
  virtual base::Status Commit() = 0;
  virtual base::Status Rollback() = 0;
};

// Opens a connection from a --db URL (specs/cli.md): "sqlite:PATH", a bare path, or
// "postgresql://…" / "postgres://…" (a libpq URI). kInvalidArgument for an unknown scheme,
// kUnavailable when the database cannot be reached or created.
base::Result<std::unique_ptr<Connection>> Open(std::string_view url);

}  // namespace livercell::storage::sql

#endif  // LIVERCELL_STORAGE_SQL_CONNECTION_H_
