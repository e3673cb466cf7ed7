// Treatment plans and cell products through the clinic's door (issues #8, #22), shared by the
// CLI (`livercell plan`, `livercell product`) and the API (/api/v1/plans, /api/v1/products), so
// a plan, a release or a bedside check gives the same result, and leaves the same audit entry,
// whichever door it came through. The reads at the top run in the caller's transaction, if
// any; the use cases below them (clinic.h) run their own.
#ifndef LIVERCELL_CLINIC_PRODUCTS_H_
#define LIVERCELL_CLINIC_PRODUCTS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/bedside.h"
#include "livercell/domain/product/release.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

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

// --- use cases (clinic.h: permission, validation, change and audit in one transaction) ------

// Registers `product` (permission handle-cell-products): its type must be one of the release
// specification's; registered_by/at are the actor and now. kInvalidArgument at "product_type";
// kAlreadyExists for a DIN already registered; kNotFound for an unknown patient or plan.
base::Result<domain::Product> RegisterProduct(const Context& context, const Actor& actor,
                                              domain::Product product);

struct RecordedCustody {
  domain::CustodyEvent event;         // as stored (seq, hash, actor)
  std::vector<std::string> warnings;  // e.g. it will expire before its planned administration
};

// Appends a custody event recorded by hand (harvest, bank receipt, processing, QC, storage,
// dispatch) to product `product_id`, by `actor` (permission handle-cell-products).
// kFailedPrecondition when the product's record no longer takes it (domain::CanAppend). An
// expiry before the plan's next administration is a warning here (the event is a fact and is
// stored) and a refusal at release.
base::Result<RecordedCustody> RecordCustodyEvent(const Context& context, const Actor& actor,
                                                 std::int64_t product_id,
                                                 domain::CustodyEvent event);

// Releases product `product_id` against the release specification, signed: the releaser gives
// their password again and must have recorded neither the product's processing nor its QC
// (quality control is independent of production). kFailedPrecondition naming the blockers or
// the separation of duties; the checklist is returned through `checklist` either way.
base::Result<domain::CustodyEvent> ReleaseProduct(const Context& context, const Actor& actor,
                                                  std::int64_t product_id,
                                                  const std::string& password,
                                                  domain::ReleaseChecklist* checklist);

// A physician's release exception for `criterion` (permission sign-release-exceptions, signed
// with the password again): the specification must allow it and the item must fail or lack
// its result now (domain::CanExcept); the event binds the result accepted. The checklist after
// the exception is returned through `checklist`.
base::Result<domain::CustodyEvent> SignReleaseException(const Context& context, const Actor& actor,
                                                        std::int64_t product_id,
                                                        const std::string& criterion,
                                                        const std::string& reason,
                                                        const std::string& password,
                                                        domain::ReleaseChecklist* checklist);

// A bedside check (permission administer-products): the verdict, audited as "bedside-verify"
// with the outcome "match" or "mismatch:<check>" — a STOP is on the record with its reason.
base::Result<BedsideResult> VerifyAtBedside(const Context& context, const Actor& actor,
                                            const std::string& wristband,
                                            const std::string& din_scanned);

// Gives the product at the bedside: `actor` scanned, the second member of staff
// (`second_username`, another account holding administer-products) confirms with their
// password. Checked again in the transaction that records the administration; a mismatch is
// refused (kFailedPrecondition with the reason) and audited.
base::Result<domain::CustodyEvent> AdministerProduct(const Context& context, const Actor& actor,
                                                     const std::string& wristband,
                                                     const std::string& din_scanned,
                                                     const std::string& second_username,
                                                     const std::string& second_password,
                                                     BedsideResult* checked);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_PRODUCTS_H_
