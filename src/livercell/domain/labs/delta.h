// Delta checks (issue #22): a result far from the same patient's previous one within
// kDeltaWindowDays is more often a typing or sample error than a change in the patient
// ("7.2 → 18 mg/dL: is this right?"), so it is recorded only once someone confirms it. The
// limits are the clinic's defaults, in the analyte's canonical unit, each with its source.
#ifndef LIVERCELL_DOMAIN_LABS_DELTA_H_
#define LIVERCELL_DOMAIN_LABS_DELTA_H_

#include <optional>
#include <string_view>

#include "livercell/domain/labs/analyte.h"

namespace livercell::domain {

// Source: clinic default (issue #22): a previous value older than a quarter is no guide.
inline constexpr int kDeltaWindowDays = 90;

struct DeltaLimit {
  Analyte analyte;
  // A change is flagged when it exceeds both: the fraction of the previous value, and the
  // absolute amount (so that small values' noise is not flagged), canonical unit.
  double max_fraction;
  double min_absolute;
  std::string_view source;
};

// The limit of `analyte`; nullopt when none is checked (the AST assay's ULN).
std::optional<DeltaLimit> DeltaLimitOf(Analyte analyte);

// Whether `current` is too far from `previous` (both canonical) for `analyte`.
bool ExceedsDelta(Analyte analyte, double previous, double current);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_LABS_DELTA_H_
