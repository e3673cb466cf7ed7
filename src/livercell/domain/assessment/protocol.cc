#include "livercell/domain/assessment/protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

namespace livercell::domain {
namespace {

// Whether the direct comparisons under one `all` can hold together; the reason when not.
std::optional<std::string> Contradiction(const Condition& all) {
  struct Bounds {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false, hi_open = false;
    void TightenHigh(double v, bool open) {
      if (v < hi || (v == hi && open)) {
        hi = v;
        hi_open = open;
      }
    }
    void TightenLow(double v, bool open) {
      if (v > lo || (v == lo && open)) {
        lo = v;
        lo_open = open;
      }
    }
    std::optional<std::set<std::string>> words;
  };
  std::map<std::string, Bounds> by_fact;
  for (const Condition& c : all.children) {
    Bounds& b = by_fact[c.fact];
    if (c.kind == Condition::Kind::kCompare && std::holds_alternative<double>(c.value)) {
      const double v = std::get<double>(c.value);
      if (c.op == "<" || c.op == "<=" || c.op == "==") b.TightenHigh(v, c.op == "<");
      if (c.op == ">" || c.op == ">=" || c.op == "==") b.TightenLow(v, c.op == ">");
    }
    std::set<std::string> allowed;
    if (c.kind == Condition::Kind::kIn && !c.values.empty())
      allowed.insert(c.values.begin(), c.values.end());
    if (c.kind == Condition::Kind::kCompare && c.op == "==" &&
        std::holds_alternative<std::string>(c.value))
      allowed.insert(std::get<std::string>(c.value));
    if (!allowed.empty()) {
      if (!b.words) {
        b.words = allowed;
      } else {
        std::set<std::string> both;
        std::set_intersection(b.words->begin(), b.words->end(), allowed.begin(), allowed.end(),
                              std::inserter(both, both.begin()));
        b.words = both;
      }
    }
  }
  for (const auto& [fact, b] : by_fact) {
    if (b.lo > b.hi || (b.lo == b.hi && (b.lo_open || b.hi_open))) {
      return fmt::format("no value of {} is both {} {:g} and {} {:g}", fact,
                         b.lo_open ? ">" : ">=", b.lo, b.hi_open ? "<" : "<=", b.hi);
    }
    if (b.words && b.words->empty())
      return fmt::format("{} cannot take all the values required", fact);
  }
  return std::nullopt;
}

void FindContradictions(const Condition& c, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::kAll) {
    if (const auto reason = Contradiction(c)) out.push_back(*reason);
  }
  for (const Condition& child : c.children) FindContradictions(child, out);
}

}  // namespace

std::vector<base::Status> CheckProtocol(const Protocol& protocol, std::string_view file) {
  std::vector<base::Status> problems;
  auto add = [&](const std::string& where, std::string message, std::string value) {
    base::Status status = base::InvalidArgumentError(std::move(message));
    status.SetPath(fmt::format("{}: {}", file, where)).SetValue(std::move(value));
    problems.push_back(std::move(status));
  };
  std::map<std::string, std::string> earlier;  // effect + condition → id
  auto check = [&](const std::vector<Rule>& rules, const char* key) {
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const Rule& rule = rules[i];
      const std::string where = fmt::format("{}[{}] ({})", key, i, rule.id);
      std::vector<std::string> reasons;
      FindContradictions(rule.condition, reasons);
      for (const std::string& reason : reasons) {
        add(where + ".condition", "contradictory: the condition can never be true (" + reason + ")",
            Describe(rule.condition));
      }
      const std::string key_text = rule.effect + "|" + Describe(rule.condition);
      if (const auto [it, fresh] = earlier.emplace(key_text, rule.id); !fresh) {
        add(where + ".condition",
            fmt::format("unreachable: {} has the same condition and effect, so this rule never "
                        "adds a reason",
                        it->second),
            Describe(rule.condition));
      }
    }
  };
  check(protocol.rules, "rules");
  check(protocol.recommendations, "recommendations");
  return problems;
}

std::string_view ToString(Truth truth) {
  switch (truth) {
    case Truth::kFalse:
      return "false";
    case Truth::kTrue:
      return "true";
    case Truth::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Evaluation Evaluate(const Condition& c, const Facts& facts) {
  Evaluation e;
  auto leaf = [&](auto&& decide) {
    e.used.insert(c.fact);
    const FactValue* v = facts.Get(c.fact);
    if (v == nullptr) {
      e.missing.insert(c.fact);
      e.truth = Truth::kUnknown;
      return;
    }
    e.truth = decide(*v) ? Truth::kTrue : Truth::kFalse;
  };
  switch (c.kind) {
    case Condition::Kind::kAll:
    case Condition::Kind::kAny: {
      const bool all = c.kind == Condition::Kind::kAll;
      // all: false wins, any: true wins; otherwise unknown if any child is.
      const Truth decisive = all ? Truth::kFalse : Truth::kTrue;
      bool unknown = false, decided = false;
      std::set<std::string> missing;
      for (const Condition& child : c.children) {
        const Evaluation ce = Evaluate(child, facts);
        e.used.insert(ce.used.begin(), ce.used.end());
        if (ce.truth == decisive) decided = true;
        if (ce.truth == Truth::kUnknown) {
          unknown = true;
          missing.insert(ce.missing.begin(), ce.missing.end());
        }
      }
      e.truth = decided   ? decisive
                : unknown ? Truth::kUnknown
                          : (all ? Truth::kTrue : Truth::kFalse);
      if (e.truth == Truth::kUnknown) e.missing = std::move(missing);
      return e;
    }
    case Condition::Kind::kNot: {
      e = Evaluate(c.children.front(), facts);
      if (e.truth != Truth::kUnknown)
        e.truth = e.truth == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
      return e;
    }
    case Condition::Kind::kIs:
      leaf([](const FactValue& v) { return std::get<bool>(v); });
      return e;
    case Condition::Kind::kMissing:
      e.used.insert(c.fact);
      e.truth = facts.Get(c.fact) == nullptr ? Truth::kTrue : Truth::kFalse;
      return e;
    case Condition::Kind::kIn:
      leaf([&](const FactValue& v) {
        if (const auto* set = std::get_if<std::vector<std::string>>(&v)) {
          return std::find(set->begin(), set->end(), std::get<std::string>(c.value)) != set->end();
        }
        return std::find(c.values.begin(), c.values.end(), std::get<std::string>(v)) !=
               c.values.end();
      });
      return e;
    case Condition::Kind::kCompare:
      leaf([&](const FactValue& v) {
        if (c.op == "==") return v == c.value;
        if (c.op == "!=") return v != c.value;
        const double a = std::get<double>(v), b = std::get<double>(c.value);
        return c.op == "<" ? a < b : c.op == "<=" ? a <= b : c.op == ">" ? a > b : a >= b;
      });
      return e;
  }
  return e;
}

std::string Describe(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kAll:
    case Condition::Kind::kAny: {
      std::vector<std::string> parts;
      for (const Condition& child : c.children) {
        const bool group =
            child.kind == Condition::Kind::kAll || child.kind == Condition::Kind::kAny;
        parts.push_back(group ? "(" + Describe(child) + ")" : Describe(child));
      }
      return fmt::format("{}",
                         fmt::join(parts, c.kind == Condition::Kind::kAll ? " and " : " or "));
    }
    case Condition::Kind::kNot:
      return "not (" + Describe(c.children.front()) + ")";
    case Condition::Kind::kIs:
      return c.fact;
    case Condition::Kind::kMissing:
      return c.fact + " not given";
    case Condition::Kind::kIn:
      if (c.values.empty()) return fmt::format("{} includes {}", c.fact, ToString(c.value));
      return fmt::format("{} in [{}]", c.fact, fmt::join(c.values, ", "));
    case Condition::Kind::kCompare:
      return fmt::format("{} {} {}", c.fact, c.op, ToString(c.value));
  }
  return "";
}

}  // namespace livercell::domain
