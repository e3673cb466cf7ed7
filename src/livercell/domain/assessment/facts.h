// The named inputs a protocol's conditions may use, and a candidate's values for them. The
// catalogue is what `livercell protocol check` validates names, types and spellings against;
// the resolution rules that are domain knowledge (not protocol) live in Facts::Of.
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_FACTS_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_FACTS_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "livercell/domain/assessment/candidate.h"
#include "livercell/domain/assessment/staging.h"
#include "livercell/domain/scores/registry.h"

namespace livercell::domain {

// A fact's value: yes/no, a number, one word of a fixed list, or a set of such words.
using FactValue = std::variant<bool, double, std::string, std::vector<std::string>>;

enum class FactKind { kBool, kNumber, kWord, kWords };
std::string_view KindName(FactKind kind);  // "yes/no", "a number", "a word", "a set of words"

struct FactInfo {
  std::string name;  // "age_years", "history.varices", "platelets", "meld_3"
  FactKind kind;
  std::vector<std::string> allowed;  // kWord/kWords: the spellings
  std::string unit;                  // kNumber: its unit ("years", "10^9/L", "1")
  std::string description;
};

// Every input a condition may name, in a stable order.
const std::vector<FactInfo>& AllFacts();
const FactInfo* FindFact(std::string_view name);

// One candidate's facts (absent = missing), with what they were derived from.
class Facts {
 public:
  // `scores` and `stage` are the candidate's, computed by the caller.
  static Facts Of(const Candidate& candidate, const ScoreReport& scores, const Stage& stage);
  const FactValue* Get(std::string_view name) const;

 private:
  std::map<std::string, FactValue, std::less<>> values_;
};

// A value as text for traces and tables ("true", "21", "beyond-milan", "[hbv, alcohol]").
std::string ToString(const FactValue& value);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_FACTS_H_
