// Codes values by order of first appearance: a text column's dictionary, a factor's levels
// before sorting. Internal to stats/.
#ifndef LIVERCELL_STATS_FIRST_SEEN_H_
#define LIVERCELL_STATS_FIRST_SEEN_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace livercell::stats {

// `Stored` is the owned value (double, std::string), `Key` what is looked up (double,
// std::string_view). A column usually holds a handful of values, searched linearly; past
// kLinear distinct values a hash map takes over. The values live in a deque so that the map's
// keys, which may view into them, stay valid (hence no copies; a move keeps the elements).
template <typename Stored, typename Key = Stored>
class FirstSeenCodes {
 public:
  FirstSeenCodes() = default;
  FirstSeenCodes(const FirstSeenCodes&) = delete;
  FirstSeenCodes& operator=(const FirstSeenCodes&) = delete;
  FirstSeenCodes(FirstSeenCodes&&) = default;
  FirstSeenCodes& operator=(FirstSeenCodes&&) = default;

  std::uint32_t Code(Key value) {
    if (index_.empty()) {
      for (std::size_t i = 0; i < values_.size(); ++i) {
        if (values_[i] == value) return static_cast<std::uint32_t>(i);
      }
      values_.emplace_back(value);
      if (values_.size() > kLinear) {
        for (std::size_t i = 0; i < values_.size(); ++i)
          index_.emplace(Key(values_[i]), static_cast<std::uint32_t>(i));
      }
      return static_cast<std::uint32_t>(values_.size() - 1);
    }
    if (const auto it = index_.find(value); it != index_.end()) return it->second;
    values_.emplace_back(value);
    const auto code = static_cast<std::uint32_t>(values_.size() - 1);
    index_.emplace(Key(values_.back()), code);
    return code;
  }

  // The distinct values, in code order.
  std::vector<Stored> Values() const { return {values_.begin(), values_.end()}; }

 private:
  static constexpr std::size_t kLinear = 16;
  std::deque<Stored> values_;
  std::unordered_map<Key, std::uint32_t> index_;
};

}  // namespace livercell::stats

#endif  // LIVERCELL_STATS_FIRST_SEEN_H_
