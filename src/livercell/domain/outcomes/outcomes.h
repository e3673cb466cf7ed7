// Outcomes of the treated patients (issue #24), by the binding rules of specs/outcomes.md:
// the index day, baselines and follow-up values per time point, the four classes, the three
// proportions with Wilson intervals, and subgroups by stage at the index day. Plain values in,
// plain values out: the registry, a tidy export and the tests all feed the same PatientData.
#ifndef LIVERCELL_DOMAIN_OUTCOMES_OUTCOMES_H_
#define LIVERCELL_DOMAIN_OUTCOMES_OUTCOMES_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/domain/scores/inputs.h"

namespace livercell::domain::outcomes {

using Day = std::chrono::sys_days;

enum class Kind { kRelativeChange, kAbsoluteChange, kScoreChange, kClassImproved };
std::string_view ToString(Kind kind);
std::optional<Kind> KindFromString(std::string_view text);

enum class Direction { kFall, kRise };

// One endpoint of a definitions file (data/outcomes/default.toml).
struct Endpoint {
  std::string id;
  std::string text;    // what it means, in words
  std::string source;  // a publication that used it, or "clinic default"
  Kind kind = Kind::kRelativeChange;
  std::string loinc;  // relative_change, absolute_change: the lab
  Direction direction = Direction::kFall;
  double factor = 1;  // relative_change: responder when f <= factor*b (fall) / f >= factor*b
  double delta = 0;   // absolute_change (canonical unit), score_change (points)
  std::string score;  // score_change: "meld3"; class_improved: "child_pugh"
};

struct Definitions {
  std::string id, version, sha256;  // sha256 of the file's bytes
  std::vector<Endpoint> endpoints;
};

// specs/outcomes.md §3: time points T and windows W, in days.
struct TimePoint {
  int days;
  int window;
};
std::span<const TimePoint> TimePoints();

// What the rules read of one patient (specs/outcomes.md §2), times already reduced to UTC days.
struct PatientData {
  std::string patient;  // the id shown: internal id or study code
  std::optional<Sex> sex;
  std::optional<Day> birth_date;
  std::vector<Day> administrations;
  struct Lab {
    std::string code;  // LOINC
    Day day;
    double value;  // canonical unit
  };
  std::vector<Lab> labs;
  struct Event {
    std::string type;  // events.csv types: death, transplant, ascites, variceal_bleeding, ...
    Day day;
  };
  std::vector<Event> events;
  struct Finding {
    std::string kind;  // findings.csv kinds: ascites, ...
    Day day;
    double value;
  };
  std::vector<Finding> findings;
};

enum class Class { kResponder, kNonResponder, kFailed, kMissing };
std::string_view ToString(Class c);

// A proportion with its Wilson score interval (specs/outcomes.md §3; Wilson 1927, JASA
// 22:209-212; Newcombe 1998, Stat Med 17:857-872, method 3). n = 0: no proportion.
struct Proportion {
  int x = 0, n = 0;
  std::optional<double> proportion, lower, upper;
};
Proportion Wilson(int x, int n);

struct EndpointResult {
  std::string endpoint;
  int time_point_days = 0, window_days = 0;
  std::string subgroup;  // all, compensated, decompensated
  int eligible = 0, responders = 0, non_responders = 0, missing = 0, failed = 0;
  Proportion complete_case, failures_as_non_response, worst_case;
};

// One treated patient's transplant-free survival from t0 (days): an event at the first death
// or transplant after t0, else censored at the last day the record shows the patient (a lab,
// finding, event or administration), at least t0.
struct SurvivalTime {
  std::string patient;
  std::string subgroup;  // compensated, decompensated, or "" when the stage is unknown
  double days = 0;
  bool event = false;
};

// Why a treated patient is not eligible for an endpoint (no baseline, an input missing).
struct Ineligible {
  std::string endpoint, reason;
  int patients = 0;
};

struct Report {
  int treated = 0, untreated = 0;
  std::vector<EndpointResult> endpoints;  // per endpoint, time point, then subgroup
  std::vector<SurvivalTime> survival;     // one per treated patient
  std::vector<Ineligible> ineligible;     // per endpoint and reason
};

enum class Subgroups { kAll, kStage };

// Applies the rules to every patient. Deterministic: the order of `patients` and of their rows
// does not change the result.
Report Evaluate(const Definitions& definitions, std::span<const PatientData> patients,
                Subgroups by);

// The class of one patient for one endpoint and time point, and why not eligible (empty when
// eligible). Exposed for the tests of each rule.
struct Classified {
  std::optional<Class> value;  // nullopt: not eligible
  std::string ineligible_reason;
};
Classified Classify(const Endpoint& endpoint, const TimePoint& time_point,
                    const PatientData& patient);

}  // namespace livercell::domain::outcomes

#endif  // LIVERCELL_DOMAIN_OUTCOMES_OUTCOMES_H_
