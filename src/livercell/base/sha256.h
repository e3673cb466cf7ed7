// SHA-256 (FIPS 180-4) through libsodium, as lowercase hex: the identity of a file whose exact
// bytes matter (a candidacy protocol: an assessment records the hash of the one it used).
#ifndef LIVERCELL_BASE_SHA256_H_
#define LIVERCELL_BASE_SHA256_H_

#include <sodium.h>

#include <string>
#include <string_view>

namespace livercell::base {

std::string Sha256Hex(std::string_view bytes);
// HMAC-SHA-256 (RFC 2104) of `text` under `key` (any length), as lowercase hex.
std::string HmacSha256Hex(std::string_view key, std::string_view text);

// SHA-256 of bytes given in pieces (a file as it is read). Not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::string_view bytes);
  std::string FinalHex();  // once; the stream is spent after it

 private:
  crypto_hash_sha256_state state_;
};

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_SHA256_H_
