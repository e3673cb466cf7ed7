// Release of a cell product against the release specification of its type
// (data/release/release_criteria.toml): a checklist with, for each criterion, what is required,
// what was recorded, the outcome and the source. A product is released only when every item
// passes; a missing result is not a pass. (Release exceptions are not offered: the shipped
// specification allows none.)
#ifndef LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_
#define LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_

#include <map>
#include <optional>
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

struct ReleaseSpec {
  std::string version;
  std::string sha256;  // of the file's text
  std::string sterility_source, mycoplasma_source, identity_source, chain_source, dose_source;
  SourcedLimit endotoxin_eu_per_kg_max;
  std::map<std::string, ProductSpec, std::less<>> types;
};

enum class CheckOutcome { kPass, kFail, kMissing };
std::string_view ToString(CheckOutcome outcome);

struct CheckItem {
  std::string criterion;  // "viability", "endotoxin", ...
  std::string required;   // "≥ 70 %"
  std::string observed;   // "82 %", or "not recorded"
  CheckOutcome outcome = CheckOutcome::kMissing;
  std::string source;
};

struct ReleaseChecklist {
  std::string spec_version;
  std::vector<CheckItem> items;
  bool releasable() const;
  // "viability 65 % < 70 %; mycoplasma not recorded" — the items that stop release.
  std::string Blockers() const;
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

// "CD14 or CD11b" → "cd14_or_cd11b_percent", the QC field that holds it.
std::string MarkerField(std::string_view marker);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PRODUCT_RELEASE_H_
