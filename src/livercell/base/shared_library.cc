#include "livercell/base/shared_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace livercell::base {

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname) {
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return Status(StatusCode::kUnavailable,
                  fmt::format("cannot load {}: {}", soname, reason != nullptr ? reason : "?"));
  }
  return SharedLibrary(handle, soname);
}

Result<void*> SharedLibrary::Symbol(const char* symbol) const {
  dlerror();
  void* address = dlsym(handle_, symbol);
  if (address == nullptr) {
    return Status(StatusCode::kUnavailable, fmt::format("{} has no {}", soname_, symbol));
  }
  return address;
}

}  // namespace livercell::base
