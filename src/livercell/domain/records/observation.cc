#include "livercell/domain/records/observation.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "livercell/domain/labs/lab_value.h"

namespace livercell::domain {
namespace {

// Source: LOINC 2.76 (Regenstrief): 2093-3 cholesterol, 6768-6 alkaline phosphatase, 2571-8
// triglycerides, all [mass or catalytic]/volume in serum or plasma. Urine copper per 24 h is
// kept under a local code: its LOINC term could not be verified offline (TODO(#4)).
// Plausibility ranges: wide physiological bounds, not clinical thresholds (Burtis CA, Tietz
// Textbook of Clinical Chemistry, 6th ed., 2018, reference intervals × 10).
constexpr ExtraLab kExtraLabs[] = {
    {"cholesterol", kLoincSystem, "2093-3", "mg/dL", 20, 3000, "LOINC; Tietz 2018"},
    {"alkaline_phosphatase", kLoincSystem, "6768-6", "U/L", 1, 20000, "LOINC; Tietz 2018"},
    {"triglycerides", kLoincSystem, "2571-8", "mg/dL", 5, 5000, "LOINC; Tietz 2018"},
    {"urine_copper_24h", kLocalSystem, "urine-copper-24h", "ug/d", 0.1, 5000, "Tietz 2018"},
};

// Source: Dickson 1989, Hepatology 10:1-7 and survival::pbc documentation (codings of the
// Mayo PBC trial: 0/1 findings, oedema 0/0.5/1, Ludwig histologic stage 1-4).
constexpr FindingKind kFindings[] = {
    {"ascites", "Ascites present", 0, 1, "0 absent, 1 present", "Dickson 1989"},
    {"hepatomegaly", "Hepatomegaly", 0, 1, "0 absent, 1 present", "Dickson 1989"},
    {"spiders", "Spider angiomata", 0, 1, "0 absent, 1 present", "Dickson 1989"},
    {"edema", "Oedema (Mayo coding)", 0, 1,
     "0 none, 0.5 untreated or resolved on diuretics, 1 despite diuretics", "Dickson 1989"},
    {"histologic_stage", "Histologic stage (Ludwig)", 1, 4, "1-4", "Ludwig 1978; Dickson 1989"},
};

// Not clinical: LOINC codes are up to 7 digits, "-", one check digit (LOINC Users' Guide).
bool LooksLikeLoinc(std::string_view code) {
  const std::size_t dash = code.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 2 != code.size() || dash > 7) {
    return false;
  }
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i != dash && !std::isdigit(static_cast<unsigned char>(code[i]))) return false;
  }
  return true;
}

base::Status FromExtra(const ExtraLab& extra, double value, std::string_view unit,
                       ClinicalTime time, PlausibilityPolicy policy, LabObservation* obs) {
  if (unit != extra.unit) {
    base::Status status = base::InvalidArgumentError(
        fmt::format("\"{}\" is not a known unit for {} (use {})", unit, extra.key, extra.unit));
    status.SetPath("unit").SetValue(std::string(unit)).SetAllowed(std::string(extra.unit));
    return status;
  }
  if (!(value >= extra.plausible_min && value <= extra.plausible_max)) {
    const std::string allowed =
        fmt::format("{}–{} {}", extra.plausible_min, extra.plausible_max, extra.unit);
    base::Status status = base::OutOfRangeError(
        fmt::format("{} {} is outside the plausible range {}", value, unit, allowed));
    status.SetPath("value").SetValue(value).SetAllowed(allowed).SetSource(
        std::string(extra.source));
    if (policy == PlausibilityPolicy::kReject || !std::isfinite(value)) return status;
    obs->flag = "implausible: " + std::string(status.message());
  }
  obs->code_system = extra.code_system;
  obs->code = extra.code;
  obs->value = value;
  obs->unit = unit;
  obs->canonical_value = value;
  obs->canonical_unit = extra.unit;
  obs->time = time;
  return base::OkStatus();
}

}  // namespace

std::span<const ExtraLab> ExtraLabs() { return kExtraLabs; }
std::span<const FindingKind> FindingKinds() { return kFindings; }

const FindingKind* FindFindingKind(std::string_view key) {
  for (const FindingKind& kind : kFindings) {
    if (kind.key == key) return &kind;
  }
  return nullptr;
}

base::Result<LabObservation> MakeLabObservation(std::string_view code, double value,
                                                std::string_view unit, ClinicalTime time,
                                                PlausibilityPolicy policy) {
  LabObservation obs;
  LC_RETURN_IF_ERROR(MakeLabObservation(code, value, unit, time, policy, &obs));
  return obs;
}

base::Status MakeLabObservation(std::string_view code, double value, std::string_view unit,
                                ClinicalTime time, PlausibilityPolicy policy, LabObservation* obs) {
  // As a new observation: the fields set below, and nothing else (texts keep their storage).
  obs->patient_id = 0;
  obs->canonical_value.reset();
  obs->canonical_unit.clear();
  obs->flag.clear();
  obs->source_key.clear();
  obs->provenance.clear();
  for (const ExtraLab& extra : kExtraLabs) {
    if (extra.code == code) return FromExtra(extra, value, unit, time, policy, obs);
  }
  if (const std::optional<Analyte> analyte = AnalyteFromLoinc(code)) {
    base::Result<LabValue> lab = LabValue::Create(*analyte, value, unit);
    if (lab.ok()) {
      obs->canonical_value = lab.value().canonical();
    } else if (policy == PlausibilityPolicy::kFlag && lab.status().path() == "value" &&
               std::isfinite(value)) {
      // Keep the recorded value, converted, and say why it is suspect.
      const auto unit_code = UnitFromUcum(unit);
      obs->canonical_value = value / FindAcceptedUnit(*analyte, *unit_code)->factor;
      obs->flag = "implausible: " + std::string(lab.status().message());
    } else {
      return lab.status();
    }
    obs->code_system = kLoincSystem;
    obs->code = code;
    obs->value = value;
    obs->unit = unit;
    obs->canonical_unit = UcumCode(InfoOf(*analyte).canonical);
    obs->time = time;
    return base::OkStatus();
  }
  if (!LooksLikeLoinc(code)) {
    base::Status status = base::InvalidArgumentError(
        fmt::format("\"{}\" is not a LOINC code (digits, '-', check digit, e.g. 1975-2)", code));
    status.SetPath("code").SetValue(std::string(code)).SetAllowed("LOINC code, e.g. 1975-2");
    return status;
  }
  if (!std::isfinite(value)) {
    base::Status status = base::OutOfRangeError("the value is not a finite number");
    status.SetPath("value");
    return status;
  }
  obs->code_system = kLoincSystem;
  obs->code = code;
  obs->value = value;
  obs->unit = unit;
  obs->time = time;
  return base::OkStatus();
}

base::Status ValidateFinding(const Finding& finding) {
  const FindingKind* kind = FindFindingKind(finding.kind);
  if (kind == nullptr) {
    base::Status status =
        base::InvalidArgumentError(fmt::format("\"{}\" is not a known finding", finding.kind));
    status.SetPath("kind").SetValue(finding.kind);
    return status;
  }
  if (!(finding.value >= kind->min && finding.value <= kind->max)) {
    base::Status status =
        base::OutOfRangeError(fmt::format("{} {} is outside {}–{} ({})", finding.kind,
                                          finding.value, kind->min, kind->max, kind->meaning));
    status.SetPath("value").SetValue(finding.value).SetAllowed(std::string(kind->meaning));
    return status;
  }
  return base::OkStatus();
}

}  // namespace livercell::domain
