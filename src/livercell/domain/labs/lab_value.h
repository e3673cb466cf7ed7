// LabValue: one validated lab result. It keeps the value and unit it arrived in (what the
// laboratory reported, for storage and display) and the canonical value every computation uses.
// An invalid LabValue cannot exist: the only way to make one is Create(), which checks the unit
// and the plausibility range of labs/analyte.h.
#ifndef LIVERCELL_DOMAIN_LABS_LAB_VALUE_H_
#define LIVERCELL_DOMAIN_LABS_LAB_VALUE_H_

#include <string_view>

#include "livercell/base/result.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/units/unit.h"

namespace livercell::domain {

class LabValue {
 public:
  // Validates `value` in the UCUM unit `ucum` for `analyte`. Errors (paths are relative to the
  // lab entry, so a caller prefixes "labs.bilirubin"):
  //   kInvalidArgument at "unit"  – `ucum` is not a unit this analyte is accepted in;
  //   kOutOfRange      at "value" – not finite, or the canonical value lies outside the
  //                                 plausibility range (inclusive; 0 and negatives included).
  static base::Result<LabValue> Create(Analyte analyte, double value, std::string_view ucum);
  static base::Result<LabValue> Create(Analyte analyte, Quantity received);

  Analyte analyte() const { return analyte_; }
  // As reported: value and unit.
  Quantity received() const { return received_; }
  // In the analyte's canonical unit (labs/analyte.h).
  double canonical() const { return canonical_; }
  // In `unit`, which must be one the analyte is accepted in (LC_CHECK). The received value is
  // returned unchanged when `unit` is the received unit, so no rounding is introduced.
  double In(Unit unit) const;

 private:
  LabValue(Analyte analyte, Quantity received, double canonical)
      : analyte_(analyte), received_(received), canonical_(canonical) {}

  Analyte analyte_;
  Quantity received_;
  double canonical_;
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_LABS_LAB_VALUE_H_
