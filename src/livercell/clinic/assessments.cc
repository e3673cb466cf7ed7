#include "livercell/clinic/assessments.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "livercell/base/sha256.h"
#include "livercell/domain/assessment/assess.h"
#include "livercell/domain/assessment/from_record.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/candidate_json.h"

namespace livercell::clinic {
namespace {

using nlohmann::json;

struct Assessed {
  json result;
  formats::PatientParse parse;
};

// The protocol's decision for `input` (a candidate document).
Assessed AssessDocument(const domain::Protocol& protocol, const json& input) {
  simdjson::dom::parser parser;
  domain::Candidate candidate;
  Assessed out;
  out.parse = formats::ParseCandidate(input.dump(), parser, &candidate);
  if (out.parse.errors.empty()) {
    out.result = formats::AssessmentJson(domain::Assess(protocol, candidate), protocol);
  }
  return out;
}

}  // namespace

base::Result<RegistryAssessment> AssessFromRegistry(storage::Repository& repo,
                                                    std::int64_t patient_id,
                                                    const domain::Protocol& protocol,
                                                    const json& stated,
                                                    std::chrono::sys_seconds now) {
  if (!stated.is_null() && !stated.is_object()) {
    return std::move(base::InvalidArgumentError("must be an object of candidate fields "
                                                "(specs/assessment.md \"Input\")")
                         .SetPath("inputs")
                         .SetValue(stated.dump()));
  }
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo.GetPatient(patient_id));
  LC_ASSIGN_OR_RETURN(const auto labs, repo.Labs(patient_id));
  LC_ASSIGN_OR_RETURN(const auto findings, repo.Findings(patient_id));
  LC_ASSIGN_OR_RETURN(const auto events, repo.Events(patient_id));
  // An assessment is for a living candidate with their own liver.
  for (const domain::ClinicalEvent& e : events) {
    if (e.type != "death" && e.type != "transplant") continue;
    base::Status status(base::StatusCode::kFailedPrecondition,
                        fmt::format("the registry records this patient's {} on {}: there is no "
                                    "candidacy to assess",
                                    e.type, e.time.ToString()));
    status.SetPath("patient").SetValue(std::to_string(patient_id));
    return status;
  }
  std::optional<std::chrono::days> max_age;
  if (protocol.lab_max_age_days) max_age = std::chrono::days(*protocol.lab_max_age_days);
  const domain::RecordCandidate recorded =
      domain::CandidateFromRecord(patient, labs, findings, events, now, max_age);

  RegistryAssessment out;
  out.input = formats::CandidateJson(recorded.candidate);
  if (stated.is_object()) out.input.merge_patch(stated);
  Assessed assessed = AssessDocument(protocol, out.input);
  out.errors = std::move(assessed.parse.errors);
  out.warnings = std::move(assessed.parse.warnings);
  if (!out.errors.empty()) return out;
  out.result = std::move(assessed.result);
  json stale = json::array();
  for (const domain::StaleInput& s : recorded.stale) {
    // The registry's stale lab was left out, so a value in the input is the clinician's own.
    const std::string lab = s.input.substr(s.input.find('.') + 1);  // "labs.ast" → "ast"
    if (out.input.contains("labs") && out.input["labs"].contains(lab)) continue;
    stale.push_back({{"input", s.input},
                     {"time", s.time.ToString()},
                     {"age_days", s.age_days},
                     {"max_age_days", *protocol.lab_max_age_days}});
  }
  out.result["stale"] = stale;
  return out;
}

std::string AssessmentContentHash(const domain::AssessmentRecord& r) {
  return base::Sha256Hex(fmt::format("livercell-assessment-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
                                     r.patient_id, r.assessed_at.ToString(), r.protocol_sha256,
                                     r.input_json, r.result_json, r.signed_by.value_or(""),
                                     r.signed_role.value_or("")));
}

domain::AssessmentRecord MakeAssessmentRecord(std::int64_t patient_id,
                                              const RegistryAssessment& assessment,
                                              const domain::Protocol& protocol,
                                              std::chrono::sys_seconds at,
                                              std::optional<std::string> signed_by,
                                              std::optional<std::string> signed_role) {
  domain::AssessmentRecord r;
  r.patient_id = patient_id;
  r.assessed_at = domain::ClinicalTime::FromInstant(at);
  r.decision = assessment.result.value("decision", "");
  r.protocol_id = protocol.id;
  r.protocol_version = protocol.version;
  r.protocol_sha256 = protocol.sha256;
  r.protocol_text = protocol.text;
  r.input_json = assessment.input.dump();
  r.result_json = assessment.result.dump();
  r.signed_by = std::move(signed_by);
  r.signed_role = std::move(signed_role);
  r.content_hash = AssessmentContentHash(r);
  return r;
}

base::Result<Replay> ReplayAssessment(const domain::AssessmentRecord& record) {
  const formats::ProtocolParse parsed = formats::ParseProtocolFile(
      record.protocol_text, fmt::format("stored protocol {}", record.protocol_sha256));
  if (!parsed.protocol) return parsed.errors.front();
  const json input = json::parse(record.input_json, nullptr, /*allow_exceptions=*/false);
  json stored = json::parse(record.result_json, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded() || stored.is_discarded()) {
    return base::Status(base::StatusCode::kDataLoss,
                        fmt::format("assessment {} is not valid JSON any more", record.id));
  }
  Assessed again = AssessDocument(*parsed.protocol, input);
  if (!again.parse.errors.empty()) return again.parse.errors.front();
  Replay out;
  if (stored.contains("stale")) again.result["stale"] = stored["stale"];
  out.reproduced = again.result == stored;
  out.intact = AssessmentContentHash(record) == record.content_hash;
  out.result = std::move(again.result);
  return out;
}

json StoredAssessmentJson(const domain::AssessmentRecord& r) {
  return {{"id", r.id},
          {"patient_id", r.patient_id},
          {"assessed_at", r.assessed_at.ToString()},
          {"decision", r.decision},
          {"protocol",
           {{"id", r.protocol_id}, {"version", r.protocol_version}, {"sha256", r.protocol_sha256}}},
          {"signed_by", r.signed_by ? json(*r.signed_by) : json()},
          {"signed_role", r.signed_role ? json(*r.signed_role) : json()},
          {"content_hash", r.content_hash},
          {"input", json::parse(r.input_json, nullptr, false)},
          {"result", json::parse(r.result_json, nullptr, false)}};
}

base::Result<RegistryAssessment> PreviewAssessment(const Context& context, const Actor& actor,
                                                   std::int64_t patient_id,
                                                   const nlohmann::json& stated) {
  if (base::Status allowed =
          Authorize(actor, access::Permission::kSignAssessments, "assess a candidate");
      !allowed.ok()) {
    return Refuse(context, actor, "preview", patient_id, std::move(allowed));
  }
  LC_ASSIGN_OR_RETURN(RegistryAssessment assessed,
                      AssessFromRegistry(context.repo, patient_id, context.protocol, stated,
                                         context.now));
  if (!assessed.errors.empty()) {
    base::Status first = assessed.errors.front();
    return Refuse(context, actor, "preview", patient_id, std::move(first.PrefixPath("inputs")));
  }
  // As what it was: a read of the record, nothing signed.
  LC_RETURN_IF_ERROR(context.journal.Record(EntryFor(actor, "preview", patient_id, context.now)));
  return assessed;
}

base::Result<domain::AssessmentRecord> SignAssessment(const Context& context, const Actor& actor,
                                                      std::int64_t patient_id,
                                                      const nlohmann::json& stated,
                                                      const std::string& password) {
  const auto refuse = [&](base::Status status) {
    return Refuse(context, actor, "sign", patient_id, std::move(status));
  };
  if (base::Status allowed =
          Authorize(actor, access::Permission::kSignAssessments, "sign an assessment");
      !allowed.ok()) {
    return refuse(std::move(allowed));
  }
  LC_ASSIGN_OR_RETURN(const RegistryAssessment assessed,
                      AssessFromRegistry(context.repo, patient_id, context.protocol, stated,
                                         context.now));
  if (!assessed.errors.empty()) {
    base::Status first = assessed.errors.front();
    return refuse(std::move(first.PrefixPath("inputs")));
  }
  if (base::Status again =
          SignAgain(context, actor, password, "the assessment was not signed");
      !again.ok()) {
    return refuse(std::move(again));
  }
  domain::AssessmentRecord record = MakeAssessmentRecord(
      patient_id, assessed, context.protocol, context.now, actor.username, actor.role_name());
  LC_RETURN_IF_ERROR(context.journal.Record(
      EntryFor(actor, "sign", patient_id, context.now),
      [&](storage::Repository& r) -> base::Status {
        LC_ASSIGN_OR_RETURN(record.id, r.AddAssessment(record));
        return base::OkStatus();
      }));
  return record;
}

}  // namespace livercell::clinic
