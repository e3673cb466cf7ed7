#include "livercell/base/status_code.h"

#include "livercell/base/check.h"

namespace livercell::base {

const StatusCodeInfo& InfoOf(StatusCode code) {
  for (const StatusCodeInfo& info : kStatusCodes) {
    if (info.code == code) return info;
  }
  LC_CHECK(false) << "status code " << static_cast<int>(code) << " has no row in kStatusCodes";
  return kStatusCodes.back();  // Unreachable: LC_CHECK aborts.
}

std::optional<StatusCode> StatusCodeFromName(std::string_view name) {
  for (const StatusCodeInfo& info : kStatusCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

}  // namespace livercell::base
