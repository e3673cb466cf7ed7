#include "livercell/access/password_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "livercell/base/secrets.h"

namespace livercell::security {
extern const char k_data_common_passwords[];  // data/security/common-passwords.txt, embedded
}  // namespace livercell::security

namespace livercell::access {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const std::unordered_set<std::string>& CommonPasswords() {
  static const std::unordered_set<std::string> list = [] {
    std::unordered_set<std::string> words;
    std::string_view text = security::k_data_common_passwords;
    while (!text.empty()) {
      const std::size_t end = std::min(text.find('\n'), text.size());
      if (end > 0) words.insert(Lower(text.substr(0, end)));
      text.remove_prefix(std::min(end + 1, text.size()));
    }
    return words;
  }();
  return list;
}

// `text` without the digits and punctuation at either end ("!!password1234" → "password").
std::string_view Core(std::string_view text) {
  const auto decoration = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) ||
           std::ispunct(static_cast<unsigned char>(c)) || c == ' ';
  };
  while (!text.empty() && decoration(text.front())) text.remove_prefix(1);
  while (!text.empty() && decoration(text.back())) text.remove_suffix(1);
  return text;
}

base::Status Refuse(std::string why) {
  base::Status status(base::StatusCode::kInvalidArgument,
                      fmt::format("choose another password: {}", why));
  status.SetPath("password");
  return status;
}

}  // namespace

base::Status CheckNewPassword(std::string_view password, std::string_view username) {
  if (password.size() < base::kMinPasswordLength) {
    base::Status status(base::StatusCode::kInvalidArgument,
                        fmt::format("the password has {} characters; at least {} are required",
                                    password.size(), base::kMinPasswordLength));
    status.SetPath("password");
    return status;
  }
  const std::string lower = Lower(password);
  const auto& common = CommonPasswords();
  if (common.contains(lower)) {
    return Refuse(fmt::format("it is one of the {} most common passwords", common.size()));
  }
  const std::string core(Core(lower));
  if (!core.empty() && core != lower && common.contains(core)) {
    return Refuse(fmt::format("it is the common password \"{}\" with characters added", core));
  }
  // A username of one or two letters is in most passwords by chance; from three it is a hint.
  if (username.size() >= 3 && lower.find(Lower(username)) != std::string::npos) {
    return Refuse("it contains the username");
  }
  return base::OkStatus();
}

}  // namespace livercell::access
