#include "livercell/domain/scores/registry.h"

#include <limits>

#include "livercell/domain/scores/albi.h"
#include "livercell/domain/scores/child_pugh.h"
#include "livercell/domain/scores/fibrosis.h"
#include "livercell/domain/scores/mayo_pbc.h"
#include "livercell/domain/scores/meld.h"

namespace livercell::domain {
namespace {

using In = ScoreInputId;

// Source: specs/scores.md §1.5 (inputs each score needs).
constexpr In kChildPughNeeds[] = {In::kBilirubin, In::kAlbumin, In::kInr, In::kAscites,
                                  In::kEncephalopathy};
constexpr In kMeldNeeds[] = {In::kBilirubin, In::kInr, In::kCreatinine};
constexpr In kMeldNaNeeds[] = {In::kBilirubin, In::kInr, In::kCreatinine, In::kSodium};
constexpr In kMeld3Needs[] = {In::kBilirubin, In::kInr,     In::kCreatinine,
                              In::kSodium,    In::kAlbumin, In::kSex};
constexpr In kAlbiNeeds[] = {In::kBilirubin, In::kAlbumin};
constexpr In kApriNeeds[] = {In::kAst, In::kAstUln, In::kPlatelets};
constexpr In kFib4Needs[] = {In::kAgeYears, In::kAst, In::kAlt, In::kPlatelets};
constexpr In kMayoNeeds[] = {In::kBilirubin, In::kAlbumin, In::kAgeYears, In::kProthrombinTime,
                             In::kEdema};

constexpr ScoreInfo kScores[] = {
    {ScoreId::kChildPugh, "child_pugh", "Child-Pugh", "points", true, "class", false,
     "Pugh 1973, Br J Surg 60:646-649", kChildPughNeeds},
    {ScoreId::kMeld, "meld", "MELD", "score", true, "", false,
     "Kamath 2001, Hepatology 33:464-470; OPTN bounds", kMeldNeeds},
    {ScoreId::kMeldNa, "meld_na", "MELD-Na", "score", true, "", false,
     "OPTN policy notice 11/2015; Kim 2008, NEJM 359:1018-1026", kMeldNaNeeds},
    {ScoreId::kMeld3, "meld_3", "MELD 3.0", "score", true, "", false,
     "Kim 2021, Gastroenterology 161:1887-1895; OPTN policy 9.1.D", kMeld3Needs},
    {ScoreId::kAlbi, "albi", "ALBI", "score", false, "grade", true,
     "Johnson 2015, J Clin Oncol 33:550-558", kAlbiNeeds},
    {ScoreId::kApri, "apri", "APRI", "score", false, "", false, "Wai 2003, Hepatology 38:518-526",
     kApriNeeds},
    {ScoreId::kFib4, "fib4", "FIB-4", "score", false, "", false,
     "Sterling 2006, Hepatology 43:1317-1325", kFib4Needs},
    {ScoreId::kMayoPbc, "mayo_pbc", "Mayo PBC risk", "score", false, "", false,
     "Dickson 1989, Hepatology 10:1-7", kMayoNeeds},
};
static_assert(std::size(kScores) == kScoreCount);

constexpr std::string_view kClassNames[] = {"A", "B", "C"};
constexpr std::string_view kGradeNames[] = {"1", "2", "3"};

// Source: OPTN policy 9.1.D as implemented in the CU-Anschutz meld.sas macro: the 1.33 term
// applies to every candidate aged 12 to under 18, whatever the sex (specs/scores.md §0).
constexpr double kPaediatricMinAgeYears = 12;
constexpr double kAdultAgeYears = 18;

bool InPaediatricBand(const ScoreInput& in) {
  return in.age_years && *in.age_years >= kPaediatricMinAgeYears && *in.age_years < kAdultAgeYears;
}

std::uint32_t MissingMask(const ScoreInfo& info, const ScoreInput& in) {
  std::uint32_t mask = 0;
  for (ScoreInputId id : info.needs) {
    if (id == In::kSex && info.id == ScoreId::kMeld3 && InPaediatricBand(in)) continue;
    if (!in.Has(id)) mask |= 1u << static_cast<unsigned>(id);
  }
  return mask;
}

double Canon(const ScoreInput& in, Analyte analyte) { return in.lab(analyte)->canonical(); }

ScoreResult Compute(ScoreId id, const ScoreInput& in) {
  const bool dialysis = in.dialysis_twice_past_week;
  switch (id) {
    case ScoreId::kChildPugh: {
      const ChildPugh cp =
          ComputeChildPugh(Canon(in, Analyte::kBilirubin), Canon(in, Analyte::kAlbumin),
                           Canon(in, Analyte::kInr), *in.ascites, *in.encephalopathy);
      return {static_cast<double>(cp.points), kClassNames[cp.child_class - 'A']};
    }
    case ScoreId::kMeld:
      return {
          static_cast<double>(ComputeMeld(Canon(in, Analyte::kBilirubin), Canon(in, Analyte::kInr),
                                          Canon(in, Analyte::kCreatinine), dialysis)),
          {}};
    case ScoreId::kMeldNa:
      return {static_cast<double>(ComputeMeldNa(
                  Canon(in, Analyte::kBilirubin), Canon(in, Analyte::kInr),
                  Canon(in, Analyte::kCreatinine), dialysis, Canon(in, Analyte::kSodium))),
              {}};
    case ScoreId::kMeld3: {
      const bool female_term = InPaediatricBand(in) || in.sex == Sex::kFemale;
      return {static_cast<double>(ComputeMeld3(
                  Canon(in, Analyte::kBilirubin), Canon(in, Analyte::kInr),
                  Canon(in, Analyte::kCreatinine), dialysis, Canon(in, Analyte::kSodium),
                  Canon(in, Analyte::kAlbumin), female_term)),
              {}};
    }
    case ScoreId::kAlbi: {
      // ALBI is defined in SI units: SI inputs are used exactly as received.
      const Albi albi = ComputeAlbi(in.lab(Analyte::kBilirubin)->In(Unit::kMicromolePerLitre),
                                    in.lab(Analyte::kAlbumin)->In(Unit::kGramPerLitre));
      return {albi.score, kGradeNames[albi.grade - 1]};
    }
    case ScoreId::kApri:
      return {ComputeApri(Canon(in, Analyte::kAst), Canon(in, Analyte::kAstUln),
                          Canon(in, Analyte::kPlatelets)),
              {}};
    case ScoreId::kFib4:
      return {ComputeFib4(*in.age_years, Canon(in, Analyte::kAst), Canon(in, Analyte::kAlt),
                          Canon(in, Analyte::kPlatelets)),
              {}};
    case ScoreId::kMayoPbc:
      return {ComputeMayoPbc(Canon(in, Analyte::kBilirubin), Canon(in, Analyte::kAlbumin),
                             *in.age_years, Canon(in, Analyte::kProthrombinTime), *in.edema),
              {}};
  }
  LC_CHECK(false) << "unhandled score id " << static_cast<int>(id);
  return {};
}

}  // namespace

std::span<const ScoreInfo> AllScores() { return kScores; }
const ScoreInfo& InfoOf(ScoreId id) { return kScores[static_cast<std::size_t>(id)]; }

std::span<const ScoreBand> BandsOf(ScoreId id) {
  constexpr double kAbove = std::numeric_limits<double>::infinity();
  static constexpr ScoreBand kChildPughBands[] = {
      {"A", kChildPughClassAMaxPoints}, {"B", kChildPughClassBMaxPoints}, {"C", kAbove}};
  static constexpr ScoreBand kAlbiBands[] = {
      {"1", kAlbiGrade1Max}, {"2", kAlbiGrade2Max}, {"3", kAbove}};
  switch (id) {
    case ScoreId::kChildPugh:
      return kChildPughBands;
    case ScoreId::kAlbi:
      return kAlbiBands;
    default:
      return {};
  }
}

bool ScoreReport::AnyUnavailable() const {
  for (std::uint32_t mask : missing) {
    if (mask != 0) return true;
  }
  return false;
}

std::vector<ScoreInputId> ScoreReport::MissingInputs(ScoreId id) const {
  std::vector<ScoreInputId> inputs;
  const std::uint32_t mask = missing[static_cast<std::size_t>(id)];
  for (ScoreInputId input : InfoOf(id).needs) {
    if (mask & (1u << static_cast<unsigned>(input))) inputs.push_back(input);
  }
  return inputs;
}

ScoreReport ComputeScores(const ScoreInput& input) {
  ScoreReport report;
  for (const ScoreInfo& info : kScores) {
    const auto index = static_cast<std::size_t>(info.id);
    report.missing[index] = MissingMask(info, input);
    if (report.missing[index] == 0) report.results[index] = Compute(info.id, input);
  }
  return report;
}

}  // namespace livercell::domain
