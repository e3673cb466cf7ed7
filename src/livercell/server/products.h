// Treatment plans and cell products over the registry (issue #8), shared by the CLI
// (`livercell plan`, `livercell product`) and the API (/api/v1/plans, /api/v1/products), so a
// plan, a release or a bedside check gives the same result whichever door it came through.
// Each function runs in the caller's transaction, if any.
#ifndef LIVERCELL_SERVER_PRODUCTS_H_
#define LIVERCELL_SERVER_PRODUCTS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "livercell/base/result.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/bedside.h"
#include "livercell/domain/product/release.h"
#include "livercell/storage/repository.h"

namespace livercell::server {

// A plan for registry patient `patient_id`: antivirals first when the recorded aetiology is
// viral hepatitis (ICD-10 B18.x). Not stored.
base::Result<domain::Plan> PlanForPatient(storage::Repository& repo, std::int64_t patient_id,
                                          const domain::CourseTemplate& course,
                                          const domain::ClinicCalendar& calendar,
                                          std::chrono::sys_days start, double weight_kg);

// A shipped course template by id ("iv-2x5"); kInvalidArgument naming the ids there are.
base::Result<domain::CourseTemplate> BuiltinCourseTemplate(std::string_view id);

// The release checklist of a product now under the clinic's specification, with the plan it is
// linked to (weight, dose).
base::Result<domain::ReleaseChecklist> ReleaseChecklistFor(storage::Repository& repo,
                                                           const domain::Product& product,
                                                           const domain::ReleaseSpec& spec,
                                                           std::chrono::sys_seconds now);

// Records a physician's release exception for `criterion`: the specification must allow it
// and the item must fail or lack its result now (domain::CanExcept); the event binds the
// result accepted. The caller has checked that `actor` is a physician who re-authenticated.
// The checklist after the exception is returned through `checklist`.
base::Result<domain::CustodyEvent> SignReleaseException(
    storage::Repository& repo, const domain::Product& product, const domain::ReleaseSpec& spec,
    const std::string& criterion, const std::string& reason, const std::string& actor,
    const std::string& role, std::chrono::sys_seconds now, domain::ReleaseChecklist* checklist);

// Records the release when every item of the checklist passes or is excepted; otherwise
// kFailedPrecondition naming the blockers (the checklist is returned either way through
// `checklist`).
base::Result<domain::CustodyEvent> Release(storage::Repository& repo, const domain::Product& product,
                                           const domain::ReleaseSpec& spec,
                                           const std::string& actor, const std::string& role,
                                           std::chrono::sys_seconds now,
                                           domain::ReleaseChecklist* checklist);

// Gathers the facts for a bedside check (wristband "system:value" or internal id, DIN as
// scanned) and decides. The caller audits the verdict.
struct BedsideResult {
  domain::BedsideVerdict verdict;
  std::optional<std::int64_t> patient_id;
  std::optional<std::int64_t> product_id;
};
base::Result<BedsideResult> CheckAtBedside(storage::Repository& repo,
                                           const domain::ReleaseSpec& spec,
                                           const std::string& wristband,
                                           const std::string& din_scanned,
                                           std::chrono::sys_seconds now,
                                           std::chrono::sys_days today);

// The refusal of a bedside mismatch: kFailedPrecondition with the verdict's reason, at the
// failed check.
base::Status BedsideRefusal(const domain::BedsideVerdict& verdict, const std::string& din_scanned);

// Verifies again and, on a match, records the administration (with the second signer, who
// the caller has re-authenticated). kFailedPrecondition with the reason on a mismatch.
base::Result<domain::CustodyEvent> Administer(storage::Repository& repo,
                                              const domain::ReleaseSpec& spec,
                                              const std::string& wristband,
                                              const std::string& din_scanned,
                                              const std::string& actor, const std::string& role,
                                              const std::string& second_signer,
                                              std::chrono::sys_seconds now,
                                              std::chrono::sys_days today,
                                              BedsideResult* checked);

}  // namespace livercell::server

#endif  // LIVERCELL_SERVER_PRODUCTS_H_
