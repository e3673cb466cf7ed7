#include "livercell/server/cohort.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "livercell/domain/records/clinical_time.h"
#include "livercell/stats/kaplan_meier.h"

namespace livercell::server {
namespace {

using nlohmann::json;
using Instant = std::chrono::sys_seconds;

// Days per year for the time axis (Julian year, as R users divide by 365.25).
constexpr double kDaysPerYear = 365.25;

struct Follow {
  std::optional<Instant> first, last, death, transplant;
  void See(Instant t) {
    if (!first || t < *first) first = t;
    if (!last || t > *last) last = t;
  }
};

json Optional(const std::optional<double>& value) { return value ? json(*value) : json(); }

}  // namespace

base::Result<json> CohortSurvivalJson(storage::Repository& repo, std::string_view by) {
  if (!by.empty() && by != "sex" && by != "aetiology") {
    base::Status status(base::StatusCode::kInvalidArgument,
                        fmt::format("cannot group survival by \"{}\"", by));
    status.SetPath("by").SetValue(std::string(by)).SetAllowed("sex, aetiology or nothing");
    return status;
  }
  std::map<std::int64_t, Follow> follow;
  LC_RETURN_IF_ERROR(repo.ForEachLab(
      [&](const domain::LabObservation& l) { follow[l.patient_id].See(l.time.instant()); }));
  LC_RETURN_IF_ERROR(repo.ForEachFinding(
      [&](const domain::Finding& f) { follow[f.patient_id].See(f.time.instant()); }));
  LC_RETURN_IF_ERROR(repo.ForEachAdverseEvent(
      [&](const domain::AdverseEvent& e) { follow[e.patient_id].See(e.onset.instant()); }));
  LC_RETURN_IF_ERROR(repo.ForEachQualityOfLife(
      [&](const domain::QualityOfLife& q) { follow[q.patient_id].See(q.time.instant()); }));
  LC_RETURN_IF_ERROR(repo.ForEachEvent([&](const domain::ClinicalEvent& e) {
    Follow& f = follow[e.patient_id];
    f.See(e.time.instant());
    std::optional<Instant>* slot =
        e.type == "death" ? &f.death : e.type == "transplant" ? &f.transplant : nullptr;
    if (slot != nullptr && (!*slot || e.time.instant() < **slot)) *slot = e.time.instant();
  }));

  stats::SurvivalData data;
  std::vector<std::string> row_group;
  std::int64_t excluded = 0;
  LC_RETURN_IF_ERROR(repo.ForEachPatient([&](const domain::Patient& p) {
    auto it = follow.find(p.id);
    if (it == follow.end()) {
      ++excluded;  // no dated record: no time origin
      return base::OkStatus();
    }
    const Follow& f = it->second;
    Instant end = *f.last;
    int event = 0;
    if (f.death && (!f.transplant || *f.death <= *f.transplant)) {
      end = *f.death;
      event = 1;
    } else if (f.transplant) {
      end = *f.transplant;
    }
    std::string group = "all";
    if (by == "sex") group = "sex=" + (p.sex ? std::string(domain::ToString(*p.sex)) : "unknown");
    if (by == "aetiology") group = "aetiology=" + p.aetiology_icd10.value_or("unknown");
    row_group.push_back(std::move(group));
    data.rows.push_back(static_cast<std::uint32_t>(data.time.size()));
    data.time.push_back(std::chrono::duration<double>(end - *f.first).count() / 86400.0 /
                        kDaysPerYear);
    data.event.push_back(event);
    return base::OkStatus();
  }));
  if (data.time.empty()) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        "no patient has a dated record yet: nothing to draw");
  }
  // Curves in name order, as R orders factor levels.
  data.group_names = row_group;
  std::sort(data.group_names.begin(), data.group_names.end());
  data.group_names.erase(std::unique(data.group_names.begin(), data.group_names.end()),
                         data.group_names.end());
  for (const std::string& group : row_group) {
    data.group.push_back(static_cast<int>(
        std::lower_bound(data.group_names.begin(), data.group_names.end(), group) -
        data.group_names.begin()));
  }
  LC_ASSIGN_OR_RETURN(const stats::KmResult km, stats::FitKaplanMeier(data, stats::KmOptions{}));
  json strata = json::array();
  for (const stats::KmCurve& c : km.strata) {
    json lower = json::array(), upper = json::array();
    for (const auto& v : c.lower) lower.push_back(Optional(v));
    for (const auto& v : c.upper) upper.push_back(Optional(v));
    strata.push_back({{"name", c.name},
                      {"n", c.n},
                      {"n_event", c.n_event},
                      {"time", c.time},
                      {"surv", c.surv},
                      {"lower", lower},
                      {"upper", upper},
                      {"n_risk", c.n_risk},
                      {"median", Optional(c.median)},
                      {"median_lower", Optional(c.median_lower)},
                      {"median_upper", Optional(c.median_upper)}});
  }
  return json{{"endpoint", "death; censored at transplant or at the last record"},
              {"origin", "the patient's first dated record in the registry"},
              {"time_unit", "years"},
              {"by", std::string(by)},
              {"n", km.n},
              {"n_event", km.n_event},
              {"n_excluded", excluded},
              {"strata", strata},
              {"method",
               "Kaplan-Meier with Greenwood variance, 95% pointwise intervals on the log scale "
               "(as R's survfit, which the test suite checks it against)"}};
}

}  // namespace livercell::server
