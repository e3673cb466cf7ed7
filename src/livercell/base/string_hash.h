// A transparent hash for unordered containers keyed by std::string, so that find() takes a
// std::string_view without building a temporary key (C++20 heterogeneous lookup):
//   std::unordered_map<std::string, int, base::StringHash, std::equal_to<>> ids;
#ifndef LIVERCELL_BASE_STRING_HASH_H_
#define LIVERCELL_BASE_STRING_HASH_H_

#include <cstddef>
#include <functional>
#include <string_view>

namespace livercell::base {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_STRING_HASH_H_
