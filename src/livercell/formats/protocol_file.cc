// Reading a candidacy protocol file (TOML, toml++) into domain::Protocol, validating every
// name, operator and value against the fact catalogue as it goes. TOML stays at the edge: the
// domain sees only the parsed protocol.
#include "livercell/formats/protocol_file.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <map>

#include "livercell/base/closest.h"
#include "livercell/base/sha256.h"
#include "livercell/formats/toml_problems.h"

namespace livercell::formats {

using domain::AllFacts;
using domain::Condition;
using domain::FactInfo;
using domain::FactKind;
using domain::FactValue;
using domain::FindFact;
using domain::kDecisions;
using domain::kRuleEffects;
using domain::Protocol;
using domain::Rule;
using domain::ToString;

namespace {

const char* const kCompareOps[] = {"<", "<=", ">", ">=", "==", "!="};

std::vector<std::string> FactNames() {
  std::vector<std::string> names;
  for (const FactInfo& f : AllFacts()) names.push_back(f.name);
  return names;
}

std::optional<FactValue> ScalarValue(const toml::node& node) {
  if (const auto b = node.value<bool>(); b && node.is_boolean()) return FactValue(*b);
  if (node.is_number()) return FactValue(*node.value<double>());
  if (const auto s = node.value<std::string>()) return FactValue(*s);
  return std::nullopt;
}

Condition ParseCondition(const toml::node* node, const std::string& where, Problems& problems);

void ParseChildren(const toml::array& array, Condition& out, const std::string& where,
                   const char* key, Problems& problems) {
  if (array.empty())
    problems.Add(where + "." + key, fmt::format("`{}` needs at least one condition", key));
  for (std::size_t i = 0; i < array.size(); ++i) {
    out.children.push_back(
        ParseCondition(array.get(i), fmt::format("{}.{}[{}]", where, key, i), problems));
  }
}

void CheckWord(const FactInfo& fact, const std::string& word, const std::string& where,
               Problems& problems) {
  if (std::find(fact.allowed.begin(), fact.allowed.end(), word) != fact.allowed.end()) return;
  const std::optional<std::string> closest = base::ClosestName(word, fact.allowed);
  problems.Add(where,
               fmt::format("\"{}\" is not a value of {}{}", word, fact.name,
                           closest ? fmt::format(" (did you mean \"{}\"?)", *closest) : ""),
               word, fmt::format("{}", fmt::join(fact.allowed, ", ")));
}

Condition ParseCondition(const toml::node* node, const std::string& where, Problems& problems) {
  Condition c;
  const toml::table* table = node != nullptr ? node->as_table() : nullptr;
  if (table == nullptr) {
    problems.Add(where,
                 "a condition must be a table: {fact = …, op = …, value = …} or "
                 "{all = [...]}, {any = [...]}, {not = {...}}",
                 Quoted(node));
    return c;
  }
  if (const toml::array* all = (*table)["all"].as_array()) {
    c.kind = Condition::Kind::kAll;
    ParseChildren(*all, c, where, "all", problems);
    return c;
  }
  if (const toml::array* any = (*table)["any"].as_array()) {
    c.kind = Condition::Kind::kAny;
    ParseChildren(*any, c, where, "any", problems);
    return c;
  }
  if (const toml::node* negated = table->get("not")) {
    c.kind = Condition::Kind::kNot;
    c.children.push_back(ParseCondition(negated, where + ".not", problems));
    return c;
  }
  const std::optional<std::string> fact_name = (*table)["fact"].value<std::string>();
  if (!fact_name) {
    problems.Add(where, "a condition needs `fact` (or `all`, `any`, `not`)", Quoted(node));
    return c;
  }
  c.fact = *fact_name;
  const FactInfo* fact = FindFact(c.fact);
  if (fact == nullptr) {
    const std::optional<std::string> closest = base::ClosestName(c.fact, FactNames(), 3);
    problems.Add(where + ".fact",
                 fmt::format("unknown fact \"{}\"{}", c.fact,
                             closest ? fmt::format(" (did you mean \"{}\"?)", *closest) : ""),
                 c.fact, "see `livercell protocol facts`");
    return c;
  }
  c.op = (*table)["op"].value_or(std::string());
  if (c.op.empty()) {
    c.kind = Condition::Kind::kIs;
    if (fact->kind != FactKind::kBool) {
      problems.Add(where + ".op", fmt::format("{} is not yes/no: give an `op`", c.fact), "",
                   "<, <=, >, >=, ==, !=, in, missing");
    }
    return c;
  }
  if (c.op == "missing") {
    c.kind = Condition::Kind::kMissing;
    return c;
  }
  if (c.op == "in") {
    c.kind = Condition::Kind::kIn;
    if (fact->kind == FactKind::kWords) {
      const std::optional<std::string> word = (*table)["value"].value<std::string>();
      if (!word) {
        problems.Add(where + ".value",
                     fmt::format("{} is a set: `in` needs one word as `value`", c.fact));
      } else {
        CheckWord(*fact, *word, where + ".value", problems);
        c.value = *word;
      }
      return c;
    }
    const toml::array* values = (*table)["values"].as_array();
    if (fact->kind != FactKind::kWord || values == nullptr || values->empty()) {
      problems.Add(where + ".values",
                   fmt::format("`in` needs a word fact and a non-empty `values` list; {} is not "
                               "one or the list is missing",
                               c.fact));
      return c;
    }
    for (std::size_t i = 0; i < values->size(); ++i) {
      const std::optional<std::string> word = values->get(i)->value<std::string>();
      if (!word) {
        problems.Add(fmt::format("{}.values[{}]", where, i), "must be a word",
                     Quoted(values->get(i)));
        continue;
      }
      CheckWord(*fact, *word, fmt::format("{}.values[{}]", where, i), problems);
      c.values.push_back(*word);
    }
    return c;
  }
  if (std::find(std::begin(kCompareOps), std::end(kCompareOps), c.op) == std::end(kCompareOps)) {
    problems.Add(where + ".op", fmt::format("unknown operator \"{}\"", c.op), c.op,
                 "<, <=, >, >=, ==, !=, in, missing");
    return c;
  }
  c.kind = Condition::Kind::kCompare;
  const toml::node* value = table->get("value");
  const std::optional<FactValue> parsed = value != nullptr ? ScalarValue(*value) : std::nullopt;
  if (!parsed) {
    problems.Add(where + ".value", fmt::format("`{}` needs a `value`", c.op), Quoted(value));
    return c;
  }
  c.value = *parsed;
  const bool ordering = c.op != "==" && c.op != "!=";
  const bool fits =
      (fact->kind == FactKind::kNumber && std::holds_alternative<double>(c.value)) ||
      (!ordering && fact->kind == FactKind::kBool && std::holds_alternative<bool>(c.value)) ||
      (!ordering && fact->kind == FactKind::kWord && std::holds_alternative<std::string>(c.value));
  if (!fits) {
    problems.Add(where + ".value",
                 fmt::format("{} is {}: `{} {}` does not fit it", c.fact,
                             domain::KindName(fact->kind), c.op, ToString(c.value)),
                 ToString(c.value));
    return c;
  }
  if (fact->kind == FactKind::kWord)
    CheckWord(*fact, std::get<std::string>(c.value), where + ".value", problems);
  return c;
}

Rule ParseRule(const toml::table& table, const std::string& where, bool decision,
               Problems& problems) {
  Rule rule;
  rule.id = table["id"].value_or(std::string());
  const std::string at = rule.id.empty() ? where : fmt::format("{} ({})", where, rule.id);
  if (rule.id.empty()) problems.Add(where + ".id", "every rule needs an `id`");
  rule.text = table["text"].value_or(std::string());
  if (rule.text.empty()) problems.Add(at + ".text", "every rule needs a plain-language `text`");
  rule.source = table["source"].value_or(std::string());
  if (rule.source.empty()) {
    problems.Add(at + ".source",
                 "every rule needs a `source`: the publication or guideline behind its threshold "
                 "(or \"clinic default\")");
  }
  if (decision) {
    rule.effect = table["effect"].value_or(std::string());
    if (std::find(std::begin(kRuleEffects), std::end(kRuleEffects), rule.effect) ==
        std::end(kRuleEffects)) {
      problems.Add(at + ".effect",
                   fmt::format("\"{}\" is not an effect a rule can have", rule.effect), rule.effect,
                   "not_eligible, refer_transplant, eligible_after_antiviral");
    }
  }
  rule.condition = ParseCondition(table.get("condition"), at + ".condition", problems);
  return rule;
}

}  // namespace

ProtocolParse ParseProtocolFile(std::string_view text, std::string_view file) {
  ProtocolParse out;
  Problems problems(file);
  std::optional<toml::table> parsed = ParseToml(text, file, problems);
  if (!parsed) {
    out.errors = std::move(problems.errors());
    return out;
  }
  const toml::table& root = *parsed;
  Protocol protocol;
  protocol.sha256 = base::Sha256Hex(text);
  protocol.text = std::string(text);
  const toml::table* head = root["protocol"].as_table();
  if (head == nullptr) {
    problems.Add("[protocol]", "missing the [protocol] table (id, version, title, decision_order)");
  } else {
    protocol.id = (*head)["id"].value_or(std::string());
    protocol.version = (*head)["version"].value_or(std::string());
    protocol.title = (*head)["title"].value_or(std::string());
    if (const toml::node* status = head->get("treatment_status")) {
      if (!status->is_string() || status->value_or(std::string()).empty()) {
        problems.Add("protocol.treatment_status",
                     "must say in words what the treatment is (e.g. investigational)",
                     Quoted(status));
      } else {
        protocol.treatment_status = *status->value<std::string>();
      }
    }
    if (protocol.id.empty()) problems.Add("protocol.id", "the protocol needs an `id`");
    if (protocol.version.empty())
      problems.Add("protocol.version", "the protocol needs a `version`");
    if (const toml::node* age = head->get("lab_max_age_days")) {
      const std::optional<std::int64_t> days = age->value<std::int64_t>();
      if (!age->is_integer() || !days || *days < 1 || *days > 3650) {
        problems.Add("protocol.lab_max_age_days", "must be a whole number of days, 1–3650",
                     Quoted(age), "1–3650");
      } else {
        protocol.lab_max_age_days = static_cast<int>(*days);
      }
    }
    if (const toml::array* order = (*head)["decision_order"].as_array()) {
      for (const toml::node& d : *order)
        protocol.decision_order.push_back(d.value_or(std::string()));
    }
    std::vector<std::string> expected(std::begin(kDecisions), std::end(kDecisions));
    std::vector<std::string> given = protocol.decision_order;
    std::sort(expected.begin(), expected.end());
    std::sort(given.begin(), given.end());
    if (given != expected || protocol.decision_order.back() != "eligible") {
      problems.Add("protocol.decision_order",
                   "must list the five decisions once each, most severe first, ending in "
                   "\"eligible\" (\"incomplete\" marks where unknown rules stop the decision)",
                   fmt::format("[{}]", fmt::join(protocol.decision_order, ", ")),
                   fmt::format("{}", fmt::join(kDecisions, ", ")));
    }
  }
  std::map<std::string, std::string> seen;  // id → where
  auto read = [&](const char* key, bool decision, std::vector<Rule>& into) {
    const toml::array* rules = root[key].as_array();
    if (rules == nullptr) return;
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const std::string where = fmt::format("{}[{}]", key, i);
      const toml::table* table = rules->get(i)->as_table();
      if (table == nullptr) {
        problems.Add(where, "must be a table ([[" + std::string(key) + "]])");
        continue;
      }
      Rule rule = ParseRule(*table, where, decision, problems);
      if (!rule.id.empty() && !seen.emplace(rule.id, where).second) {
        problems.Add(where + ".id",
                     fmt::format("duplicate id \"{}\" (also {})", rule.id, seen[rule.id]), rule.id);
      }
      into.push_back(std::move(rule));
    }
  };
  read("rules", true, protocol.rules);
  read("recommendations", false, protocol.recommendations);
  if (protocol.rules.empty()) problems.Add("rules", "the protocol has no [[rules]]");
  out.errors = std::move(problems.errors());
  if (out.errors.empty()) out.protocol = std::move(protocol);
  return out;
}

}  // namespace livercell::formats
