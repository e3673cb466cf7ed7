// A system library opened on first use (dlopen) instead of at program start, for the heavy
// dependencies only some commands need: every library named in the executable is loaded and
// relocated before main() runs, which for libpq, libical and libzint and what they pull in
// (Kerberos, LDAP, GnuTLS, ICU, libpng: about thirty libraries) costs each `livercell` command
// tens of milliseconds, while most commands use none of them (bench/README.md).
#ifndef LIVERCELL_BASE_SHARED_LIBRARY_H_
#define LIVERCELL_BASE_SHARED_LIBRARY_H_

#include <string>
#include <utility>

#include "livercell/base/result.h"

namespace livercell::base {

class SharedLibrary {
 public:
  // Opens `soname` (e.g. "libpq.so.5"), resolving every symbol now; never closed (the
  // functions taken from it stay valid for the life of the process). kUnavailable naming the
  // library and the loader's reason when it is not installed.
  static Result<SharedLibrary> Open(const std::string& soname);

  // Sets *function to the library's `symbol`; kUnavailable naming both when it is missing.
  template <typename F>
  Status Bind(const char* symbol, F** function) const {
    LC_ASSIGN_OR_RETURN(void* address, Symbol(symbol));
    *function = reinterpret_cast<F*>(address);
    return OkStatus();
  }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  Result<void*> Symbol(const char* symbol) const;

  void* handle_;
  std::string soname_;
};

// The table of functions bind(library, table) takes from `soname`, bound on the first call
// (thread-safe) and kept for the life of the process; later calls return the same table, or
// the same error (kUnavailable, naming the Debian `package` to install). One call site per
// Table and Bind.
template <typename Table, typename Bind>
Result<const Table*> BindOnce(const char* soname, const char* package, Bind bind) {
  static const Result<Table> bound = [&]() -> Result<Table> {
    auto library = SharedLibrary::Open(soname);
    if (!library.ok()) {
      return Status(StatusCode::kUnavailable,
                    std::string(library.status().message()) + " (apt-get install " + package + ")");
    }
    Table table;
    LC_RETURN_IF_ERROR(bind(library.value(), table));
    return table;
  }();
  if (!bound.ok()) return bound.status();
  return &bound.value();
}

}  // namespace livercell::base

// Binds `table.name` to the symbol `name` of `library` (a SharedLibrary), returning its error:
// tables of a library's functions keep the functions' own names.
#define LC_BIND_SYMBOL(library, table, name) \
  LC_RETURN_IF_ERROR((library).Bind(#name, &(table).name))

#endif  // LIVERCELL_BASE_SHARED_LIBRARY_H_
