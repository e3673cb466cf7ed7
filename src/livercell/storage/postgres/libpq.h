// libpq's functions, taken from libpq.so.5 when the first PostgreSQL connection is opened
// rather than linked (base/shared_library.h: libpq brings some twenty libraries that every
// other command would pay for at start). Internal to storage/postgres.
#ifndef LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_
#define LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_

#include <libpq-fe.h>

#include "livercell/base/result.h"

namespace livercell::storage::sql {

// The functions LiverCell calls, named as in libpq without the "PQ".
struct LibPq {
  decltype(&::PQconnectdb) connectdb = nullptr;
  decltype(&::PQstatus) status = nullptr;
  decltype(&::PQerrorMessage) errorMessage = nullptr;
  decltype(&::PQfinish) finish = nullptr;
  decltype(&::PQsetNoticeProcessor) setNoticeProcessor = nullptr;
  decltype(&::PQexec) exec = nullptr;
  decltype(&::PQexecParams) execParams = nullptr;
  decltype(&::PQresultStatus) resultStatus = nullptr;
  decltype(&::PQresultErrorField) resultErrorField = nullptr;
  decltype(&::PQresultErrorMessage) resultErrorMessage = nullptr;
  decltype(&::PQntuples) ntuples = nullptr;
  decltype(&::PQgetisnull) getisnull = nullptr;
  decltype(&::PQgetvalue) getvalue = nullptr;
  decltype(&::PQgetlength) getlength = nullptr;
  decltype(&::PQcmdTuples) cmdTuples = nullptr;
  decltype(&::PQclear) clear = nullptr;
};

// Loads libpq once (thread-safe); kUnavailable, saying how to install it, when it is missing.
base::Result<const LibPq*> LoadLibPq();

// The loaded functions; only after LoadLibPq() has succeeded (a connection exists).
const LibPq& Pq();

}  // namespace livercell::storage::sql

#endif  // LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_
