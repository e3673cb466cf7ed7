#include "livercell/domain/assessment/staging.h"

#include <fmt/format.h>

namespace livercell::domain {
namespace {

// Kleene "or" over optional booleans: true if any is true, false if all are false.
std::optional<bool> AnyOf(std::initializer_list<std::optional<bool>> values) {
  bool unknown = false;
  for (const auto& v : values) {
    if (v == true) return true;
    if (!v) unknown = true;
  }
  return unknown ? std::nullopt : std::optional<bool>(false);
}

std::string Flag(const char* name, bool value) {
  return fmt::format("history.{}={}", name, value ? "true" : "false");
}

// The flags behind a stage already set: the late-decompensation events for 6, the events
// present for decompensation, every absence (and the varices) for compensation.
// Source: D'Amico 2018 (J Hepatol 68:563): stage 6 is late decompensation.
std::vector<std::string> SetBy(const History& h, const Stage& stage) {
  std::vector<std::string> flags;
  const std::pair<const char*, const std::optional<bool>*> late[] = {
      {"refractory_ascites", &h.refractory_ascites},
      {"hepatorenal_syndrome", &h.hepatorenal_syndrome},
      {"sbp_ever", &h.sbp_ever}};
  const std::pair<const char*, const std::optional<bool>*> events[] = {
      {"ascites_ever", &h.ascites_ever},
      {"encephalopathy_ever", &h.encephalopathy_ever},
      {"jaundice", &h.jaundice}};
  if (stage.damico == 6) {
    for (const auto& [name, value] : late) {
      if (*value == true) flags.push_back(Flag(name, true));
    }
    return flags;
  }
  if (!stage.compensated) return flags;
  const bool decompensated = !*stage.compensated;
  for (const auto& [name, value] : events) {
    if (*value == decompensated) flags.push_back(Flag(name, decompensated));
  }
  if (h.variceal_bleeding && (*h.variceal_bleeding != "never") == decompensated) {
    flags.push_back("history.variceal_bleeding=" + *h.variceal_bleeding);
  }
  if (!decompensated && h.varices && stage.damico) flags.push_back("history.varices=" + *h.varices);
  return flags;
}

Stage StageOfHistory(const History& h);

}  // namespace

Stage StageOf(const History& h) {
  Stage stage = StageOfHistory(h);
  stage.set_by = SetBy(h, stage);
  return stage;
}

namespace {

Stage StageOfHistory(const History& h) {
  Stage stage;
  const std::optional<bool> bled =
      h.variceal_bleeding ? std::optional<bool>(*h.variceal_bleeding != "never") : std::nullopt;
  auto note_missing = [&](const char* name, bool absent) {
    if (absent) stage.missing.push_back(name);
  };
  // Stage 6, late decompensation, whatever else is known.
  // Source: D'Amico G et al. J Hepatol 2018;68:563–576 (refractory ascites, HRS, SBP).
  if (AnyOf({h.refractory_ascites, h.hepatorenal_syndrome, h.sbp_ever}) == true) {
    stage.compensated = false;
    stage.damico = 6;
    return stage;
  }
  const std::optional<bool> decompensated =
      AnyOf({h.ascites_ever, bled, h.encephalopathy_ever, h.jaundice});
  if (decompensated) stage.compensated = !*decompensated;
  const bool late_known = h.refractory_ascites && h.hepatorenal_syndrome && h.sbp_ever;
  if (decompensated == false) {
    // Source: D'Amico 2014 (Aliment Pharmacol Ther 39:1180): stage 1 without varices, 2 with.
    if (h.varices && *h.varices != "unknown") {
      stage.damico = *h.varices == "none" ? 1 : 2;
    } else {
      note_missing("history.varices", true);
    }
    return stage;
  }
  if (decompensated == true) {
    // Count the decompensating events; stage 4/5 need every non-bleeding one known.
    // Source: D'Amico 2014 (stage 3 bleeding alone, 4 one non-bleeding event, 5 two or more
    // events) and D'Amico 2018 (6 late decompensation, ruled out only when known).
    const int non_bleeding =
        (h.ascites_ever == true) + (h.encephalopathy_ever == true) + (h.jaundice == true);
    const bool all_known = h.ascites_ever && h.encephalopathy_ever && h.jaundice && bled;
    const int events = non_bleeding + (bled == true);
    if (events >= 2) {
      stage.damico = late_known ? std::optional<int>(5) : std::nullopt;
    } else if (all_known) {
      stage.damico = late_known ? std::optional<int>(bled == true ? 3 : 4) : std::nullopt;
    }
    if (!stage.damico) {
      note_missing("history.ascites_ever", !h.ascites_ever);
      note_missing("history.variceal_bleeding", !bled);
      note_missing("history.encephalopathy_ever", !h.encephalopathy_ever);
      note_missing("history.jaundice", !h.jaundice);
      note_missing("history.refractory_ascites", !h.refractory_ascites);
      note_missing("history.hepatorenal_syndrome", !h.hepatorenal_syndrome);
      note_missing("history.sbp_ever", !h.sbp_ever);
    }
    return stage;
  }
  note_missing("history.ascites_ever", !h.ascites_ever);
  note_missing("history.variceal_bleeding", !bled);
  note_missing("history.encephalopathy_ever", !h.encephalopathy_ever);
  note_missing("history.jaundice", !h.jaundice);
  return stage;
}

}  // namespace

}  // namespace livercell::domain
