#include "livercell/formats/records_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "livercell/base/sha256.h"
#include "livercell/base/status_code.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/domain/records/current_scores.h"
#include "livercell/domain/scores/registry.h"
#include "livercell/formats/score_json.h"

namespace livercell::formats {
namespace {

using nlohmann::json;

std::string DateText(std::chrono::sys_days day) {
  return domain::ClinicalTime::FromDate(day).ToString();
}

struct DetailToJson {
  json operator()(std::monostate) const { return nullptr; }
  json operator()(std::nullptr_t) const { return nullptr; }
  json operator()(bool value) const { return value; }
  json operator()(double value) const { return value; }
  json operator()(const std::string& value) const { return value; }
};

domain::ClinicalTime Shifted(const Deidentifier* deidentify, std::int64_t patient_id,
                             const domain::ClinicalTime& time) {
  return deidentify != nullptr ? deidentify->Shift(patient_id, time) : time;
}

json ScoresOf(const domain::ScoreReport& report) {
  fmt::memory_buffer buffer;
  formats::AppendScoreJson(report, &buffer);
  return json::parse(std::string_view(buffer.data(), buffer.size()));
}

// An array member of whole numbers, each within [min, max]; nullopt when absent or null.
template <std::size_t N>
base::Result<std::optional<std::array<int, N>>> LevelsField(const json& body, const char* key,
                                                            int min, int max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<std::array<int, N>>();
  const std::string allowed = fmt::format("{} whole numbers {}–{}", N, min, max);
  if (!it->is_array() || it->size() != N) {
    base::Status status = BadBody(fmt::format("must be an array of {}", allowed), key);
    status.SetValue(it->dump()).SetAllowed(allowed);
    return status;
  }
  std::array<int, N> levels{};
  for (std::size_t i = 0; i < N; ++i) {
    const json& item = (*it)[i];
    if (!item.is_number_integer() || item.get<int>() < min || item.get<int>() > max) {
      base::Status status(base::StatusCode::kOutOfRange,
                          fmt::format("must be a whole number {}–{}", min, max));
      status.SetPath(fmt::format("{}[{}]", key, i)).SetValue(item.dump()).SetAllowed(
          fmt::format("{}–{}", min, max));
      return status;
    }
    levels[i] = item.get<int>();
  }
  return std::optional<std::array<int, N>>(levels);
}

base::Result<int> IntField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return BadBody("required, a whole number", key);
  if (!it->is_number_integer()) {
    base::Status status = BadBody("must be a whole number", key);
    status.SetValue(it->dump());
    return status;
  }
  return it->get<int>();
}

}  // namespace

nlohmann::json ErrorToJson(const base::Status& status) {
  json out = json::object();
  out["error"] = base::InfoOf(status.code()).name;
  out["path"] = std::string(status.path());
  out["value"] = std::visit(DetailToJson{}, status.value());
  out["allowed"] = std::string(status.allowed());
  out["message"] = status.ToString();
  if (!status.source().empty()) out["source"] = std::string(status.source());
  return out;
}

int Deidentifier::ShiftDays(std::int64_t patient_id) const {
  const std::string digest = base::Sha256Hex(key_ + ":" + std::to_string(patient_id));
  return 1 + static_cast<int>(std::stoul(digest.substr(0, 8), nullptr, 16) % 365);
}

std::string Deidentifier::Pseudonym(std::int64_t patient_id) const {
  return "S-" + base::HmacSha256Hex(key_, "patient:" + std::to_string(patient_id)).substr(0, 16);
}

domain::ClinicalTime Deidentifier::Shift(std::int64_t patient_id,
                                         const domain::ClinicalTime& time) const {
  const std::chrono::days shift{ShiftDays(patient_id)};
  if (time.date_only()) return domain::ClinicalTime::FromDate(time.day() - shift);
  return domain::ClinicalTime::FromInstant(time.instant() - shift);
}

nlohmann::json PatientJson(const domain::Patient& p, const Deidentifier* deidentify,
                           std::chrono::sys_days today) {
  json out = {{"id", p.id},
              {"sex", p.sex ? json(domain::ToString(*p.sex)) : json()},
              {"aetiology_icd10", p.aetiology_icd10 ? json(*p.aetiology_icd10) : json()},
              {"comorbidities_icd10", p.comorbidities_icd10},
              {"ecog", p.ecog ? json(*p.ecog) : json()}};
  if (deidentify == nullptr) {
    json ids = json::array();
    for (const auto& id : p.identifiers) ids.push_back({{"system", id.system}, {"value", id.value}});
    out["identifiers"] = ids;
    out["birth_date"] = p.birth_date ? json(DateText(*p.birth_date)) : json();
    out["family_name"] = p.family_name ? json(*p.family_name) : json();
    out["given_name"] = p.given_name ? json(*p.given_name) : json();
    out["identity"] = domain::IdentityLine(p);
    out["provenance"] = p.provenance;
    return out;
  }
  out["deidentified"] = true;
  out["id"] = deidentify->Pseudonym(p.id);
  if (p.birth_date) {
    const auto years = std::chrono::floor<std::chrono::years>(today - *p.birth_date).count();
    out["age_years"] = std::min<long>(years, kAgeCap);
    out["age_capped"] = years >= kAgeCap;
  } else {
    out["age_years"] = json();
  }
  return out;
}

std::string LabName(const std::string& code) {
  if (auto analyte = domain::AnalyteFromLoinc(code)) {
    return std::string(domain::InfoOf(*analyte).key);
  }
  for (const domain::ExtraLab& extra : domain::ExtraLabs()) {
    if (extra.code == code) return std::string(extra.key);
  }
  return code;
}

nlohmann::json LabJson(const domain::LabObservation& l, const Deidentifier* deidentify) {
  json out = {{"time", Shifted(deidentify, l.patient_id, l.time).ToString()},
          {"name", LabName(l.code)},
          {"code", l.code},
          {"value", l.value},
          {"unit", l.unit},
          {"canonical_value", l.canonical_value ? json(*l.canonical_value) : json()},
          {"canonical_unit", l.canonical_unit},
          {"flag", l.flag}};
  // A lab's id hashes its true time: de-identified readers do not get it (a search over the
  // possible dates would find the time the shift hides).
  if (deidentify == nullptr) out["id"] = domain::LabId(l);
  return out;
}

nlohmann::json FindingJson(const domain::Finding& f, const Deidentifier* deidentify) {
  const domain::FindingKind* kind = domain::FindFindingKind(f.kind);
  return {{"id", f.id},
          {"time", Shifted(deidentify, f.patient_id, f.time).ToString()},
          {"kind", f.kind},
          {"title", kind != nullptr ? json(kind->title) : json(f.kind)},
          {"value", f.value}};
}

nlohmann::json CorrectionJson(const domain::Correction& c) {
  return {{"status", c.status},
          {"reason", c.reason},
          {"by", c.by},
          {"at", c.at},
          {"replaced_by", c.replaced_by ? json(*c.replaced_by) : json()}};
}

std::string RecordIdOf(const domain::LabObservation& r) { return domain::LabId(r); }
std::string RecordIdOf(const domain::Finding& r) { return std::to_string(r.id); }
std::string RecordIdOf(const domain::ClinicalEvent& r) { return std::to_string(r.id); }
std::string RecordIdOf(const domain::AdverseEvent& r) { return std::to_string(r.id); }
std::string RecordIdOf(const domain::QualityOfLife& r) { return std::to_string(r.id); }

nlohmann::json EventJson(const domain::ClinicalEvent& e, const Deidentifier* deidentify) {
  const domain::EventType* type = domain::FindEventType(e.type);
  return {{"id", e.id},
          {"type", e.type},
          {"title", type != nullptr ? json(type->title) : json(e.type)},
          {"icd10", type != nullptr ? json(type->icd10) : json()},
          {"snomed", type != nullptr ? json(type->snomed) : json()},
          {"grade", e.grade ? json(*e.grade) : json()},
          {"time", Shifted(deidentify, e.patient_id, e.time).ToString()}};
}

nlohmann::json AdverseEventJson(const domain::AdverseEvent& e, const Deidentifier* deidentify) {
  return {{"id", e.id},
          {"ctcae_term", e.ctcae_term},
          {"grade", e.grade},
          {"attribution", domain::ToString(e.attribution)},
          {"infusion_id", e.infusion_id ? json(*e.infusion_id) : json()},
          {"onset", Shifted(deidentify, e.patient_id, e.onset).ToString()}};
}

nlohmann::json QualityOfLifeJson(const domain::QualityOfLife& q, const Deidentifier* deidentify) {
  json out = {{"id", q.id}, {"time", Shifted(deidentify, q.patient_id, q.time).ToString()}};
  out["cldq_items"] = q.cldq_items ? json(*q.cldq_items) : json();
  out["cldq"] = nullptr;
  if (q.cldq_items) {
    if (auto s = domain::ScoreCldq(*q.cldq_items); s.ok()) {
      const domain::CldqScores& c = s.value();
      out["cldq"] = {{"abdominal", c.abdominal}, {"fatigue", c.fatigue},
                     {"systemic", c.systemic},   {"activity", c.activity},
                     {"emotional", c.emotional}, {"worry", c.worry},
                     {"total", c.total},         {"source", "Younossi ZM et al., Gut 1999"}};
    }
  }
  out["eq5d5l"] = q.eq5d5l ? json(*q.eq5d5l) : json();
  out["eq5d5l_profile"] = q.eq5d5l ? json(domain::Eq5dProfile(*q.eq5d5l)) : json();
  return out;
}

nlohmann::json ScoresJson(const domain::Patient& patient,
                          std::span<const domain::LabObservation> labs,
                          std::span<const domain::Finding> findings,
                          const Deidentifier* deidentify) {
  auto shifted = [&](const domain::ClinicalTime& t) {
    return Shifted(deidentify, patient.id, t).ToString();
  };
  const domain::CurrentInputs current = domain::LatestScoreInput(patient, labs, findings);
  json out;
  out["current"] = {{"as_of", current.as_of ? json(shifted(*current.as_of)) : json()},
                    {"scores", ScoresOf(domain::ComputeScores(current.input))}};
  // The record as it stood at each lab time: the labs and findings up to then, which are
  // prefixes of both lists once sorted by time.
  auto by_time = [](const auto& a, const auto& b) { return a.time.instant() < b.time.instant(); };
  std::vector<domain::LabObservation> sorted_labs(labs.begin(), labs.end());
  std::vector<domain::Finding> sorted_findings(findings.begin(), findings.end());
  std::stable_sort(sorted_labs.begin(), sorted_labs.end(), by_time);
  std::stable_sort(sorted_findings.begin(), sorted_findings.end(), by_time);
  json history = json::array();
  std::size_t lab_end = 0, finding_end = 0;
  while (lab_end < sorted_labs.size()) {
    const domain::ClinicalTime t = sorted_labs[lab_end].time;
    while (lab_end < sorted_labs.size() && sorted_labs[lab_end].time.instant() <= t.instant())
      ++lab_end;
    while (finding_end < sorted_findings.size() &&
           sorted_findings[finding_end].time.instant() <= t.instant())
      ++finding_end;
    const domain::CurrentInputs then = domain::LatestScoreInput(
        patient, std::span(sorted_labs.data(), lab_end),
        std::span(sorted_findings.data(), finding_end));
    json scores = ScoresOf(domain::ComputeScores(then.input));
    scores.erase("unavailable");
    if (!scores.empty()) history.push_back({{"time", shifted(t)}, {"scores", scores}});
  }
  out["history"] = history;
  json bands = json::object();
  for (const domain::ScoreInfo& info : domain::AllScores()) {
    const auto score_bands = domain::BandsOf(info.id);
    if (score_bands.empty()) continue;
    json list = json::array();
    for (const domain::ScoreBand& band : score_bands) {
      list.push_back({{"category", band.category},
                      {"max", std::isinf(band.max) ? json() : json(band.max)}});
    }
    bands[std::string(info.key)] = {{"bands", list}, {"source", info.source}};
  }
  out["bands"] = bands;
  return out;
}

base::Status BadBody(std::string message, std::string path) {
  base::Status status(base::StatusCode::kInvalidArgument, std::move(message));
  if (!path.empty()) status.SetPath(std::move(path));
  return status;
}

base::Result<std::string> StringField(const json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::string();
    return BadBody("required", key);
  }
  if (!it->is_string()) {
    base::Status status = BadBody("must be a string", key);
    status.SetValue(it->dump());
    return status;
  }
  return it->get<std::string>();
}

base::Result<std::optional<std::int64_t>> IdField(const json& body, const char* key,
                                                  bool required, const char* what) {
  auto it = body.find(key);
  if (it == body.end()) {
    if (!required) return std::optional<std::int64_t>();
    return BadBody(fmt::format("required, {}", what), key);
  }
  if (!it->is_number_integer()) return BadBody(fmt::format("must be {}", what), key);
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

base::Result<domain::ClinicalTime> TimeField(const json& body, const char* key) {
  LC_ASSIGN_OR_RETURN(const std::string text, StringField(body, key, true));
  base::Result<domain::ClinicalTime> time = domain::ClinicalTime::Parse(text);
  if (!time.ok()) {
    base::Status status = time.status();
    status.SetPath(key).SetValue(text).SetAllowed("a date YYYY-MM-DD or a UTC instant ending in Z");
    return status;
  }
  return time;
}

base::Result<domain::Finding> FindingFromJson(const json& body) {
  domain::Finding f;
  LC_ASSIGN_OR_RETURN(f.kind, StringField(body, "kind", true));
  auto value = body.find("value");
  if (value == body.end() || !value->is_number()) return BadBody("required, a number", "value");
  f.value = value->get<double>();
  LC_ASSIGN_OR_RETURN(f.time, TimeField(body, "time"));
  LC_RETURN_IF_ERROR(domain::ValidateFinding(f));
  return f;
}

base::Result<domain::ClinicalEvent> EventFromJson(const json& body) {
  domain::ClinicalEvent event;
  LC_ASSIGN_OR_RETURN(event.type, StringField(body, "type", true));
  LC_ASSIGN_OR_RETURN(event.time, TimeField(body, "time"));
  if (auto grade = body.find("grade"); grade != body.end() && !grade->is_null()) {
    LC_ASSIGN_OR_RETURN(event.grade, IntField(body, "grade"));
  }
  LC_RETURN_IF_ERROR(domain::ValidateEvent(event));
  return event;
}

base::Result<domain::AdverseEvent> AdverseEventFromJson(const json& body) {
  domain::AdverseEvent event;
  LC_ASSIGN_OR_RETURN(event.ctcae_term, StringField(body, "ctcae_term", true));
  LC_ASSIGN_OR_RETURN(event.grade, IntField(body, "grade"));
  LC_ASSIGN_OR_RETURN(const std::string attribution, StringField(body, "attribution", true));
  base::Result<domain::Attribution> parsed = domain::ParseAttribution(attribution);
  if (!parsed.ok()) {
    base::Status status = parsed.status();
    return std::move(status.SetPath("attribution").SetValue(attribution));
  }
  event.attribution = parsed.value();
  LC_ASSIGN_OR_RETURN(event.onset, TimeField(body, "onset"));
  LC_ASSIGN_OR_RETURN(const std::string infusion, StringField(body, "infusion_id", false));
  if (!infusion.empty()) event.infusion_id = infusion;
  LC_RETURN_IF_ERROR(domain::ValidateAdverseEvent(event));
  return event;
}

base::Result<domain::QualityOfLife> QualityOfLifeFromJson(const json& body) {
  domain::QualityOfLife qol;
  LC_ASSIGN_OR_RETURN(qol.time, TimeField(body, "time"));
  // Item ranges: CLDQ 1–7 (Younossi 1999), EQ-5D-5L levels 1–5 (EuroQol 2009).
  LC_ASSIGN_OR_RETURN(qol.cldq_items, LevelsField<29>(body, "cldq_items", 1, 7));
  LC_ASSIGN_OR_RETURN(qol.eq5d5l, LevelsField<5>(body, "eq5d5l", 1, 5));
  if (!qol.cldq_items && !qol.eq5d5l) {
    return BadBody("give cldq_items (29 answers 1–7), eq5d5l (5 levels 1–5) or both",
                   "cldq_items");
  }
  LC_RETURN_IF_ERROR(domain::ValidateQualityOfLife(qol));
  return qol;
}

}  // namespace livercell::formats
