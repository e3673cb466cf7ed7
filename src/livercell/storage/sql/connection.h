// The minimal SQL driver every backend supplies (STYLE.md C8): statements with `?`
// placeholders, rows, transactions. Repository logic is written once over this interface;
// the SQLite and PostgreSQL drivers are thin. A Connection is used by one thread at a time.
#ifndef LIVERCELL_STORAGE_SQL_CONNECTION_H_
#define LIVERCELL_STORAGE_SQL_CONNECTION_H_

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
