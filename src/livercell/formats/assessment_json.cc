#include "livercell/formats/assessment_json.h"

#include <fmt/format.h>

#include "livercell/domain/labs/analyte.h"
#include "livercell/formats/score_json.h"

namespace livercell::protocols {
extern const char k_data_default[];  // data/protocols/default.toml, embedded (EmbedFiles.cmake)
}  // namespace livercell::protocols

namespace livercell::formats {
namespace {

using nlohmann::json;

json FactJson(const std::optional<domain::FactValue>& v) {
  if (!v) return nullptr;
  return std::visit([](const auto& x) { return json(x); }, *v);
}

json RuleJson(const domain::RuleResult& r) {
  json inputs = json::object();
  for (const auto& [name, value] : r.inputs) inputs[name] = FactJson(value);
  return {{"id", r.rule->id},          {"text", r.rule->text},
          {"effect", r.rule->effect},  {"result", std::string(domain::ToString(r.truth))},
          {"inputs", inputs},          {"missing", r.missing},
          {"source", r.rule->source}};
}

template <typename T>
void Put(json& object, const char* key, const std::optional<T>& value) {
  if (value) object[key] = *value;
}

}  // namespace

std::string_view DefaultProtocolText() { return protocols::k_data_default; }

ProtocolParse DefaultProtocol() {
  return ParseProtocolFile(DefaultProtocolText(), kDefaultProtocolName);
}

json AssessmentJson(const domain::Assessment& a, const domain::Protocol& p) {
  fmt::memory_buffer buffer;
  AppendScoreJson(a.scores, &buffer);
  const json scores = json::parse(fmt::to_string(buffer));
  json stage = {{"compensated", a.stage.compensated ? json(*a.stage.compensated) : json()},
                {"damico", a.stage.damico ? json(*a.stage.damico) : json()},
                {"set_by", a.stage.set_by}};
  for (const char* key : {"child_pugh", "meld_3", "albi"}) {
    stage[key] = scores.contains(key) ? scores[key] : json();
  }
  json rules = json::array(), recommendations = json::array();
  for (const auto& r : a.rules) rules.push_back(RuleJson(r));
  for (const auto& r : a.recommendations) {
    if (r.truth == domain::Truth::kTrue)
      recommendations.push_back(
          {{"id", r.rule->id}, {"text", r.rule->text}, {"source", r.rule->source}});
  }
  return {{"decision", a.decision},
          {"stage", stage},
          {"rules", rules},
          {"missing", a.missing},
          {"recommendations", recommendations},
          {"protocol",
           {{"id", p.id},
            {"version", p.version},
            {"sha256", p.sha256},
            {"treatment_status", p.treatment_status.empty() ? json() : json(p.treatment_status)}}}};
}

json CandidateJson(const domain::Candidate& c) {
  json out = json::object();
  const domain::ScoreInput& s = c.scores;
  if (s.sex) out["sex"] = domain::ToString(*s.sex);
  Put(out, "age_years", s.age_years);
  if (s.dialysis_twice_past_week) out["dialysis_twice_past_week"] = true;
  if (s.ascites) out["ascites"] = domain::ToString(*s.ascites);
  if (s.encephalopathy) out["encephalopathy"] = domain::ToString(*s.encephalopathy);
  if (s.edema) out["edema"] = domain::ToString(*s.edema);
  json labs = json::object();
  for (const domain::AnalyteInfo& info : domain::AllAnalytes()) {
    if (const domain::LabValue* lab = s.lab(info.analyte)) {
      labs[std::string(info.key)] = {{"value", lab->received().value},
                                     {"unit", domain::UcumCode(lab->received().unit)}};
    }
  }
  if (!labs.empty()) out["labs"] = labs;
  Put(out, "cirrhosis_confirmed", c.cirrhosis_confirmed);
  Put(out, "aetiology", c.aetiology);
  json history = json::object();
  Put(history, "varices", c.history.varices);
  Put(history, "variceal_bleeding", c.history.variceal_bleeding);
  Put(history, "ascites_ever", c.history.ascites_ever);
  Put(history, "refractory_ascites", c.history.refractory_ascites);
  Put(history, "encephalopathy_ever", c.history.encephalopathy_ever);
  Put(history, "jaundice", c.history.jaundice);
  Put(history, "hepatorenal_syndrome", c.history.hepatorenal_syndrome);
  Put(history, "sbp_ever", c.history.sbp_ever);
  if (!history.empty()) out["history"] = history;
  Put(out, "hcc", c.hcc);
  Put(out, "other_malignancy_within_5y", c.other_malignancy_within_5y);
  Put(out, "active_infection", c.active_infection);
  if (c.has_alcohol) {
    json alcohol = json::object();
    Put(alcohol, "active", c.alcohol_active);
    Put(alcohol, "abstinent_months", c.alcohol_abstinent_months);
    out["alcohol"] = alcohol;
  }
  Put(out, "pregnant_or_breastfeeding", c.pregnant_or_breastfeeding);
  Put(out, "ecog", c.ecog);
  Put(out, "severe_comorbidity", c.severe_comorbidity);
  if (c.has_hbv) {
    json hbv = json::object();
    Put(hbv, "hbsag", c.hbv_hbsag);
    Put(hbv, "dna_detectable", c.hbv_dna_detectable);
    Put(hbv, "on_antiviral", c.hbv_on_antiviral);
    out["hbv"] = hbv;
  }
  if (c.has_hcv) {
    json hcv = json::object();
    Put(hcv, "rna_detectable", c.hcv_rna_detectable);
    Put(hcv, "on_antiviral", c.hcv_on_antiviral);
    out["hcv"] = hcv;
  }
  Put(out, "route", c.route);
  return out;
}

}  // namespace livercell::formats
