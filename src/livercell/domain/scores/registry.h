// The score registry: the eight liver scores, what each needs, where each comes from, and one
// entry point that computes every score a patient's inputs allow (specs/scores.md).
//
// Start here to add a score: a formula file beside this one, a row in kScores (registry.cc),
// a case table in tests/cases/scores/, and a section in docs/clinical/scores.md.
#ifndef LIVERCELL_DOMAIN_SCORES_REGISTRY_H_
#define LIVERCELL_DOMAIN_SCORES_REGISTRY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

enum class ScoreId { kChildPugh, kMeld, kMeldNa, kMeld3, kAlbi, kApri, kFib4, kMayoPbc };
inline constexpr std::size_t kScoreCount = 8;

struct ScoreInfo {
  ScoreId id;
  std::string_view key;           // JSON key: "child_pugh", "meld_na", …
  std::string_view title;         // "Child-Pugh", "MELD-Na", …
  std::string_view value_key;     // "points" (Child-Pugh) or "score"
  bool integer_value;             // MELD family and Child-Pugh points are integers
  std::string_view category_key;  // "class", "grade", or empty when the score has none
  bool integer_category;          // the ALBI grade is an integer, the Child-Pugh class a letter
  std::string_view source;        // short citation shown beside every value
  std::span<const ScoreInputId> needs;  // specs/scores.md §1.5, in that order
};

// The registry, in ScoreId order.
std::span<const ScoreInfo> AllScores();
const ScoreInfo& InfoOf(ScoreId id);

// One computed score. `category` is "A"/"B"/"C" for Child-Pugh, "1"/"2"/"3" for ALBI, empty
// otherwise (static strings: no allocation).
struct ScoreResult {
  double value = 0;
  std::string_view category;
};

// One category band of a score: values up to `max` (inclusive) fall in `category`; the last
// band of a score is unbounded above (max = +infinity). Charts shade these.
struct ScoreBand {
  std::string_view category;
  double max;
};
// The bands of a score in ascending order (Child-Pugh classes by points, ALBI grades);
// empty for scores without categories. The thresholds are the ones the score uses.
std::span<const ScoreBand> BandsOf(ScoreId id);

// Every score, computed or unavailable with the inputs it lacks.
struct ScoreReport {
  std::array<std::optional<ScoreResult>, kScoreCount> results;
  // Bit i set = input ScoreInputId(i) is missing for that score.
  std::array<std::uint32_t, kScoreCount> missing{};

  const std::optional<ScoreResult>& result(ScoreId id) const {
    return results[static_cast<std::size_t>(id)];
  }
  bool AnyUnavailable() const;
  // The missing inputs of `id` in the order of its `needs` list; empty when it was computed.
  std::vector<ScoreInputId> MissingInputs(ScoreId id) const;
};

// Computes every score whose inputs are present. Inputs are validated values (inputs.h), so
// this cannot fail. Pure, thread-safe, allocation-free.
ScoreReport ComputeScores(const ScoreInput& input);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_REGISTRY_H_
