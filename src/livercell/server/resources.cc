#include "livercell/server/resources.h"

#include <algorithm>
#include <variant>

#include "livercell/base/sha256.h"
#include "livercell/base/status_code.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/records/clinical_time.h"

namespace livercell::server {
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
    out["provenance"] = p.provenance;
    return out;
  }
  out["deidentified"] = true;
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
  const domain::ClinicalTime time =
      deidentify != nullptr ? deidentify->Shift(l.patient_id, l.time) : l.time;
  return {{"id", l.id},
          {"time", time.ToString()},
          {"name", LabName(l.code)},
          {"code", l.code},
          {"value", l.value},
          {"unit", l.unit},
          {"canonical_value", l.canonical_value ? json(*l.canonical_value) : json()},
          {"canonical_unit", l.canonical_unit},
          {"flag", l.flag}};
}

}  // namespace livercell::server
