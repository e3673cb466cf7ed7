#include "livercell/domain/labs/delta.h"

#include <array>
#include <cmath>

namespace livercell::domain {
namespace {

// Source: clinic default (issue #22) for every row: no consensus delta limits exist for these
// analytes in liver disease; the fractions are wide enough that a decompensation over weeks
// passes and a misplaced decimal point (×10) or a unit mix-up (µmol/L typed as mg/dL, ×17.1)
// does not. A clinic replaces them with its laboratory's own.
constexpr std::string_view kClinicDefault = "clinic default (issue #22 delta check)";
constexpr std::array kLimits = {
    DeltaLimit{Analyte::kBilirubin, 1.0, 1.0, kClinicDefault},
    DeltaLimit{Analyte::kAlbumin, 0.4, 0.8, kClinicDefault},
    DeltaLimit{Analyte::kInr, 0.75, 0.5, kClinicDefault},
    DeltaLimit{Analyte::kProthrombinTime, 0.75, 5.0, kClinicDefault},
    DeltaLimit{Analyte::kCreatinine, 1.0, 0.5, kClinicDefault},
    DeltaLimit{Analyte::kSodium, 0.1, 10.0, kClinicDefault},
    DeltaLimit{Analyte::kAst, 4.0, 100.0, kClinicDefault},
    DeltaLimit{Analyte::kAlt, 4.0, 100.0, kClinicDefault},
    DeltaLimit{Analyte::kPlatelets, 1.0, 50.0, kClinicDefault},
};

}  // namespace

std::optional<DeltaLimit> DeltaLimitOf(Analyte analyte) {
  for (const DeltaLimit& limit : kLimits) {
    if (limit.analyte == analyte) return limit;
  }
  return std::nullopt;
}

bool ExceedsDelta(Analyte analyte, double previous, double current) {
  const std::optional<DeltaLimit> limit = DeltaLimitOf(analyte);
  if (!limit) return false;
  const double change = std::abs(current - previous);
  return change > limit->min_absolute && change > limit->max_fraction * std::abs(previous);
}

}  // namespace livercell::domain
