// A patient's records (labs, findings, events, adverse events, quality of life): lists, one
// record with its status, new records, corrections; the catalogue; scores.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

json Routes::CatalogueJson() {
  json labs = json::array();
  for (const domain::AnalyteInfo& a : domain::AllAnalytes()) {
    json units = json::array();
    for (const domain::AcceptedUnit& u : a.units()) {
      units.push_back({{"unit", domain::UcumCode(u.unit)}, {"loinc", u.loinc}});
    }
    labs.push_back({{"key", a.key},
                    {"title", a.title},
                    {"canonical_unit", domain::UcumCode(a.canonical)},
                    {"units", units},
                    {"plausible_min", a.plausible_min},
                    {"plausible_max", a.plausible_max},
                    {"source", a.source},
                    {"delta", [&a]() -> json {
                       const auto limit = domain::DeltaLimitOf(a.analyte);
                       if (!limit) return nullptr;
                       return {{"max_fraction", limit->max_fraction},
                               {"min_absolute", limit->min_absolute},
                               {"window_days", domain::kDeltaWindowDays},
                               {"source", limit->source}}; }()}});
  }
  json events = json::array();
  for (const domain::EventType& t : domain::EventTypes()) {
    events.push_back({{"key", t.key}, {"title", t.title}, {"graded", t.graded}});
  }
  json attributions = json::array();
  for (int i = 0; i <= static_cast<int>(domain::Attribution::kDefinite); ++i) {
    attributions.push_back(domain::ToString(static_cast<domain::Attribution>(i)));
  }
  // What an assessment may be told (the candidate input's fields, by the path its
  // "missing" lists use), so the UI can offer a control for each missing one.
  json inputs = json::array();
  for (const domain::FactInfo& f : domain::AllFacts()) {
    inputs.push_back({{"name", f.name},
                      {"kind", domain::KindName(f.kind)},
                      {"allowed", f.allowed},
                      {"unit", f.unit},
                      {"description", f.description}});
  }
  auto grades = [](auto last) {
    json words = json::array();
    for (int i = 0; i <= static_cast<int>(last); ++i)
      words.push_back(domain::ToString(static_cast<decltype(last)>(i)));
    return words;
  };
  inputs.push_back({{"name", "ascites"}, {"kind", "a word"},
                    {"allowed", grades(domain::Ascites::kModerateSevere)}, {"unit", ""},
                    {"description", "ascites now (Child-Pugh)"}});
  inputs.push_back({{"name", "encephalopathy"}, {"kind", "a word"},
                    {"allowed", grades(domain::Encephalopathy::kGrade3To4)}, {"unit", ""},
                    {"description", "hepatic encephalopathy now (Child-Pugh)"}});
  return {{"labs", labs},
          {"event_types", events},
          {"attributions", attributions},
          {"assessment_inputs", inputs}};
}

base::Result<json> Routes::AllOfKind(Repository& repo, const Call& call, domain::RecordKind kind) {
  const std::int64_t pid = *call.patient_id;
  switch (kind) {
    case domain::RecordKind::kLab:
      return ItemsJson(repo, pid, true, call.deidentify, &Repository::Labs, &LabJson);
    case domain::RecordKind::kEvent:
      return ItemsJson(repo, pid, true, call.deidentify, &Repository::Events, &EventJson);
    case domain::RecordKind::kAdverseEvent:
      return ItemsJson(repo, pid, true, call.deidentify, &Repository::AdverseEvents,
                       &AdverseEventJson);
    case domain::RecordKind::kQualityOfLife:
      return ItemsJson(repo, pid, true, call.deidentify, &Repository::QualityOfLife,
                       &QualityOfLifeJson);
    case domain::RecordKind::kFinding:
      return ItemsJson(repo, pid, true, call.deidentify, &Repository::Findings,
                       &formats::FindingJson);
  }
  return base::NotFoundError("no such kind of record");
}

base::Result<domain::RecordKind> Routes::KindOfPath(const Call& call) {
  const std::string& path = call.request.path;
  const std::size_t end = path.rfind('/');
  const std::size_t start = path.rfind('/', end - 1);
  const auto kind = domain::ParseRecordKind(path.substr(start + 1, end - start - 1));
  if (!kind) return base::NotFoundError("no such kind of record");
  return *kind;
}

std::string Routes::IdText(const json& id) {
  return id.is_string() ? id.get<std::string>() : id.dump();
}

base::Status Routes::GetLabs(Call& call) { return List(call, &Repository::Labs, &LabJson); }

base::Status Routes::GetFindings(Call& call) {
  return List(call, &Repository::Findings, &formats::FindingJson);
}

base::Status Routes::GetEvents(Call& call) { return List(call, &Repository::Events, &EventJson); }

base::Status Routes::GetAdverseEvents(Call& call) {
  return List(call, &Repository::AdverseEvents, &AdverseEventJson);
}

base::Status Routes::GetQualityOfLife(Call& call) {
  return List(call, &Repository::QualityOfLife, &QualityOfLifeJson);
}

base::Status Routes::AddLab(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  LC_ASSIGN_OR_RETURN(const std::string code, StringField(body, "code", true));
  LC_ASSIGN_OR_RETURN(const std::string unit, StringField(body, "unit", true));
  auto value = body.find("value");
  if (value == body.end() || !value->is_number()) {
    base::Status status = BadBody("required, a number", "value");
    if (value != body.end()) status.SetValue(value->dump());
    return status;
  }
  LC_ASSIGN_OR_RETURN(const domain::ClinicalTime time, TimeField(body, "time"));
  // "confirm": true records a result the delta check questioned.
  const bool confirmed = body.value("confirm", false);
  return Add<domain::LabObservation>(
      call, domain::MakeLabObservation(code, value->get<double>(), unit, time),
      [confirmed](const clinic::Context& c, const clinic::Actor& a, domain::LabObservation l) {
        return clinic::RecordLab(c, a, std::move(l), confirmed);
      },
      &LabJson);
}

base::Status Routes::AddEvent(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  return Add<domain::ClinicalEvent>(call, formats::EventFromJson(body), &clinic::RecordEvent,
                                    &EventJson);
}

base::Status Routes::AddAdverseEvent(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  return Add<domain::AdverseEvent>(call, formats::AdverseEventFromJson(body),
                                   &clinic::RecordAdverseEvent, &AdverseEventJson);
}

base::Status Routes::AddQualityOfLife(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  return Add<domain::QualityOfLife>(call, formats::QualityOfLifeFromJson(body),
                                    &clinic::RecordQualityOfLife, &QualityOfLifeJson);
}

// What the UI's forms offer: the lab catalogue (units, LOINC codes, plausible ranges and
// their sources), event types and adverse-event attributions.
base::Status Routes::Catalogue(Call& call) {
  // Constant data: built once, on first use.
  static const std::string body = CatalogueJson().dump();
  call.response.status = 200;
  call.response.SetContent(body, "application/json");
  return base::OkStatus();
}

base::Status Routes::GetScores(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(*call.patient_id));
  LC_ASSIGN_OR_RETURN(const auto labs, repo->Labs(*call.patient_id));
  LC_ASSIGN_OR_RETURN(const auto findings, repo->Findings(*call.patient_id));
  json out = formats::ScoresJson(patient, labs, findings, call.deidentify);
  out["patient_id"] = PatientRef(call);
  Reply(call, 200, out);
  return base::OkStatus();
}

// One record, with its status; its ETag is its id (a stored record never changes: a
// correction makes it stale instead, and an amendment against it is refused with 412).
base::Status Routes::GetRecord(Call& call) {
  LC_ASSIGN_OR_RETURN(const domain::RecordKind kind, KindOfPath(call));
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const json items, AllOfKind(*repo, call, kind));
  for (const json& item : items) {
    if (!item.contains("id") || IdText(item["id"]) != call.record_id) continue;
    call.response.SetHeader("ETag", fmt::format("\"{}\"", call.record_id));
    Reply(call, 200, item);
    return base::OkStatus();
  }
  base::Status status = base::NotFoundError(fmt::format("patient {} has no {} {}",
                                                        *call.patient_id,
                                                        domain::ToString(kind), call.record_id));
  return std::move(status.SetPath("id").SetValue(call.record_id));
}

// A correction: {"status": "entered-in-error", "reason"} voids (If-Match optional); the
// record's fields with "reason" amend it (If-Match with the record's ETag required). 200 with the correction, or 201 with the new version.
base::Status Routes::PatchRecord(Call& call) {
  LC_ASSIGN_OR_RETURN(const domain::RecordKind kind, KindOfPath(call));
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  LC_ASSIGN_OR_RETURN(const std::string reason, StringField(body, "reason", false));
  const std::string if_match = call.request.Header("If-Match");
  const std::string etag = fmt::format("\"{}\"", call.record_id);
  if (!if_match.empty() && if_match != etag) {
    base::Status status(base::StatusCode::kFailedPrecondition,
                        "If-Match names another record or version");
    return std::move(status.SetPath("If-Match").SetValue(if_match).SetAllowed(etag));
  }
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  const clinic::Context context = ContextOf(*repo);
  if (body.value("status", "") == domain::kEnteredInError) {
    call.audited = true;
    LC_RETURN_IF_ERROR(clinic::VoidRecord(context, call.actor, kind, *call.patient_id,
                                          call.record_id, reason));
    Reply(call, 200, {{"id", call.record_id},
                      {"status", domain::kEnteredInError},
                      {"reason", reason},
                      {"by", call.actor.username}});
    return base::OkStatus();
  }
  if (body.contains("status")) {
    base::Status status = BadBody("only entered-in-error can be set; to correct values, send "
                                  "the corrected record with a reason",
                                  "status");
    return std::move(status.SetValue(body["status"].dump()).SetAllowed("entered-in-error"));
  }
  if (if_match.empty()) {
    base::Status status(base::StatusCode::kFailedPrecondition,
                        "an amendment needs If-Match with the record's ETag (from its GET), so "
                        "that no one corrects a version they have not seen");
    return std::move(status.SetPath("If-Match"));
  }
  std::string new_id;
  call.audited = true;
  if (kind == domain::RecordKind::kLab) {
    LC_ASSIGN_OR_RETURN(const std::string code, StringField(body, "code", true));
    LC_ASSIGN_OR_RETURN(const std::string unit, StringField(body, "unit", true));
    auto value = body.find("value");
    if (value == body.end() || !value->is_number()) return BadBody("required, a number", "value");
    LC_ASSIGN_OR_RETURN(const domain::ClinicalTime time, TimeField(body, "time"));
    LC_ASSIGN_OR_RETURN(domain::LabObservation lab,
                        domain::MakeLabObservation(code, value->get<double>(), unit, time));
    lab.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(new_id, clinic::AmendLab(context, call.actor, call.record_id,
                                                 std::move(lab), reason));
  } else if (kind == domain::RecordKind::kEvent) {
    LC_ASSIGN_OR_RETURN(domain::ClinicalEvent event, formats::EventFromJson(body));
    event.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(new_id, clinic::AmendEvent(context, call.actor, call.record_id,
                                                   std::move(event), reason));
  } else if (kind == domain::RecordKind::kFinding) {
    LC_ASSIGN_OR_RETURN(domain::Finding finding, formats::FindingFromJson(body));
    finding.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(new_id, clinic::AmendFinding(context, call.actor, call.record_id,
                                                     std::move(finding), reason));
  } else if (kind == domain::RecordKind::kAdverseEvent) {
    LC_ASSIGN_OR_RETURN(domain::AdverseEvent event, formats::AdverseEventFromJson(body));
    event.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(new_id, clinic::AmendAdverseEvent(context, call.actor, call.record_id,
                                                          std::move(event), reason));
  } else {
    LC_ASSIGN_OR_RETURN(domain::QualityOfLife qol, formats::QualityOfLifeFromJson(body));
    qol.patient_id = *call.patient_id;
    LC_ASSIGN_OR_RETURN(new_id, clinic::AmendQualityOfLife(context, call.actor, call.record_id,
                                                           std::move(qol), reason));
  }
  call.response.SetHeader("ETag", fmt::format("\"{}\"", new_id));
  Reply(call, 201, {{"id", new_id}, {"replaces", call.record_id}, {"reason", reason}});
  return base::OkStatus();
}

}  // namespace livercell::server::internal
