// libpq's functions, taken from libpq.so.5 when the first PostgreSQL connection is opened
// rather than linked (base/shared_library.h: libpq brings some twenty libraries that every
// other command would pay for at start). Internal to storage/postgres.
#ifndef LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_
#define LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_

#include <libpq-fe.h>

#include "livercell/base/result.h"

namespace livercell::storage::sql {

// The functions LiverCell calls.
struct LibPq {
  decltype(&::PQconnectdb) PQconnectdb = nullptr;
  decltype(&::PQstatus) PQstatus = nullptr;
  decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
  decltype(&::PQfinish) PQfinish = nullptr;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor = nullptr;
  decltype(&::PQexec) PQexec = nullptr;
  decltype(&::PQexecParams) PQexecParams = nullptr;
  decltype(&::PQresultStatus) PQresultStatus = nullptr;
  decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
  decltype(&::PQntuples) PQntuples = nullptr;
  decltype(&::PQgetisnull) PQgetisnull = nullptr;
  decltype(&::PQgetvalue) PQgetvalue = nullptr;
  decltype(&::PQgetlength) PQgetlength = nullptr;
  decltype(&::PQcmdTuples) PQcmdTuples = nullptr;
  decltype(&::PQclear) PQclear = nullptr;
};

// Loads libpq once (thread-safe); kUnavailable, saying how to install it, when it is missing.
base::Result<const LibPq*> LoadLibPq();

// The loaded functions; only after LoadLibPq() has succeeded (a connection exists).
const LibPq& Pq();

}  // namespace livercell::storage::sql

#endif  // LIVERCELL_STORAGE_POSTGRES_LIBPQ_H_
