#include "livercell/cli/error_output.h"

#include <fmt/format.h>

#include <algorithm>

namespace livercell::cli {
void PrintErrors(std::span<const base::Status> errors, Format format, std::FILE* stream) {
  for (const base::Status& error : errors) {
    if (format == Format::kJson) {
      const std::string line =
          ErrorToJson(error).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      fmt::print(stream, "{}\n", line);
    } else {
      fmt::print(stream, "error: {}\n", error.ToString());
    }
  }
}

int ExitCodeFor(std::span<const base::Status> errors) {
  int exit_code = 0;
  for (const base::Status& error : errors) {
    exit_code = std::max(exit_code, base::InfoOf(error.code()).exit_code);
  }
  return exit_code;
}

}  // namespace livercell::cli
