// A system library opened on first use (dlopen) instead of at program start, for the heavy
// dependencies only some commands need: every library named in the executable is loaded and
// relocated before main() runs, which for libpq, libical and libzint and what they pull in
// (Kerberos, LDAP, GnuTLS, ICU, libpng: about thirty libraries) costs each `livercell` command
// tens of milliseconds, while most commands use none of them (bench/README.md).
#ifndef LIVERCELL_BASE_SHARED_LIBRARY_H_
#define LIVERCELL_BASE_SHARED_LIBRARY_H_

#include <string>

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

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_SHARED_LIBRARY_H_
