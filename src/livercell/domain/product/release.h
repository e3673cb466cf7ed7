// Release of a cell product against the release specification of its type
// (data/release/release_criteria.toml): a checklist with, for each criterion, what is required,
// what was recorded, the outcome and the source. A product is released only when every item
// passes; a missing result is not a pass.
//
// Release exceptions: a clinic's specification may name criteria (its [exceptions] table, with
// the procedure that allows it) that a physician may accept when the product fails or lacks
// them — a low autologous yield when no bank unit can be had, say. The shipped specification
// names none, so by default nothing is released by exception. The physician's signed
// acceptance is a custody event (release-exception) bound to the result it accepts: a later
// QC result showing another value is not covered. Who the product is (identity, chain of
// identity, its type) and whether it has expired are never excepted.
#ifndef LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_
#define LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "livercell/domain/product/product.h"

namespace livercell::domain {

struct SourcedLimit {
  double value = 0;
  std::string source;
};
struct MarkerLimit {
  std::vector<std::string> markers;  // as the specification names them: "CD14 or CD11b"
  double percent = 0;                // positive: at least; negative: at most
  std::string source;
};

struct ProductSpec {
  std::string description;
  std::optional<SourcedLimit> viability_min_percent;
  std::optional<SourcedLimit> purity_min_percent;
  std::optional<SourcedLimit> min_total_cells;  // [bm_mnc] min_total_mnc
  std::optional<MarkerLimit> positive_markers;
  std::optional<MarkerLimit> negative_markers;
  std::optional<std::string> donor_eligibility_source;  // set when the type requires it
  std::optional<std::string> cd34_count_source;         // set when the count must be reported
};

struct ExceptionPolicy {
  std::set<std::string, std::less<>> criteria;  // checklist criteria: "viability", "CD73", ...
  std::string source;                           // the clinic's procedure that allows them
};

struct ReleaseSpec {
  std::string version;
  std::string sha256;  // of the file's text
  std::string sterility_source, mycoplasma_source, identity_source, chain_source, dose_source;
  SourcedLimit endotoxin_eu_per_kg_max;
  std::map<std::string, ProductSpec, std::less<>> types;
  ExceptionPolicy exceptions;  // none unless the clinic's specification names some
};

// The product types the specification names, in order ("bm_mnc", "bm_msc", ...).
std::vector<std::string> ProductTypes(const ReleaseSpec& spec);

// Criterion names that no exception may cover.
bool NeverExcepted(std::string_view criterion);
// Every criterion a checklist under `spec` can hold ("viability", "CD105", "dose", ...).
std::vector<std::string> CriterionNames(const ReleaseSpec& spec);

enum class CheckOutcome { kPass, kFail, kMissing, kExcepted };
std::string_view ToString(CheckOutcome outcome);

struct CheckItem {
  std::string criterion;  // "viability", "endotoxin", ...
  std::string required;   // "≥ 70 %"
  std::string observed;   // "82 %", or "not recorded"
  CheckOutcome outcome = CheckOutcome::kMissing;
  std::string source;
  bool may_be_excepted = false;  // the specification allows an exception for it
  // Set when outcome is kExcepted: the release-exception event that accepted `observed`.
  int exception_seq = 0;
  std::string excepted_by, exception_reason;
};

struct ReleaseChecklist {
  std::string spec_version;
  std::vector<CheckItem> items;
  // Every item passes or is excepted.
  bool releasable() const;
  // "viability 65 % < 70 %; mycoplasma not recorded" — the items that stop release.
  std::string Blockers() const;
  // "viability (event 5, dr.ames)" — the items released by exception.
  std::string Exceptions() const;
};

// What release needs to know beyond the product: the recipient's weight and the cells the plan
// prescribes for the administrations this product covers.
struct ReleaseContext {
  std::optional<double> recipient_weight_kg;
  std::optional<double> planned_cells;
  int administrations = 1;  // the product's volume is divided among them
  std::optional<std::chrono::sys_seconds> now;  // a product expired by then fails
};

// The checklist for `product` (its latest processing and QC events). An unknown product type
// is itself a failed item.
ReleaseChecklist EvaluateRelease(const Product& product, const ReleaseSpec& spec,
                                 const ReleaseContext& context);

// Whether a physician may sign an exception for `criterion` now: the specification allows it
// and the item neither passes nor is already excepted. kFailedPrecondition or
// kInvalidArgument (an unknown criterion, with the checklist's names), path "criterion".
base::Status CanExcept(const ReleaseChecklist& checklist, const ReleaseSpec& spec,
                       std::string_view criterion);

// "CD14 or CD11b" → "cd14_or_cd11b_percent", the QC field that holds it.
std::string MarkerField(std::string_view marker);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_
