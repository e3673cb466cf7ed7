// Passwords and tokens through libsodium: Argon2id password hashes in libsodium's
// self-describing string form (algorithm, parameters and salt included, so the parameters can
// rise later without breaking stored hashes), and random tokens from the system's CSPRNG.
#ifndef LIVERCELL_BASE_SECRETS_H_
#define LIVERCELL_BASE_SECRETS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "livercell/base/result.h"

namespace livercell::base {

// Shortest password accepted (NIST SP 800-63B §5.1.1.2: at least 8 characters).
inline constexpr std::size_t kMinPasswordLength = 8;

// Argon2id hash of `password` (libsodium's "interactive" limits: about 64 MiB and 0.1 s).
// kInvalidArgument if it is shorter than kMinPasswordLength; kResourceExhausted if the
// machine cannot spare the memory.
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches `hash` (from HashPassword); false for any malformed hash.
bool VerifyPassword(std::string_view password, std::string_view hash);
// `bytes` random bytes as lowercase hex (2 × bytes characters).
std::string RandomHex(std::size_t bytes);

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_SECRETS_H_
