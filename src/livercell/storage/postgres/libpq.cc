#include "livercell/storage/postgres/libpq.h"

#include "livercell/base/check.h"
#include "livercell/base/shared_library.h"

namespace livercell::storage::sql {

base::Result<const LibPq*> LoadLibPq() {
  auto loaded = base::BindOnce<LibPq>(
      "libpq.so.5", "libpq5", [](const base::SharedLibrary& lib, LibPq& pq) -> base::Status {
        LC_BIND_SYMBOL(lib, pq, PQconnectdb);
        LC_BIND_SYMBOL(lib, pq, PQstatus);
        LC_BIND_SYMBOL(lib, pq, PQerrorMessage);
        LC_BIND_SYMBOL(lib, pq, PQfinish);
        LC_BIND_SYMBOL(lib, pq, PQsetNoticeProcessor);
        LC_BIND_SYMBOL(lib, pq, PQexec);
        LC_BIND_SYMBOL(lib, pq, PQexecParams);
        LC_BIND_SYMBOL(lib, pq, PQresultStatus);
        LC_BIND_SYMBOL(lib, pq, PQresultErrorField);
        LC_BIND_SYMBOL(lib, pq, PQresultErrorMessage);
        LC_BIND_SYMBOL(lib, pq, PQntuples);
        LC_BIND_SYMBOL(lib, pq, PQgetisnull);
        LC_BIND_SYMBOL(lib, pq, PQgetvalue);
        LC_BIND_SYMBOL(lib, pq, PQgetlength);
        LC_BIND_SYMBOL(lib, pq, PQcmdTuples);
        LC_BIND_SYMBOL(lib, pq, PQclear);
        return base::OkStatus();
      });
  if (loaded.ok()) return loaded;
  base::Status status = loaded.status();
  status.SetPath("--db");
  return status;
}

const LibPq& Pq() {
  const base::Result<const LibPq*> loaded = LoadLibPq();
  LC_CHECK(loaded.ok());
  return *loaded.value();
}

}  // namespace livercell::storage::sql
