// Bedside verification (issue #8 part 4): before a bag is hung, the patient's wristband and the
// product's DIN are scanned and LiverCell confirms, in this order, that the DIN reads correctly,
// the patient and product are known, the product is released, is this patient's, has not
// expired, and is the one the plan calls for today and not yet given, and that the patient's
// latest labs meet the template's pre-procedure limits (platelets and INR before an arterial
// puncture), recent enough — or stops at the first check that fails and says why. The caller gathers the facts (storage) and records the verdict
// (audit); this is only the decision.
#ifndef LIVERCELL_DOMAIN_PRODUCT_BEDSIDE_H_
#define LIVERCELL_DOMAIN_PRODUCT_BEDSIDE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/product.h"
#include "livercell/domain/records/observation.h"

namespace livercell::domain {

struct BedsideFacts {
  std::string wristband;                   // as scanned
  std::string din_scanned;                 // as scanned
  std::optional<std::int64_t> patient_id;  // the wristband resolved; nullopt: unknown
  std::string patient_identity;            // IdentityLine of that patient
  std::string recipient_identity;          // IdentityLine of the product's recipient
  const Product* product = nullptr;        // the product with that DIN; nullptr: none
  std::string release_blockers;            // why it could not be released, if it is not
  const Plan* plan = nullptr;              // the product's plan
  std::set<int> plan_items_given;          // plan items already administered (any product)
  std::vector<PreCheck> pre_checks;       // the plan's template's, before a procedure
  std::vector<LabObservation> labs;       // the patient's results (for pre_checks)
  std::chrono::sys_seconds now{};
  std::chrono::sys_days today{};           // the clinic's date
};

struct BedsideCheck {
  // "din", "patient", "product", "released", "recipient", "expiry", "plan", "given",
  // "pre-procedure"
  std::string check;
  bool ok = false;
  std::string detail;  // what was found
};

struct BedsideVerdict {
  bool match = false;
  std::string reason;  // the first failed check's detail; empty on a match
  std::string failed_check;
  std::vector<BedsideCheck> checks;  // those run, in order
  std::optional<int> plan_item;      // the item to give, on a match
};

BedsideVerdict VerifyAtBedside(const BedsideFacts& facts);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PRODUCT_BEDSIDE_H_
