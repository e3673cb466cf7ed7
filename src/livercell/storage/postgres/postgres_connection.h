// The PostgreSQL driver (libpq): `?` placeholders rewritten to $1…$n, parameters sent as
// text, transactions SERIALIZABLE (a serialisation failure surfaces as kAborted so the
// repository retries the whole transaction).
#ifndef LIVERCELL_STORAGE_POSTGRES_POSTGRES_CONNECTION_H_
#define LIVERCELL_STORAGE_POSTGRES_POSTGRES_CONNECTION_H_

#include <memory>
#include <string>

#include "livercell/storage/sql/connection.h"

namespace livercell::storage::sql {

// Connects with a libpq connection URI ("postgresql://user@host/db?host=/socket/dir").
base::Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri);

// "INSERT … VALUES (?, ?)" → "INSERT … VALUES ($1, $2)", leaving quoted text alone.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace livercell::storage::sql

#endif  // LIVERCELL_STORAGE_POSTGRES_POSTGRES_CONNECTION_H_
