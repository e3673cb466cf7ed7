#include "livercell/domain/scores/inputs.h"

#include <fmt/format.h>

#include <span>
#include <string>

namespace livercell::domain {
namespace {

template <typename E>
struct Spelling {
  E value;
  std::string_view text;
};

constexpr Spelling<Sex> kSexes[] = {{Sex::kFemale, "female"}, {Sex::kMale, "male"}};
constexpr Spelling<Ascites> kAscites[] = {{Ascites::kNone, "none"},
                                          {Ascites::kMild, "mild"},
                                          {Ascites::kModerateSevere, "moderate-severe"}};
constexpr Spelling<Encephalopathy> kEncephalopathies[] = {
    {Encephalopathy::kNone, "none"},
    {Encephalopathy::kGrade1To2, "grade-1-2"},
    {Encephalopathy::kGrade3To4, "grade-3-4"}};
constexpr Spelling<Edema> kEdemas[] = {{Edema::kNone, "none"},
                                       {Edema::kUntreatedOrResolved, "untreated-or-resolved"},
                                       {Edema::kDespiteDiuretics, "despite-diuretics"}};

template <typename E>
base::Result<E> ParseSpelling(std::span<const Spelling<E>> spellings, std::string_view text) {
  for (const Spelling<E>& s : spellings) {
    if (s.text == text) return s.value;
  }
  std::string allowed;
  for (const Spelling<E>& s : spellings) {
    if (!allowed.empty()) allowed += ", ";
    allowed += fmt::format("\"{}\"", s.text);
  }
  base::Status status =
      base::InvalidArgumentError(fmt::format("\"{}\" is not one of {}", text, allowed));
  status.SetValue(std::string(text)).SetAllowed(allowed);
  return status;
}

template <typename E>
std::string_view SpellingOf(std::span<const Spelling<E>> spellings, E value) {
  for (const Spelling<E>& s : spellings) {
    if (s.value == value) return s.text;
  }
  return "?";
}

constexpr std::string_view kTopLevelNames[] = {"sex", "age_years", "ascites", "encephalopathy",
                                               "edema"};

// Source: specs/scores.md §1.2 (plausible age range, years, inclusive).
constexpr double kMinAgeYears = 0;
constexpr double kMaxAgeYears = 120;

}  // namespace

base::Result<Sex> ParseSex(std::string_view text) { return ParseSpelling<Sex>(kSexes, text); }
base::Result<Ascites> ParseAscites(std::string_view text) {
  return ParseSpelling<Ascites>(kAscites, text);
}
base::Result<Encephalopathy> ParseEncephalopathy(std::string_view text) {
  return ParseSpelling<Encephalopathy>(kEncephalopathies, text);
}
base::Result<Edema> ParseEdema(std::string_view text) {
  return ParseSpelling<Edema>(kEdemas, text);
}

std::string_view ToString(Sex sex) { return SpellingOf<Sex>(kSexes, sex); }
std::string_view ToString(Ascites ascites) { return SpellingOf<Ascites>(kAscites, ascites); }
std::string_view ToString(Encephalopathy encephalopathy) {
  return SpellingOf<Encephalopathy>(kEncephalopathies, encephalopathy);
}
std::string_view ToString(Edema edema) { return SpellingOf<Edema>(kEdemas, edema); }

base::Result<double> ValidateAgeYears(double age_years) {
  if (age_years >= kMinAgeYears && age_years <= kMaxAgeYears) return age_years;
  base::Status status = base::OutOfRangeError(
      fmt::format("{} years is outside the plausible range 0–120 years", age_years));
  status.SetValue(age_years).SetAllowed("0–120 years").SetSource("specs/scores.md §1.2");
  return status;
}

std::string_view InputName(ScoreInputId id) {
  const auto index = static_cast<std::size_t>(id);
  if (index < kAnalyteCount) return InfoOf(static_cast<Analyte>(index)).key;
  return kTopLevelNames[index - kAnalyteCount];
}

bool ScoreInput::Has(ScoreInputId id) const {
  switch (id) {
    case ScoreInputId::kSex:
      return sex.has_value();
    case ScoreInputId::kAgeYears:
      return age_years.has_value();
    case ScoreInputId::kAscites:
      return ascites.has_value();
    case ScoreInputId::kEncephalopathy:
      return encephalopathy.has_value();
    case ScoreInputId::kEdema:
      return edema.has_value();
    default:
      return lab(static_cast<Analyte>(static_cast<std::size_t>(id))) != nullptr;
  }
}

}  // namespace livercell::domain
