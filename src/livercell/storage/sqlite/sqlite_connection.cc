#include "livercell/storage/sqlite/sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "livercell/base/string_hash.h"

namespace livercell::storage::sql {
namespace {

constexpr int kBusyTimeoutMs = 5000;

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int c) const override { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::int64_t Int(int c) const override { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) const override { return sqlite3_column_double(stmt_, c); }
  std::string Text(int c) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, c);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
                : std::string();
  }

 private:
  sqlite3_stmt* stmt_;
};

// A text as SQLite takes it: sqlite3_bind_text and sqlite3_result_text make a null pointer
// NULL, so an empty view (which may have one) gets a pointer to "".
const char* TextData(std::string_view text) { return text.data() != nullptr ? text.data() : ""; }

// Connection::InsertRows's rows, read by SQLite as the eponymous virtual table
// `livercell_rows` (sqlite.org/vtab.html): one INSERT … SELECT writes them all, each value
// handed to SQLite as it is read, so there is no statement to bind, step and reset every 64
// rows. In a test of SQLite alone a million sorted rows went in in 0.74–0.82 s instead of
// 0.89–0.97 s; inside an import the gain was within noise (bench/README.md). The table has kMaxColumns generic columns c0, c1, …; it is empty outside InsertRows.
constexpr std::size_t kMaxColumns = 32;
constexpr std::size_t kBulkRows = 1000;  // an insert of this many rows is an import
constexpr const char* kRowsTable = "livercell_rows";

struct RowsSource {
  const RowFill* fill = nullptr;  // null: no InsertRows is running
  std::size_t rows = 0;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<Value> values;  // of row `filled`
  std::size_t filled = kNone;
  base::Status status;  // the fill's error, which stopped the insert
};

struct RowsTable {
  sqlite3_vtab base;
  RowsSource* source;
};

struct RowsCursor {
  sqlite3_vtab_cursor base;
  std::size_t row;
};

RowsSource& SourceOf(sqlite3_vtab_cursor* cursor) {
  return *reinterpret_cast<RowsTable*>(cursor->pVtab)->source;
}

int RowsConnect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** table, char**) {
  std::string schema = "CREATE TABLE x(";
  for (std::size_t c = 0; c < kMaxColumns; ++c) schema += fmt::format("{}c{}", c ? ", " : "", c);
  schema += ")";
  if (const int rc = sqlite3_declare_vtab(db, schema.c_str()); rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);  // not from triggers or views
  auto* rows = new RowsTable{};
  rows->source = static_cast<RowsSource*>(aux);
  *table = &rows->base;
  return SQLITE_OK;
}

int RowsDisconnect(sqlite3_vtab* table) {
  delete reinterpret_cast<RowsTable*>(table);
  return SQLITE_OK;
}

int RowsBestIndex(sqlite3_vtab* table, sqlite3_index_info* info) {
  const RowsSource& source = *reinterpret_cast<RowsTable*>(table)->source;
  info->estimatedRows = static_cast<sqlite3_int64>(source.rows);
  info->estimatedCost = static_cast<double>(source.rows);
  return SQLITE_OK;
}

int RowsOpen(sqlite3_vtab*, sqlite3_vtab_cursor** cursor) {
  *cursor = &(new RowsCursor{})->base;
  return SQLITE_OK;
}

int RowsClose(sqlite3_vtab_cursor* cursor) {
  delete reinterpret_cast<RowsCursor*>(cursor);
  return SQLITE_OK;
}

int RowsFilter(sqlite3_vtab_cursor* cursor, int, const char*, int, sqlite3_value**) {
  reinterpret_cast<RowsCursor*>(cursor)->row = 0;
  return SQLITE_OK;
}

int RowsNext(sqlite3_vtab_cursor* cursor) {
  ++reinterpret_cast<RowsCursor*>(cursor)->row;
  return SQLITE_OK;
}

int RowsEof(sqlite3_vtab_cursor* cursor) {
  const RowsSource& source = SourceOf(cursor);
  return source.fill == nullptr || reinterpret_cast<RowsCursor*>(cursor)->row >= source.rows;
}

int RowsColumn(sqlite3_vtab_cursor* cursor, sqlite3_context* context, int column) {
  RowsSource& source = SourceOf(cursor);
  const std::size_t row = reinterpret_cast<RowsCursor*>(cursor)->row;
  if (source.filled != row) {  // the row's first column: fill them all
    std::fill(source.values.begin(), source.values.end(), Value());
    source.status = (*source.fill)(row, source.values);
    source.filled = row;
  }
  if (!source.status.ok()) {
    sqlite3_result_error(context, "the row's values were refused", -1);
    return SQLITE_ERROR;
  }
  if (static_cast<std::size_t>(column) >= source.values.size()) {
    sqlite3_result_null(context);
    return SQLITE_OK;
  }
  const Value& v = source.values[static_cast<std::size_t>(column)];
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    sqlite3_result_int64(context, *n);
  } else if (const auto* d = std::get_if<double>(&v)) {
    sqlite3_result_double(context, *d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    // Copied: the string is the fill's, overwritten by the next row.
    sqlite3_result_text(context, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
  } else if (const auto* t = std::get_if<TextView>(&v)) {
    // Valid until InsertRows returns (RowFill).
    sqlite3_result_text(context, TextData(t->text), static_cast<int>(t->text.size()),
                        SQLITE_STATIC);
  } else {
    sqlite3_result_null(context);
  }
  return SQLITE_OK;
}

int RowsRowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(reinterpret_cast<RowsCursor*>(cursor)->row);
  return SQLITE_OK;
}

// Eponymous-only (no xCreate): the table exists on every connection that registers it.
sqlite3_module RowsModule() {
  sqlite3_module module{};
  module.xConnect = RowsConnect;
  module.xBestIndex = RowsBestIndex;
  module.xDisconnect = RowsDisconnect;
  module.xOpen = RowsOpen;
  module.xClose = RowsClose;
  module.xFilter = RowsFilter;
  module.xNext = RowsNext;
  module.xEof = RowsEof;
  module.xColumn = RowsColumn;
  module.xRowid = RowsRowid;
  return module;
}
const sqlite3_module kRowsModule = RowsModule();

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  base::Status ExecuteScript(std::string_view sql) override {
    char* error = nullptr;
    const std::string script(sql);
    if (sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      base::Status status = Error(sqlite3_errcode(db_), error ? error : "unknown error");
      sqlite3_free(error);
      return status;
    }
    return base::OkStatus();
  }

  base::Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params,
                                     const RowCallback& on_row) override {
    LC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else if (const auto* t = std::get_if<TextView>(&v)) {
        sqlite3_bind_text(stmt, index, TextData(t->text), static_cast<int>(t->text.size()),
                          SQLITE_STATIC);
      } else {
        sqlite3_bind_null(stmt, index);
      }
    }
    SqliteRow row(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        if (on_row) on_row(row);
        continue;
      }
      if (rc == SQLITE_DONE) break;
      base::Status status = Error(rc, sqlite3_errmsg(db_));
      sqlite3_reset(stmt);
      return status;
    }
    sqlite3_reset(stmt);
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  base::Result<std::int64_t> InsertRows(const BulkInsert& insert, std::size_t rows,
                                        const RowFill& fill) override {
    if (insert.column_count == 0 || insert.column_count > kMaxColumns) {
      return Connection::InsertRows(insert, rows, fill);
    }
    if (!rows_registered_) {
      const int rc = sqlite3_create_module_v2(db_, kRowsTable, &kRowsModule, &rows_, nullptr);
      if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
      rows_registered_ = true;
    }
    if (rows >= kBulkRows && !bulk_cache_) {
      // An import touches index pages all over the file: this connection gets a 64 MiB page
      // cache from now on (the sorted insert, bench/README.md). Not for the server's single
      // records, which also come through here: its writer would hold 64 MiB of audit pages.
      LC_RETURN_IF_ERROR(ExecuteScript("PRAGMA cache_size=-65536;"));
      bulk_cache_ = true;
    }
    std::string select;
    for (std::size_t c = 0; c < insert.column_count; ++c) {
      select += fmt::format("{}c{}", c ? ", " : "", c);
    }
    // OR IGNORE, not ON CONFLICT DO NOTHING: the latter still aborts on a NOT NULL violation,
    // so SQLite would keep a statement journal of every page the insert touches.
    LC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt,
                        Prepare(fmt::format("INSERT OR IGNORE INTO {} ({}) SELECT {} FROM {}",
                                            insert.table, insert.columns, select, kRowsTable)));
    rows_ = RowsSource{};
    rows_.fill = &fill;
    rows_.rows = rows;
    rows_.values.resize(insert.column_count);
    sqlite3_reset(stmt);
    const int rc = sqlite3_step(stmt);
    const std::int64_t changed = sqlite3_changes64(db_);
    base::Status status = rows_.status;
    if (status.ok() && rc != SQLITE_DONE) status = Error(rc, sqlite3_errmsg(db_));
    sqlite3_reset(stmt);
    rows_ = RowsSource{};
    if (!status.ok()) return status;
    return changed;
  }

  // BEGIN IMMEDIATE takes the write lock up front, so two writers wait (busy timeout) instead
  // of failing at their first write.
  base::Status Begin() override { return ExecuteScript("BEGIN IMMEDIATE"); }
  base::Status Commit() override { return ExecuteScript("COMMIT"); }
  base::Status Rollback() override { return ExecuteScript("ROLLBACK"); }

 private:
  base::Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    std::string key(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  static base::Status Error(int rc, std::string_view message) {
    const int primary = rc & 0xff;
    base::StatusCode code = base::StatusCode::kInternal;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      code = base::StatusCode::kAlreadyExists;
    } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      code = base::StatusCode::kAborted;
    } else if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_FULL ||
               primary == SQLITE_READONLY) {
      code = base::StatusCode::kUnavailable;
    } else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      code = base::StatusCode::kDataLoss;
    }
    return base::Status(code, fmt::format("sqlite: {}", message));
  }

  sqlite3* db_;
  RowsSource rows_;  // what the livercell_rows table reads
  bool rows_registered_ = false;
  bool bulk_cache_ = false;  // cache_size raised for bulk inserts
  // Looked up by the caller's string_view, without a copy.
  std::unordered_map<std::string, sqlite3_stmt*, base::StringHash, std::equal_to<>> statements_;
};

}  // namespace

base::Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    base::Status status(base::StatusCode::kUnavailable,
                        fmt::format("cannot open SQLite database: {}",
                                    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    status.SetPath(path);
    sqlite3_close_v2(db);
    return status;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);  // so a unique violation is told apart
  auto connection = std::make_unique<SqliteConnection>(db);
  // DESIGN.md §4: WAL, synchronous=FULL, foreign keys on. A new file gets 16 KiB pages (an
  // existing one keeps its own; the size must be set before WAL is): a million-lab import's
  // sorted insert takes a fifth less CPU than with SQLite's default 4 KiB (bench/README.md).
  base::Status pragmas = connection->ExecuteScript(
      "PRAGMA page_size=16384; "
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      // 4 MiB page cache (SQLite's default is 2): a server holds one connection per request in
      // flight, 32 by default, and the file's pages are in the OS's cache anyway; at 64 MiB
      // each the server's memory climbed with the audit trail (issue #23). Bulk inserts raise
      // their own connection's (InsertRows).
      "PRAGMA cache_size=-4096;");
  if (!pragmas.ok()) {
    pragmas.SetPath(path);
    return pragmas;
  }
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace livercell::storage::sql
