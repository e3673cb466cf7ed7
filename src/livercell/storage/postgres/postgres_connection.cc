#include "livercell/storage/postgres/postgres_connection.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "livercell/storage/postgres/libpq.h"

namespace livercell::storage::sql {
namespace {

class PostgresRow final : public Row {
 public:
  PostgresRow(PGresult* result, int row) : result_(result), row_(row) {}
  bool IsNull(int c) const override { return Pq().PQgetisnull(result_, row_, c) != 0; }
  std::int64_t Int(int c) const override {
    const char* text = Pq().PQgetvalue(result_, row_, c);
    std::int64_t value = 0;
    std::from_chars(text, text + std::strlen(text), value);
    return value;
  }
  double Double(int c) const override {
    return std::strtod(Pq().PQgetvalue(result_, row_, c), nullptr);
  }
  std::string Text(int c) const override {
    return std::string(Pq().PQgetvalue(result_, row_, c),
                       static_cast<std::size_t>(Pq().PQgetlength(result_, row_, c)));
  }

 private:
  PGresult* result_;
  int row_;
};

base::Status ErrorOf(PGconn* conn, PGresult* result) {
  const char* state = result ? Pq().PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  base::StatusCode code = base::StatusCode::kInternal;
  if (sqlstate == "23505") {
    code = base::StatusCode::kAlreadyExists;
  } else if (sqlstate == "40001" || sqlstate == "40P01") {
    code = base::StatusCode::kAborted;
  } else if (sqlstate.rfind("08", 0) == 0 || Pq().PQstatus(conn) != CONNECTION_OK) {
    code = base::StatusCode::kUnavailable;
  }
  std::string message = result ? Pq().PQresultErrorMessage(result) : Pq().PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return base::Status(code, fmt::format("postgresql: {}{}", message,
                                        sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")"));
}

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { Pq().PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  base::Status ExecuteScript(std::string_view sql) override {
    PGresult* result = Pq().PQexec(conn_, std::string(sql).c_str());
    const ExecStatusType st = Pq().PQresultStatus(result);
    base::Status status = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
                              ? base::OkStatus()
                              : ErrorOf(conn_, result);
    Pq().PQclear(result);
    return status;
  }

  base::Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params,
                                     const RowCallback& on_row) override {
    auto it = rewritten_.find(std::string(sql));
    if (it == rewritten_.end()) {
      it = rewritten_.emplace(std::string(sql), RewritePlaceholders(sql)).first;
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        texts[i] = fmt::format("{}", *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = fmt::format("{}", *d);  // shortest round-trip
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        texts[i] = *s;
      } else if (const auto* t = std::get_if<TextView>(&v)) {
        texts[i] = t->text;
      }
      values[i] = std::holds_alternative<std::monostate>(v) ? nullptr : texts[i].c_str();
    }
    PGresult* result = Pq().PQexecParams(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                         nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = Pq().PQresultStatus(result);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      base::Status status = ErrorOf(conn_, result);
      Pq().PQclear(result);
      return status;
    }
    if (on_row) {
      const int rows = Pq().PQntuples(result);
      for (int r = 0; r < rows; ++r) on_row(PostgresRow(result, r));
    }
    const char* affected = Pq().PQcmdTuples(result);
    const std::int64_t changed = affected && *affected ? std::strtoll(affected, nullptr, 10) : 0;
    Pq().PQclear(result);
    return changed;
  }

  base::Status Begin() override { return ExecuteScript("BEGIN ISOLATION LEVEL SERIALIZABLE"); }
  base::Status Commit() override { return ExecuteScript("COMMIT"); }
  base::Status Rollback() override { return ExecuteScript("ROLLBACK"); }

 private:
  PGconn* conn_;
  std::unordered_map<std::string, std::string> rewritten_;
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      out += fmt::format("${}", ++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

base::Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri) {
  LC_RETURN_IF_ERROR(LoadLibPq().status());
  PGconn* conn = Pq().PQconnectdb(uri.c_str());
  if (Pq().PQstatus(conn) != CONNECTION_OK) {
    std::string message = Pq().PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    Pq().PQfinish(conn);
    base::Status status(base::StatusCode::kUnavailable,
                        fmt::format("cannot connect to PostgreSQL: {}", message));
    status.SetPath("--db");
    return status;
  }
  Pq().PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // no NOTICE chatter on stderr
  return std::unique_ptr<Connection>(std::make_unique<PostgresConnection>(conn));
}

}  // namespace livercell::storage::sql
