#include "livercell/cli/error_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace livercell::cli {
namespace {

struct DetailToJson {
  nlohmann::json operator()(std::monostate) const { return nullptr; }
  nlohmann::json operator()(std::nullptr_t) const { return nullptr; }
  nlohmann::json operator()(bool value) const { return value; }
  nlohmann::json operator()(double value) const { return value; }
  nlohmann::json operator()(const std::string& value) const { return value; }
};

}  // namespace

nlohmann::json ErrorToJson(const base::Status& status) {
  nlohmann::json json = nlohmann::json::object();
  json["error"] = base::InfoOf(status.code()).name;
  json["path"] = std::string(status.path());
  json["value"] = std::visit(DetailToJson{}, status.value());
  json["allowed"] = std::string(status.allowed());
  json["message"] = status.ToString();
  if (!status.source().empty()) json["source"] = std::string(status.source());
  return json;
}

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
