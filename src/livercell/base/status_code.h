// The one table of error codes (STYLE.md C3). The CLI's exit statuses, the server's HTTP
// statuses, `livercell errors` and docs/errors.md are all derived from kStatusCodes; none of
// them is written by hand anywhere else.
//
// The codes are a subset of Abseil's canonical set. Thread-safe: constant data only.
#ifndef LIVERCELL_BASE_STATUS_CODE_H_
#define LIVERCELL_BASE_STATUS_CODE_H_

#include <array>
#include <optional>
#include <string_view>

namespace livercell::base {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kOutOfRange,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kDataLoss,
  kUnavailable,
  kUnimplemented,
  kInternal,
};

// One row of the table: the code, its snake_case name (used in JSON error objects), the HTTP
// status the server answers with, the CLI exit status (specs/cli.md: 0 ok, 1 internal,
// 2 bad input, 3 verification failed) and a one-line description for users.
struct StatusCodeInfo {
  StatusCode code;
  std::string_view name;
  int http_status;
  int exit_code;
  std::string_view description;
};

inline constexpr std::array<StatusCodeInfo, 14> kStatusCodes = {{
    {StatusCode::kOk, "ok", 200, 0, "success"},
    {StatusCode::kInvalidArgument, "invalid_argument", 400, 2,
     "the input is malformed, of the wrong type, or names an unknown unit or value"},
    {StatusCode::kOutOfRange, "out_of_range", 422, 2,
     "a value is well-formed but outside its allowed or plausible range"},
    {StatusCode::kNotFound, "not_found", 404, 2,
     "the named file, record or resource does not exist"},
    {StatusCode::kAlreadyExists, "already_exists", 409, 2, "the record to create already exists"},
    {StatusCode::kFailedPrecondition, "failed_precondition", 412, 2,
     "the system is not in the state the request needs (e.g. a stale version)"},
    {StatusCode::kAborted, "aborted", 409, 1, "a concurrent change aborted the operation; retry"},
    {StatusCode::kPermissionDenied, "permission_denied", 403, 2,
     "the caller's role may not do this"},
    {StatusCode::kUnauthenticated, "unauthenticated", 401, 2, "no valid session or credentials"},
    {StatusCode::kResourceExhausted, "resource_exhausted", 429, 1,
     "too many attempts (an account locked after failed log-ins) or too little memory; retry "
     "later"},
    {StatusCode::kDataLoss, "data_loss", 500, 3,
     "a verification failed: stored data is corrupt or was tampered with"},
    {StatusCode::kUnavailable, "unavailable", 503, 1,
     "a resource (database, file system) is unreachable; retry later"},
    {StatusCode::kUnimplemented, "unimplemented", 501, 1, "this operation is not implemented"},
    {StatusCode::kInternal, "internal", 500, 1, "an internal error (a bug): please report it"},
}};

// Returns the table row of `code`. Every enumerator has exactly one row (checked by a test).
const StatusCodeInfo& InfoOf(StatusCode code);

// Finds a code by its snake_case name ("out_of_range"); nullopt if there is none.
std::optional<StatusCode> StatusCodeFromName(std::string_view name);

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_STATUS_CODE_H_
