#include "livercell/domain/assessment/assess.h"

#include <algorithm>

#include "livercell/domain/labs/analyte.h"

namespace livercell::domain {
namespace {

// The input document's paths behind a missing fact: labs under "labs.", derived facts
// expanded into what they are derived from.
std::vector<std::string> InputPaths(const std::string& fact, const ScoreReport& scores,
                                    const Stage& stage) {
  const std::pair<const char*, ScoreId> derived[] = {{"meld_3", ScoreId::kMeld3},
                                                     {"meld", ScoreId::kMeld},
                                                     {"meld_na", ScoreId::kMeldNa},
                                                     {"child_pugh_points", ScoreId::kChildPugh},
                                                     {"albi_score", ScoreId::kAlbi}};
  for (const auto& [name, id] : derived) {
    if (fact != name) continue;
    std::vector<std::string> paths;
    for (const ScoreInputId input : scores.MissingInputs(id)) {
      const bool lab = static_cast<int>(input) < static_cast<int>(kAnalyteCount);
      paths.push_back((lab ? "labs." : "") + std::string(InputName(input)));
    }
    return paths;
  }
  if (fact == "decompensated" || fact == "damico_stage") return stage.missing;
  for (const AnalyteInfo& lab : AllAnalytes()) {
    if (fact == lab.key) return {"labs." + fact};
  }
  return {fact};
}

RuleResult Judge(const Rule& rule, const Facts& facts, const ScoreReport& scores,
                 const Stage& stage) {
  RuleResult r;
  r.rule = &rule;
  const Evaluation e = Evaluate(rule.condition, facts);
  r.truth = e.truth;
  for (const std::string& fact : e.used) {
    const FactValue* v = facts.Get(fact);
    r.inputs.emplace_back(fact, v ? std::optional<FactValue>(*v) : std::nullopt);
  }
  for (const std::string& fact : e.missing) {
    for (std::string& path : InputPaths(fact, scores, stage)) {
      if (std::find(r.missing.begin(), r.missing.end(), path) == r.missing.end())
        r.missing.push_back(std::move(path));
    }
  }
  return r;
}

}  // namespace

Assessment Assess(const Protocol& protocol, const Candidate& candidate) {
  Assessment a;
  a.scores = ComputeScores(candidate.scores);
  a.stage = StageOf(candidate.history);
  const Facts facts = Facts::Of(candidate, a.scores, a.stage);
  for (const Rule& rule : protocol.rules) a.rules.push_back(Judge(rule, facts, a.scores, a.stage));
  for (const Rule& rule : protocol.recommendations)
    a.recommendations.push_back(Judge(rule, facts, a.scores, a.stage));
  for (const RuleResult& r : a.rules) {
    for (const std::string& path : r.missing) {
      if (std::find(a.missing.begin(), a.missing.end(), path) == a.missing.end())
        a.missing.push_back(path);
    }
  }
  // The decision order: the first decision whose rules fire; "incomplete" where any rule is
  // still unknown; "eligible" when nothing stood in the way.
  auto any = [&](auto&& pred) { return std::any_of(a.rules.begin(), a.rules.end(), pred); };
  for (const std::string& decision : protocol.decision_order) {
    const bool decided = decision == "eligible" ||
                         (decision == "incomplete"
                              ? any([](const RuleResult& r) { return r.truth == Truth::kUnknown; })
                              : any([&](const RuleResult& r) {
                                  return r.truth == Truth::kTrue && r.rule->effect == decision;
                                }));
    if (decided) {
      a.decision = decision;
      break;
    }
  }
  return a;
}

}  // namespace livercell::domain
