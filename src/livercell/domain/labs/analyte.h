// The lab catalogue: the liver labs LiverCell understands, each with its LOINC codes, its
// canonical UCUM unit, the other units it is accepted in with their conversion factors, and
// its plausibility range. This is the one table of lab conversions (STYLE.md C7).
//
// Canonical units (DESIGN.md §3): bilirubin and creatinine mg/dL, albumin g/dL, sodium mmol/L,
// platelets 10*9/L, INR 1, AST/ALT U/L, prothrombin time s. A value in another accepted unit is
// converted by *division* by its factor (specs/scores.md §1.2). Thread-safe: constant data.
#ifndef LIVERCELL_DOMAIN_LABS_ANALYTE_H_
#define LIVERCELL_DOMAIN_LABS_ANALYTE_H_

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "livercell/domain/units/unit.h"

namespace livercell::domain {

enum class Analyte {
  kBilirubin,        // total bilirubin, serum/plasma
  kAlbumin,          // serum albumin
  kInr,              // international normalised ratio
  kProthrombinTime,  // prothrombin time in seconds (not the INR)
  kCreatinine,       // serum creatinine
  kSodium,           // serum sodium
  kAst,              // aspartate aminotransferase
  kAlt,              // alanine aminotransferase
  kAstUln,           // the AST assay's upper limit of normal (the laboratory's, for APRI)
  kPlatelets,        // platelet count
};
inline constexpr std::size_t kAnalyteCount = 10;

// A unit an analyte is accepted in. value_in_unit = canonical_value × factor, so the
// canonical value is value_in_unit / factor. `loinc` is the LOINC code for results reported in
// that unit (mass and molar concentrations have different codes); empty where none exists.
struct AcceptedUnit {
  Unit unit;
  double factor;
  std::string_view loinc;
};

struct AnalyteInfo {
  Analyte analyte;
  std::string_view key;    // JSON/CLI name: "bilirubin", "ast_uln", …
  std::string_view title;  // "Total bilirubin"
  Unit canonical;
  std::array<AcceptedUnit, 2> units_storage;
  std::size_t unit_count;
  double plausible_min;  // inclusive, canonical unit
  double plausible_max;  // inclusive, canonical unit
  std::string_view source;

  // The accepted units, the canonical one first.
  std::span<const AcceptedUnit> units() const { return {units_storage.data(), unit_count}; }
};

// The catalogue, in Analyte order.
std::span<const AnalyteInfo> AllAnalytes();
const AnalyteInfo& InfoOf(Analyte analyte);

// Lookup by JSON key ("bilirubin") or by any of the analyte's LOINC codes; nullopt if unknown.
std::optional<Analyte> AnalyteFromKey(std::string_view key);
std::optional<Analyte> AnalyteFromLoinc(std::string_view loinc);

// The accepted-unit row of `unit` for `analyte`; nullptr if the analyte is not accepted in it.
const AcceptedUnit* FindAcceptedUnit(Analyte analyte, Unit unit);

// "mg/dL or umol/L": the UCUM codes an analyte is accepted in, for error messages.
std::string AllowedUnitsText(Analyte analyte);

// "0.1–100 mg/dL": the plausibility range in the canonical unit, for error messages.
std::string PlausibleRangeText(Analyte analyte);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_LABS_ANALYTE_H_
