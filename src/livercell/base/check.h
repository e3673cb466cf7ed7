// LC_CHECK(cond) << why; — for programmer errors only (a broken invariant, never user input).
// On failure prints file, line, the condition and the streamed explanation to stderr, then
// aborts. Thread-safe.
#ifndef LIVERCELL_BASE_CHECK_H_
#define LIVERCELL_BASE_CHECK_H_

#include <sstream>

namespace livercell::base::internal {

// Collects the message of a failed check; its destructor prints it and aborts.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

}  // namespace livercell::base::internal

#define LC_CHECK(cond)           \
  if (static_cast<bool>(cond)) { \
  } else                         \
    ::livercell::base::internal::CheckFailure(__FILE__, __LINE__, #cond).stream()

#endif  // LIVERCELL_BASE_CHECK_H_
