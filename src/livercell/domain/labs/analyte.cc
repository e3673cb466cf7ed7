#include "livercell/domain/labs/analyte.h"

#include <fmt/format.h>

namespace livercell::domain {
namespace {

// Source: (all rows) LiverCell specs/scores.md §1.2 (plausibility ranges, canonical units,
// factors). Conversion factors: bilirubin 1 mg/dL = 17.1 µmol/L (molar mass 584.7 g/mol),
// creatinine 1 mg/dL = 88.4 µmol/L (113.12 g/mol), albumin 1 g/dL = 10 g/L (definition);
// Young DS, Ann Intern Med 1987;106:114–129, "Implementation of SI units for clinical
// laboratory data", Table 1. LOINC codes: LOINC 2.76 (Regenstrief Institute).
constexpr std::string_view kCatalogueSource =
    "specs/scores.md §1.2; Young 1987, Ann Intern Med 106:114-129 (SI factors); LOINC";
constexpr std::array<AnalyteInfo, kAnalyteCount> kCatalogue = {{
    {Analyte::kBilirubin,
     "bilirubin",
     "Total bilirubin",
     Unit::kMilligramPerDecilitre,
     {{{Unit::kMilligramPerDecilitre, 1.0, "1975-2"}, {Unit::kMicromolePerLitre, 17.1, "14631-6"}}},
     2,
     0.1,
     100.0,
     kCatalogueSource},
    {Analyte::kAlbumin,
     "albumin",
     "Albumin",
     Unit::kGramPerDecilitre,
     {{{Unit::kGramPerDecilitre, 1.0, "1751-7"}, {Unit::kGramPerLitre, 10.0, "1751-7"}}},
     2,
     0.5,
     7.0,
     kCatalogueSource},
    {Analyte::kInr,
     "inr",
     "INR",
     Unit::kUnity,
     {{{Unit::kUnity, 1.0, "6301-6"}, {}}},
     1,
     0.5,
     15.0,
     kCatalogueSource},
    {Analyte::kProthrombinTime,
     "prothrombin_time",
     "Prothrombin time",
     Unit::kSecond,
     {{{Unit::kSecond, 1.0, "5902-2"}, {}}},
     1,
     5.0,
     200.0,
     kCatalogueSource},
    {Analyte::kCreatinine,
     "creatinine",
     "Creatinine",
     Unit::kMilligramPerDecilitre,
     {{{Unit::kMilligramPerDecilitre, 1.0, "2160-0"}, {Unit::kMicromolePerLitre, 88.4, "14682-9"}}},
     2,
     0.1,
     25.0,
     kCatalogueSource},
    {Analyte::kSodium,
     "sodium",
     "Sodium",
     Unit::kMillimolePerLitre,
     {{{Unit::kMillimolePerLitre, 1.0, "2951-2"}, {}}},
     1,
     100.0,
     180.0,
     kCatalogueSource},
    {Analyte::kAst,
     "ast",
     "AST",
     Unit::kUnitPerLitre,
     {{{Unit::kUnitPerLitre, 1.0, "1920-8"}, {}}},
     1,
     1.0,
     20000.0,
     kCatalogueSource},
    {Analyte::kAlt,
     "alt",
     "ALT",
     Unit::kUnitPerLitre,
     {{{Unit::kUnitPerLitre, 1.0, "1742-6"}, {}}},
     1,
     1.0,
     20000.0,
     kCatalogueSource},
    // The upper limit of normal is a property of the assay, not an observation: no LOINC code.
    {Analyte::kAstUln,
     "ast_uln",
     "AST upper limit of normal",
     Unit::kUnitPerLitre,
     {{{Unit::kUnitPerLitre, 1.0, ""}, {}}},
     1,
     10.0,
     200.0,
     kCatalogueSource},
    {Analyte::kPlatelets,
     "platelets",
     "Platelets",
     Unit::kBillionPerLitre,
     {{{Unit::kBillionPerLitre, 1.0, "777-3"}, {}}},
     1,
     1.0,
     2000.0,
     kCatalogueSource},
}};

}  // namespace

std::span<const AnalyteInfo> AllAnalytes() { return kCatalogue; }

const AnalyteInfo& InfoOf(Analyte analyte) { return kCatalogue[static_cast<std::size_t>(analyte)]; }

std::optional<Analyte> AnalyteFromKey(std::string_view key) {
  for (const AnalyteInfo& info : kCatalogue) {
    if (info.key == key) return info.analyte;
  }
  return std::nullopt;
}

std::optional<Analyte> AnalyteFromLoinc(std::string_view loinc) {
  if (loinc.empty()) return std::nullopt;
  for (const AnalyteInfo& info : kCatalogue) {
    for (const AcceptedUnit& accepted : info.units()) {
      if (accepted.loinc == loinc) return info.analyte;
    }
  }
  return std::nullopt;
}

const AcceptedUnit* FindAcceptedUnit(Analyte analyte, Unit unit) {
  for (const AcceptedUnit& accepted : InfoOf(analyte).units()) {
    if (accepted.unit == unit) return &accepted;
  }
  return nullptr;
}

std::string AllowedUnitsText(Analyte analyte) {
  std::string text;
  const auto units = InfoOf(analyte).units();
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (i > 0) text += " or ";
    text += UcumCode(units[i].unit);
  }
  return text;
}

std::string PlausibleRangeText(Analyte analyte) {
  const AnalyteInfo& info = InfoOf(analyte);
  std::string_view unit = DisplayName(info.canonical);
  return fmt::format("{}–{}{}{}", info.plausible_min, info.plausible_max, unit.empty() ? "" : " ",
                     unit);
}

}  // namespace livercell::domain
