#include "livercell/server/problem.h"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "livercell/base/status_code.h"
#include "livercell/formats/records_json.h"

namespace livercell::server {
namespace {

using nlohmann::json;

std::string TypeOf(std::string_view name) {
  return fmt::format("/api/v1/openapi.json#/components/schemas/Problem/{}", name);
}

}  // namespace

std::string ProblemBody(const base::Status& status, const std::string& instance,
                        const std::string& request_id) {
  const base::StatusCodeInfo& info = base::InfoOf(status.code());
  json body = formats::ErrorToJson(status);
  body["type"] = TypeOf(info.name);
  body["title"] = info.description;
  body["status"] = info.http_status;
  body["detail"] = status.ToString();
  body["instance"] = instance;
  if (!request_id.empty()) body["request_id"] = request_id;
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string MethodNotAllowedBody(const std::string& detail, const std::string& instance) {
  const json body = {{"type", TypeOf("method_not_allowed")},
                     {"title", "the resource does not take this method"},
                     {"status", 405},
                     {"error", "method_not_allowed"},
                     {"detail", detail},
                     {"message", detail},
                     {"instance", instance}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

base::Status PublicStatus(const base::Status& status, const std::string& request_id) {
  const std::string_view message = status.message();
  const bool from_database =
      message.starts_with("sqlite: ") || message.starts_with("postgresql: ");
  const base::StatusCode code = status.code();
  const bool internal = code == base::StatusCode::kInternal ||
                        code == base::StatusCode::kUnavailable ||
                        code == base::StatusCode::kDataLoss;
  if (!from_database && !internal) return status;
  fmt::print(stderr, "request {}: {}\n", request_id, status.ToString());
  if (code == base::StatusCode::kAlreadyExists) {
    return base::Status(code, "a record with the same identifying values is already stored");
  }
  return base::Status(code, fmt::format("the registry could not complete the request (the "
                                        "server's log has the details under request id {})",
                                        request_id));
}

}  // namespace livercell::server
