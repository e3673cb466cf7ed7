// Clinical events (decompensations and outcomes, dated, coded in ICD-10 and SNOMED CT),
// adverse events (CTCAE v5 term and grade, attribution) and quality of life (CLDQ, EQ-5D-5L).
#ifndef LIVERCELL_DOMAIN_RECORDS_EVENT_H_
#define LIVERCELL_DOMAIN_RECORDS_EVENT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "livercell/base/result.h"
#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {

struct EventType {
  std::string_view key;  // "variceal_bleeding"
  std::string_view title;
  std::string_view icd10;
  std::string_view snomed;  // SNOMED CT concept id
  bool graded;              // hepatic encephalopathy carries a West Haven grade 1–4
};
std::span<const EventType> EventTypes();
const EventType* FindEventType(std::string_view key);

struct ClinicalEvent {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string type;          // EventType key
  std::optional<int> grade;  // West Haven 1–4 for hepatic encephalopathy only
  ClinicalTime time = ClinicalTime::FromDate({});
  std::string source_key;
  std::string provenance;
};
// kInvalidArgument at "type" for an unknown type; at "grade" for a grade on an ungraded type;
// kOutOfRange at "grade" outside 1–4. A graded type may lack its grade (not assessed).
base::Status ValidateEvent(const ClinicalEvent& event);

enum class Attribution { kUnrelated, kUnlikely, kPossible, kProbable, kDefinite };
base::Result<Attribution> ParseAttribution(std::string_view text);
std::string_view ToString(Attribution attribution);

struct AdverseEvent {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string ctcae_term;  // CTCAE v5.0 term, e.g. "Fever"
  int grade = 1;           // 1 mild … 5 death related to the AE
  Attribution attribution = Attribution::kUnrelated;
  std::optional<std::string> infusion_id;  // the infusion it followed, if any
  ClinicalTime onset = ClinicalTime::FromDate({});
  std::string source_key;
  std::string provenance;
};
base::Status ValidateAdverseEvent(const AdverseEvent& event);

// Chronic Liver Disease Questionnaire: 29 items scored 1 (worst) to 7 (best); six domains and
// the total are item means. Source: Younossi ZM et al., Gut 1999;45:295–300.
struct CldqScores {
  double abdominal, fatigue, systemic, activity, emotional, worry, total;
};
base::Result<CldqScores> ScoreCldq(std::span<const int> items);

struct QualityOfLife {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  ClinicalTime time = ClinicalTime::FromDate({});
  std::optional<std::array<int, 29>> cldq_items;
  // EQ-5D-5L profile: mobility, self-care, usual activities, pain/discomfort,
  // anxiety/depression, each 1–5 (EuroQol 2009). No value set is applied (licensed).
  std::optional<std::array<int, 5>> eq5d5l;
  std::string source_key;
  std::string provenance;
};
base::Status ValidateQualityOfLife(const QualityOfLife& qol);
// "11213": the conventional EQ-5D profile string.
std::string Eq5dProfile(const std::array<int, 5>& levels);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_EVENT_H_
