// Treatment plans through the clinic's door (issues #8, #22). A plan is signed by a physician
// (their password again) and rests on a signed assessment of the same patient that found them
// eligible, no older than the protocol's window — or on the physician's signed override, with
// the reason on the audit trail. A plan for a patient recorded as dead or transplanted is
// refused; one overlapping an active plan of the patient is stored with a warning.
#ifndef LIVERCELL_CLINIC_PLANS_H_
#define LIVERCELL_CLINIC_PLANS_H_

#include <chrono>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/domain/plan/course.h"

namespace livercell::clinic {

// How recent the eligible assessment must be when the protocol sets no lab_max_age_days.
// Clinic default, not a clinical number: a quarter, the usual re-evaluation interval the
// default protocol uses for its labs (data/protocols/default.toml lab_max_age_days).
inline constexpr int kDefaultAssessmentMaxAgeDays = 90;

struct PlanRequest {
  std::int64_t patient_id = 0;
  domain::CourseTemplate course;
  std::chrono::sys_days start{};
  double weight_kg = 0;
  std::string password;         // the physician's signature
  std::string override_reason;  // given: plan without a current eligible assessment
};

struct PlannedTreatment {
  domain::Plan plan;  // with its id
  std::vector<std::string> warnings;  // overlap with an active plan
};

// Permission plan-treatment. kFailedPrecondition at "patient_id" for a dead or transplanted
// patient, and at "assessment" when no signed eligible assessment is recent enough and no
// override reason is given.
base::Result<PlannedTreatment> CreatePlan(const Context& context, const Actor& actor,
                                          const PlanRequest& request);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_PLANS_H_
