#include "livercell/clinic/plans.h"

#include <fmt/format.h>

#include "livercell/clinic/products.h"

namespace livercell::clinic {
namespace {

std::string DayText(std::chrono::sys_days day) {
  return domain::ClinicalTime::FromDate(day).ToString();
}

std::chrono::sys_days LastDay(const domain::Plan& plan) {
  std::chrono::sys_days last = plan.start;
  for (const domain::PlanItem& item : plan.items) last = std::max(last, item.day);
  return last;
}

// A death or a transplant on record ends candidacy for this therapy.
base::Status CheckAlive(storage::Repository& repo, std::int64_t patient_id) {
  LC_ASSIGN_OR_RETURN(const auto events, repo.Events(patient_id));
  for (const domain::ClinicalEvent& e : events) {
    if (e.type != "death" && e.type != "transplant") continue;
    base::Status status(base::StatusCode::kFailedPrecondition,
                        fmt::format("the patient's record has a {} on {}: no treatment plan",
                                    e.type, e.time.ToString()));
    status.SetPath("patient_id").SetValue(std::to_string(patient_id));
    return status;
  }
  return base::OkStatus();
}

// The newest signed assessment that found the patient eligible within `max_age_days`.
base::Status CheckAssessed(storage::Repository& repo, std::int64_t patient_id,
                           std::chrono::sys_seconds now, int max_age_days) {
  LC_ASSIGN_OR_RETURN(const auto assessments, repo.Assessments(patient_id));
  const auto oldest = now - std::chrono::days(max_age_days);
  for (const domain::AssessmentRecord& a : assessments) {
    if (!a.signed_by || a.assessed_at.instant() < oldest) continue;
    if (a.decision == "eligible" || a.decision == "eligible_after_antiviral") {
      return base::OkStatus();
    }
  }
  base::Status status(
      base::StatusCode::kFailedPrecondition,
      fmt::format("no signed assessment found this patient eligible in the last {} days: assess "
                  "and sign first, or give an override reason",
                  max_age_days));
  status.SetPath("assessment").SetAllowed(
      "a signed assessment deciding eligible or eligible_after_antiviral");
  return status;
}

}  // namespace

base::Result<PlannedTreatment> CreatePlan(const Context& context, const Actor& actor,
                                          const PlanRequest& request) {
  LC_RETURN_IF_ERROR(AuthorizeSigned(context, actor, access::Permission::kPlanTreatment,
                                     "plan a treatment", request.password,
                                     "the plan was not signed", "sign", request.patient_id));
  PlannedTreatment out;
  LC_ASSIGN_OR_RETURN(out.plan, PlanForPatient(context.repo, request.patient_id, request.course,
                                               context.calendar, request.start,
                                               request.weight_kg));
  out.plan.created_by = actor.username;
  const int max_age_days =
      context.protocol.lab_max_age_days.value_or(kDefaultAssessmentMaxAgeDays);
  access::AuditEntry entry = EntryFor(actor, "sign", request.patient_id, context.now);
  const bool overridden = !request.override_reason.empty();
  if (overridden) {
    entry.action = "sign-override";
    entry.resource += fmt::format(" (override: {})", request.override_reason);
  }
  LC_RETURN_IF_ERROR(context.journal.Record(
      std::move(entry), [&](storage::Repository& r) -> base::Status {
        LC_RETURN_IF_ERROR(CheckAlive(r, request.patient_id));
        if (!overridden) {
          LC_RETURN_IF_ERROR(CheckAssessed(r, request.patient_id, context.now, max_age_days));
        }
        LC_ASSIGN_OR_RETURN(const auto plans, r.Plans(request.patient_id));
        const auto today = std::chrono::floor<std::chrono::days>(context.now);
        for (const domain::Plan& other : plans) {
          if (LastDay(other) < today) continue;  // finished: not active
          if (LastDay(other) < out.plan.start || LastDay(out.plan) < other.start) continue;
          out.warnings.push_back(fmt::format(
              "overlaps plan {} ({} to {}), still active", other.id, DayText(other.start),
              DayText(LastDay(other))));
        }
        LC_ASSIGN_OR_RETURN(out.plan.id, r.AddPlan(out.plan));
        return base::OkStatus();
      }));
  return out;
}

}  // namespace livercell::clinic
