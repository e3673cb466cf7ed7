#include "livercell/formats/candidate_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <span>

namespace livercell::formats {
namespace {

using nlohmann::json;

// The assessment's top-level keys (the rest belong to the score input or are unknown).
constexpr std::string_view kKeys[] = {"cirrhosis_confirmed",
                                      "aetiology",
                                      "history",
                                      "hcc",
                                      "other_malignancy_within_5y",
                                      "active_infection",
                                      "alcohol",
                                      "pregnant_or_breastfeeding",
                                      "ecog",
                                      "severe_comorbidity",
                                      "hbv",
                                      "hcv",
                                      "route"};

class CandidateReader {
 public:
  CandidateReader(domain::Candidate* c, PatientParse* out) : c_(c), out_(out) {}

  void Read(const json& top) {
    Bool(top, "cirrhosis_confirmed", c_->cirrhosis_confirmed);
    if (const json* a = Field(top, "aetiology")) {
      if (!a->is_array()) {
        Wrong("aetiology", "an array of causes", *a);
      } else {
        std::vector<std::string> causes;
        for (std::size_t i = 0; i < a->size(); ++i) {
          std::optional<std::string> word;
          Word((*a)[i], fmt::format("aetiology[{}]", i), domain::kAetiologies, word);
          if (word) causes.push_back(*word);
        }
        c_->aetiology = causes;
      }
    }
    if (const json* h = Object(top, "history")) {
      Word(*h, "history.varices", "varices", domain::kVaricesValues, c_->history.varices);
      Word(*h, "history.variceal_bleeding", "variceal_bleeding", domain::kVaricealBleedingValues,
           c_->history.variceal_bleeding);
      Bool(*h, "ascites_ever", c_->history.ascites_ever, "history.");
      Bool(*h, "refractory_ascites", c_->history.refractory_ascites, "history.");
      Bool(*h, "encephalopathy_ever", c_->history.encephalopathy_ever, "history.");
      Bool(*h, "jaundice", c_->history.jaundice, "history.");
      Bool(*h, "hepatorenal_syndrome", c_->history.hepatorenal_syndrome, "history.");
      Bool(*h, "sbp_ever", c_->history.sbp_ever, "history.");
      Unknown(*h, "history.",
              {"varices", "variceal_bleeding", "ascites_ever", "refractory_ascites",
               "encephalopathy_ever", "jaundice", "hepatorenal_syndrome", "sbp_ever"});
    }
    Word(top, "hcc", "hcc", domain::kHccValues, c_->hcc);
    Bool(top, "other_malignancy_within_5y", c_->other_malignancy_within_5y);
    Bool(top, "active_infection", c_->active_infection);
    if (const json* a = Object(top, "alcohol")) {
      c_->has_alcohol = true;
      Bool(*a, "active", c_->alcohol_active, "alcohol.");
      if (const json* m = Field(*a, "abstinent_months")) {
        if (!m->is_number() || !(m->get<double>() >= 0) || !std::isfinite(m->get<double>())) {
          Wrong("alcohol.abstinent_months", "a number of months ≥ 0", *m);
        } else {
          c_->alcohol_abstinent_months = m->get<double>();
        }
      }
      Unknown(*a, "alcohol.", {"active", "abstinent_months"});
    }
    Bool(top, "pregnant_or_breastfeeding", c_->pregnant_or_breastfeeding);
    if (const json* e = Field(top, "ecog")) {
      // Source: Oken MM et al. Am J Clin Oncol 1982;5:649 — ECOG grades 0 (fully active) to 5.
      if (!e->is_number_integer() || e->get<int>() < 0 || e->get<int>() > 5) {
        Wrong("ecog", "an integer 0–5", *e, "0–5");
      } else {
        c_->ecog = e->get<int>();
      }
    }
    Bool(top, "severe_comorbidity", c_->severe_comorbidity);
    if (const json* h = Object(top, "hbv")) {
      c_->has_hbv = true;
      Bool(*h, "hbsag", c_->hbv_hbsag, "hbv.");
      Bool(*h, "dna_detectable", c_->hbv_dna_detectable, "hbv.");
      Bool(*h, "on_antiviral", c_->hbv_on_antiviral, "hbv.");
      Unknown(*h, "hbv.", {"hbsag", "dna_detectable", "on_antiviral"});
    }
    if (const json* h = Object(top, "hcv")) {
      c_->has_hcv = true;
      Bool(*h, "rna_detectable", c_->hcv_rna_detectable, "hcv.");
      Bool(*h, "on_antiviral", c_->hcv_on_antiviral, "hcv.");
      Unknown(*h, "hcv.", {"rna_detectable", "on_antiviral"});
    }
    Word(top, "route", "route", domain::kRouteValues, c_->route);
  }

 private:
  // The field, or nullptr when absent or null (null is "not known", like absent).
  static const json* Field(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
  }

  const json* Object(const json& top, const char* key) {
    const json* v = Field(top, key);
    if (v != nullptr && !v->is_object()) {
      Wrong(key, "an object", *v);
      return nullptr;
    }
    return v;
  }

  void Wrong(const std::string& path, const std::string& expected, const json& got,
             const std::string& allowed = "") {
    base::Status status =
        base::InvalidArgumentError(fmt::format("expected {}, got {}", expected, got.dump()));
    status.SetPath(path).SetValue(got.dump()).SetAllowed(allowed.empty() ? expected : allowed);
    out_->errors.push_back(std::move(status));
  }

  void Bool(const json& object, const char* key, std::optional<bool>& into,
            const char* prefix = "") {
    const json* v = Field(object, key);
    if (v == nullptr) return;
    if (!v->is_boolean()) {
      Wrong(std::string(prefix) + key, "true or false", *v);
      return;
    }
    into = v->get<bool>();
  }

  void Word(const json& object, const std::string& path, const char* key,
            std::span<const char* const> allowed, std::optional<std::string>& into) {
    if (const json* v = Field(object, key)) Word(*v, path, allowed, into);
  }

  void Word(const json& v, const std::string& path, std::span<const char* const> allowed,
            std::optional<std::string>& into) {
    const std::string list = fmt::format("{}", fmt::join(allowed, ", "));
    if (!v.is_string() ||
        std::find(allowed.begin(), allowed.end(), v.get<std::string>()) == allowed.end()) {
      Wrong(path, "one of " + list, v, list);
      return;
    }
    into = v.get<std::string>();
  }

  void Unknown(const json& object, const char* prefix, std::initializer_list<const char*> known) {
    for (const auto& [key, value] : object.items()) {
      if (std::find_if(known.begin(), known.end(), [&](const char* k) { return key == k; }) ==
          known.end()) {
        out_->warnings.push_back(fmt::format("{}{}: unknown key, ignored", prefix, key));
      }
    }
  }

  domain::Candidate* c_;
  PatientParse* out_;
};

}  // namespace

PatientParse ParseCandidate(std::string_view text, simdjson::dom::parser& parser,
                            domain::Candidate* candidate) {
  *candidate = domain::Candidate();
  PatientParse result = ParsePatient(text, parser, &candidate->scores);
  // The score parser does not know the assessment's keys: drop its warnings about them.
  std::erase_if(result.warnings, [](const std::string& w) {
    return std::any_of(std::begin(kKeys), std::end(kKeys),
                       [&](std::string_view k) { return w.rfind(std::string(k) + ":", 0) == 0; });
  });
  const json top = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!top.is_object()) return result;  // already reported by ParsePatient
  CandidateReader(candidate, &result).Read(top);
  return result;
}

}  // namespace livercell::formats
