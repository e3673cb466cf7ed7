#include "livercell/base/instant.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace livercell::base {

std::string FormatInstant(Instant instant) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(instant);
  const auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds,
                     static_cast<int>((ms - seconds).count()));
}

}  // namespace livercell::base
