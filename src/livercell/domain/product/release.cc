#include "livercell/domain/product/release.h"

#include <fmt/format.h>

#include <cctype>

namespace livercell::domain {
namespace {

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

CheckItem Item(std::string criterion, std::string required, std::string source) {
  CheckItem item;
  item.criterion = std::move(criterion);
  item.required = std::move(required);
  item.observed = "not recorded";
  item.source = std::move(source);
  return item;
}

// A lower (at_least) or upper limit on a recorded number.
CheckItem Limit(std::string criterion, std::optional<double> observed, double limit,
                bool at_least, std::string_view unit, std::string source) {
  CheckItem item = Item(std::move(criterion),
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
  }
  return "missing";
}

bool ReleaseChecklist::releasable() const {
  if (items.empty()) return false;
  for (const CheckItem& item : items)
    if (item.outcome != CheckOutcome::kPass) return false;
  return true;
}

std::string ReleaseChecklist::Blockers() const {
  std::vector<std::string> out;
  for (const CheckItem& item : items) {
    if (item.outcome == CheckOutcome::kPass) continue;
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

ReleaseChecklist EvaluateRelease(const Product& product, const ReleaseSpec& spec,
                                 const ReleaseContext& context) {
  ReleaseChecklist list;
  list.spec_version = spec.version;
  auto& items = list.items;
  const auto type = spec.types.find(product.product_type);
  if (type == spec.types.end()) {
    CheckItem item = Item("product type", "a type of the release specification",
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
  CheckItem identity = Item("identity and labelling",
                            "ISBT 128 DIN with check character; product code", spec.identity_source);
  identity.observed = fmt::format("{} {}; code {}", product.din.Spaced(), product.din.check(),
                                  product.product_code.empty() ? "none" : product.product_code);
  identity.outcome = product.product_code.empty() ? CheckOutcome::kFail : CheckOutcome::kPass;
  items.push_back(std::move(identity));

  if (product.origin == ProductOrigin::kBank || ps.donor_eligibility_source) {
    CheckItem donor = Item("donor eligibility", "donor screened and tested eligible",
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
    CheckItem chain = Item("chain of identity", "autologous: harvested from the recipient",
                           spec.chain_source);
    if (const CustodyEvent* harvest = Latest(product, CustodyKind::kHarvest)) {
      chain.observed = fmt::format("harvest by {} at {}", Text(harvest, "operator").value_or("?"),
                                   Text(harvest, "collected_at").value_or("?"));
      chain.outcome = CheckOutcome::kPass;
    }
    items.push_back(std::move(chain));
  }

  CheckItem sterility = Item("sterility", "no growth (or negative Gram stain, culture pending)",
                             spec.sterility_source);
  if (const auto s = Text(qc, "sterility")) {
    sterility.observed = *s;
    sterility.outcome = *s == "growth" ? CheckOutcome::kFail : CheckOutcome::kPass;
  }
  items.push_back(std::move(sterility));

  CheckItem mycoplasma = Item("mycoplasma", "not detected", spec.mycoplasma_source);
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
      Limit("endotoxin", eu_per_kg, spec.endotoxin_eu_per_kg_max.value, false, " EU/kg",
            spec.endotoxin_eu_per_kg_max.source);
  if (!eu_per_kg && eu_per_ml && !context.recipient_weight_kg)
    endotoxin.observed = "no recipient weight (link the product to a plan)";
  items.push_back(std::move(endotoxin));

  if (ps.viability_min_percent) {
    items.push_back(Limit("viability", Number(qc, "viability_percent"),
                          ps.viability_min_percent->value, true, " %",
                          ps.viability_min_percent->source));
  }
  if (ps.purity_min_percent) {
    items.push_back(Limit("purity", Number(qc, "purity_percent"), ps.purity_min_percent->value,
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
    items.push_back(Limit("total cells", Number(processing, "target_cells"),
                          ps.min_total_cells->value, true, " cells", ps.min_total_cells->source));
  }
  if (ps.cd34_count_source) {
    CheckItem cd34 = Item("CD34+ count", "reported", *ps.cd34_count_source);
    if (const auto n = Number(processing, "cd34_cells")) {
      cd34.observed = fmt::format("{:.3g} cells", *n);
      cd34.outcome = CheckOutcome::kPass;
    }
    items.push_back(std::move(cd34));
  }
  // The prescription: not released below the planned dose.
  CheckItem dose = Item("dose", "the planned cells", spec.dose_source);
  const auto cells = Number(processing, "target_cells");
  if (context.planned_cells) dose.required = fmt::format("≥ {:.3g} cells (plan)", *context.planned_cells);
  if (cells && context.planned_cells) {
    dose.observed = fmt::format("{:.3g} cells", *cells);
    dose.outcome = *cells >= *context.planned_cells ? CheckOutcome::kPass : CheckOutcome::kFail;
  } else if (cells) {
    dose.observed = fmt::format("{:.3g} cells; no plan linked", *cells);
  }
  items.push_back(std::move(dose));

  CheckItem expiry = Item("expiry", "stated at processing", spec.identity_source);
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

}  // namespace livercell::domain
