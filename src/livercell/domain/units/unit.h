// The UCUM units LiverCell's liver labs arrive in (DESIGN.md §3, specs/cli.md "Time and units").
// Codes are case-sensitive UCUM ("mg/dL", "umol/L", "10*9/L"); Unit is the typed form used in
// the domain so that a quantity's unit can never be a free-form string past the edge.
//
// Analyte-specific conversion factors (mg/dL ↔ µmol/L depends on the molar mass) live in the
// lab catalogue, labs/analyte.h, which is the one table of conversions. Thread-safe.
#ifndef LIVERCELL_DOMAIN_UNITS_UNIT_H_
#define LIVERCELL_DOMAIN_UNITS_UNIT_H_

#include <optional>
#include <string_view>

namespace livercell::domain {

enum class Unit {
  kMilligramPerDecilitre,  // mg/dL
  kMicromolePerLitre,      // umol/L
  kGramPerDecilitre,       // g/dL
  kGramPerLitre,           // g/L
  kMillimolePerLitre,      // mmol/L
  kUnity,                  // 1 (a ratio such as the INR)
  kBillionPerLitre,        // 10*9/L (platelet counts)
  kUnitPerLitre,           // U/L (enzyme activity)
  kSecond,                 // s
};

// The UCUM code of `unit`, e.g. "umol/L".
std::string_view UcumCode(Unit unit);

// A human label for tables, e.g. "µmol/L", "×10⁹/L".
std::string_view DisplayName(Unit unit);

// The Unit whose UCUM code is exactly `code` (case-sensitive); nullopt for anything else.
std::optional<Unit> UnitFromUcum(std::string_view code);

// A value with the unit it is expressed in. Plain data; validation belongs to the lab catalogue.
struct Quantity {
  double value = 0;
  Unit unit = Unit::kUnity;
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_UNITS_UNIT_H_
