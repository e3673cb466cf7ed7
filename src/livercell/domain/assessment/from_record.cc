#include "livercell/domain/assessment/from_record.h"

#include <algorithm>
#include <cctype>

#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/records/current_scores.h"

namespace livercell::domain {
namespace {

// Source: Baveno VII (de Franchis R et al. J Hepatol 2022;76:959): a variceal bleed is
// "acute" for 6 weeks (specs/assessment.md
// EX-ACUTE-BLEED, history.variceal_bleeding = within-6-weeks).
constexpr std::chrono::days kAcuteBleedWindow{42};
// Source: Ludwig J et al. Virchows Arch A 1978;379:103 — histologic stage 4 is cirrhosis.
constexpr double kLudwigCirrhosisStage = 4;

std::string Normalised(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c != '.') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

// Source: WHO ICD-10 (2019 edition), chapters I and XI: K70 alcoholic liver disease; K74.3
// primary biliary cirrhosis; K74.4/K74.5 secondary and unspecified biliary cirrhosis; K74.6
// other and unspecified cirrhosis (no cause named); B18.0 chronic hepatitis B with delta agent,
// B18.1 without; B18.2 chronic hepatitis C; B18.8/B18.9 other and unspecified viral hepatitis.
std::vector<std::string> AetiologyOfIcd10(std::string_view code) {
  const std::string c = Normalised(code);
  auto starts = [&](std::string_view prefix) { return c.rfind(prefix, 0) == 0; };
  if (starts("K70")) return {"alcohol"};
  if (starts("K743")) return {"pbc"};
  if (starts("K744") || starts("K745")) return {"other"};
  if (starts("B180")) return {"hbv", "hdv"};
  if (starts("B181")) return {"hbv"};
  if (starts("B182")) return {"hcv"};
  if (starts("B18")) return {"other"};
  return {};
}

RecordCandidate CandidateFromRecord(const Patient& patient, std::span<const LabObservation> labs,
                                    std::span<const Finding> findings,
                                    std::span<const ClinicalEvent> events,
                                    std::chrono::sys_seconds now,
                                    std::optional<std::chrono::days> max_lab_age) {
  RecordCandidate out;
  Candidate& c = out.candidate;
  CurrentInputs current = LatestScoreInput(patient, labs, findings);
  c.scores = current.input;
  c.scores.age_years = AgeYearsOn(patient, std::chrono::floor<std::chrono::days>(now));
  for (std::size_t i = 0; i < kAnalyteCount; ++i) {
    const std::optional<ClinicalTime>& time = current.lab_times[i];
    if (!time || !c.scores.labs[i]) continue;
    const auto age = std::chrono::floor<std::chrono::days>(now - time->instant());
    if (max_lab_age && age > *max_lab_age) {
      out.stale.push_back({"labs." + std::string(AllAnalytes()[i].key), *time,
                           static_cast<int>(age.count())});
      c.scores.labs[i].reset();
    }
  }
  if (patient.aetiology_icd10) {
    std::vector<std::string> causes = AetiologyOfIcd10(*patient.aetiology_icd10);
    if (!causes.empty()) c.aetiology = std::move(causes);
  }
  c.ecog = patient.ecog;

  // What the record states happened. Each flag is set only when there is evidence for it.
  History& h = c.history;
  for (const ClinicalEvent& e : events) {
    if (e.type == "variceal_bleeding") {
      const bool acute = e.time.instant() <= now && now - e.time.instant() <= kAcuteBleedWindow;
      if (acute || h.variceal_bleeding != "within-6-weeks")
        h.variceal_bleeding = acute ? "within-6-weeks" : "past";
    } else if (e.type == "ascites") {
      h.ascites_ever = true;
    } else if (e.type == "hepatic_encephalopathy") {
      h.encephalopathy_ever = true;
    } else if (e.type == "jaundice") {
      h.jaundice = true;
    } else if (e.type == "sbp") {
      h.sbp_ever = true;
    }
  }
  for (const Finding& f : findings) {
    if (f.kind == "ascites" && f.value > 0) h.ascites_ever = true;
    if (f.kind == "histologic_stage" && f.value >= kLudwigCirrhosisStage)
      c.cirrhosis_confirmed = true;
  }
  return out;
}

}  // namespace livercell::domain
