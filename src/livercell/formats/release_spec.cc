#include "livercell/formats/release_spec.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>

#include "livercell/base/check.h"
#include "livercell/base/closest.h"
#include "livercell/base/sha256.h"
#include "livercell/formats/toml_problems.h"

namespace livercell::release {
// Defined in the generated release_criteria.cc (cmake/EmbedFiles.cmake).
extern const char k_data_release_criteria[];
}  // namespace livercell::release

namespace livercell::formats {
namespace {

using domain::MarkerLimit;
using domain::ProductSpec;
using domain::SourcedLimit;

std::string SourceOf(const toml::table* entry, const std::string& where, Problems& problems) {
  const auto source = entry ? (*entry)["source"].value<std::string>() : std::nullopt;
  if (!source || source->empty()) {
    problems.Add(where + ".source", "every criterion needs its `source`");
    return "";
  }
  return *source;
}

std::optional<SourcedLimit> Limit(const toml::table& table, std::string_view key,
                                  const std::string& section, Problems& problems) {
  const toml::table* entry = table[key].as_table();
  if (entry == nullptr) return std::nullopt;
  const std::string where = fmt::format("{}.{}", section, key);
  SourcedLimit limit;
  const toml::node* value = entry->get("value");
  if (value == nullptr || !value->is_number()) {
    problems.Add(where + ".value", "must be a number", Quoted(value));
  } else {
    limit.value = *value->value<double>();
  }
  limit.source = SourceOf(entry, where, problems);
  return limit;
}

std::optional<MarkerLimit> Markers(const toml::table& table, std::string_view key,
                                   std::string_view percent_key, const std::string& section,
                                   Problems& problems) {
  const toml::table* entry = table[key].as_table();
  if (entry == nullptr) return std::nullopt;
  const std::string where = fmt::format("{}.{}", section, key);
  MarkerLimit limit;
  if (const toml::array* markers = (*entry)["markers"].as_array()) {
    for (const toml::node& m : *markers) limit.markers.push_back(m.value_or(std::string()));
  }
  if (limit.markers.empty()) problems.Add(where + ".markers", "needs at least one marker");
  const toml::node* percent = entry->get(percent_key);
  if (percent == nullptr || !percent->is_number() || *percent->value<double>() < 0 ||
      *percent->value<double>() > 100) {
    problems.Add(fmt::format("{}.{}", where, percent_key), "must be a percentage, 0–100",
                 Quoted(percent), "0–100");
  } else {
    limit.percent = *percent->value<double>();
  }
  limit.source = SourceOf(entry, where, problems);
  return limit;
}

// [exceptions]: criteria = [...], source = "...". Each must be a criterion the checklist can
// hold and not one that is never excepted.
domain::ExceptionPolicy Exceptions(const toml::table& table, const domain::ReleaseSpec& spec,
                                   Problems& problems) {
  domain::ExceptionPolicy policy;
  const std::vector<std::string> names = domain::CriterionNames(spec);
  const toml::array* criteria = table["criteria"].as_array();
  if (criteria == nullptr) {
    problems.Add("exceptions.criteria", "must list the criteria a physician may except", "",
                 fmt::format("{}", fmt::join(names, ", ")));
  } else {
    for (const toml::node& node : *criteria) {
      const std::string name = node.value_or(std::string());
      if (domain::NeverExcepted(name)) {
        problems.Add("exceptions.criteria", fmt::format("{} can never be released by exception", name),
                     name);
      } else if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string message = fmt::format("unknown criterion \"{}\"", name);
        if (auto close = base::ClosestName(name, names))
          message += fmt::format(" (did you mean \"{}\"?)", *close);
        problems.Add("exceptions.criteria", std::move(message), name,
                     fmt::format("{}", fmt::join(names, ", ")));
      } else {
        policy.criteria.insert(name);
      }
    }
  }
  policy.source = SourceOf(&table, "exceptions", problems);
  return policy;
}

}  // namespace

FileParse<domain::ReleaseSpec> ParseReleaseSpec(std::string_view text, std::string_view file) {
  FileParse<domain::ReleaseSpec> out;
  Problems problems(file);
  std::optional<toml::table> parsed = ParseToml(text, file, problems);
  if (!parsed) {
    out.errors = std::move(problems.errors());
    return out;
  }
  const toml::table& root = *parsed;
  domain::ReleaseSpec spec;
  spec.sha256 = base::Sha256Hex(text);
  spec.version = root["version"].value_or(std::string());
  if (spec.version.empty()) problems.Add("version", "the specification needs a `version`");
  const toml::table* common = root["common"].as_table();
  if (common == nullptr) {
    problems.Add("common", "the [common] section is required");
  } else {
    const auto source = [&](std::string_view key) {
      return SourceOf((*common)[key].as_table(), fmt::format("common.{}", key), problems);
    };
    spec.sterility_source = source("sterility");
    spec.mycoplasma_source = source("mycoplasma");
    spec.identity_source = source("identity_labelling");
    spec.chain_source = source("chain_of_identity");
    spec.dose_source = source("cell_count_and_dose");
    if (auto e = Limit(*common, "endotoxin_eu_per_kg_max", "common", problems)) {
      spec.endotoxin_eu_per_kg_max = *e;
    } else {
      problems.Add("common.endotoxin_eu_per_kg_max", "the endotoxin limit is required");
    }
  }
  for (const auto& [key, node] : root) {
    const toml::table* table = node.as_table();
    if (table == nullptr || key.str() == "common" || key.str() == "exceptions") continue;
    const std::string section(key.str());
    ProductSpec ps;
    ps.description = (*table)["description"].value_or(std::string());
    ps.viability_min_percent = Limit(*table, "viability_min_percent", section, problems);
    ps.purity_min_percent = Limit(*table, "purity_min_percent", section, problems);
    ps.min_total_cells = Limit(*table, "min_total_mnc", section, problems);
    ps.positive_markers = Markers(*table, "positive_markers", "min_percent", section, problems);
    ps.negative_markers = Markers(*table, "negative_markers", "max_percent", section, problems);
    if (const toml::table* donor = (*table)["donor_eligibility"].as_table())
      ps.donor_eligibility_source = SourceOf(donor, section + ".donor_eligibility", problems);
    if (const toml::table* cd34 = (*table)["cd34_count"].as_table())
      ps.cd34_count_source = SourceOf(cd34, section + ".cd34_count", problems);
    if (!ps.viability_min_percent)
      problems.Add(section + ".viability_min_percent", "every product type needs a viability limit");
    spec.types.emplace(section, std::move(ps));
  }
  if (spec.types.empty()) problems.Add("", "the specification names no product type");
  if (const toml::table* exceptions = root["exceptions"].as_table())
    spec.exceptions = Exceptions(*exceptions, spec, problems);
  out.errors = std::move(problems.errors());
  if (out.errors.empty()) out.value = std::move(spec);
  return out;
}

std::string_view DefaultReleaseSpecText() { return release::k_data_release_criteria; }

const domain::ReleaseSpec& DefaultReleaseSpec() {
  static const domain::ReleaseSpec* const spec = [] {
    auto parsed = ParseReleaseSpec(DefaultReleaseSpecText(), "release_criteria.toml");
    LC_CHECK(parsed.value.has_value());  // the shipped file is tested
    return new domain::ReleaseSpec(std::move(*parsed.value));
  }();
  return *spec;
}

}  // namespace livercell::formats
