// Treatment plans: a patient's plans, a new plan (or its preview), one plan (JSON or iCalendar).
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

// --- treatment plans and cell products (issue #8) -------------------------------------
base::Status Routes::GetPlans(Call& call) {
  return ListAll(call, &Repository::Plans,
                 [](const domain::Plan& p) { return formats::PlanJson(p); });
}

// A plan for a patient from a shipped template: {"patient_id", "template", "start",
// "weight_kg", "preview"?}. Stored (append-only) and audited unless previewed.
base::Status Routes::AddPlan(Call& call) {
  LC_ASSIGN_OR_RETURN(const json body, ParseBody(call.request));
  LC_ASSIGN_OR_RETURN(call.patient_id, IdField(body, "patient_id", true, "the patient's id"));
  LC_ASSIGN_OR_RETURN(const std::string template_id, StringField(body, "template", true));
  LC_ASSIGN_OR_RETURN(const domain::ClinicalTime start, TimeField(body, "start"));
  const json* weight = body.contains("weight_kg") ? &body["weight_kg"] : nullptr;
  if (weight == nullptr || !weight->is_number()) {
    return BadBody("required, the weight at planning in kg", "weight_kg");
  }
  clinic::PlanRequest request;
  request.patient_id = *call.patient_id;
  LC_ASSIGN_OR_RETURN(request.course, clinic::BuiltinCourseTemplate(template_id));
  request.start = start.day();
  request.weight_kg = weight->get<double>();
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  if (body.value("preview", false)) {
    LC_ASSIGN_OR_RETURN(const domain::Plan plan,
                        clinic::PlanForPatient(*repo, request.patient_id, request.course,
                                               calendar_, request.start, request.weight_kg));
    Reply(call, 200, formats::PlanJson(plan));
    return base::OkStatus();
  }
  LC_ASSIGN_OR_RETURN(request.password, StringField(body, "password", false));
  LC_ASSIGN_OR_RETURN(request.override_reason, StringField(body, "override_reason", false));
  call.audited = true;
  LC_ASSIGN_OR_RETURN(const clinic::PlannedTreatment planned,
                      clinic::CreatePlan(ContextOf(*repo), call.actor, request));
  call.response.SetHeader("Location", fmt::format("/api/v1/plans/{}", planned.plan.id));
  json out = formats::PlanJson(planned.plan);
  out["warnings"] = planned.warnings;
  Reply(call, 201, out);
  return base::OkStatus();
}

base::Status Routes::GetPlan(Call& call) {
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  LC_ASSIGN_OR_RETURN(const domain::Plan plan, repo->GetPlan(*call.resource_id));
  call.patient_id = plan.patient_id;
  if (call.request.Param("format") == "ics") {
    LC_ASSIGN_OR_RETURN(const std::string ics, formats::PlanICalendar(plan));
    call.response.SetContent(ics, "text/calendar; charset=utf-8");
    return base::OkStatus();
  }
  json out = formats::PlanJson(plan);
  LC_ASSIGN_OR_RETURN(const domain::Patient patient, repo->GetPatient(plan.patient_id));
  out["patient_identity"] = domain::IdentityLine(patient);
  LC_ASSIGN_OR_RETURN(const std::vector<int> given, repo->AdministeredPlanItems(plan.id));
  out["administered_items"] = given;
  Reply(call, 200, out);
  return base::OkStatus();
}

}  // namespace livercell::server::internal
