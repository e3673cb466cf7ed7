#include "livercell/access/password_policy.h"

#include <gtest/gtest.h>

namespace livercell::access {
namespace {

TEST(PasswordPolicy, RefusesCommonPasswordsAndTheirDecoratedForms) {
  for (const char* common : {"password", "12345678", "Password", "qwertyuiop", "iloveyou"}) {
    const base::Status status = CheckNewPassword(common, "dr.ada");
    EXPECT_FALSE(status.ok()) << common;
    EXPECT_EQ(status.path(), "password") << common;
  }
  for (const char* decorated : {"password1234", "!!Password!!", "2024monkey", "dragon-2024"}) {
    const base::Status status = CheckNewPassword(decorated, "dr.ada");
    EXPECT_FALSE(status.ok()) << decorated;
    EXPECT_NE(std::string(status.message()).find("with characters added"), std::string::npos)
        << decorated << ": " << status.message();
  }
}

TEST(PasswordPolicy, RefusesShortOnesAndThoseHoldingTheUsername) {
  EXPECT_NE(std::string(CheckNewPassword("Xq7#", "dr.ada").message()).find("at least 8"),
            std::string::npos);
  EXPECT_NE(std::string(CheckNewPassword("my-DR.ADA-secret", "dr.ada").message())
                .find("contains the username"),
            std::string::npos);
}

TEST(PasswordPolicy, AcceptsLongUncommonPassphrases) {
  for (const char* good : {"correct horse battery staple", "a long enough password",
                           "pw-nurse-12345", "Tr0ub4dor&3x"}) {
    EXPECT_TRUE(CheckNewPassword(good, "dr.ada").ok()) << good;
  }
}

}  // namespace
}  // namespace livercell::access
