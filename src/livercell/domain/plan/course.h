// Treatment-course planning (issue #8): a course template (data/courses/*.toml) and a clinic
// calendar turn a patient, a start date and a weight into a dated schedule — marrow harvest,
// infusions or the hepatic-artery procedure, antiviral start where the hepatitis is viral, and
// follow-up visits — with the cell dose each administration needs. Days the clinic is closed
// are avoided, and every moved item says why. Values only; files are read in formats/.
#ifndef LIVERCELL_DOMAIN_PLAN_COURSE_H_
#define LIVERCELL_DOMAIN_PLAN_COURSE_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"

namespace livercell::domain {

// A lab limit checked before an arterial puncture ("platelets >= 50 x10^9/L").
struct PreCheck {
  std::string analyte;  // an analyte name of labs/analyte.h: "platelets", "inr"
  std::string op;       // ">=" or "<="
  double limit = 0;     // in the analyte's canonical unit
  std::string unit;
  // How old the result may be on the day of the procedure (the template's max_age_days).
  int max_age_days = 0;
  std::string source;
};

// A follow-up visit, `days` + `months` after the first administration (day 0).
struct FollowUpVisit {
  std::string label;
  int days = 0;
  int months = 0;
  std::vector<std::string> assess;  // what is recorded: "labs", "qol", "events"
};

struct CourseTemplate {
  std::string id, version, name;
  std::string route;              // "iv" or "hepatic-artery"
  std::string product_type;       // release_criteria.toml section: "bm_msc", "bm_mnc", ...
  std::string bank_product_type;  // the bank unit asked for when the harvest yields too few
  // Dose per administration: cells/kg × weight, and at least `dose_min_cells` (either may be
  // absent, not both).
  std::optional<double> dose_cells_per_kg;
  std::optional<double> dose_min_cells;
  std::string dose_source;
  int courses = 1;                  // courses of consecutive daily administrations
  int administrations_per_course = 1;
  int days_between_courses = 0;     // from one course's first day to the next one's
  std::string schedule_source;
  int harvest_lead_days = 0;        // marrow harvest this many days before the first dose
  std::string harvest_source;
  int procedure_minutes = 0;        // hepatic artery: the angiography suite booking
  int observation_hours = 0;        // after the procedure
  std::string procedure_source;
  std::vector<PreCheck> pre_checks;
  int antiviral_lead_days = 0;      // viral hepatitis: antivirals start this long before
  std::string antiviral_source;
  std::vector<FollowUpVisit> follow_up;
  int yearly_until_years = 0;       // then a visit each year up to this many years
  std::string follow_up_source;
  std::string sha256;               // of the template file's text
};

// The days a clinic gives treatments and sees patients.
class ClinicCalendar {
 public:
  ClinicCalendar() = default;  // Monday–Friday, no holidays
  ClinicCalendar(std::string name, std::array<bool, 7> open_weekdays,
                 std::map<std::chrono::sys_days, std::string> holidays)
      : name_(std::move(name)), open_(open_weekdays), holidays_(std::move(holidays)) {}

  const std::string& name() const { return name_; }
  // Why the clinic is closed on `day` ("Saturday", "holiday: Christmas Day"), or nullopt.
  std::optional<std::string> Closed(std::chrono::sys_days day) const;
  const std::map<std::chrono::sys_days, std::string>& holidays() const { return holidays_; }

 private:
  std::string name_ = "Monday to Friday";
  std::array<bool, 7> open_{true, true, true, true, true, false, false};  // Monday first
  std::map<std::chrono::sys_days, std::string> holidays_;
};

enum class PlanItemKind { kAntiviralStart, kHarvest, kInfusion, kProcedure, kVisit };
std::string_view ToString(PlanItemKind kind);
std::optional<PlanItemKind> PlanItemKindFromString(std::string_view text);

struct PlanItem {
  int seq = 0;  // 1, 2, ... in date order
  PlanItemKind kind = PlanItemKind::kVisit;
  std::string label;                  // "IV infusion 1.3 (course 1, day 3)"
  std::chrono::sys_days day{};
  std::optional<std::chrono::sys_days> requested_day;  // when the calendar moved it
  std::string moved_because;                           // "2026-12-25 holiday: Christmas Day"
  int course = 0, administration = 0;  // for infusions and procedures (1-based)
  double cells = 0;                    // for infusions and procedures
  int minutes = 0;                     // booking length (procedure)
  std::vector<std::string> details;    // checks, observation, what to assess
};

struct PlanRequest {
  std::int64_t patient_id = 0;
  std::chrono::sys_days start{};  // first possible day
  double weight_kg = 0;           // at planning: the dose is per kg of this
  bool viral_hepatitis = false;   // aetiology B18.x: antivirals first
};

struct Plan {
  std::int64_t id = 0;  // 0 until stored
  std::int64_t patient_id = 0;
  std::string template_id, template_version, template_sha256;
  std::string calendar;
  std::chrono::sys_days start{};
  double weight_kg = 0;
  std::string product_type, bank_product_type;
  double cells_per_administration = 0;
  int administrations = 0;
  double total_cells = 0;  // what the harvest (or bank) must provide
  std::string dose_source;
  std::vector<PlanItem> items;
  std::optional<std::string> created_by;
  std::string created_at;  // UTC instant, set when stored
};

// Weight accepted for dosing, kg. Not clinical: plausibility bounds for adults; outside them
// is a typo or a pound/kilogram mix-up.
inline constexpr double kMinWeightKg = 30, kMaxWeightKg = 250;

// Builds the schedule. kInvalidArgument naming the field for a weight outside
// kMinWeightKg–kMaxWeightKg or a template without a dose; kFailedPrecondition when the
// calendar has no run of open days for a course within 60 days of its date.
base::Result<Plan> BuildPlan(const CourseTemplate& course, const ClinicCalendar& calendar,
                             const PlanRequest& request);

// The plan's administrations (infusions and the procedure) on `day`.
std::vector<const PlanItem*> AdministrationsOn(const Plan& plan, std::chrono::sys_days day);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PLAN_COURSE_H_
