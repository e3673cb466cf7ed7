#include <fmt/format.h>

#include "livercell/storage/postgres/postgres_connection.h"
#include "livercell/storage/sql/connection.h"
#include "livercell/storage/sqlite/sqlite_connection.h"

namespace livercell::storage::sql {

base::Result<std::unique_ptr<Connection>> Open(std::string_view url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(std::string(url));
  }
  if (url.rfind("sqlite:", 0) == 0) url.remove_prefix(7);
  if (url.empty() || url.find("://") != std::string_view::npos) {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "\"{}\" is not a database URL (use sqlite:PATH, a file path, or postgresql://…)", url));
    status.SetPath("--db").SetValue(std::string(url));
    return status;
  }
  return OpenSqlite(std::string(url));
}

}  // namespace livercell::storage::sql
