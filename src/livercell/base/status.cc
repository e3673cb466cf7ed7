#include "livercell/base/status.h"

#include <utility>

#include "livercell/base/check.h"

namespace livercell::base {
namespace {

const DetailValue kNoValue{};

}  // namespace

Status::Status(StatusCode code, std::string message) {
  LC_CHECK(code != StatusCode::kOk) << "a failed Status needs a code other than kOk";
  rep_ = std::make_unique<Rep>(Rep{code, std::move(message), {}, {}, {}, {}});
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

StatusCode Status::code() const { return rep_ ? rep_->code : StatusCode::kOk; }
std::string_view Status::message() const { return rep_ ? rep_->message : std::string_view(); }
std::string_view Status::path() const { return rep_ ? rep_->path : std::string_view(); }
const DetailValue& Status::value() const { return rep_ ? rep_->value : kNoValue; }
std::string_view Status::allowed() const { return rep_ ? rep_->allowed : std::string_view(); }
std::string_view Status::source() const { return rep_ ? rep_->source : std::string_view(); }

Status& Status::SetPath(std::string path) {
  LC_CHECK(rep_) << "detail set on an ok Status";
  rep_->path = std::move(path);
  return *this;
}

Status& Status::SetValue(DetailValue value) {
  LC_CHECK(rep_) << "detail set on an ok Status";
  rep_->value = std::move(value);
  return *this;
}

Status& Status::SetAllowed(std::string allowed) {
  LC_CHECK(rep_) << "detail set on an ok Status";
  rep_->allowed = std::move(allowed);
  return *this;
}

Status& Status::SetSource(std::string source) {
  LC_CHECK(rep_) << "detail set on an ok Status";
  rep_->source = std::move(source);
  return *this;
}

Status& Status::PrefixPath(std::string_view parent) {
  LC_CHECK(rep_) << "path prefixed on an ok Status";
  if (parent.empty()) return *this;
  std::string joined(parent);
  if (!rep_->path.empty()) {
    if (rep_->path.front() != '[') joined += '.';
    joined += rep_->path;
  }
  rep_->path = std::move(joined);
  return *this;
}

std::string Status::ToString() const {
  if (!rep_) return "ok";
  if (rep_->path.empty()) return rep_->message;
  return rep_->path + ": " + rep_->message;
}

Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
Status OutOfRangeError(std::string message) {
  return Status(StatusCode::kOutOfRange, std::move(message));
}
Status NotFoundError(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

}  // namespace livercell::base
