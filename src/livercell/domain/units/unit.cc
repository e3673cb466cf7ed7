#include "livercell/domain/units/unit.h"

#include <array>

namespace livercell::domain {
namespace {

struct UnitRow {
  Unit unit;
  std::string_view ucum;
  std::string_view display;
};

constexpr std::array<UnitRow, 9> kUnits = {{
    {Unit::kMilligramPerDecilitre, "mg/dL", "mg/dL"},
    {Unit::kMicromolePerLitre, "umol/L", "µmol/L"},
    {Unit::kGramPerDecilitre, "g/dL", "g/dL"},
    {Unit::kGramPerLitre, "g/L", "g/L"},
    {Unit::kMillimolePerLitre, "mmol/L", "mmol/L"},
    {Unit::kUnity, "1", ""},
    {Unit::kBillionPerLitre, "10*9/L", "×10⁹/L"},
    {Unit::kUnitPerLitre, "U/L", "U/L"},
    {Unit::kSecond, "s", "s"},
}};

const UnitRow& RowOf(Unit unit) { return kUnits[static_cast<std::size_t>(unit)]; }

}  // namespace

std::string_view UcumCode(Unit unit) { return RowOf(unit).ucum; }
std::string_view DisplayName(Unit unit) { return RowOf(unit).display; }

std::optional<Unit> UnitFromUcum(std::string_view code) {
  for (const UnitRow& row : kUnits) {
    if (row.ucum == code) return row.unit;
  }
  return std::nullopt;
}

}  // namespace livercell::domain
