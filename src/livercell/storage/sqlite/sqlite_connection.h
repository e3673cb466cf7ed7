// The SQLite driver: WAL journal, synchronous=FULL (nothing acknowledged is lost), foreign
// keys on, a 5 s busy timeout, and a cache of prepared statements keyed by SQL text.
#ifndef LIVERCELL_STORAGE_SQLITE_SQLITE_CONNECTION_H_
#define LIVERCELL_STORAGE_SQLITE_SQLITE_CONNECTION_H_

#include <memory>
#include <string>

#include "livercell/storage/sql/connection.h"

namespace livercell::storage::sql {

// Opens (creating if needed, with its parent folder) the database file at `path`.
base::Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path);

}  // namespace livercell::storage::sql

#endif  // LIVERCELL_STORAGE_SQLITE_SQLITE_CONNECTION_H_
