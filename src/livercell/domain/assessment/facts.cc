#include "livercell/domain/assessment/facts.h"

#include <fmt/format.h>

#include <algorithm>

#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/units/unit.h"

namespace livercell::domain {
namespace {

std::vector<std::string> Words(std::span<const char* const> words) {
  return {words.begin(), words.end()};
}

std::vector<FactInfo> BuildCatalogue() {
  std::vector<FactInfo> facts = {
      {"cirrhosis_confirmed",
       FactKind::kBool,
       {},
       "",
       "cirrhosis confirmed (biopsy, elastography or clinical)"},
      {"aetiology", FactKind::kWords, Words(kAetiologies), "", "causes of liver disease"},
      {"age_years", FactKind::kNumber, {}, "years", "age"},
      {"sex", FactKind::kWord, {"female", "male"}, "", "sex"},
      {"history.varices", FactKind::kWord, Words(kVaricesValues), "", "oesophageal varices"},
      {"history.variceal_bleeding", FactKind::kWord, Words(kVaricealBleedingValues), "",
       "variceal bleeding"},
      {"history.ascites_ever", FactKind::kBool, {}, "", "ascites ever"},
      {"history.refractory_ascites", FactKind::kBool, {}, "", "refractory ascites"},
      {"history.encephalopathy_ever", FactKind::kBool, {}, "", "hepatic encephalopathy ever"},
      {"history.jaundice", FactKind::kBool, {}, "", "jaundice"},
      {"history.hepatorenal_syndrome", FactKind::kBool, {}, "", "hepatorenal syndrome"},
      {"history.sbp_ever", FactKind::kBool, {}, "", "spontaneous bacterial peritonitis ever"},
      {"decompensated", FactKind::kBool, {}, "", "any decompensating event ever (staging)"},
      {"damico_stage", FactKind::kNumber, {}, "1", "D'Amico clinical stage 1–6 (staging)"},
      {"hcc", FactKind::kWord, Words(kHccValues), "", "hepatocellular carcinoma"},
      {"other_malignancy_within_5y", FactKind::kBool, {}, "", "other malignancy within 5 years"},
      {"active_infection", FactKind::kBool, {}, "", "active infection"},
      {"alcohol.active", FactKind::kBool, {}, "", "active alcohol use"},
      {"alcohol.abstinent_months", FactKind::kNumber, {}, "months", "months of abstinence"},
      {"pregnant_or_breastfeeding", FactKind::kBool, {}, "", "pregnant or breastfeeding"},
      {"ecog", FactKind::kNumber, {}, "1", "ECOG performance status 0–5"},
      {"severe_comorbidity", FactKind::kBool, {}, "", "severe cardiac, pulmonary or renal disease"},
      {"hbv.hbsag", FactKind::kBool, {}, "", "HBsAg positive"},
      {"hbv.dna_detectable", FactKind::kBool, {}, "", "HBV DNA detectable"},
      {"hbv.on_antiviral", FactKind::kBool, {}, "", "on HBV antiviral"},
      {"hcv.rna_detectable", FactKind::kBool, {}, "", "HCV RNA detectable"},
      {"hcv.on_antiviral", FactKind::kBool, {}, "", "on HCV antiviral"},
      {"route", FactKind::kWord, Words(kRouteValues), "", "planned route of administration"},
      {"meld_3", FactKind::kNumber, {}, "1", "MELD 3.0"},
      {"meld", FactKind::kNumber, {}, "1", "MELD"},
      {"meld_na", FactKind::kNumber, {}, "1", "MELD-Na"},
      {"child_pugh_points", FactKind::kNumber, {}, "1", "Child-Pugh points 5–15"},
      {"albi_score", FactKind::kNumber, {}, "1", "ALBI score"},
  };
  for (const AnalyteInfo& lab : AllAnalytes()) {
    facts.push_back({std::string(lab.key),
                     FactKind::kNumber,
                     {},
                     std::string(DisplayName(lab.canonical)),
                     std::string(lab.title)});
  }
  return facts;
}

std::optional<double> Score(const ScoreReport& report, ScoreId id) {
  const auto& r = report.result(id);
  return r ? std::optional<double>(r->value) : std::nullopt;
}

}  // namespace

std::string_view KindName(FactKind kind) {
  switch (kind) {
    case FactKind::kBool:
      return "yes/no";
    case FactKind::kNumber:
      return "a number";
    case FactKind::kWord:
      return "a word";
    case FactKind::kWords:
      return "a set of words";
  }
  return "";
}

const std::vector<FactInfo>& AllFacts() {
  static const std::vector<FactInfo> facts = BuildCatalogue();
  return facts;
}

const FactInfo* FindFact(std::string_view name) {
  for (const FactInfo& f : AllFacts()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FactValue* Facts::Get(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

Facts Facts::Of(const Candidate& c, const ScoreReport& scores, const Stage& stage) {
  Facts f;
  auto put = [&f](const char* name, const auto& value) {
    if (value) f.values_.emplace(name, FactValue(*value));
  };
  put("cirrhosis_confirmed", c.cirrhosis_confirmed);
  put("aetiology", c.aetiology);
  put("age_years", c.scores.age_years);
  if (c.scores.sex) f.values_.emplace("sex", std::string(ToString(*c.scores.sex)));
  put("history.varices", c.history.varices);
  put("history.variceal_bleeding", c.history.variceal_bleeding);
  put("history.ascites_ever", c.history.ascites_ever);
  put("history.refractory_ascites", c.history.refractory_ascites);
  put("history.encephalopathy_ever", c.history.encephalopathy_ever);
  put("history.jaundice", c.history.jaundice);
  put("history.hepatorenal_syndrome", c.history.hepatorenal_syndrome);
  put("history.sbp_ever", c.history.sbp_ever);
  if (stage.compensated) f.values_.emplace("decompensated", !*stage.compensated);
  if (stage.damico) f.values_.emplace("damico_stage", static_cast<double>(*stage.damico));
  put("hcc", c.hcc);
  put("other_malignancy_within_5y", c.other_malignancy_within_5y);
  put("active_infection", c.active_infection);
  put("alcohol.abstinent_months", c.alcohol_abstinent_months);
  put("pregnant_or_breastfeeding", c.pregnant_or_breastfeeding);
  if (c.ecog) f.values_.emplace("ecog", static_cast<double>(*c.ecog));
  put("severe_comorbidity", c.severe_comorbidity);
  // Absent objects mean "not part of this history" once the aetiology is known and does not
  // name the cause (specs/assessment.md, notes to the default protocol): no hepatitis B in the
  // history is no HBsAg, no alcohol-related disease and no "alcohol" object is no active use.
  auto named = [&c](const char* cause) {
    return c.aetiology &&
           std::find(c.aetiology->begin(), c.aetiology->end(), cause) != c.aetiology->end();
  };
  const bool aetiology_known = c.aetiology.has_value();
  auto absent_means_no = [&](bool has_object, const char* cause,
                             const std::optional<bool>& v) -> std::optional<bool> {
    if (has_object || v) return v;
    return aetiology_known && !named(cause) ? std::optional<bool>(false) : std::nullopt;
  };
  put("alcohol.active", absent_means_no(c.has_alcohol, "alcohol", c.alcohol_active));
  put("hbv.hbsag", absent_means_no(c.has_hbv, "hbv", c.hbv_hbsag));
  put("hbv.dna_detectable", absent_means_no(c.has_hbv, "hbv", c.hbv_dna_detectable));
  put("hbv.on_antiviral", absent_means_no(c.has_hbv, "hbv", c.hbv_on_antiviral));
  put("hcv.rna_detectable", absent_means_no(c.has_hcv, "hcv", c.hcv_rna_detectable));
  put("hcv.on_antiviral", absent_means_no(c.has_hcv, "hcv", c.hcv_on_antiviral));
  // No route planned yet is the default intravenous one (the spec: arterial-access rules are
  // false without a route).
  f.values_.emplace("route", c.route.value_or("iv"));
  put("meld_3", Score(scores, ScoreId::kMeld3));
  put("meld", Score(scores, ScoreId::kMeld));
  put("meld_na", Score(scores, ScoreId::kMeldNa));
  put("child_pugh_points", Score(scores, ScoreId::kChildPugh));
  put("albi_score", Score(scores, ScoreId::kAlbi));
  for (const AnalyteInfo& lab : AllAnalytes()) {
    if (const LabValue* v = c.scores.lab(lab.analyte)) {
      f.values_.emplace(std::string(lab.key), v->canonical());
    }
  }
  return f;
}

std::string ToString(const FactValue& value) {
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const double* d = std::get_if<double>(&value)) return fmt::format("{:g}", *d);
  if (const std::string* s = std::get_if<std::string>(&value)) return *s;
  return fmt::format("[{}]", fmt::join(std::get<std::vector<std::string>>(value), ", "));
}

}  // namespace livercell::domain
