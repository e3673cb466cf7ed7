#include "livercell/domain/product/bedside.h"

#include <fmt/format.h>

#include <optional>

#include "livercell/domain/labs/analyte.h"

#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {
namespace {

// The first pre-procedure limit the patient's latest result does not meet (or lacks, or whose
// result is too old), described; nullopt when all are met. Described on success in `met`.
std::optional<std::string> UnmetPreCheck(const BedsideFacts& facts, std::string* met) {
  std::vector<std::string> results;
  for (const PreCheck& c : facts.pre_checks) {
    const std::optional<Analyte> analyte = AnalyteFromKey(c.analyte);
    const LabObservation* latest = nullptr;
    for (const LabObservation& lab : facts.labs) {
      if (!analyte || AnalyteFromLoinc(lab.code) != analyte || !lab.canonical_value) continue;
      if (lab.time.instant() > facts.now) continue;
      if (latest == nullptr || latest->time.instant() < lab.time.instant()) latest = &lab;
    }
    const std::string limit = fmt::format("{} {} {:g} {}", c.analyte, c.op, c.limit, c.unit);
    if (latest == nullptr) return fmt::format("no {} on record (before the procedure: {})",
                                              c.analyte, limit);
    const auto age_days = std::chrono::floor<std::chrono::days>(facts.today -
                                                                latest->time.day()).count();
    if (age_days > c.max_age_days) {
      return fmt::format("the latest {} ({:g} {}, {}) is {} days old; the template allows {} "
                         "(before the procedure: {})",
                         c.analyte, *latest->canonical_value, latest->canonical_unit,
                         latest->time.ToString(), age_days, c.max_age_days, limit);
    }
    const double value = *latest->canonical_value;
    const bool ok = c.op == ">=" ? value >= c.limit : c.op == "<=" ? value <= c.limit : false;
    // A ratio's unit is "1": not shown ("inr 1.2", "platelets 120 10*9/L").
    const std::string unit =
        latest->canonical_unit == "1" ? "" : " " + latest->canonical_unit;
    const std::string found = fmt::format("{} {:g}{} on {}", c.analyte, value, unit,
                                          latest->time.ToString());
    if (!ok) return fmt::format("{} does not meet {} ({})", found, limit, c.source);
    results.push_back(found);
  }
  *met = results.empty() ? "no pre-procedure limits" : fmt::format("{}", fmt::join(results, "; "));
  return std::nullopt;
}

}  // namespace

BedsideVerdict VerifyAtBedside(const BedsideFacts& facts) {
  BedsideVerdict verdict;
  // Records one check; false stops the verification there.
  const auto check = [&verdict](std::string name, bool ok, std::string detail) {
    verdict.checks.push_back(BedsideCheck{name, ok, detail});
    if (!ok) {
      verdict.failed_check = std::move(name);
      verdict.reason = std::move(detail);
    }
    return ok;
  };
  const base::Result<Din> din = Din::Parse(facts.din_scanned);
  if (!check("din", din.ok(),
             din.ok() ? fmt::format("{} {}", din->Spaced(), din->check())
                      : fmt::format("the DIN \"{}\" does not read: {}", facts.din_scanned,
                                    din.status().message()))) {
    return verdict;
  }
  if (!check("patient", facts.patient_id.has_value(),
             facts.patient_id ? (facts.patient_identity.empty()
                                     ? fmt::format("patient {}", *facts.patient_id)
                                     : facts.patient_identity)
                              : fmt::format("no patient has the wristband identifier \"{}\"",
                                            facts.wristband))) {
    return verdict;
  }
  const Product* product = facts.product;
  if (!check("product", product != nullptr,
             product ? fmt::format("{} ({}, {})", product->product_code, product->product_type,
                                   ToString(product->origin))
                     : fmt::format("no product has the DIN {}", din->text()))) {
    return verdict;
  }
  const ProductState state = StateOf(*product);
  if (!check("released", state.released,
             state.released ? "released"
                            : fmt::format("the product is not released ({}){}", state.status,
                                          facts.release_blockers.empty()
                                              ? ""
                                              : ": " + facts.release_blockers))) {
    return verdict;
  }
  if (!check("recipient", product->patient_id == *facts.patient_id,
             product->patient_id == *facts.patient_id
                 ? "this patient's product"
                 : fmt::format("the product belongs to {}, not to this patient ({})",
                               facts.recipient_identity.empty()
                                   ? fmt::format("patient {}", product->patient_id)
                                   : facts.recipient_identity,
                               facts.patient_identity.empty()
                                   ? std::to_string(*facts.patient_id)
                                   : facts.patient_identity))) {
    return verdict;
  }
  const bool fresh = state.expires && facts.now < *state.expires;
  if (!check("expiry", fresh,
             state.expires
                 ? fmt::format("{} {}", fresh ? "expires" : "EXPIRED at",
                               ClinicalTime::FromInstant(*state.expires).ToString())
                 : "no expiry recorded")) {
    return verdict;
  }
  if (!check("plan", facts.plan != nullptr,
             facts.plan ? fmt::format("plan {} ({})", facts.plan->id, facts.plan->template_id)
                        : "the product is not linked to a treatment plan")) {
    return verdict;
  }
  const std::vector<const PlanItem*> today = AdministrationsOn(*facts.plan, facts.today);
  const std::string day = ClinicalTime::FromDate(facts.today).ToString();
  if (today.empty()) {
    std::string next = "none left";
    for (const PlanItem& item : facts.plan->items) {
      if ((item.kind == PlanItemKind::kInfusion || item.kind == PlanItemKind::kProcedure) &&
          !facts.plan_items_given.contains(item.seq) && item.day > facts.today) {
        next = ClinicalTime::FromDate(item.day).ToString();
        break;
      }
    }
    check("plan", false,
          fmt::format("the plan calls for no administration on {} (next: {})", day, next));
    return verdict;
  }
  const PlanItem* due = nullptr;
  for (const PlanItem* item : today)
    if (!facts.plan_items_given.contains(item->seq)) due = item;
  if (!check("given", due != nullptr,
             due ? fmt::format("due today: {}", due->label)
                 : fmt::format("today's administration ({}) has already been given",
                               today.front()->label))) {
    return verdict;
  }
  if (due->kind == PlanItemKind::kProcedure && !facts.pre_checks.empty()) {
    std::string met;
    const std::optional<std::string> unmet = UnmetPreCheck(facts, &met);
    if (!check("pre-procedure", !unmet, unmet ? *unmet : met)) return verdict;
  }
  verdict.match = true;
  verdict.plan_item = due->seq;
  return verdict;
}

}  // namespace livercell::domain
