#include "livercell/storage/migrations.h"

#include <fmt/format.h>

namespace livercell::storage {
namespace schema {
// Defined in the generated schema_sql.cc (cmake/EmbedFiles.cmake).
extern const char k_sqlite_0001_registry[];
extern const char k_postgres_0001_registry[];
extern const char k_sqlite_0002_accounts_audit[];
extern const char k_postgres_0002_accounts_audit[];
extern const char k_sqlite_0003_assessments[];
extern const char k_postgres_0003_assessments[];
extern const char k_sqlite_0004_plans_products[];
extern const char k_postgres_0004_plans_products[];
extern const char k_sqlite_0005_release_exceptions[];
extern const char k_postgres_0005_release_exceptions[];
extern const char k_sqlite_0006_labs_clustered[];
extern const char k_postgres_0006_labs_clustered[];
extern const char k_sqlite_0007_labs_deferred_patient_check[];
extern const char k_postgres_0007_labs_deferred_patient_check[];
extern const char k_sqlite_0008_labs_patient_checked_by_repository[];
extern const char k_postgres_0008_labs_patient_checked_by_repository[];
extern const char k_sqlite_0009_patient_names[];
extern const char k_postgres_0009_patient_names[];
extern const char k_sqlite_0010_corrections[];
extern const char k_postgres_0010_corrections[];
}  // namespace schema

namespace {

const Migration kMigrations[] = {
    {1, "registry", schema::k_sqlite_0001_registry, schema::k_postgres_0001_registry},
    {2, "accounts_audit", schema::k_sqlite_0002_accounts_audit,
     schema::k_postgres_0002_accounts_audit},
    {3, "assessments", schema::k_sqlite_0003_assessments, schema::k_postgres_0003_assessments},
    {4, "plans_products", schema::k_sqlite_0004_plans_products,
     schema::k_postgres_0004_plans_products},
    {5, "release_exceptions", schema::k_sqlite_0005_release_exceptions,
     schema::k_postgres_0005_release_exceptions},
    {6, "labs_clustered", schema::k_sqlite_0006_labs_clustered,
     schema::k_postgres_0006_labs_clustered},
    {7, "labs_deferred_patient_check", schema::k_sqlite_0007_labs_deferred_patient_check,
     schema::k_postgres_0007_labs_deferred_patient_check},
    {8, "labs_patient_checked_by_repository",
     schema::k_sqlite_0008_labs_patient_checked_by_repository,
     schema::k_postgres_0008_labs_patient_checked_by_repository},
    {9, "patient_names", schema::k_sqlite_0009_patient_names,
     schema::k_postgres_0009_patient_names},
    {10, "corrections", schema::k_sqlite_0010_corrections, schema::k_postgres_0010_corrections},
};

// An arbitrary constant identifying LiverCell's migration lock among advisory locks.
constexpr long long kMigrationLockKey = 0x4c6976657243656c;

base::Result<bool> HasVersionTable(sql::Connection& db) {
  const char* sql = db.dialect() == sql::Dialect::kSqlite
                        ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                          "'schema_migrations'"
                        : "SELECT count(*) FROM information_schema.tables WHERE table_name = "
                          "'schema_migrations' AND table_schema = current_schema()";
  std::int64_t count = 0;
  LC_RETURN_IF_ERROR(
      db.Execute(sql, {}, [&count](const sql::Row& row) { count = row.Int(0); }).status());
  return count > 0;
}

base::Status ApplyAll(sql::Connection& db, int* applied) {
  if (db.dialect() == sql::Dialect::kPostgres) {
    LC_RETURN_IF_ERROR(
        db.ExecuteScript(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLockKey)));
  }
  LC_RETURN_IF_ERROR(
      db.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                       "name TEXT NOT NULL, applied_at TEXT NOT NULL)"));
  LC_ASSIGN_OR_RETURN(const int current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        fmt::format("the database has schema version {}, newer than this "
                                    "livercell's {}: upgrade livercell",
                                    current, LatestSchemaVersion()));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    LC_RETURN_IF_ERROR(
        db.ExecuteScript(db.dialect() == sql::Dialect::kSqlite ? m.sqlite_sql : m.postgres_sql));
    const sql::Value params[] = {std::int64_t{m.version}, std::string(m.name)};
    LC_RETURN_IF_ERROR(
        db.Execute(db.dialect() == sql::Dialect::kSqlite
                       ? "INSERT INTO schema_migrations VALUES (?, ?, "
                         "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
                       : "INSERT INTO schema_migrations VALUES (?, ?, to_char(now() AT TIME ZONE "
                         "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                   params)
            .status());
    ++*applied;
  }
  return base::OkStatus();
}

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }
int LatestSchemaVersion() { return std::end(kMigrations)[-1].version; }

base::Result<int> SchemaVersion(sql::Connection& db) {
  LC_ASSIGN_OR_RETURN(const bool has_table, HasVersionTable(db));
  if (!has_table) return 0;
  std::int64_t version = 0;
  LC_RETURN_IF_ERROR(db.Execute("SELECT coalesce(max(version), 0) FROM schema_migrations", {},
                                [&version](const sql::Row& row) { version = row.Int(0); })
                         .status());
  return static_cast<int>(version);
}

base::Result<int> Migrate(sql::Connection& db) {
  LC_RETURN_IF_ERROR(db.Begin());
  int applied = 0;
  base::Status status = ApplyAll(db, &applied);
  if (!status.ok()) {
    (void)db.Rollback();
    return status;
  }
  LC_RETURN_IF_ERROR(db.Commit());
  return applied;
}

}  // namespace livercell::storage
