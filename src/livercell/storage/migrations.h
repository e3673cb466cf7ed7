// Numbered schema migrations, embedded in the binary (STYLE.md C8). A database's version is
// the highest migration applied, recorded in schema_migrations. Migrations run in one
// transaction each; on PostgreSQL under an advisory lock, so two processes never migrate at once.
#ifndef LIVERCELL_STORAGE_MIGRATIONS_H_
#define LIVERCELL_STORAGE_MIGRATIONS_H_

#include <span>
#include <string_view>

#include "livercell/base/result.h"
#include "livercell/storage/sql/connection.h"

namespace livercell::storage {

struct Migration {
  int version;
  std::string_view name;
  const char* sqlite_sql;
  const char* postgres_sql;
};

std::span<const Migration> AllMigrations();
// The version this binary expects (the last migration's).
int LatestSchemaVersion();
// The database's version; 0 for an empty database.
base::Result<int> SchemaVersion(sql::Connection& db);
// Applies every pending migration; returns how many were applied. kFailedPrecondition if the
// database is newer than this binary.
base::Result<int> Migrate(sql::Connection& db);

}  // namespace livercell::storage

#endif  // LIVERCELL_STORAGE_MIGRATIONS_H_
