// Candidacy assessments: a patient's history, a preview or a signed assessment.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

// The patient's stored candidacy assessments, newest first.
// (Identified readers only: the route does not admit de-identified access.)
base::Status Routes::GetAssessments(Call& call) {
  return ListAll(call, &Repository::Assessments,
                 [](const domain::AssessmentRecord& r) {
                   return clinic::StoredAssessmentJson(r);
                 });
}

// A candidacy assessment from the registry's latest values and what the physician states
// ("inputs", candidate fields). {"preview": true} shows it without storing it; otherwise it
// is signed: the physician gives their password again (re-authentication), and the
// assessment is stored with its protocol and the signer in the same transaction as its
// audit entry.
base::Status Routes::AddAssessment(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  const json stated = body.value("inputs", json::object());
  const bool preview = body.value("preview", false);
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  const clinic::Context context = ContextOf(*repo);
  call.audited = true;
  if (preview) {
    LC_ASSIGN_OR_RETURN(const clinic::RegistryAssessment assessed,
                        clinic::PreviewAssessment(context, call.actor, *call.patient_id, stated));
    Reply(call, 200, {{"patient_id", *call.patient_id},
                      {"input", assessed.input},
                      {"result", assessed.result},
                      {"signed", false}});
    return base::OkStatus();
  }
  LC_ASSIGN_OR_RETURN(const std::string password, StringField(body, "password", false));
  LC_ASSIGN_OR_RETURN(const domain::AssessmentRecord record,
                      clinic::SignAssessment(context, call.actor, *call.patient_id, stated,
                                             password));
  call.response.SetHeader(
      "Location", fmt::format("/api/v1/patients/{}/assessments/{}", *call.patient_id, record.id));
  Reply(call, 201, clinic::StoredAssessmentJson(record));
  return base::OkStatus();
}

}  // namespace livercell::server::internal
