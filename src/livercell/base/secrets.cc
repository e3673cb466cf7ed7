#include "livercell/base/secrets.h"

#include <fmt/format.h>
#include <sodium.h>

#include <vector>

#include "livercell/base/check.h"

namespace livercell::base {
namespace {

void InitSodium() { LC_CHECK(sodium_init() >= 0) << "libsodium failed to initialise"; }

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  InitSodium();
  if (password.size() < kMinPasswordLength) {
    Status status(StatusCode::kInvalidArgument,
                  fmt::format("the password has {} characters; at least {} are required",
                              password.size(), kMinPasswordLength));
    status.SetPath("password");
    return status;
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status(StatusCode::kResourceExhausted,
                  "not enough memory to hash the password (Argon2id needs 64 MiB)");
  }
  return std::string(hash);
}

bool VerifyPassword(std::string_view password, std::string_view hash) {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string RandomHex(std::size_t bytes) {
  InitSodium();
  std::vector<unsigned char> random(bytes);
  randombytes_buf(random.data(), random.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
  hex.pop_back();
  return hex;
}

}  // namespace livercell::base
