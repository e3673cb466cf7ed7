// Status: the outcome of an operation that can fail because of its input, its data or the
// environment (STYLE.md C2). An ok Status costs one null pointer; a failed one carries a code
// from status_code.h, a message, and structured detail:
//   path    where the problem is: a JSON path ("labs.bilirubin.value") or a file location
//           ("line 12, column \"unit\"");
//   value   the offending value as received (number, string, bool, null);
//   allowed what would have been accepted ("0.1–100 mg/dL", "mg/dL or umol/L");
//   source  the publication behind a threshold, where one applies.
// ToString() renders "path: message", the form the CLI prints after "error: ".
//
// Status is a value type: copyable, movable, not thread-safe for concurrent mutation.
#ifndef LIVERCELL_BASE_STATUS_H_
#define LIVERCELL_BASE_STATUS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "livercell/base/status_code.h"

namespace livercell::base {

// The offending value of a failed Status. monostate = none recorded; nullptr_t = JSON null.
using DetailValue = std::variant<std::monostate, std::nullptr_t, bool, double, std::string>;

class Status {
 public:
  // An ok status.
  Status() = default;
  // A failed status; `code` must not be kOk.
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const;
  // Empty for an ok status.
  std::string_view message() const;
  std::string_view path() const;
  const DetailValue& value() const;
  std::string_view allowed() const;
  std::string_view source() const;

  // Builders for the detail; each requires !ok() and returns *this for chaining.
  Status& SetPath(std::string path);
  Status& SetValue(DetailValue value);
  Status& SetAllowed(std::string allowed);
  Status& SetSource(std::string source);
  // Prepends a parent to the path: "value" under "labs.bilirubin" → "labs.bilirubin.value".
  // A path that starts with "[" (an array index) is joined without a dot.
  Status& PrefixPath(std::string_view parent);

  // "path: message", or just "message" when there is no path; "ok" for an ok status.
  std::string ToString() const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
    std::string path;
    DetailValue value;
    std::string allowed;
    std::string source;
  };
  std::unique_ptr<Rep> rep_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status OutOfRangeError(std::string message);
Status NotFoundError(std::string message);
Status InternalError(std::string message);

}  // namespace livercell::base

// Propagation helpers (the only two, STYLE.md C2). Their locals are named per expansion
// (__COUNTER__), so one may be used inside a lambda passed to another.
#define LC_STATUS_CONCAT_INNER_(a, b) a##b
#define LC_STATUS_CONCAT_(a, b) LC_STATUS_CONCAT_INNER_(a, b)

#define LC_RETURN_IF_ERROR(expr) \
  LC_RETURN_IF_ERROR_IMPL_(LC_STATUS_CONCAT_(lc_status_, __COUNTER__), expr)
#define LC_RETURN_IF_ERROR_IMPL_(status, expr) \
  do {                                         \
    ::livercell::base::Status status = (expr); \
    if (!status.ok()) return status;           \
  } while (false)

#define LC_ASSIGN_OR_RETURN(lhs, expr) \
  LC_ASSIGN_OR_RETURN_IMPL_(LC_STATUS_CONCAT_(lc_result_, __COUNTER__), lhs, expr)
#define LC_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr)   \
  auto result = (expr);                                \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()

#endif  // LIVERCELL_BASE_STATUS_H_
