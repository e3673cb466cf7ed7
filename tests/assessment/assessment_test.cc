// The candidacy engine against the default protocol (issue #7 "Done when"): every rule on both
// sides of its threshold and with its input missing, the decision order on combinations, a
// clinic's edited protocol, malformed protocols, staging, and reproducibility.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include <simdjson.h>

#include "livercell/domain/assessment/from_record.h"
#include "livercell/formats/assessment_json.h"
#include "livercell/formats/candidate_json.h"
#include "livercell/formats/protocol_file.h"
#include "livercell/domain/assessment/assess.h"
#include "livercell/domain/labs/lab_value.h"

namespace livercell::domain {
namespace {

std::string DefaultProtocolText() {
  std::ifstream in(std::string(LIVERCELL_SOURCE_DIR) + "/data/protocols/default.toml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Protocol& Default() {
  static const Protocol protocol =
      *formats::ParseProtocolFile(DefaultProtocolText(), "default.toml").protocol;
  return protocol;
}

void SetLab(Candidate& c, Analyte analyte, double value, const char* unit) {
  c.scores.labs[static_cast<std::size_t>(analyte)] = LabValue::Create(analyte, value, unit).value();
}

// A compensated candidate every rule clears: the decision is "eligible".
Candidate Clear() {
  Candidate c;
  c.scores.sex = Sex::kFemale;
  c.scores.age_years = 50;
  c.scores.ascites = Ascites::kNone;
  c.scores.encephalopathy = Encephalopathy::kNone;
  SetLab(c, Analyte::kBilirubin, 1.2, "mg/dL");
  SetLab(c, Analyte::kAlbumin, 3.8, "g/dL");
  SetLab(c, Analyte::kInr, 1.1, "1");
  SetLab(c, Analyte::kCreatinine, 0.8, "mg/dL");
  SetLab(c, Analyte::kSodium, 139, "mmol/L");
  SetLab(c, Analyte::kPlatelets, 160, "10*9/L");
  c.cirrhosis_confirmed = true;
  c.aetiology = std::vector<std::string>{"masld"};
  c.history = {"none", "never", false, false, false, false, false, false};
  c.hcc = "none";
  c.other_malignancy_within_5y = false;
  c.active_infection = false;
  c.pregnant_or_breastfeeding = false;
  c.ecog = 0;
  c.severe_comorbidity = false;
  return c;
}

const RuleResult& RuleOf(const Assessment& a, const std::string& id) {
  for (const RuleResult& r : a.rules) {
    if (r.rule->id == id) return r;
  }
  for (const RuleResult& r : a.recommendations) {
    if (r.rule->id == id) return r;
  }
  throw std::runtime_error("no rule " + id);
}

TEST(Assessment, TheClearCandidateIsEligible) {
  const Assessment a = Assess(Default(), Clear());
  EXPECT_EQ(a.decision, "eligible");
  for (const RuleResult& r : a.rules) EXPECT_EQ(r.truth, Truth::kFalse) << r.rule->id;
  EXPECT_TRUE(a.missing.empty());
  EXPECT_EQ(a.stage.damico, 1);
  EXPECT_EQ(RuleOf(a, "REC-HCC-SURV").truth, Truth::kTrue);
  EXPECT_EQ(RuleOf(a, "REC-VARICES").truth, Truth::kFalse);
}

// Each rule: a change that makes it true (with the decision that follows), one just on the
// other side of its threshold, and one that removes its input (the rule turns unknown).
TEST(Assessment, EveryRuleOnBothSidesAndMissing) {
  struct Walk {
    const char* rule;
    const char* decision;  // when the rule is true
    std::function<void(Candidate&)> fire, other_side, remove;
    const char* missing;  // input path reported when removed
  };
  const Walk walks[] = {
      {"EX-NOT-CIRRHOSIS", "not_eligible", [](Candidate& c) { c.cirrhosis_confirmed = false; },
       [](Candidate& c) { c.cirrhosis_confirmed = true; },
       [](Candidate& c) { c.cirrhosis_confirmed.reset(); }, "cirrhosis_confirmed"},
      {"EX-AGE", "not_eligible", [](Candidate& c) { c.scores.age_years = 75.5; },
       [](Candidate& c) { c.scores.age_years = 75; },
       [](Candidate& c) { c.scores.age_years.reset(); }, "age_years"},
      {"EX-AGE", "not_eligible", [](Candidate& c) { c.scores.age_years = 17.9; },
       [](Candidate& c) { c.scores.age_years = 18; },
       [](Candidate& c) { c.scores.age_years.reset(); }, "age_years"},
      {"EX-HCC-BEYOND", "not_eligible", [](Candidate& c) { c.hcc = "beyond-milan"; },
       [](Candidate& c) { c.hcc = "none"; }, [](Candidate& c) { c.hcc.reset(); }, "hcc"},
      {"EX-MALIGNANCY", "not_eligible", [](Candidate& c) { c.other_malignancy_within_5y = true; },
       [](Candidate& c) { c.other_malignancy_within_5y = false; },
       [](Candidate& c) { c.other_malignancy_within_5y.reset(); }, "other_malignancy_within_5y"},
      {"EX-INFECTION", "not_eligible", [](Candidate& c) { c.active_infection = true; },
       [](Candidate& c) { c.active_infection = false; },
       [](Candidate& c) { c.active_infection.reset(); }, "active_infection"},
      {"EX-ALCOHOL", "not_eligible",
       [](Candidate& c) {
         c.aetiology = std::vector<std::string>{"alcohol"};
         c.has_alcohol = true;
         c.alcohol_active = false;
         c.alcohol_abstinent_months = 5.9;
       },
       [](Candidate& c) {
         c.aetiology = std::vector<std::string>{"alcohol"};
         c.has_alcohol = true;
         c.alcohol_active = false;
         c.alcohol_abstinent_months = 6;
       },
       [](Candidate& c) {
         c.aetiology = std::vector<std::string>{"alcohol"};
         c.has_alcohol = true;
         c.alcohol_active = false;
       },
       "alcohol.abstinent_months"},
      {"EX-ALCOHOL", "not_eligible",
       [](Candidate& c) {
         c.has_alcohol = true;
         c.alcohol_active = true;
       },
       [](Candidate& c) {
         c.has_alcohol = true;
         c.alcohol_active = false;
       },
       [](Candidate& c) { c.aetiology = std::vector<std::string>{"alcohol"}; }, "alcohol.active"},
      {"EX-PREGNANCY", "not_eligible", [](Candidate& c) { c.pregnant_or_breastfeeding = true; },
       [](Candidate& c) { c.pregnant_or_breastfeeding = false; },
       [](Candidate& c) { c.pregnant_or_breastfeeding.reset(); }, "pregnant_or_breastfeeding"},
      {"EX-ECOG", "not_eligible", [](Candidate& c) { c.ecog = 3; },
       [](Candidate& c) { c.ecog = 2; }, [](Candidate& c) { c.ecog.reset(); }, "ecog"},
      {"EX-COMORBIDITY", "not_eligible", [](Candidate& c) { c.severe_comorbidity = true; },
       [](Candidate& c) { c.severe_comorbidity = false; },
       [](Candidate& c) { c.severe_comorbidity.reset(); }, "severe_comorbidity"},
      {"EX-ACUTE-BLEED", "not_eligible",
       [](Candidate& c) { c.history.variceal_bleeding = "within-6-weeks"; },
       [](Candidate& c) { c.history.variceal_bleeding = "past"; },
       [](Candidate& c) { c.history.variceal_bleeding.reset(); }, "history.variceal_bleeding"},
      {"EX-ARTERIAL-ACCESS", "not_eligible",
       [](Candidate& c) {
         c.route = "hepatic-artery";
         SetLab(c, Analyte::kInr, 1.6, "1");
       },
       [](Candidate& c) {
         c.route = "hepatic-artery";
         SetLab(c, Analyte::kInr, 1.5, "1");
       },
       [](Candidate& c) {
         c.route = "hepatic-artery";
         c.scores.labs[static_cast<std::size_t>(Analyte::kInr)].reset();
       },
       "labs.inr"},
      {"EX-ARTERIAL-ACCESS", "not_eligible",
       [](Candidate& c) {
         c.route = "hepatic-artery";
         SetLab(c, Analyte::kPlatelets, 49, "10*9/L");
       },
       [](Candidate& c) {
         c.route = "hepatic-artery";
         SetLab(c, Analyte::kPlatelets, 50, "10*9/L");
       },
       [](Candidate& c) {
         c.route = "hepatic-artery";
         c.scores.labs[static_cast<std::size_t>(Analyte::kPlatelets)].reset();
       },
       "labs.platelets"},
      {"TX-END-STAGE", "refer_transplant",
       [](Candidate& c) { SetLab(c, Analyte::kBilirubin, 20, "mg/dL"); },
       [](Candidate& c) { SetLab(c, Analyte::kBilirubin, 1.3, "mg/dL"); },
       [](Candidate& c) { c.scores.labs[static_cast<std::size_t>(Analyte::kBilirubin)].reset(); },
       "labs.bilirubin"},
      {"TX-END-STAGE", "refer_transplant",
       [](Candidate& c) { c.history.hepatorenal_syndrome = true; },
       [](Candidate& c) { c.history.hepatorenal_syndrome = false; },
       [](Candidate& c) {
         c.history.hepatorenal_syndrome.reset();
         c.scores.labs[static_cast<std::size_t>(Analyte::kSodium)].reset();
       },
       "history.hepatorenal_syndrome"},
      {"TX-HCC-MILAN", "refer_transplant", [](Candidate& c) { c.hcc = "within-milan"; },
       [](Candidate& c) { c.hcc = "none"; }, [](Candidate& c) { c.hcc.reset(); }, "hcc"},
      {"AV-HBV", "eligible_after_antiviral",
       [](Candidate& c) {
         c.has_hbv = true;
         c.hbv_hbsag = c.hbv_dna_detectable = true;
         c.hbv_on_antiviral = false;
       },
       [](Candidate& c) {
         c.has_hbv = true;
         c.hbv_hbsag = c.hbv_dna_detectable = true;
         c.hbv_on_antiviral = true;
       },
       [](Candidate& c) { c.aetiology = std::vector<std::string>{"hbv"}; }, "hbv.hbsag"},
      {"AV-HCV", "eligible_after_antiviral",
       [](Candidate& c) {
         c.has_hcv = true;
         c.hcv_rna_detectable = true;
         c.hcv_on_antiviral = false;
       },
       [](Candidate& c) {
         c.has_hcv = true;
         c.hcv_rna_detectable = false;
       },
       [](Candidate& c) { c.aetiology = std::vector<std::string>{"hcv"}; }, "hcv.rna_detectable"},
  };
  for (const Walk& w : walks) {
    SCOPED_TRACE(w.rule);
    Candidate fired = Clear(), other = Clear(), removed = Clear();
    w.fire(fired);
    w.other_side(other);
    w.remove(removed);
    const Assessment a = Assess(Default(), fired);
    EXPECT_EQ(RuleOf(a, w.rule).truth, Truth::kTrue);
    EXPECT_EQ(a.decision, w.decision);
    const Assessment b = Assess(Default(), other);
    EXPECT_EQ(RuleOf(b, w.rule).truth, Truth::kFalse);
    EXPECT_EQ(b.decision, "eligible");
    const Assessment c = Assess(Default(), removed);
    EXPECT_EQ(RuleOf(c, w.rule).truth, Truth::kUnknown);
    EXPECT_EQ(c.decision, "incomplete");
    const auto& missing = RuleOf(c, w.rule).missing;
    EXPECT_NE(std::find(missing.begin(), missing.end(), w.missing), missing.end())
        << "missing: " << fmt::format("{}", fmt::join(missing, ", "));
    EXPECT_NE(std::find(c.missing.begin(), c.missing.end(), w.missing), c.missing.end());
  }
}

TEST(Assessment, AbsentViralAndAlcoholObjectsFollowTheAetiology) {
  Candidate c = Clear();  // masld only: no hbv/hcv/alcohol objects needed
  EXPECT_EQ(RuleOf(Assess(Default(), c), "AV-HBV").truth, Truth::kFalse);
  EXPECT_EQ(RuleOf(Assess(Default(), c), "EX-ALCOHOL").truth, Truth::kFalse);
  c.aetiology.reset();  // aetiology unknown: the viral rules cannot be settled
  EXPECT_EQ(RuleOf(Assess(Default(), c), "AV-HBV").truth, Truth::kUnknown);
  EXPECT_EQ(RuleOf(Assess(Default(), c), "EX-ARTERIAL-ACCESS").truth, Truth::kFalse)
      << "no route planned is the intravenous route";
}

TEST(Assessment, DecisionOrderOnCombinations) {
  Candidate c = Clear();
  c.hcc = "beyond-milan";      // exclusion
  c.scores.age_years.reset();  // and a missing input
  EXPECT_EQ(Assess(Default(), c).decision, "not_eligible");
  c = Clear();
  c.hcc = "within-milan";  // referral
  c.ecog.reset();          // and a missing exclusion input
  EXPECT_EQ(Assess(Default(), c).decision, "refer_transplant");
  c.ecog = 4;  // an exclusion outranks the referral
  EXPECT_EQ(Assess(Default(), c).decision, "not_eligible");
  c = Clear();
  c.has_hcv = true;
  c.hcv_rna_detectable = true;  // antiviral first
  c.hcv_on_antiviral = false;
  c.severe_comorbidity.reset();  // but something unknown: incomplete comes first
  EXPECT_EQ(Assess(Default(), c).decision, "incomplete");
  c.severe_comorbidity = false;
  EXPECT_EQ(Assess(Default(), c).decision, "eligible_after_antiviral");
  // A missing input that only a recommendation needs never makes the decision incomplete.
  c = Clear();
  c.history.varices.reset();
  c.history.ascites_ever = true;  // decompensated: staging needs nothing more for REC-TX-EVAL
  const Assessment a = Assess(Default(), c);
  EXPECT_EQ(a.decision, "eligible");
  EXPECT_EQ(RuleOf(a, "REC-VARICES").truth, Truth::kFalse);  // platelets 160
  EXPECT_EQ(RuleOf(a, "REC-TX-EVAL").truth, Truth::kTrue);
}

TEST(Assessment, StagingFollowsDAmico) {
  History h{"none", "never", false, false, false, false, false, false};
  EXPECT_EQ(StageOf(h).damico, 1);
  // The flags that set it are named (issue #24): every absence and the varices.
  EXPECT_EQ(StageOf(h).set_by,
            (std::vector<std::string>{"history.ascites_ever=false",
                                      "history.encephalopathy_ever=false",
                                      "history.jaundice=false", "history.variceal_bleeding=never",
                                      "history.varices=none"}));
  h.varices = "large";
  EXPECT_EQ(StageOf(h).damico, 2);
  EXPECT_EQ(StageOf(h).compensated, true);
  h.variceal_bleeding = "past";
  EXPECT_EQ(StageOf(h).damico, 3);
  EXPECT_EQ(StageOf(h).set_by, std::vector<std::string>{"history.variceal_bleeding=past"});
  EXPECT_EQ(StageOf(h).compensated, false);
  h.variceal_bleeding = "never";
  h.ascites_ever = true;
  EXPECT_EQ(StageOf(h).damico, 4);
  h.jaundice = true;
  EXPECT_EQ(StageOf(h).damico, 5);
  h.sbp_ever = true;
  EXPECT_EQ(StageOf(h).damico, 6);
  EXPECT_EQ(StageOf(h).set_by, std::vector<std::string>{"history.sbp_ever=true"});
  History open{"unknown", "never", false, false, false, false, false, false};
  const Stage s = StageOf(open);
  EXPECT_FALSE(s.damico);
  EXPECT_EQ(s.missing, std::vector<std::string>{"history.varices"});
}

// A clinic edits its copy: a threshold changed and a rule added change decisions, no rebuild.
TEST(Assessment, AnEditedProtocolChangesDecisions) {
  std::string text = DefaultProtocolText();
  const auto at = text.find("value = 75 }");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "value = 65 }");
  text +=
      "\n[[rules]]\nid = \"EX-PLATELETS\"\ntext = \"Platelets below 60.\"\n"
      "condition = { fact = \"platelets\", op = \"<\", value = 60 }\n"
      "effect = \"not_eligible\"\nsource = \"clinic default\"\n";
  const formats::ProtocolParse edited = formats::ParseProtocolFile(text, "clinic.toml");
  ASSERT_TRUE(edited.protocol) << edited.errors.front().ToString();
  EXPECT_NE(edited.protocol->sha256, Default().sha256);
  Candidate c = Clear();
  c.scores.age_years = 70;
  EXPECT_EQ(Assess(Default(), c).decision, "eligible");
  EXPECT_EQ(Assess(*edited.protocol, c).decision, "not_eligible");
  c = Clear();
  SetLab(c, Analyte::kPlatelets, 55, "10*9/L");
  EXPECT_EQ(Assess(Default(), c).decision, "eligible");
  EXPECT_EQ(Assess(*edited.protocol, c).decision, "not_eligible");
  EXPECT_EQ(RuleOf(Assess(*edited.protocol, c), "EX-PLATELETS").truth, Truth::kTrue);
}

TEST(Assessment, MalformedProtocolsNameTheRuleAndField) {
  const std::string head =
      "[protocol]\nid = \"x\"\nversion = \"1\"\ndecision_order = [\"not_eligible\", "
      "\"refer_transplant\", \"incomplete\", \"eligible_after_antiviral\", \"eligible\"]\n";
  auto rule = [](const std::string& body) {
    return "[[rules]]\nid = \"R1\"\ntext = \"t\"\neffect = \"not_eligible\"\n" + body;
  };
  struct Case {
    std::string text;
    const char* path;
    const char* message;
  };
  const Case cases[] = {
      {head + rule("source = \"s\"\ncondition = { fact = \"age_yeers\", op = \">\", value = 1 }\n"),
       "rules[0] (R1).condition.fact", "did you mean \"age_years\""},
      {head + rule("condition = { fact = \"ecog\", op = \">\", value = 1 }\n"),
       "rules[0] (R1).source", "needs a `source`"},
      {head +
           rule(
               "source = \"s\"\ncondition = { fact = \"hcc\", op = \"==\", value = \"beyond\" }\n"),
       "rules[0] (R1).condition.value", "not a value of hcc"},
      {head + rule("source = \"s\"\ncondition = { fact = \"ecog\", op = \"=>\", value = 1 }\n"),
       "rules[0] (R1).condition.op", "unknown operator"},
      {head + rule("source = \"s\"\ncondition = { fact = \"ecog\", op = \">\", value = \"x\" }\n"),
       "rules[0] (R1).condition.value", "does not fit"},
      {head + rule("source = \"s\"\ncondition = { all = [{ fact = \"ecog\" }] }\n"),
       "rules[0] (R1).condition.all[0].op", "not yes/no"},
      {"[protocol]\nid = \"x\"\nversion = \"1\"\ndecision_order = [\"eligible\"]\n" +
           rule("source = \"s\"\ncondition = { fact = \"active_infection\" }\n"),
       "protocol.decision_order", "five decisions"},
      {head + "[[rules]]\nid = \"R1\"\ntext = \"t\"\neffect = \"maybe\"\nsource = \"s\"\n"
              "condition = { fact = \"active_infection\" }\n",
       "rules[0] (R1).effect", "not an effect a rule can have"},
      {head +
           rule(
               "source = \"s\"\nsource = \"again\"\ncondition = { fact = \"active_infection\" }\n"),
       "", "TOML refuses a duplicate key"},
  };
  for (const Case& c : cases) {
    const formats::ProtocolParse parsed = formats::ParseProtocolFile(c.text, "clinic.toml");
    ASSERT_FALSE(parsed.protocol) << c.text;
    ASSERT_FALSE(parsed.errors.empty());
    if (*c.path == '\0') continue;  // TOML itself refuses it (the error names the line)
    bool found = false;
    for (const base::Status& e : parsed.errors) {
      if (e.path() == std::string("clinic.toml: ") + c.path &&
          std::string(e.message()).find(c.message) != std::string::npos)
        found = true;
    }
    EXPECT_TRUE(found) << c.path << ": " << parsed.errors.front().ToString();
  }
  // Contradictory and unreachable rules pass parsing and are caught by the check.
  const formats::ProtocolParse odd = formats::ParseProtocolFile(
      head +
          rule("source = \"s\"\ncondition = { all = [{ fact = \"ecog\", op = \">\", value = 3 }, "
               "{ fact = \"ecog\", op = \"<\", value = 2 }] }\n") +
          "[[rules]]\nid = \"R2\"\ntext = \"t\"\neffect = \"not_eligible\"\nsource = \"s\"\n"
          "condition = { fact = \"active_infection\" }\n"
          "[[rules]]\nid = \"R3\"\ntext = \"t\"\neffect = \"not_eligible\"\nsource = \"s\"\n"
          "condition = { fact = \"active_infection\" }\n",
      "clinic.toml");
  ASSERT_TRUE(odd.protocol);
  const std::vector<base::Status> problems = CheckProtocol(*odd.protocol, "clinic.toml");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].path(), "clinic.toml: rules[0] (R1).condition");
  EXPECT_NE(std::string(problems[0].message()).find("contradictory"), std::string::npos);
  EXPECT_EQ(problems[1].path(), "clinic.toml: rules[2] (R3).condition");
  EXPECT_NE(std::string(problems[1].message()).find("unreachable: R2"), std::string::npos);
  EXPECT_TRUE(CheckProtocol(Default(), "default.toml").empty());
}

TEST(Assessment, SameProtocolAndCandidateReproduceTheAssessment) {
  const formats::ProtocolParse again = formats::ParseProtocolFile(DefaultProtocolText(), "copy.toml");
  EXPECT_EQ(again.protocol->sha256, Default().sha256);
  EXPECT_EQ(Default().sha256.size(), 64u);
  Candidate c = Clear();
  c.ecog.reset();
  const Assessment a = Assess(Default(), c), b = Assess(*again.protocol, c);
  EXPECT_EQ(a.decision, b.decision);
  ASSERT_EQ(a.rules.size(), b.rules.size());
  for (std::size_t i = 0; i < a.rules.size(); ++i) {
    EXPECT_EQ(a.rules[i].truth, b.rules[i].truth);
    EXPECT_EQ(a.rules[i].missing, b.rules[i].missing);
  }
}

// --- a candidate from the registry (issue #7 part 4) ---------------------------------------

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr sys_days kToday = sys_days(std::chrono::year{2026} / 11 / 23);

LabObservation Lab(const char* loinc, double value, const char* unit, sys_days day) {
  return MakeLabObservation(loinc, value, unit, ClinicalTime::FromDate(day)).value();
}

ClinicalEvent Event(const char* type, sys_days day) {
  ClinicalEvent e;
  e.type = type;
  e.time = ClinicalTime::FromDate(day);
  return e;
}

TEST(FromRecord, TakesFreshLabsAndListsStaleOnes) {
  Patient p;
  p.sex = Sex::kMale;
  p.birth_date = sys_days(std::chrono::year{1966} / 11 / 23);
  p.ecog = 1;
  p.aetiology_icd10 = "K70.30";
  const std::vector<LabObservation> labs = {
      Lab("1975-2", 1.0, "mg/dL", kToday - days(400)),   // bilirubin, superseded below
      Lab("1975-2", 2.0, "mg/dL", kToday - days(10)),    // bilirubin, fresh
      Lab("1751-7", 3.5, "g/dL", kToday - days(31)),     // albumin, one day too old
      Lab("777-3", 120, "10*9/L", kToday - days(30)),    // platelets, just within 30 days
  };
  const RecordCandidate r =
      CandidateFromRecord(p, labs, {}, {}, sys_seconds(kToday), days(30));
  const Candidate& c = r.candidate;
  ASSERT_TRUE(c.scores.lab(Analyte::kBilirubin));
  EXPECT_DOUBLE_EQ(c.scores.lab(Analyte::kBilirubin)->received().value, 2.0);
  EXPECT_FALSE(c.scores.lab(Analyte::kAlbumin));
  ASSERT_TRUE(c.scores.lab(Analyte::kPlatelets));
  ASSERT_EQ(r.stale.size(), 1u);
  EXPECT_EQ(r.stale[0].input, "labs.albumin");
  EXPECT_EQ(r.stale[0].age_days, 31);
  EXPECT_NEAR(*c.scores.age_years, 60.0, 0.01);  // at the assessment, not at the last lab
  EXPECT_EQ(c.ecog, 1);
  EXPECT_EQ(c.aetiology, std::vector<std::string>{"alcohol"});
  // No limit: every latest lab counts.
  EXPECT_TRUE(CandidateFromRecord(p, labs, {}, {}, sys_seconds(kToday), std::nullopt)
                  .candidate.scores.lab(Analyte::kAlbumin));
}

TEST(FromRecord, HistoryComesOnlyFromRecordedEvents) {
  Patient p;
  const RecordCandidate none = CandidateFromRecord(p, {}, {}, {}, sys_seconds(kToday), days(30));
  // Nothing recorded is not "never": every history input stays missing.
  EXPECT_FALSE(none.candidate.history.variceal_bleeding);
  EXPECT_FALSE(none.candidate.history.ascites_ever);
  EXPECT_FALSE(none.candidate.cirrhosis_confirmed);
  EXPECT_FALSE(none.candidate.aetiology);

  const std::vector<ClinicalEvent> events = {Event("variceal_bleeding", kToday - days(200)),
                                             Event("hepatic_encephalopathy", kToday - days(90)),
                                             Event("sbp", kToday - days(80)),
                                             Event("jaundice", kToday - days(70))};
  Finding stage;
  stage.kind = "histologic_stage";
  stage.value = 4;  // Ludwig stage 4 = cirrhosis
  Finding ascites;
  ascites.kind = "ascites";
  ascites.value = 1;
  const std::vector<Finding> findings = {stage, ascites};
  const Candidate past =
      CandidateFromRecord(p, {}, findings, events, sys_seconds(kToday), days(30)).candidate;
  EXPECT_EQ(past.history.variceal_bleeding, "past");
  EXPECT_EQ(past.history.encephalopathy_ever, true);
  EXPECT_EQ(past.history.sbp_ever, true);
  EXPECT_EQ(past.history.jaundice, true);
  EXPECT_EQ(past.history.ascites_ever, true);
  EXPECT_EQ(past.cirrhosis_confirmed, true);
  EXPECT_FALSE(past.history.refractory_ascites);  // not an event type: the physician states it

  // A bleed 42 days ago is still acute (Baveno VII: 6 weeks); 43 days ago it is past.
  const std::vector<ClinicalEvent> recent = {Event("variceal_bleeding", kToday - days(42)),
                                             Event("variceal_bleeding", kToday - days(300))};
  EXPECT_EQ(CandidateFromRecord(p, {}, {}, recent, sys_seconds(kToday), days(30))
                .candidate.history.variceal_bleeding,
            "within-6-weeks");
  const std::vector<ClinicalEvent> older = {Event("variceal_bleeding", kToday - days(43))};
  EXPECT_EQ(CandidateFromRecord(p, {}, {}, older, sys_seconds(kToday), days(30))
                .candidate.history.variceal_bleeding,
            "past");
}

TEST(FromRecord, AetiologyFromIcd10) {
  EXPECT_EQ(AetiologyOfIcd10("K70.3"), std::vector<std::string>{"alcohol"});
  EXPECT_EQ(AetiologyOfIcd10("k743"), std::vector<std::string>{"pbc"});
  EXPECT_EQ(AetiologyOfIcd10("B18.0"), (std::vector<std::string>{"hbv", "hdv"}));
  EXPECT_EQ(AetiologyOfIcd10("B18.1"), std::vector<std::string>{"hbv"});
  EXPECT_EQ(AetiologyOfIcd10("B18.2"), std::vector<std::string>{"hcv"});
  EXPECT_EQ(AetiologyOfIcd10("K74.5"), std::vector<std::string>{"other"});
  EXPECT_TRUE(AetiologyOfIcd10("K74.60").empty());  // "unspecified": no cause named
}

TEST(CandidateJson, WritesWhatParseCandidateReads) {
  Candidate c = Clear();
  c.scores.edema = Edema::kUntreatedOrResolved;
  c.scores.dialysis_twice_past_week = true;
  SetLab(c, Analyte::kBilirubin, 34.2, "umol/L");
  c.aetiology = std::vector<std::string>{"hbv", "alcohol"};
  c.history.variceal_bleeding = "past";
  c.has_alcohol = true;
  c.alcohol_abstinent_months = 14;
  c.has_hbv = true;
  c.hbv_hbsag = true;
  c.route = "hepatic-artery";
  const nlohmann::json written = formats::CandidateJson(c);
  EXPECT_EQ(written["labs"]["bilirubin"]["unit"], "umol/L");  // as received, not converted
  simdjson::dom::parser parser;
  Candidate back;
  const formats::PatientParse parsed = formats::ParseCandidate(written.dump(), parser, &back);
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().ToString();
  EXPECT_TRUE(parsed.warnings.empty());
  EXPECT_EQ(formats::CandidateJson(back), written);
  const Protocol& p = Default();
  EXPECT_EQ(formats::AssessmentJson(Assess(p, back), p), formats::AssessmentJson(Assess(p, c), p));
}

}  // namespace
}  // namespace livercell::domain
