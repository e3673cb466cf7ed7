#include "livercell/domain/records/current_scores.h"

#include <chrono>

namespace livercell::domain {
namespace {

// Source: Dickson 1989 (Mayo oedema coding 0 / 0.5 / 1).
constexpr double kEdemaHalf = 0.5;

}  // namespace

CurrentInputs LatestScoreInput(const Patient& patient, std::span<const LabObservation> labs,
                               std::span<const Finding> findings) {
  CurrentInputs out;
  std::array<const LabObservation*, kAnalyteCount> latest{};
  for (const LabObservation& lab : labs) {
    const std::optional<Analyte> analyte = AnalyteFromLoinc(lab.code);
    if (!analyte) continue;
    const LabObservation*& slot = latest[static_cast<std::size_t>(*analyte)];
    if (slot == nullptr || slot->time.instant() <= lab.time.instant()) slot = &lab;
  }
  for (std::size_t i = 0; i < kAnalyteCount; ++i) {
    if (latest[i] == nullptr) continue;
    auto value = LabValue::Create(static_cast<Analyte>(i), latest[i]->value, latest[i]->unit);
    if (!value.ok()) continue;  // stored values were validated; a changed catalogue may not agree
    out.input.labs[i] = value.value();
    out.lab_times[i] = latest[i]->time;
    if (!out.as_of || out.as_of->instant() < latest[i]->time.instant()) out.as_of = latest[i]->time;
  }
  out.input.sex = patient.sex;
  if (out.as_of) out.input.age_years = AgeYearsOn(patient, out.as_of->day());
  const Finding* edema = nullptr;
  for (const Finding& f : findings) {
    if (f.kind == "edema" && (edema == nullptr || edema->time.instant() <= f.time.instant())) {
      edema = &f;
    }
  }
  if (edema != nullptr) {
    out.input.edema = edema->value == 0            ? Edema::kNone
                      : edema->value == kEdemaHalf ? Edema::kUntreatedOrResolved
                                                   : Edema::kDespiteDiuretics;
  }
  return out;
}

}  // namespace livercell::domain
