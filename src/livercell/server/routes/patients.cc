// Patients: the list and search, one patient, registration and updates.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

json Routes::ReaderPatientJson(const Call& call, const domain::Patient& patient) {
  json out = PatientJson(patient, call.deidentify, Today());
  if (call.identity_only) {
    for (const char* clinical : {"aetiology_icd10", "comorbidities_icd10", "ecog"}) {
      out.erase(clinical);
    }
  }
  return out;
}

base::Result<domain::Patient> Routes::PatientFromJson(const json& body) {
  domain::Patient p;
  if (auto ids = body.find("identifiers"); ids != body.end()) {
    if (!ids->is_array()) return BadBody("must be an array of {system, value}", "identifiers");
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const json& id = (*ids)[i];
      const std::string path = fmt::format("identifiers[{}]", i);
      if (!id.is_object()) return BadBody("must be an object {system, value}", path);
      LC_ASSIGN_OR_RETURN(std::string system, StringField(id, "system", true));
      LC_ASSIGN_OR_RETURN(std::string value, StringField(id, "value", true));
      p.identifiers.push_back({system, value});
      base::Status status = domain::ValidateExternalId(p.identifiers.back());
      if (!status.ok()) return std::move(status.PrefixPath(path));
    }
  }
  LC_ASSIGN_OR_RETURN(const std::string sex, StringField(body, "sex", false));
  if (!sex.empty()) {
    base::Result<domain::Sex> parsed = domain::ParseSex(sex);
    if (!parsed.ok()) {
      base::Status status = parsed.status();
      return std::move(status.SetPath("sex"));
    }
    p.sex = parsed.value();
  }
  LC_ASSIGN_OR_RETURN(const std::string birth, StringField(body, "birth_date", false));
  if (!birth.empty()) {
    base::Result<domain::ClinicalTime> t = domain::ClinicalTime::Parse(birth);
    if (!t.ok() || !t.value().date_only()) {
      base::Status status = BadBody("must be a date YYYY-MM-DD", "birth_date");
      status.SetValue(birth);
      return status;
    }
    if (t.value().day() > Today()) {
      base::Status status(base::StatusCode::kOutOfRange, "is in the future");
      status.SetPath("birth_date").SetValue(birth);
      return status;
    }
    p.birth_date = t.value().day();
  }
  for (const char* key : {"family_name", "given_name"}) {
    auto name = body.find(key);
    if (name == body.end() || name->is_null()) continue;
    if (!name->is_string()) return BadBody("must be a string", key);
    const std::string text = name->get<std::string>();
    base::Status status = domain::ValidatePersonName(text);
    if (!status.ok()) return std::move(status.SetPath(key));
    (std::string_view(key) == "family_name" ? p.family_name : p.given_name) = text;
  }
  LC_ASSIGN_OR_RETURN(const std::string aetiology, StringField(body, "aetiology_icd10", false));
  if (!aetiology.empty()) {
    base::Status status = domain::ValidateAetiologyIcd10(aetiology);
    if (!status.ok()) return std::move(status.SetPath("aetiology_icd10"));
    p.aetiology_icd10 = aetiology;
  }
  if (auto ecog = body.find("ecog"); ecog != body.end() && !ecog->is_null()) {
    if (!ecog->is_number_integer()) {
      base::Status status = BadBody("must be a whole number 0–5", "ecog");
      status.SetValue(ecog->dump());
      return status;
    }
    base::Status status = domain::ValidateEcog(ecog->get<int>());
    if (!status.ok()) return std::move(status.SetPath("ecog"));
    p.ecog = ecog->get<int>();
  }
  if (auto c = body.find("comorbidities_icd10"); c != body.end() && !c->is_null()) {
    if (!c->is_array()) return BadBody("must be an array of ICD-10 codes", "comorbidities_icd10");
    for (std::size_t i = 0; i < c->size(); ++i) {
      const std::string path = fmt::format("comorbidities_icd10[{}]", i);
      if (!(*c)[i].is_string()) return BadBody("must be an ICD-10 code", path);
      const std::string code = (*c)[i].get<std::string>();
      base::Status status = domain::ValidateIcd10(code);
      if (!status.ok()) return std::move(status.SetPath(path));
      p.comorbidities_icd10.push_back(code);
    }
  }
  return p;
}

base::Status Routes::ListPatients(Call& call) {
  LC_ASSIGN_OR_RETURN(const int limit, IntParam(call, "limit", 50, 1, kMaxPage));
  LC_ASSIGN_OR_RETURN(const int offset, IntParam(call, "offset", 0, 0, 1 << 30));
  const std::string q = call.request.Param("q");
  if (call.deidentify != nullptr && !q.empty()) {
    base::Status status(base::StatusCode::kPermissionDenied,
                        "de-identified access cannot search by identifier");
    status.SetPath("q");
    return status;
  }
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  std::int64_t total = 0;
  LC_ASSIGN_OR_RETURN(const auto patients, repo->ListPatients(limit, offset, q, &total));
  json items = json::array();
  for (const auto& p : patients) items.push_back(ReaderPatientJson(call, p));
  Reply(call, 200, {{"items", items}, {"total", total}, {"limit", limit}, {"offset", offset}});
  return base::OkStatus();
}

base::Status Routes::GetPatient(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(*call.patient_id));
  LC_ASSIGN_OR_RETURN(const std::int64_t version, repo->PatientVersion(*call.patient_id));
  call.response.SetHeader("ETag", ETag(version));
  json out = ReaderPatientJson(call, patient);
  out["version"] = version;
  Reply(call, 200, out);
  return base::OkStatus();
}

base::Status Routes::CreatePatient(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  LC_ASSIGN_OR_RETURN(domain::Patient patient, PatientFromJson(body));
  call.audited = true;
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(patient, clinic::RegisterPatient(ContextOf(*repo), call.actor,
                                                       std::move(patient)));
  call.response.SetHeader("Location", fmt::format("/api/v1/patients/{}", patient.id));
  call.response.SetHeader("ETag", ETag(1));
  json out = PatientJson(patient, nullptr, Today());
  out["version"] = 1;
  Reply(call, 201, out);
  return base::OkStatus();
}

base::Status Routes::UpdatePatient(Call& call) {
  const std::string if_match = call.request.Header("If-Match");
  if (if_match.empty()) {
    base::Status status(base::StatusCode::kFailedPrecondition,
                        "an update needs If-Match with the patient's ETag (from GET), so that "
                        "no one overwrites a change they have not seen");
    status.SetPath("If-Match");
    return status;
  }
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  LC_ASSIGN_OR_RETURN(domain::Patient patient, PatientFromJson(body));
  patient.id = *call.patient_id;
  call.audited = true;
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  base::Result<std::int64_t> version =
      clinic::UpdatePatient(ContextOf(*repo), call.actor, patient, VersionOfETag(if_match));
  if (!version.ok()) {
    base::Status status = version.status();
    if (status.path() == "version") {  // the ETag the client sent, and the current one
      status.SetPath("If-Match").SetValue(if_match);
      if (!status.allowed().empty()) status.SetAllowed(ETag(std::stoll(std::string(status.allowed()))));
    }
    return status;
  }
  call.response.SetHeader("ETag", ETag(*version));
  LC_ASSIGN_OR_RETURN(const domain::Patient stored, repo->GetPatient(patient.id));
  json out = PatientJson(stored, nullptr, Today());
  out["version"] = *version;
  Reply(call, 200, out);
  return base::OkStatus();
}

}  // namespace livercell::server::internal
