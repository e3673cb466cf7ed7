// Fresh, empty databases for the storage contract suite (STYLE.md C9): a SQLite file in a
// temporary directory, or a new database on the throwaway PostgreSQL server that
// tools/with-postgres starts (LIVERCELL_TEST_PG_URL). A missing PostgreSQL is a failure, not a
// skip: `make test` always provides one.
#ifndef LIVERCELL_TESTS_SUPPORT_TEST_DATABASES_H_
#define LIVERCELL_TESTS_SUPPORT_TEST_DATABASES_H_

#include <memory>
#include <string>

#include "run_process.h"

namespace livercell::testing {

class TestDatabase {
 public:
  // `backend` is "sqlite" or "postgres". Aborts the test (FAIL) if PostgreSQL is unavailable.
  explicit TestDatabase(const std::string& backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The --db URL of the empty database.
  const std::string& url() const { return url_; }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  std::string backend_;
  std::unique_ptr<TempDir> dir_;
  std::string url_;
  std::string pg_name_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace livercell::testing

#endif  // LIVERCELL_TESTS_SUPPORT_TEST_DATABASES_H_
