#include "livercell/domain/outcomes/outcomes.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "livercell/domain/assessment/staging.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/scores/child_pugh.h"
#include "livercell/domain/scores/meld.h"

namespace livercell::domain::outcomes {
namespace {

// Source: specs/outcomes.md §3: the Wilson interval's z for 95 % (the 0.975 normal quantile).
constexpr double kZ95 = 1.959963984540054;
// Source: specs/outcomes.md §4: a value exactly at a threshold meets it, whatever the rounding.
constexpr double kTolerance = 1e-9;
// Source: specs/outcomes.md §3: the baseline is the latest value in the 90 days up to t0.
constexpr int kBaselineDays = 90;

// Source: specs/outcomes.md §3: 10 ± 3, 91 ± 14, 183 ± 30, 365 ± 45 days.
constexpr TimePoint kTimePoints[] = {{10, 3}, {91, 14}, {183, 30}, {365, 45}};

// A lab's key: the analyte's JSON key when its code is catalogued under any unit (bilirubin
// reported as 1975-2 in mg/dL or 14631-6 in µmol/L is one series, compared in the canonical
// unit), else the code as given.
std::string SeriesKey(std::string_view code) {
  if (const auto analyte = AnalyteFromLoinc(code)) return std::string(InfoOf(*analyte).key);
  return std::string(code);
}

// One series: each day with the mean of its values (several values on one day count as one),
// days ascending.
using Series = std::vector<std::pair<Day, double>>;

bool DayBefore(const std::pair<Day, double>& entry, Day day) { return entry.first < day; }

class PatientIndex {
 public:
  explicit PatientIndex(const PatientData& p) : patient_(p) {
    // A patient has a handful of codes: each code's series key is looked up once.
    std::vector<std::pair<std::string_view, std::size_t>> key_of_code;
    struct Row {
      std::size_t key;
      Day day;
      double value;
    };
    std::vector<Row> rows;
    rows.reserve(p.labs.size());
    for (const auto& lab : p.labs) {
      auto known = std::find_if(key_of_code.begin(), key_of_code.end(),
                                [&](const auto& entry) { return entry.first == lab.code; });
      if (known == key_of_code.end()) {
        std::string key = SeriesKey(lab.code);
        auto same = std::find_if(series_.begin(), series_.end(),
                                 [&](const auto& entry) { return entry.first == key; });
        if (same == series_.end()) {
          series_.emplace_back(std::move(key), Series());
          same = series_.end() - 1;
        }
        key_of_code.emplace_back(lab.code, static_cast<std::size_t>(same - series_.begin()));
        known = key_of_code.end() - 1;
      }
      rows.push_back({known->second, lab.day, lab.value});
    }
    // Sorted by value too, so that a day's mean is summed in one order whatever the rows' order.
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.key, a.day, a.value) < std::tie(b.key, b.day, b.value);
    });
    for (std::size_t i = 0; i < rows.size();) {
      std::size_t j = i;
      double sum = 0;
      for (; j < rows.size() && rows[j].key == rows[i].key && rows[j].day == rows[i].day; ++j) {
        sum += rows[j].value;
      }
      series_[rows[i].key].second.emplace_back(rows[i].day, sum / static_cast<double>(j - i));
      i = j;
    }
    if (!p.administrations.empty()) {
      t0_ = *std::min_element(p.administrations.begin(), p.administrations.end());
    }
  }

  std::optional<Day> t0() const { return t0_; }
  const Series* Find(std::string_view key) const {
    for (const auto& [name, series] : series_) {
      if (name == key) return &series;
    }
    return nullptr;
  }

  // The latest day d with t0 - 90 <= d <= t0.
  std::optional<std::pair<Day, double>> Baseline(std::string_view key) const {
    const Series* s = Find(key);
    if (s == nullptr) return std::nullopt;
    auto it = std::lower_bound(s->begin(), s->end(), *t0_ + std::chrono::days(1), DayBefore);
    if (it == s->begin()) return std::nullopt;
    --it;
    if (it->first < *t0_ - std::chrono::days(kBaselineDays)) return std::nullopt;
    return *it;
  }

  // The day d > t0 with |d - (t0 + T)| <= W closest to t0 + T; of two equally close, the
  // earlier.
  std::optional<std::pair<Day, double>> FollowUp(std::string_view key, const TimePoint& tp) const {
    const Series* s = Find(key);
    if (s == nullptr) return std::nullopt;
    const Day target = *t0_ + std::chrono::days(tp.days);
    const Day first = std::max(*t0_ + std::chrono::days(1), target - std::chrono::days(tp.window));
    const Day last = target + std::chrono::days(tp.window);
    std::optional<std::pair<Day, double>> best;
    for (auto it = std::lower_bound(s->begin(), s->end(), first, DayBefore);
         it != s->end() && it->first <= last; ++it) {
      const auto distance = std::chrono::abs(it->first - target);
      // Ascending days: a later day replaces the best only when strictly closer.
      if (!best || distance < std::chrono::abs(best->first - target)) best = *it;
    }
    return best;
  }

  // A death or transplant on a day <= `last`.
  bool FailedBy(Day last) const {
    for (const auto& e : patient_.events) {
      if ((e.type == "death" || e.type == "transplant") && e.day <= last) return true;
    }
    return false;
  }

 private:
  const PatientData& patient_;
  std::vector<std::pair<std::string, Series>> series_;  // by series key, a handful
  std::optional<Day> t0_;
};

struct Values {
  double baseline;
  std::optional<double> follow_up;
};
struct Outcome {
  std::optional<Values> values;  // nullopt: not eligible
  std::string ineligible_reason;
};

std::string_view KeyOf(Analyte a) { return InfoOf(a).key; }

// MELD 3.0's "female term": a female candidate, or any candidate aged 12 to under 18, ages in
// years of 365.25 days.
// Source: OPTN policy 9.1.D; Kim 2021, Gastroenterology 161:1887.
std::optional<bool> FemaleTerm(const PatientData& p, Day day) {
  if (p.birth_date) {
    const double age = (day - *p.birth_date).count() / 365.25;
    if (age >= 12 && age < 18) return true;
  }
  if (!p.sex) return std::nullopt;
  return *p.sex == Sex::kFemale;
}

Outcome Meld3Values(const PatientIndex& index, const PatientData& p, const TimePoint& tp) {
  constexpr Analyte kInputs[] = {Analyte::kBilirubin, Analyte::kInr, Analyte::kCreatinine,
                                 Analyte::kSodium, Analyte::kAlbumin};
  constexpr std::size_t kCount = std::size(kInputs);
  double base[kCount], follow[kCount];
  bool follow_complete = true;
  Day follow_day = *index.t0();
  for (std::size_t i = 0; i < kCount; ++i) {
    const auto b = index.Baseline(KeyOf(kInputs[i]));
    if (!b) return {std::nullopt, "no baseline " + std::string(KeyOf(kInputs[i]))};
    base[i] = b->second;
    const auto f = index.FollowUp(KeyOf(kInputs[i]), tp);
    if (!f) {
      follow_complete = false;
    } else {
      follow[i] = f->second;
      follow_day = std::max(follow_day, f->first);
    }
  }
  const auto base_female = FemaleTerm(p, *index.t0());
  if (!base_female) return {std::nullopt, "no sex recorded"};
  Values v{static_cast<double>(ComputeMeld3(base[0], base[1], base[2], false, base[3], base[4],
                                            *base_female)),
           std::nullopt};
  if (follow_complete) {
    v.follow_up = ComputeMeld3(follow[0], follow[1], follow[2], false, follow[3], follow[4],
                               FemaleTerm(p, follow_day).value_or(*base_female));
  }
  return {v, ""};
}

Outcome ValuesOf(const Endpoint& e, const PatientIndex& index, const PatientData& p,
                 const TimePoint& tp) {
  switch (e.kind) {
    case Kind::kRelativeChange:
    case Kind::kAbsoluteChange: {
      const std::string key = SeriesKey(e.loinc);
      const auto b = index.Baseline(key);
      if (!b) return {std::nullopt, "no baseline " + key};
      const auto f = index.FollowUp(key, tp);
      return {Values{b->second, f ? std::optional<double>(f->second) : std::nullopt}, ""};
    }
    case Kind::kScoreChange:
      return Meld3Values(index, p, tp);
    case Kind::kClassImproved:
      // Child-Pugh needs the ascites and encephalopathy grades on the baseline and follow-up
      // days; the registry records episodes (events) and PBC's ascites present/absent, not
      // grades, so no patient can be classed rather than one being guessed.
      return {std::nullopt, "ascites and encephalopathy grades are not recorded"};
  }
  return {std::nullopt, "unknown kind"};
}

bool Meets(const Endpoint& e, double b, double f) {
  switch (e.kind) {
    case Kind::kRelativeChange:
      return e.direction == Direction::kFall ? f <= e.factor * b + kTolerance
                                             : f >= e.factor * b - kTolerance;
    case Kind::kAbsoluteChange:
    case Kind::kScoreChange:
      return e.direction == Direction::kFall ? f <= b - e.delta + kTolerance
                                             : f >= b + e.delta - kTolerance;
    case Kind::kClassImproved:
      return f < b;  // classes A < B < C as 0 < 1 < 2
  }
  return false;
}

Classified ClassifyIndexed(const Endpoint& endpoint, const TimePoint& tp, const PatientIndex& index,
                           const PatientData& patient) {
  if (!index.t0()) return {std::nullopt, "untreated"};
  const Outcome o = ValuesOf(endpoint, index, patient, tp);
  if (!o.values) return {std::nullopt, o.ineligible_reason};
  if (o.values->follow_up) {
    return {Meets(endpoint, o.values->baseline, *o.values->follow_up) ? Class::kResponder
                                                                      : Class::kNonResponder,
            ""};
  }
  if (index.FailedBy(*index.t0() + std::chrono::days(tp.days + tp.window))) {
    return {Class::kFailed, ""};
  }
  return {Class::kMissing, ""};
}

// Compensated or decompensated on t0, staged as specs/assessment.md from the events and
// findings on or before t0; a kind the record never shows counts as absent (the registry is
// the patient's history).
std::string SubgroupOf(const PatientData& p, Day t0) {
  auto any_event = [&](std::string_view type) {
    return std::any_of(p.events.begin(), p.events.end(),
                       [&](const auto& e) { return e.type == type && e.day <= t0; });
  };
  History h;
  h.ascites_ever = any_event("ascites") ||
                   std::any_of(p.findings.begin(), p.findings.end(), [&](const auto& f) {
                     return f.kind == "ascites" && f.day <= t0 && f.value > 0;
                   });
  h.variceal_bleeding = any_event("variceal_bleeding") ? "yes" : "never";
  h.encephalopathy_ever = any_event("hepatic_encephalopathy");
  h.jaundice = any_event("jaundice");
  h.sbp_ever = any_event("sbp");
  h.refractory_ascites = false;
  h.hepatorenal_syndrome = false;
  const Stage stage = StageOf(h);
  if (!stage.compensated) return "";
  return *stage.compensated ? "compensated" : "decompensated";
}

SurvivalTime SurvivalOf(const PatientData& p, Day t0, std::string subgroup) {
  SurvivalTime s{p.patient, std::move(subgroup), 0, false};
  std::optional<Day> end;
  for (const auto& e : p.events) {
    if ((e.type == "death" || e.type == "transplant") && e.day >= t0 && (!end || e.day < *end)) {
      end = e.day;
    }
  }
  if (end) {
    s.days = (*end - t0).count();
    s.event = true;
    return s;
  }
  Day last = t0;
  for (const auto& l : p.labs) last = std::max(last, l.day);
  for (const auto& f : p.findings) last = std::max(last, f.day);
  for (const auto& e : p.events) last = std::max(last, e.day);
  for (const auto& a : p.administrations) last = std::max(last, a);
  s.days = (last - t0).count();
  return s;
}

}  // namespace

std::string_view ToString(Kind kind) {
  switch (kind) {
    case Kind::kRelativeChange: return "relative_change";
    case Kind::kAbsoluteChange: return "absolute_change";
    case Kind::kScoreChange: return "score_change";
    case Kind::kClassImproved: return "class_improved";
  }
  return "";
}

std::optional<Kind> KindFromString(std::string_view text) {
  for (Kind k : {Kind::kRelativeChange, Kind::kAbsoluteChange, Kind::kScoreChange,
                 Kind::kClassImproved}) {
    if (ToString(k) == text) return k;
  }
  return std::nullopt;
}

std::string_view ToString(Class c) {
  switch (c) {
    case Class::kResponder: return "responder";
    case Class::kNonResponder: return "non_responder";
    case Class::kFailed: return "failed";
    case Class::kMissing: return "missing";
  }
  return "";
}

std::span<const TimePoint> TimePoints() { return kTimePoints; }

// Source: specs/outcomes.md §3 (Wilson 1927): centre = (p + z²/2n)/(1 + z²/n),
// half = z·√(p(1−p)/n + z²/4n²)/(1 + z²/n).
Proportion Wilson(int x, int n) {
  Proportion out{x, n, std::nullopt, std::nullopt, std::nullopt};
  if (n <= 0) return out;
  const double p = static_cast<double>(x) / n;
  const double z2 = kZ95 * kZ95;
  const double denominator = 1 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denominator;
  const double half = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
  out.proportion = p;
  out.lower = std::max(0.0, centre - half);
  out.upper = std::min(1.0, centre + half);
  return out;
}

Classified Classify(const Endpoint& endpoint, const TimePoint& time_point,
                    const PatientData& patient) {
  const PatientIndex index(patient);
  return ClassifyIndexed(endpoint, time_point, index, patient);
}

Report Evaluate(const Definitions& definitions, std::span<const PatientData> patients,
                Subgroups by) {
  Report report;
  const std::vector<std::string> subgroups =
      by == Subgroups::kStage ? std::vector<std::string>{"all", "compensated", "decompensated"}
                              : std::vector<std::string>{"all"};
  const std::size_t n_tp = std::size(kTimePoints);
  // counts[endpoint][time point][subgroup][class]
  constexpr std::size_t kClasses = static_cast<std::size_t>(Class::kMissing) + 1;
  std::vector<int> counts(definitions.endpoints.size() * n_tp * subgroups.size() * kClasses, 0);
  auto at = [&](std::size_t e, std::size_t t, std::size_t g, Class c) -> int& {
    return counts[((e * n_tp + t) * subgroups.size() + g) * kClasses +
                  static_cast<std::size_t>(c)];
  };
  std::map<std::pair<std::string, std::string>, int> ineligible;
  for (const PatientData& p : patients) {
    const PatientIndex index(p);
    if (!index.t0()) {
      ++report.untreated;
      continue;
    }
    ++report.treated;
    const std::string stage = SubgroupOf(p, *index.t0());
    report.survival.push_back(SurvivalOf(p, *index.t0(), stage));
    // Indices into `subgroups`: "all", and the stage's own when it is known.
    std::vector<std::size_t> groups{0};
    if (by == Subgroups::kStage && !stage.empty()) {
      groups.push_back(static_cast<std::size_t>(
          std::find(subgroups.begin(), subgroups.end(), stage) - subgroups.begin()));
    }
    for (std::size_t e = 0; e < definitions.endpoints.size(); ++e) {
      for (std::size_t t = 0; t < n_tp; ++t) {
        const Classified c = ClassifyIndexed(definitions.endpoints[e], kTimePoints[t], index, p);
        if (!c.value) {
          // The same reason at every time point: count the patient once.
          if (t == 0) ++ineligible[{definitions.endpoints[e].id, c.ineligible_reason}];
          continue;
        }
        for (std::size_t g : groups) ++at(e, t, g, *c.value);
      }
    }
  }
  for (std::size_t e = 0; e < definitions.endpoints.size(); ++e) {
    for (std::size_t t = 0; t < n_tp; ++t) {
      for (std::size_t g = 0; g < subgroups.size(); ++g) {
        EndpointResult r;
        r.endpoint = definitions.endpoints[e].id;
        r.time_point_days = kTimePoints[t].days;
        r.window_days = kTimePoints[t].window;
        r.subgroup = subgroups[g];
        r.responders = at(e, t, g, Class::kResponder);
        r.non_responders = at(e, t, g, Class::kNonResponder);
        r.failed = at(e, t, g, Class::kFailed);
        r.missing = at(e, t, g, Class::kMissing);
        r.eligible = r.responders + r.non_responders + r.failed + r.missing;
        r.complete_case = Wilson(r.responders, r.responders + r.non_responders);
        r.failures_as_non_response =
            Wilson(r.responders, r.responders + r.non_responders + r.failed);
        r.worst_case = Wilson(r.responders, r.eligible);
        report.endpoints.push_back(std::move(r));
      }
    }
  }
  for (const auto& [key, n] : ineligible) report.ineligible.push_back({key.first, key.second, n});
  std::sort(report.survival.begin(), report.survival.end(),
            [](const SurvivalTime& a, const SurvivalTime& b) { return a.patient < b.patient; });
  return report;
}

}  // namespace livercell::domain::outcomes
