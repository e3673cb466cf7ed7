// SHA-256 (FIPS 180-4) through libsodium, as lowercase hex: the identity of a file whose exact
// bytes matter (a candidacy protocol: an assessment records the hash of the one it used).
#ifndef LIVERCELL_BASE_SHA256_H_
#define LIVERCELL_BASE_SHA256_H_

#include <string>
#include <string_view>

namespace livercell::base {

std::string Sha256Hex(std::string_view bytes);

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_SHA256_H_
