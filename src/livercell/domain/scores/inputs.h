// What the liver scores are computed from: one patient's labs and clinical findings at one
// time (specs/scores.md §1.1). Every field is optional; a score whose inputs are missing is
// reported unavailable (registry.h), never guessed. Values inside are already validated:
// labs through LabValue::Create, enums through the Parse* functions below, age through
// ValidateAgeYears.
#ifndef LIVERCELL_DOMAIN_SCORES_INPUTS_H_
#define LIVERCELL_DOMAIN_SCORES_INPUTS_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "livercell/base/result.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/labs/lab_value.h"

namespace livercell::domain {

enum class Sex { kFemale, kMale };

// Ascites as graded for Child-Pugh: none = absent; mild = slight / easily controlled;
// moderate-severe = moderate or tense / poorly controlled.
enum class Ascites { kNone, kMild, kModerateSevere };

// Hepatic encephalopathy, West Haven grade: none, grade 1–2, grade 3–4.
enum class Encephalopathy { kNone, kGrade1To2, kGrade3To4 };

// Oedema as coded by the Mayo PBC model (Dickson 1989): none (0); untreated, or resolved on
// diuretics (0.5); present despite diuretics (1).
enum class Edema { kNone, kUntreatedOrResolved, kDespiteDiuretics };

// Parse the exact spellings of specs/scores.md §1.1 ("female", "moderate-severe",
// "grade-1-2", "despite-diuretics", …). Anything else is kInvalidArgument with the value and
// the allowed spellings; no path is set (the caller knows the field's name).
base::Result<Sex> ParseSex(std::string_view text);
base::Result<Ascites> ParseAscites(std::string_view text);
base::Result<Encephalopathy> ParseEncephalopathy(std::string_view text);
base::Result<Edema> ParseEdema(std::string_view text);

// The canonical spellings, for output.
std::string_view ToString(Sex sex);
std::string_view ToString(Ascites ascites);
std::string_view ToString(Encephalopathy encephalopathy);
std::string_view ToString(Edema edema);

// Checks an age in years against the plausible range 0–120 (inclusive; fractional ages are
// kept as given). kOutOfRange otherwise, with no path set.
base::Result<double> ValidateAgeYears(double age_years);

// Every input a score may need, in the order of specs/scores.md §1.5: the labs (in Analyte
// order) followed by the top-level fields.
enum class ScoreInputId {
  kBilirubin,
  kAlbumin,
  kInr,
  kProthrombinTime,
  kCreatinine,
  kSodium,
  kAst,
  kAlt,
  kAstUln,
  kPlatelets,
  kSex,
  kAgeYears,
  kAscites,
  kEncephalopathy,
  kEdema,
};

// The input's name in JSON and in "unavailable" lists: "albumin", "age_years", "sex".
std::string_view InputName(ScoreInputId id);

// One patient's inputs. Plain data; build it from validated parts.
struct ScoreInput {
  std::optional<Sex> sex;
  std::optional<double> age_years;
  // ≥ 2 dialysis treatments, or 24 h of CVVHD, in the 7 days before the creatinine test
  // (OPTN wording). Absent means false: it never makes a score unavailable.
  bool dialysis_twice_past_week = false;
  std::optional<Ascites> ascites;
  std::optional<Encephalopathy> encephalopathy;
  std::optional<Edema> edema;
  std::array<std::optional<LabValue>, kAnalyteCount> labs;

  // The lab for `analyte`, or nullptr when absent.
  const LabValue* lab(Analyte analyte) const {
    const auto& slot = labs[static_cast<std::size_t>(analyte)];
    return slot ? &*slot : nullptr;
  }
  // Whether `id` is present.
  bool Has(ScoreInputId id) const;
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_SCORES_INPUTS_H_
