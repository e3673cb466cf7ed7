// A candidacy protocol (data/protocols/*.toml, read by cli/protocol_file.h): versioned rules, each
// a structured condition over named facts (facts.h), the decision it leads to and its source, plus
// recommendations. A clinic edits the file to change its protocol; no rebuild. Conditions are data,
// not an expression language: comparisons, membership, presence, and all/any/not.
#ifndef LIVERCELL_DOMAIN_ASSESSMENT_PROTOCOL_H_
#define LIVERCELL_DOMAIN_ASSESSMENT_PROTOCOL_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/status.h"
#include "livercell/domain/assessment/facts.h"

namespace livercell::domain {

// The decisions (specs/assessment.md): a rule's effect is one of the first four.
inline constexpr const char* kDecisions[] = {"not_eligible", "refer_transplant",
                                             "eligible_after_antiviral", "eligible", "incomplete"};
inline constexpr const char* kRuleEffects[] = {"not_eligible", "refer_transplant",
                                               "eligible_after_antiviral"};

struct Condition {
  enum class Kind {
    kAll,      // every child true
    kAny,      // some child true
    kNot,      // the child false
    kIs,       // a yes/no fact is true
    kCompare,  // fact <op> value: <, <=, >, >= on numbers; ==, != on anything
    kIn,       // a word fact is one of `values`, or a set fact contains `value`
    kMissing,  // the fact is absent (never unknown)
  };
  Kind kind = Kind::kIs;
  std::vector<Condition> children;
  std::string fact;
  std::string op;
  FactValue value;
  std::vector<std::string> values;
};

struct Rule {
  std::string id;
  std::string text;
  Condition condition;
  std::string effect;  // a decision; empty for a recommendation
  std::string source;
};

struct Protocol {
  std::string id;
  std::string version;
  std::string title;
  // What the treatment is, in the protocol's own words ("investigational: …"), shown beside
  // every decision and outcome (issue #24). Optional so that assessments stored under older
  // protocol files replay unchanged.
  std::string treatment_status;
  std::vector<std::string> decision_order;  // e.g. not_eligible, refer_transplant, incomplete, …
  // How old a registry lab may be to count (assessments built from the registry); nullopt:
  // any age.
  std::optional<int> lab_max_age_days;
  std::vector<Rule> rules;
  std::vector<Rule> recommendations;
  std::string sha256;  // of the file's bytes
  std::string text;    // the file's bytes, stored with every assessment made under it
};

// Deeper checks of a parsed protocol: rules whose condition can never be true (contradictory
// bounds or values under one `all`), and rules that repeat an earlier rule's condition and
// effect (the later one is unreachable as a reason). Empty when clean.
std::vector<base::Status> CheckProtocol(const Protocol& protocol, std::string_view file);

// Three-valued (Kleene) logic: unknown when a needed fact is missing, except where the other
// side of an `any` is already true or of an `all` already false.
enum class Truth { kFalse, kTrue, kUnknown };
std::string_view ToString(Truth truth);

struct Evaluation {
  Truth truth = Truth::kUnknown;
  std::set<std::string> used;     // facts looked at
  std::set<std::string> missing;  // facts absent where they mattered
};
Evaluation Evaluate(const Condition& condition, const Facts& facts);

// The condition as a clinician reads it: "age_years < 18 or age_years > 75".
std::string Describe(const Condition& condition);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_ASSESSMENT_PROTOCOL_H_
