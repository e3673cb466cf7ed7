#include "livercell/domain/labs/lab_value.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace livercell::domain {
namespace {

// Relative slack on the plausibility bounds only, so that a bound quoted in another unit
// (1.71 µmol/L = 0.1 mg/dL) is not rejected because 1.71 / 17.1 rounds to 0.09999999999999999.
// Clinical thresholds in the scores are compared exactly, as specs/scores.md §2 requires.
// Not clinical: a floating-point tolerance.
constexpr double kBoundSlack = 1e-9;

std::string WithUnit(double value, Unit unit) {
  std::string_view name = DisplayName(unit);
  return name.empty() ? fmt::format("{}", value) : fmt::format("{} {}", value, name);
}

base::Status UnknownUnitError(Analyte analyte, std::string_view ucum) {
  base::Status status =
      base::InvalidArgumentError(fmt::format("\"{}\" is not a known unit for {} (use {})", ucum,
                                             InfoOf(analyte).key, AllowedUnitsText(analyte)));
  status.SetPath("unit").SetValue(std::string(ucum)).SetAllowed(AllowedUnitsText(analyte));
  return status;
}

}  // namespace

base::Result<LabValue> LabValue::Create(Analyte analyte, double value, std::string_view ucum) {
  const std::optional<Unit> unit = UnitFromUcum(ucum);
  if (!unit || FindAcceptedUnit(analyte, *unit) == nullptr) return UnknownUnitError(analyte, ucum);
  return Create(analyte, Quantity{value, *unit});
}

base::Result<LabValue> LabValue::Create(Analyte analyte, Quantity received) {
  const AnalyteInfo& info = InfoOf(analyte);
  const AcceptedUnit* accepted = FindAcceptedUnit(analyte, received.unit);
  if (accepted == nullptr) return UnknownUnitError(analyte, UcumCode(received.unit));
  if (!std::isfinite(received.value)) {
    base::Status status =
        base::OutOfRangeError(fmt::format("{} is not a finite number (plausible range {})",
                                          received.value, PlausibleRangeText(analyte)));
    status.SetPath("value").SetAllowed(PlausibleRangeText(analyte));
    return status;
  }
  const double canonical = received.value / accepted->factor;
  const bool too_low = canonical < info.plausible_min * (1 - kBoundSlack);
  const bool too_high = canonical > info.plausible_max * (1 + kBoundSlack);
  if (too_low || too_high) {
    std::string shown = WithUnit(received.value, received.unit);
    if (received.unit != info.canonical) {
      shown += fmt::format(" (= {})", WithUnit(canonical, info.canonical));
    }
    base::Status status = base::OutOfRangeError(
        fmt::format("{} is outside the plausible range {}", shown, PlausibleRangeText(analyte)));
    status.SetPath("value").SetValue(received.value).SetAllowed(PlausibleRangeText(analyte));
    status.SetSource(std::string(info.source));
    return status;
  }
  return LabValue(analyte, received, canonical);
}

double LabValue::In(Unit unit) const {
  if (unit == received_.unit) return received_.value;
  const AcceptedUnit* accepted = FindAcceptedUnit(analyte_, unit);
  LC_CHECK(accepted != nullptr) << InfoOf(analyte_).key << " is not accepted in " << UcumCode(unit);
  return canonical_ * accepted->factor;
}

}  // namespace livercell::domain
