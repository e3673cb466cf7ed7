#include "livercell/domain/records/correction.h"

#include <array>

#include "livercell/base/sha256.h"

namespace livercell::domain {
namespace {

struct KindName {
  RecordKind kind;
  std::string_view singular, plural;
};
constexpr std::array kKinds = {KindName{RecordKind::kLab, "lab", "labs"},
                               KindName{RecordKind::kFinding, "finding", "findings"},
                               KindName{RecordKind::kEvent, "event", "events"},
                               KindName{RecordKind::kAdverseEvent, "adverse-event",
                                        "adverse-events"},
                               KindName{RecordKind::kQualityOfLife, "qol", "qol"}};

}  // namespace

std::string_view ToString(RecordKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.singular;
  }
  return "?";
}

std::optional<RecordKind> ParseRecordKind(std::string_view text) {
  for (const KindName& k : kKinds) {
    if (k.singular == text || k.plural == text) return k.kind;
  }
  return std::nullopt;
}

std::string LabKey(const LabObservation& lab) {
  return lab.code + "|" + lab.time.ToString() + "|" + lab.source_key;
}

std::string LabIdOfKey(std::string_view key) {
  // Not clinical: 16 hex digits (64 bits) name a lab unambiguously within one patient.
  return base::Sha256Hex(key).substr(0, 16);
}

std::string LabId(const LabObservation& lab) { return LabIdOfKey(LabKey(lab)); }

}  // namespace livercell::domain
