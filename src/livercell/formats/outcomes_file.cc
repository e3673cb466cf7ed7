#include "livercell/formats/outcomes_file.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <set>

#include "livercell/base/check.h"
#include "livercell/base/closest.h"
#include "livercell/base/csv.h"
#include "livercell/base/sha256.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/formats/toml_problems.h"

namespace livercell::outcomes_data {
// Defined in the generated outcomes_data.cc (cmake/EmbedFiles.cmake).
extern const char k_data_default[];
extern const char k_data_trials[];
extern const char k_data_claims[];
}  // namespace livercell::outcomes_data

namespace livercell::formats {
namespace {

using domain::outcomes::Definitions;
using domain::outcomes::Direction;
using domain::outcomes::Endpoint;
using domain::outcomes::Kind;

constexpr std::string_view kKinds = "relative_change, absolute_change, score_change, class_improved";

// A required number in [min, max] (Reader::Number leaves an absent one to the caller).
double RequiredNumber(Reader& r, const toml::table& t, std::string_view key, double min,
                      double max) {
  if (t.get(key) == nullptr) {
    r.Text(key);  // names it as required
    return 0;
  }
  return r.Number(key, min, max).value_or(0);
}

Endpoint EndpointOf(const toml::table& t, const std::string& where, Problems& problems) {
  Reader r(&t, where, problems);
  Endpoint e;
  e.id = r.Text("id");
  e.text = r.Text("text");
  e.source = r.Text("source");
  const std::string kind = r.Text("kind");
  if (auto k = domain::outcomes::KindFromString(kind)) {
    e.kind = *k;
  } else if (!kind.empty()) {
    problems.Add(r.Path("kind"), "unknown kind", kind, std::string(kKinds));
    return e;
  }
  auto direction = [&] {
    const std::string d = r.Text("direction");
    if (d == "rise") e.direction = Direction::kRise;
    else if (d == "fall") e.direction = Direction::kFall;
    else if (!d.empty()) problems.Add(r.Path("direction"), "must be rise or fall", d, "rise, fall");
  };
  switch (e.kind) {
    case Kind::kRelativeChange:
    case Kind::kAbsoluteChange: {
      e.loinc = r.Text("loinc");
      if (!e.loinc.empty() && !domain::AnalyteFromLoinc(e.loinc)) {
        std::vector<std::string> codes;
        for (const auto& a : domain::AllAnalytes()) codes.emplace_back(a.units()[0].loinc);
        problems.Add(r.Path("loinc"), "not a catalogued lab (its canonical unit is needed)",
                     e.loinc, fmt::format("{}", fmt::join(codes, ", ")));
      }
      direction();
      if (e.kind == Kind::kRelativeChange) {
        // A factor of 0 or below would make every fall (or no rise) a response.
        e.factor = RequiredNumber(r, t, "factor", 0.01, 100);
      } else {
        e.delta = RequiredNumber(r, t, "delta", 0, 1e6);
        // The unit, when given, must be the lab's canonical one: the delta is read in it.
        if (t.get("unit") != nullptr && !e.loinc.empty()) {
          const std::string unit = r.Text("unit");
          if (auto a = domain::AnalyteFromLoinc(e.loinc)) {
            const std::string canonical(domain::UcumCode(domain::InfoOf(*a).canonical));
            if (unit != canonical) {
              problems.Add(r.Path("unit"), "delta is compared in the lab's canonical unit",
                           unit, canonical);
            }
          }
        }
      }
      break;
    }
    case Kind::kScoreChange:
      e.score = r.Text("score");
      if (!e.score.empty() && e.score != "meld3") {
        problems.Add(r.Path("score"), "unknown score for score_change", e.score, "meld3");
      }
      direction();
      e.delta = RequiredNumber(r, t, "delta", 0, 40);
      break;
    case Kind::kClassImproved:
      e.score = r.Text("score");
      if (!e.score.empty() && e.score != "child_pugh") {
        problems.Add(r.Path("score"), "unknown score for class_improved", e.score, "child_pugh");
      }
      break;
  }
  return e;
}

std::optional<double> NumberOrNull(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

nlohmann::json NullIfEmpty(std::string_view text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

nlohmann::json NumberJson(std::string_view text) {
  const auto v = NumberOrNull(text);
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

FileParse<Definitions> ParseOutcomeDefinitions(std::string_view text, std::string_view file) {
  FileParse<Definitions> result;
  Problems problems(file);
  std::optional<toml::table> parsed = ParseToml(text, file, problems);
  if (!parsed) {
    result.errors = std::move(problems.errors());
    return result;
  }
  Definitions d;
  Reader top(&*parsed, "", problems);
  d.id = top.Text("id");
  d.version = top.Text("version");
  d.sha256 = base::Sha256Hex(text);
  const toml::array* endpoints = (*parsed)["endpoints"].as_array();
  if (endpoints == nullptr || endpoints->empty()) {
    problems.Add("endpoints", "at least one [[endpoints]] is needed");
  } else {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < endpoints->size(); ++i) {
      const std::string where = fmt::format("endpoints[{}]", i);
      const toml::table* t = (*endpoints)[i].as_table();
      if (t == nullptr) {
        problems.Add(where, "must be a table");
        continue;
      }
      Endpoint e = EndpointOf(*t, where, problems);
      if (!e.id.empty() && !ids.insert(e.id).second) {
        problems.Add(where + ".id", "is used by an earlier endpoint", e.id);
      }
      d.endpoints.push_back(std::move(e));
    }
  }
  if (problems.empty()) result.value = std::move(d);
  result.errors = std::move(problems.errors());
  return result;
}

std::string_view DefaultOutcomeDefinitionsText() { return outcomes_data::k_data_default; }

const Definitions& DefaultOutcomeDefinitions() {
  static const Definitions definitions = [] {
    auto parsed = ParseOutcomeDefinitions(DefaultOutcomeDefinitionsText(),
                                          "data/outcomes/default.toml");
    LC_CHECK(parsed.value.has_value());  // the shipped file is checked by a test
    return *parsed.value;
  }();
  return definitions;
}

const nlohmann::json& EvidenceJson() {
  static const nlohmann::json evidence = [] {
    nlohmann::json arms = nlohmann::json::array();
    auto reader = base::CsvReader::FromString(outcomes_data::k_data_trials);
    std::vector<std::string> header;
    while (true) {
      auto next = reader->Next();
      LC_CHECK(next.ok());  // the shipped file is read by a test
      if (!next.value()) break;
      const auto fields = reader->fields();
      if (header.empty()) {
        header.assign(fields.begin(), fields.end());
        continue;
      }
      nlohmann::json arm = nlohmann::json::object();
      std::string low, high;
      for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) {
        const std::string& name = header[i];
        const std::string_view value = fields[i];
        if (name == "ci_low") low = value;
        else if (name == "ci_high") high = value;
        else if (name == "doi_or_pmid") arm["source"] = NullIfEmpty(value);
        else if (name == "year" || name == "n") arm[name] = NumberJson(value);
        else arm[name] = NullIfEmpty(value);
      }
      arm["ci95"] = {NumberJson(low), NumberJson(high)};
      arms.push_back(std::move(arm));
    }
    return arms;
  }();
  return evidence;
}

const nlohmann::json& ClaimsJson() {
  static const nlohmann::json claims = [] {
    nlohmann::json out = nlohmann::json::array();
    const toml::table root = toml::parse(outcomes_data::k_data_claims);
    if (const toml::array* list = root["claims"].as_array()) {
      for (const toml::node& node : *list) {
        const toml::table& c = *node.as_table();
        out.push_back({{"id", c["id"].value_or(std::string())},
                       {"text", c["text"].value_or(std::string())},
                       {"source", NullIfEmpty(c["source"].value_or(std::string()))},
                       {"status", c["status"].value_or(std::string())}});
      }
    }
    return out;
  }();
  return claims;
}

}  // namespace livercell::formats
