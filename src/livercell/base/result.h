// Result<T>: a T or the failed Status explaining why there is none (std::expected is C++23).
// Built implicitly from a T (success) or from a failed Status; value() on a failed Result is a
// programmer error (LC_CHECK). Value type; thread-compatible.
#ifndef LIVERCELL_BASE_RESULT_H_
#define LIVERCELL_BASE_RESULT_H_

#include <optional>
#include <utility>

#include "livercell/base/check.h"
#include "livercell/base/status.h"

namespace livercell::base {

template <typename T>
class Result {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design, like absl::StatusOr.
  Result(T value) : value_(std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {
    LC_CHECK(!status_.ok()) << "a Result built from a Status needs a failed Status";
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  const T& value() const& {
    LC_CHECK(ok()) << "value() of a failed Result: " << status_.ToString();
    return *value_;
  }
  T& value() & {
    LC_CHECK(ok()) << "value() of a failed Result: " << status_.ToString();
    return *value_;
  }
  T value() && {
    LC_CHECK(ok()) << "value() of a failed Result: " << status_.ToString();
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_RESULT_H_
