#include "livercell/storage/postgres/libpq.h"

#include "livercell/base/check.h"
#include "livercell/base/shared_library.h"

namespace livercell::storage::sql {
namespace {

base::Result<LibPq> Bind() {
  auto library = base::SharedLibrary::Open("libpq.so.5");
  if (!library.ok()) {
    base::Status status(base::StatusCode::kUnavailable,
                        std::string(library.status().message()) +
                            " (PostgreSQL needs libpq: apt-get install libpq5)");
    status.SetPath("--db");
    return status;
  }
  const base::SharedLibrary& lib = library.value();
  LibPq pq;
  LC_RETURN_IF_ERROR(lib.Bind("PQconnectdb", &pq.connectdb));
  LC_RETURN_IF_ERROR(lib.Bind("PQstatus", &pq.status));
  LC_RETURN_IF_ERROR(lib.Bind("PQerrorMessage", &pq.errorMessage));
  LC_RETURN_IF_ERROR(lib.Bind("PQfinish", &pq.finish));
  LC_RETURN_IF_ERROR(lib.Bind("PQsetNoticeProcessor", &pq.setNoticeProcessor));
  LC_RETURN_IF_ERROR(lib.Bind("PQexec", &pq.exec));
  LC_RETURN_IF_ERROR(lib.Bind("PQexecParams", &pq.execParams));
  LC_RETURN_IF_ERROR(lib.Bind("PQresultStatus", &pq.resultStatus));
  LC_RETURN_IF_ERROR(lib.Bind("PQresultErrorField", &pq.resultErrorField));
  LC_RETURN_IF_ERROR(lib.Bind("PQresultErrorMessage", &pq.resultErrorMessage));
  LC_RETURN_IF_ERROR(lib.Bind("PQntuples", &pq.ntuples));
  LC_RETURN_IF_ERROR(lib.Bind("PQgetisnull", &pq.getisnull));
  LC_RETURN_IF_ERROR(lib.Bind("PQgetvalue", &pq.getvalue));
  LC_RETURN_IF_ERROR(lib.Bind("PQgetlength", &pq.getlength));
  LC_RETURN_IF_ERROR(lib.Bind("PQcmdTuples", &pq.cmdTuples));
  LC_RETURN_IF_ERROR(lib.Bind("PQclear", &pq.clear));
  return pq;
}

}  // namespace

base::Result<const LibPq*> LoadLibPq() {
  static const base::Result<LibPq> loaded = Bind();
  if (!loaded.ok()) return loaded.status();
  return &loaded.value();
}

const LibPq& Pq() {
  const base::Result<const LibPq*> loaded = LoadLibPq();
  LC_CHECK(loaded.ok());
  return *loaded.value();
}

}  // namespace livercell::storage::sql
