#include "livercell/domain/records/event.h"

#include <fmt/format.h>

namespace livercell::domain {
namespace {

// Source: WHO ICD-10 2019 (I85.0 oesophageal varices with bleeding, R18 ascites, K72.9 hepatic
// failure/encephalopathy, K65.2 spontaneous bacterial peritonitis (ICD-10-CM), R17 jaundice,
// C22.0 liver cell carcinoma, Z94.4 liver transplant status, R99 death of unknown cause);
// SNOMED CT International (17709002 bleeding oesophageal varices, 389026000 ascites,
// 13920009 hepatic encephalopathy, 18165001 jaundice, 109841003 liver cell carcinoma,
// 18027006 transplantation of liver, 419620001 death). Concepts not verified offline are
// left empty rather than guessed (TODO(#4)).
constexpr EventType kEventTypes[] = {
    {"variceal_bleeding", "Variceal bleeding", "I85.0", "17709002", false},
    {"ascites", "Ascites", "R18", "389026000", false},
    {"hepatic_encephalopathy", "Hepatic encephalopathy", "K72.9", "13920009", true},
    {"sbp", "Spontaneous bacterial peritonitis", "K65.2", "", false},
    {"jaundice", "Jaundice", "R17", "18165001", false},
    {"hcc", "Hepatocellular carcinoma", "C22.0", "109841003", false},
    {"transplant", "Liver transplantation", "Z94.4", "18027006", false},
    {"death", "Death", "R99", "419620001", false},
};

constexpr std::string_view kAttributions[] = {"unrelated", "unlikely", "possible", "probable",
                                              "definite"};

// Source: Younossi 1999, Gut 45:295-300, CLDQ domains by item number (1-based).
constexpr int kAbdominal[] = {1, 5, 17};
constexpr int kFatigue[] = {2, 4, 8, 11, 13};
constexpr int kSystemic[] = {3, 6, 21, 23, 27};
constexpr int kActivity[] = {7, 9, 14};
constexpr int kEmotional[] = {10, 12, 15, 16, 19, 20, 24, 26};
constexpr int kWorry[] = {18, 22, 25, 28, 29};
constexpr std::size_t kCldqItems = 29;
constexpr int kCldqMin = 1;
constexpr int kCldqMax = 7;
// Source: Herdman M et al., Qual Life Res 2011;20:1727-1736 (EQ-5D-5L levels 1-5).
constexpr int kEq5dMin = 1;
constexpr int kEq5dMax = 5;
// Source: CTCAE v5.0 (NCI 2017): grades 1-5; West Haven criteria: encephalopathy grades 1-4.
constexpr int kCtcaeMaxGrade = 5;
constexpr int kWestHavenMaxGrade = 4;

double Mean(std::span<const int> items, std::span<const int> numbers) {
  double sum = 0;
  for (int n : numbers) sum += items[static_cast<std::size_t>(n - 1)];
  return sum / static_cast<double>(numbers.size());
}

base::Status GradeError(std::string message, std::string allowed) {
  base::Status status = base::OutOfRangeError(std::move(message));
  status.SetPath("grade").SetAllowed(std::move(allowed));
  return status;
}

}  // namespace

std::span<const EventType> EventTypes() { return kEventTypes; }

const EventType* FindEventType(std::string_view key) {
  for (const EventType& type : kEventTypes) {
    if (type.key == key) return &type;
  }
  return nullptr;
}

base::Status ValidateEvent(const ClinicalEvent& event) {
  const EventType* type = FindEventType(event.type);
  if (type == nullptr) {
    std::string allowed;
    for (const EventType& t : kEventTypes)
      allowed += (allowed.empty() ? "" : ", ") + std::string(t.key);
    base::Status status = base::InvalidArgumentError(
        fmt::format("\"{}\" is not a known event type ({})", event.type, allowed));
    status.SetPath("type").SetValue(event.type).SetAllowed(allowed);
    return status;
  }
  if (!type->graded && event.grade) {
    return GradeError(fmt::format("{} events carry no grade", event.type), "none");
  }
  if (type->graded && event.grade && (*event.grade < 1 || *event.grade > kWestHavenMaxGrade)) {
    return GradeError(fmt::format("West Haven grade {} is outside 1–4", *event.grade), "1–4");
  }
  return base::OkStatus();
}

base::Result<Attribution> ParseAttribution(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kAttributions); ++i) {
    if (kAttributions[i] == text) return static_cast<Attribution>(i);
  }
  base::Status status = base::InvalidArgumentError(fmt::format(
      "\"{}\" is not an attribution (unrelated, unlikely, possible, probable, definite)", text));
  status.SetValue(std::string(text));
  return status;
}

std::string_view ToString(Attribution attribution) {
  return kAttributions[static_cast<std::size_t>(attribution)];
}

base::Status ValidateAdverseEvent(const AdverseEvent& event) {
  if (event.ctcae_term.empty()) {
    base::Status status = base::InvalidArgumentError("a CTCAE v5.0 term is required");
    status.SetPath("ctcae_term");
    return status;
  }
  if (event.grade < 1 || event.grade > kCtcaeMaxGrade) {
    return GradeError(fmt::format("CTCAE grade {} is outside 1–5", event.grade), "1–5");
  }
  return base::OkStatus();
}

base::Result<CldqScores> ScoreCldq(std::span<const int> items) {
  if (items.size() != kCldqItems) {
    base::Status status = base::InvalidArgumentError(
        fmt::format("the CLDQ has 29 items; {} were given", items.size()));
    status.SetPath("cldq");
    return status;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i] < kCldqMin || items[i] > kCldqMax) {
      base::Status status = base::OutOfRangeError(
          fmt::format("item {} is {}; CLDQ items are scored 1–7", i + 1, items[i]));
      status.SetPath(fmt::format("cldq[{}]", i)).SetValue(static_cast<double>(items[i]));
      status.SetAllowed("1–7").SetSource("Younossi 1999");
      return status;
    }
  }
  double total = 0;
  for (int item : items) total += item;
  return CldqScores{Mean(items, kAbdominal),
                    Mean(items, kFatigue),
                    Mean(items, kSystemic),
                    Mean(items, kActivity),
                    Mean(items, kEmotional),
                    Mean(items, kWorry),
                    total / static_cast<double>(kCldqItems)};
}

base::Status ValidateQualityOfLife(const QualityOfLife& qol) {
  if (qol.cldq_items) LC_RETURN_IF_ERROR(ScoreCldq(*qol.cldq_items).status());
  if (qol.eq5d5l) {
    for (std::size_t i = 0; i < qol.eq5d5l->size(); ++i) {
      const int level = (*qol.eq5d5l)[i];
      if (level < kEq5dMin || level > kEq5dMax) {
        base::Status status =
            base::OutOfRangeError(fmt::format("EQ-5D-5L level {} is outside 1–5", level));
        status.SetPath(fmt::format("eq5d5l[{}]", i)).SetAllowed("1–5");
        return status;
      }
    }
  }
  return base::OkStatus();
}

std::string Eq5dProfile(const std::array<int, 5>& levels) {
  return fmt::format("{}{}{}{}{}", levels[0], levels[1], levels[2], levels[3], levels[4]);
}

}  // namespace livercell::domain
