#include "livercell/domain/product/release.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>

namespace livercell::domain {
namespace {

// The checklist's criteria, as items name them and [exceptions] lists them.
constexpr std::string_view kProductType = "product type";
constexpr std::string_view kIdentity = "identity and labelling";
constexpr std::string_view kDonor = "donor eligibility";
constexpr std::string_view kChain = "chain of identity";
constexpr std::string_view kSterility = "sterility";
constexpr std::string_view kMycoplasma = "mycoplasma";
constexpr std::string_view kEndotoxin = "endotoxin";
constexpr std::string_view kViability = "viability";
constexpr std::string_view kPurity = "purity";
constexpr std::string_view kTotalCells = "total cells";
constexpr std::string_view kCd34Count = "CD34+ count";
constexpr std::string_view kDose = "dose";
constexpr std::string_view kExpiry = "expiry";
// Who the product is and whether it is still in date: a wrong or expired bag is never given
// by exception (the bedside stops an expired one whatever the release says).
constexpr std::string_view kNeverExcepted[] = {kProductType, kIdentity, kChain, kExpiry};
// In checklist order; marker criteria (named by the specification) come after purity.
constexpr std::string_view kFixedBefore[] = {kIdentity, kDonor, kChain, kSterility,
                                             kMycoplasma, kEndotoxin, kViability, kPurity};
constexpr std::string_view kFixedAfter[] = {kTotalCells, kCd34Count, kDose, kExpiry};

const CustodyEvent* Latest(const Product& product, CustodyKind kind) {
  const CustodyEvent* latest = nullptr;
  for (const CustodyEvent& e : product.events)
    if (e.kind == kind) latest = &e;
  return latest;
}

std::optional<double> Number(const CustodyEvent* e, std::string_view key) {
  if (e == nullptr) return std::nullopt;
  auto it = e->fields.find(key);
  if (it == e->fields.end()) return std::nullopt;
  if (const double* d = std::get_if<double>(&it->second)) return *d;
  return std::nullopt;
}

std::optional<std::string> Text(const CustodyEvent* e, std::string_view key) {
  if (e == nullptr) return std::nullopt;
  auto it = e->fields.find(key);
  if (it == e->fields.end()) return std::nullopt;
  if (const std::string* s = std::get_if<std::string>(&it->second)) return *s;
  if (const bool* b = std::get_if<bool>(&it->second)) return *b ? "true" : "false";
  return std::nullopt;
}

CheckItem Item(std::string_view criterion, std::string required, std::string source) {
  CheckItem item;
  item.criterion = std::string(criterion);
  item.required = std::move(required);
  item.observed = "not recorded";
  item.source = std::move(source);
  return item;
}

// A lower (at_least) or upper limit on a recorded number.
CheckItem Limit(std::string_view criterion, std::optional<double> observed, double limit,
                bool at_least, std::string_view unit, std::string source) {
  CheckItem item = Item(criterion,
                        fmt::format("{} {:g}{}", at_least ? "≥" : "≤", limit, unit),
                        std::move(source));
  if (observed) {
    item.observed = fmt::format("{:g}{}", *observed, unit);
    item.outcome = (at_least ? *observed >= limit : *observed <= limit) ? CheckOutcome::kPass
                                                                       : CheckOutcome::kFail;
  }
  return item;
}

}  // namespace

std::string_view ToString(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::kPass: return "pass";
    case CheckOutcome::kFail: return "fail";
    case CheckOutcome::kMissing: return "missing";
    case CheckOutcome::kExcepted: return "excepted";
  }
  return "missing";
}

bool ReleaseChecklist::releasable() const {
  if (items.empty()) return false;
  for (const CheckItem& item : items)
    if (item.outcome != CheckOutcome::kPass && item.outcome != CheckOutcome::kExcepted)
      return false;
  return true;
}

std::string ReleaseChecklist::Exceptions() const {
  std::vector<std::string> out;
  for (const CheckItem& item : items) {
    if (item.outcome != CheckOutcome::kExcepted) continue;
    out.push_back(fmt::format("{} {} (event {}, {})", item.criterion, item.observed,
                              item.exception_seq, item.excepted_by));
  }
  return fmt::format("{}", fmt::join(out, "; "));
}

std::string ReleaseChecklist::Blockers() const {
  std::vector<std::string> out;
  for (const CheckItem& item : items) {
    if (item.outcome == CheckOutcome::kPass || item.outcome == CheckOutcome::kExcepted) continue;
    out.push_back(fmt::format("{}: {} (required {})", item.criterion, item.observed, item.required));
  }
  return fmt::format("{}", fmt::join(out, "; "));
}

std::string MarkerField(std::string_view marker) {
  std::string out;
  for (char c : marker) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  return out + "_percent";
}

namespace {

// The checklist before exceptions.
ReleaseChecklist Evaluate(const Product& product, const ReleaseSpec& spec,
                          const ReleaseContext& context) {
  ReleaseChecklist list;
  list.spec_version = spec.version;
  auto& items = list.items;
  const auto type = spec.types.find(product.product_type);
  if (type == spec.types.end()) {
    CheckItem item = Item(kProductType, "a type of the release specification",
                          "release_criteria.toml " + spec.version);
    item.observed = product.product_type;
    item.outcome = CheckOutcome::kFail;
    items.push_back(std::move(item));
    return list;
  }
  const ProductSpec& ps = type->second;
  const CustodyEvent* processing = Latest(product, CustodyKind::kProcessing);
  const CustodyEvent* qc = Latest(product, CustodyKind::kQc);

  // Identity: the DIN (checked when it was registered) and a product code on the label.
  CheckItem identity = Item(kIdentity,
                            "ISBT 128 DIN with check character; product code", spec.identity_source);
  identity.observed = fmt::format("{} {}; code {}", product.din.Spaced(), product.din.check(),
                                  product.product_code.empty() ? "none" : product.product_code);
  identity.outcome = product.product_code.empty() ? CheckOutcome::kFail : CheckOutcome::kPass;
  items.push_back(std::move(identity));

  if (product.origin == ProductOrigin::kBank || ps.donor_eligibility_source) {
    CheckItem donor = Item(kDonor, "donor screened and tested eligible",
                           ps.donor_eligibility_source.value_or(spec.chain_source));
    const CustodyEvent* receipt = Latest(product, CustodyKind::kBankReceipt);
    if (const auto eligible = Text(receipt, "donor_eligible")) {
      donor.observed = fmt::format("donor {} of {}: {}", Text(receipt, "donor").value_or("?"),
                                   Text(receipt, "bank").value_or("?"),
                                   *eligible == "true" ? "eligible" : "NOT eligible");
      donor.outcome = *eligible == "true" ? CheckOutcome::kPass : CheckOutcome::kFail;
    }
    items.push_back(std::move(donor));
  } else {
    // Autologous: the recipient is the donor; the harvest must be on record.
    CheckItem chain = Item(kChain, "autologous: harvested from the recipient",
                           spec.chain_source);
    if (const CustodyEvent* harvest = Latest(product, CustodyKind::kHarvest)) {
      chain.observed = fmt::format("harvest by {} at {}", Text(harvest, "operator").value_or("?"),
                                   Text(harvest, "collected_at").value_or("?"));
      chain.outcome = CheckOutcome::kPass;
    }
    items.push_back(std::move(chain));
  }

  CheckItem sterility = Item(kSterility, "no growth (or negative Gram stain, culture pending)",
                             spec.sterility_source);
  if (const auto s = Text(qc, "sterility")) {
    sterility.observed = *s;
    sterility.outcome = *s == "growth" ? CheckOutcome::kFail : CheckOutcome::kPass;
  }
  items.push_back(std::move(sterility));

  CheckItem mycoplasma = Item(kMycoplasma, "not detected", spec.mycoplasma_source);
  if (const auto m = Text(qc, "mycoplasma")) {
    mycoplasma.observed = *m;
    mycoplasma.outcome = *m == "not-detected" ? CheckOutcome::kPass : CheckOutcome::kFail;
  }
  items.push_back(std::move(mycoplasma));

  // Endotoxin per kg of the recipient for one administration's share of the product.
  std::optional<double> eu_per_kg;
  const auto eu_per_ml = Number(qc, "endotoxin_eu_per_ml");
  const auto volume = Number(processing, "volume_ml");
  if (eu_per_ml && volume && context.recipient_weight_kg && context.administrations > 0) {
    eu_per_kg = *eu_per_ml * (*volume / context.administrations) / *context.recipient_weight_kg;
  }
  CheckItem endotoxin =
      Limit(kEndotoxin, eu_per_kg, spec.endotoxin_eu_per_kg_max.value, false, " EU/kg",
            spec.endotoxin_eu_per_kg_max.source);
  if (!eu_per_kg && eu_per_ml && !context.recipient_weight_kg)
    endotoxin.observed = "no recipient weight (link the product to a plan)";
  items.push_back(std::move(endotoxin));

  if (ps.viability_min_percent) {
    items.push_back(Limit(kViability, Number(qc, "viability_percent"),
                          ps.viability_min_percent->value, true, " %",
                          ps.viability_min_percent->source));
  }
  if (ps.purity_min_percent) {
    items.push_back(Limit(kPurity, Number(qc, "purity_percent"), ps.purity_min_percent->value,
                          true, " %", ps.purity_min_percent->source));
  }
  for (const auto* rule : {&ps.positive_markers, &ps.negative_markers}) {
    if (!*rule) continue;
    const bool positive = rule == &ps.positive_markers;
    for (const std::string& marker : (*rule)->markers) {
      items.push_back(Limit(marker, Number(qc, MarkerField(marker)), (*rule)->percent, positive,
                            " %", (*rule)->source));
    }
  }
  if (ps.min_total_cells) {
    items.push_back(Limit(kTotalCells, Number(processing, "target_cells"),
                          ps.min_total_cells->value, true, " cells", ps.min_total_cells->source));
  }
  if (ps.cd34_count_source) {
    CheckItem cd34 = Item(kCd34Count, "reported", *ps.cd34_count_source);
    if (const auto n = Number(processing, "cd34_cells")) {
      cd34.observed = fmt::format("{:.3g} cells", *n);
      cd34.outcome = CheckOutcome::kPass;
    }
    items.push_back(std::move(cd34));
  }
  // The prescription: not released below the planned dose.
  CheckItem dose = Item(kDose, "the planned cells", spec.dose_source);
  const auto cells = Number(processing, "target_cells");
  if (context.planned_cells) dose.required = fmt::format("≥ {:.3g} cells (plan)", *context.planned_cells);
  if (cells && context.planned_cells) {
    dose.observed = fmt::format("{:.3g} cells", *cells);
    dose.outcome = *cells >= *context.planned_cells ? CheckOutcome::kPass : CheckOutcome::kFail;
  } else if (cells) {
    dose.observed = fmt::format("{:.3g} cells; no plan linked", *cells);
  }
  items.push_back(std::move(dose));

  CheckItem expiry = Item(kExpiry, "stated at processing", spec.identity_source);
  if (const auto e = Text(processing, "expires_at")) {
    expiry.observed = *e;
    const auto expires = StateOf(product).expires;
    expiry.outcome = context.now && expires && *expires <= *context.now ? CheckOutcome::kFail
                                                                        : CheckOutcome::kPass;
    if (expiry.outcome == CheckOutcome::kFail) expiry.observed += " (expired)";
  }
  items.push_back(std::move(expiry));
  return list;
}

}  // namespace

ReleaseChecklist EvaluateRelease(const Product& product, const ReleaseSpec& spec,
                                 const ReleaseContext& context) {
  ReleaseChecklist list = Evaluate(product, spec, context);
  for (CheckItem& item : list.items) {
    item.may_be_excepted = spec.exceptions.criteria.contains(item.criterion) &&
                           !NeverExcepted(item.criterion);
    if (item.outcome == CheckOutcome::kPass || !item.may_be_excepted) continue;
    // The latest signed acceptance of this very result.
    for (const CustodyEvent& e : product.events) {
      if (e.kind != CustodyKind::kReleaseException ||
          Text(&e, "criterion") != item.criterion || Text(&e, "observed") != item.observed)
        continue;
      item.outcome = CheckOutcome::kExcepted;
      item.exception_seq = e.seq;
      item.excepted_by = e.actor;
      item.exception_reason = Text(&e, "reason").value_or("");
    }
  }
  return list;
}

std::vector<std::string> ProductTypes(const ReleaseSpec& spec) {
  std::vector<std::string> types;
  for (const auto& [name, ps] : spec.types) types.push_back(name);
  return types;
}

bool NeverExcepted(std::string_view criterion) {
  return std::find(std::begin(kNeverExcepted), std::end(kNeverExcepted), criterion) !=
         std::end(kNeverExcepted);
}

std::vector<std::string> CriterionNames(const ReleaseSpec& spec) {
  std::vector<std::string> names(std::begin(kFixedBefore), std::end(kFixedBefore));
  for (const auto& [type, ps] : spec.types) {
    for (const auto* rule : {&ps.positive_markers, &ps.negative_markers}) {
      if (!*rule) continue;
      for (const std::string& marker : (*rule)->markers) {
        if (std::find(names.begin(), names.end(), marker) == names.end()) names.push_back(marker);
      }
    }
  }
  names.insert(names.end(), std::begin(kFixedAfter), std::end(kFixedAfter));
  return names;
}

base::Status CanExcept(const ReleaseChecklist& checklist, const ReleaseSpec& spec,
                       std::string_view criterion) {
  const auto refuse = [&](base::StatusCode code, std::string message, std::string allowed) {
    base::Status status(code, std::move(message));
    status.SetPath("criterion").SetValue(std::string(criterion));
    if (!allowed.empty()) status.SetAllowed(std::move(allowed));
    return status;
  };
  const auto item = std::find_if(checklist.items.begin(), checklist.items.end(),
                                 [&](const CheckItem& i) { return i.criterion == criterion; });
  if (item == checklist.items.end()) {
    std::vector<std::string_view> names;
    for (const CheckItem& i : checklist.items) names.push_back(i.criterion);
    return refuse(base::StatusCode::kInvalidArgument,
                  fmt::format("\"{}\" is not a criterion of this product's checklist", criterion),
                  fmt::format("{}", fmt::join(names, ", ")));
  }
  if (NeverExcepted(criterion)) {
    return refuse(base::StatusCode::kFailedPrecondition,
                  fmt::format("{} can never be released by exception", criterion), "");
  }
  if (!spec.exceptions.criteria.contains(criterion)) {
    return refuse(base::StatusCode::kFailedPrecondition,
                  fmt::format("the release specification {} allows no exception for {}",
                              spec.version, criterion),
                  spec.exceptions.criteria.empty()
                      ? "none (the clinic's specification names them under [exceptions])"
                      : fmt::format("{}", fmt::join(spec.exceptions.criteria, ", ")));
  }
  if (item->outcome == CheckOutcome::kPass) {
    return refuse(base::StatusCode::kFailedPrecondition,
                  fmt::format("{} passes ({}); there is nothing to except", criterion,
                              item->observed),
                  "");
  }
  if (item->outcome == CheckOutcome::kExcepted) {
    return refuse(base::StatusCode::kFailedPrecondition,
                  fmt::format("{} is already excepted (event {} by {})", criterion,
                              item->exception_seq, item->excepted_by),
                  "");
  }
  return base::OkStatus();
}

}  // namespace livercell::domain
