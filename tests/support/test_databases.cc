#include "test_databases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "livercell/storage/sql/connection.h"

namespace livercell::testing {
namespace {

std::atomic<int> next_database{0};

// LIVERCELL_TEST_PG_URL is "postgresql:///postgres?host=…&user=…": swap the database name.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const std::string marker = "/postgres?";
  const std::size_t at = url.find(marker);
  if (at == std::string::npos) return url;
  return url.substr(0, at) + "/" + name + "?" + url.substr(at + marker.size());
}

}  // namespace

TestDatabase::TestDatabase(const std::string& backend) : backend_(backend) {
  if (backend == "sqlite") {
    // A SQLite registry's key lies beside it: no key named by an earlier PostgreSQL test.
    unsetenv("LIVERCELL_AUDIT_KEY_FILE");
    dir_ = std::make_unique<TempDir>();
    url_ = "sqlite:" + dir_->File("registry.db");
    ok_ = true;
    return;
  }
  const char* admin_url = std::getenv("LIVERCELL_TEST_PG_URL");
  if (admin_url == nullptr) {
    error_ =
        "LIVERCELL_TEST_PG_URL is not set: run the tests with `make test` (tools/with-postgres)";
    return;
  }
  pg_name_ = fmt::format("lc_test_{}_{}", getpid(), next_database++);
  auto admin = storage::sql::Open(admin_url);
  if (!admin.ok()) {
    error_ = admin.status().ToString();
    return;
  }
  base::Status created = admin.value()->ExecuteScript("CREATE DATABASE " + pg_name_);
  if (!created.ok()) {
    error_ = created.ToString();
    return;
  }
  url_ = WithDatabase(admin_url, pg_name_);
  // A PostgreSQL registry's audit key is named (access/audit_key.h): one per test database,
  // in this process's environment so that the livercell processes it starts find it too.
  dir_ = std::make_unique<TempDir>();
  setenv("LIVERCELL_AUDIT_KEY_FILE", dir_->File(pg_name_ + ".audit-key").c_str(), 1);
  ok_ = true;
}

TestDatabase::~TestDatabase() {
  if (pg_name_.empty() || !ok_) return;
  unsetenv("LIVERCELL_AUDIT_KEY_FILE");  // its folder goes with this object
  const char* admin_url = std::getenv("LIVERCELL_TEST_PG_URL");
  auto admin = storage::sql::Open(admin_url);
  if (admin.ok())
    (void)admin.value()->ExecuteScript("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
}

}  // namespace livercell::testing
