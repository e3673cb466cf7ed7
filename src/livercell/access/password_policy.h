// What a new account password must be (issue #23), after NIST SP 800-63B §5.1.1.2: long
// enough, and not a commonly used password — not one of the list in
// data/security/common-passwords.txt, not one of those with digits or punctuation stuck on
// (`password1234`), and not containing the username.
#ifndef LIVERCELL_ACCESS_PASSWORD_POLICY_H_
#define LIVERCELL_ACCESS_PASSWORD_POLICY_H_

#include <string_view>

#include "livercell/base/status.h"

namespace livercell::access {

// kInvalidArgument at "password" saying which rule `password` breaks; OK otherwise.
base::Status CheckNewPassword(std::string_view password, std::string_view username);

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_PASSWORD_POLICY_H_
