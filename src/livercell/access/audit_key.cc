#include "livercell/access/audit_key.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "livercell/base/check.h"
#include "livercell/base/sha256.h"

namespace livercell::access {
namespace {

base::Status KeyError(base::StatusCode code, const std::string& path, std::string message) {
  base::Status status(code, std::move(message));
  status.SetPath("--audit-key").SetValue(path);
  return status;
}

}  // namespace

base::Result<AuditKey> AuditKey::Load(const std::string& path, bool create) {
  LC_CHECK(sodium_init() >= 0) << "libsodium failed to initialise";
  AuditKey key;
  key.path_ = path;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    randombytes_buf(key.bytes_.data(), key.bytes_.size());
    std::string hex(key.bytes_.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), key.bytes_.data(), key.bytes_.size());
    hex.back() = '\n';
    // O_EXCL: two processes creating it at once agree on the winner's key.
    const int out = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out >= 0) {
      const bool written = write(out, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
      const bool synced = fsync(out) == 0;
      close(out);
      if (!written || !synced) {
        return KeyError(base::StatusCode::kUnavailable, path, "cannot write the audit key");
      }
      key.created_ = true;
      return key;
    }
    if (errno != EEXIST) {
      return KeyError(base::StatusCode::kUnavailable, path,
                      fmt::format("cannot create the audit key: {}", std::strerror(errno)));
    }
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    return KeyError(errno == ENOENT ? base::StatusCode::kNotFound : base::StatusCode::kUnavailable,
                    path, fmt::format("cannot read the audit key: {}", std::strerror(errno)));
  }
  struct stat info {};
  fstat(fd, &info);
  char text[80] = {};
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if ((info.st_mode & 077) != 0) {
    return KeyError(base::StatusCode::kFailedPrecondition, path,
                    "the audit key may be read by others: chmod 600 it");
  }
  std::size_t length = 0;
  if (n < 64 || sodium_hex2bin(key.bytes_.data(), key.bytes_.size(), text,
                               static_cast<std::size_t>(n), "\n", &length, nullptr) != 0 ||
      length != key.bytes_.size()) {
    return KeyError(base::StatusCode::kInvalidArgument, path,
                    "the audit key must be 64 hexadecimal digits");
  }
  return key;
}

AuditKey AuditKey::Ephemeral() {
  LC_CHECK(sodium_init() >= 0) << "libsodium failed to initialise";
  AuditKey key;
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  key.created_ = true;
  return key;
}

std::string AuditKey::Mac(std::string_view text) const {
  return base::HmacSha256Hex(
      std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()), text);
}

base::Result<std::string> AuditKeyPath(std::string_view db_url, std::string_view explicit_path) {
  if (!explicit_path.empty()) return std::string(explicit_path);
  if (const char* env = std::getenv("LIVERCELL_AUDIT_KEY_FILE"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  if (db_url.starts_with("postgresql://") || db_url.starts_with("postgres://")) {
    base::Status status(base::StatusCode::kFailedPrecondition,
                        "a PostgreSQL registry's audit key must be named: --audit-key FILE or "
                        "LIVERCELL_AUDIT_KEY_FILE (kept outside the database)");
    status.SetPath("--audit-key");
    return status;
  }
  if (db_url.starts_with("sqlite:")) db_url.remove_prefix(7);
  if (db_url.empty() || db_url == ":memory:" || db_url.starts_with("file::memory:")) return std::string();
  return std::string(db_url) + ".audit-key";
}

base::Result<AuditKey> AuditKeyFor(std::string_view db_url, std::string_view explicit_path,
                                   bool create) {
  LC_ASSIGN_OR_RETURN(const std::string path, AuditKeyPath(db_url, explicit_path));
  if (path.empty()) return AuditKey::Ephemeral();
  LC_ASSIGN_OR_RETURN(AuditKey key, AuditKey::Load(path, create));
  std::string_view file = db_url;
  if (file.starts_with("sqlite:")) file.remove_prefix(7);
  key.dedicated_ = path == std::string(file) + ".audit-key";
  return key;
}

}  // namespace livercell::access
