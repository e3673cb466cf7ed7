// "Did you mean …?" for names a person typed: the candidate closest to what was written, by
// edit distance, when it is close enough to be a plausible typo.
#ifndef LIVERCELL_BASE_CLOSEST_H_
#define LIVERCELL_BASE_CLOSEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace livercell::base {

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate at the smallest edit distance from `name`, if that distance is ≤ max_distance.
std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates,
                                       std::size_t max_distance = 2);

}  // namespace livercell::base

#endif  // LIVERCELL_BASE_CLOSEST_H_
