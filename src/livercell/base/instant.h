// UTC instants as LiverCell stores them: ISO 8601 with milliseconds and a Z
// ("2026-11-23T13:20:01.123Z"). Fixed width, so comparing the text compares the instants.
#ifndef LIVERCELL_BASE_INSTANT_H_
#define LIVERCELL_BASE_INSTANT_H_

#include <chrono>
#include <string>

namespace livercell::base {

using Instant = std::chrono::system_clock::time_point;

std::string FormatInstant(Instant instant);
inline std::string NowText() { return FormatInstant(std::chrono::system_clock::now()); }
// Now to the whole second: how clinical records (ClinicalTime) keep instants.
inline std::chrono::sys_seconds NowSeconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_INSTANT_H_
