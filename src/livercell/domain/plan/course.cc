#include "livercell/domain/plan/course.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

constexpr const char* kWeekdayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};
// Not clinical: how far the calendar may push a course or visit before the plan gives up: a clinic closed
// for longer than this needs a later start, not a silent slide.
constexpr int kMaxSlideDays = 60;

std::string DayText(sys_days day) { return ClinicalTime::FromDate(day).ToString(); }

// The first day from `wanted` on that starts `run` consecutive open days.
base::Result<sys_days> FirstOpenRun(const ClinicCalendar& calendar, sys_days wanted, int run,
                                    std::string_view what) {
  for (int slide = 0; slide <= kMaxSlideDays; ++slide) {
    const sys_days first = wanted + days(slide);
    bool open = true;
    for (int i = 0; i < run && open; ++i) open = !calendar.Closed(first + days(i)).has_value();
    if (open) return first;
  }
  return base::Status(base::StatusCode::kFailedPrecondition,
                      fmt::format("{}: the calendar \"{}\" has no {} consecutive open day(s) "
                                  "within {} days of {}",
                                  what, calendar.name(), run, kMaxSlideDays, DayText(wanted)));
}

// Why the run of `run` days from `wanted` could not start then (the first closed day in it).
std::string MoveReason(const ClinicCalendar& calendar, sys_days wanted, int run) {
  for (int i = 0; i < run; ++i) {
    if (auto why = calendar.Closed(wanted + days(i))) {
      return fmt::format("{} {}", DayText(wanted + days(i)), *why);
    }
  }
  return "";
}

sys_days AddMonths(sys_days day, int months) {
  std::chrono::year_month_day ymd(day);
  const std::chrono::year_month ym =
      std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(months);
  // The 31st of a shorter month becomes its last day.
  const auto last = std::chrono::year_month_day_last(ym.year(), ym.month() / std::chrono::last);
  const auto d = std::min(ymd.day(), last.day());
  return sys_days(ym.year() / ym.month() / d);
}

PlanItem Item(PlanItemKind kind, std::string label) {
  PlanItem item;
  item.kind = kind;
  item.label = std::move(label);
  return item;
}

std::string Cells(double cells) { return fmt::format("{:.3g} cells", cells); }

}  // namespace

std::optional<std::string> ClinicCalendar::Closed(sys_days day) const {
  if (auto it = holidays_.find(day); it != holidays_.end()) return "holiday: " + it->second;
  const unsigned iso = std::chrono::weekday(day).iso_encoding();  // Monday = 1
  if (!open_[iso - 1]) return std::string(kWeekdayNames[iso - 1]);
  return std::nullopt;
}

std::string_view ToString(PlanItemKind kind) {
  switch (kind) {
    case PlanItemKind::kAntiviralStart: return "antiviral-start";
    case PlanItemKind::kHarvest: return "harvest";
    case PlanItemKind::kInfusion: return "infusion";
    case PlanItemKind::kProcedure: return "procedure";
    case PlanItemKind::kVisit: return "visit";
  }
  return "visit";
}

std::optional<PlanItemKind> PlanItemKindFromString(std::string_view text) {
  for (PlanItemKind k : {PlanItemKind::kAntiviralStart, PlanItemKind::kHarvest,
                         PlanItemKind::kInfusion, PlanItemKind::kProcedure, PlanItemKind::kVisit}) {
    if (ToString(k) == text) return k;
  }
  return std::nullopt;
}

base::Result<Plan> BuildPlan(const CourseTemplate& course, const ClinicCalendar& calendar,
                             const PlanRequest& request) {
  if (!(request.weight_kg >= kMinWeightKg && request.weight_kg <= kMaxWeightKg)) {
    base::Status status = base::OutOfRangeError(fmt::format(
        "weight {} kg is outside {}–{} kg (the dose is per kg of it)", request.weight_kg,
        kMinWeightKg, kMaxWeightKg));
    status.SetPath("weight_kg")
        .SetValue(request.weight_kg)
        .SetAllowed(fmt::format("{}–{} kg", kMinWeightKg, kMaxWeightKg));
    return status;
  }
  if (!course.dose_cells_per_kg && !course.dose_min_cells) {
    return base::InvalidArgumentError(
        fmt::format("course template \"{}\" states no dose", course.id));
  }
  Plan plan;
  plan.patient_id = request.patient_id;
  plan.template_id = course.id;
  plan.template_version = course.version;
  plan.template_sha256 = course.sha256;
  plan.calendar = calendar.name();
  plan.start = request.start;
  plan.weight_kg = request.weight_kg;
  plan.product_type = course.product_type;
  plan.bank_product_type = course.bank_product_type;
  plan.dose_source = course.dose_source;
  plan.cells_per_administration = std::max(
      course.dose_cells_per_kg.value_or(0) * request.weight_kg, course.dose_min_cells.value_or(0));
  plan.administrations = course.courses * course.administrations_per_course;
  plan.total_cells = plan.cells_per_administration * plan.administrations;

  std::vector<PlanItem>& items = plan.items;
  // Places an item on the first open run from `wanted`, noting a move.
  auto place = [&](PlanItem item, sys_days wanted, int run) -> base::Status {
    LC_ASSIGN_OR_RETURN(item.day, FirstOpenRun(calendar, wanted, run, item.label));
    if (item.day != wanted) {
      item.requested_day = wanted;
      item.moved_because = MoveReason(calendar, wanted, run);
    }
    items.push_back(std::move(item));
    return base::OkStatus();
  };

  sys_days next = request.start;
  if (request.viral_hepatitis && course.antiviral_lead_days > 0) {
    PlanItem antiviral =
        Item(PlanItemKind::kAntiviralStart, "Start antiviral therapy (viral hepatitis)");
    antiviral.details.push_back(course.antiviral_source);
    LC_RETURN_IF_ERROR(place(std::move(antiviral), next, 1));
    next = items.back().day + days(course.antiviral_lead_days);
  }
  PlanItem harvest = Item(PlanItemKind::kHarvest, fmt::format("Bone-marrow harvest ({} needed in all)",
                                                              Cells(plan.total_cells)));
  harvest.cells = plan.total_cells;
  harvest.details.push_back(course.harvest_source);
  LC_RETURN_IF_ERROR(place(std::move(harvest), next, 1));
  const sys_days harvest_day = items.back().day;

  const bool procedure = course.route == "hepatic-artery";
  sys_days course_wanted = harvest_day + days(course.harvest_lead_days);
  sys_days first_dose{};
  for (int c = 1; c <= course.courses; ++c) {
    const int run = course.administrations_per_course;
    LC_ASSIGN_OR_RETURN(
        const sys_days first,
        FirstOpenRun(calendar, course_wanted, run, fmt::format("course {}", c)));
    const std::string moved = first != course_wanted ? MoveReason(calendar, course_wanted, run)
                                                     : std::string();
    if (c == 1) first_dose = first;
    for (int a = 1; a <= run; ++a) {
      PlanItem dose = procedure
                          ? Item(PlanItemKind::kProcedure,
                                 "Hepatic-artery infusion via femoral angiography")
                          : Item(PlanItemKind::kInfusion,
                                 fmt::format("IV infusion {}.{} (course {}, day {})", c, a, c, a));
      dose.day = first + days(a - 1);
      if (first != course_wanted) {
        dose.requested_day = course_wanted + days(a - 1);
        dose.moved_because = moved;
      }
      dose.course = c;
      dose.administration = a;
      dose.cells = plan.cells_per_administration;
      dose.minutes = course.procedure_minutes;
      for (const PreCheck& check : course.pre_checks) {
        dose.details.push_back(fmt::format("before: {} {} {} {} ({})", check.analyte, check.op,
                                           check.limit, check.unit, check.source));
      }
      if (course.observation_hours > 0) {
        dose.details.push_back(fmt::format("after: observation {} h ({})",
                                           course.observation_hours, course.procedure_source));
      }
      items.push_back(std::move(dose));
    }
    course_wanted = first + days(course.days_between_courses);
  }

  auto visit = [&](const std::string& label, sys_days wanted,
                   const std::vector<std::string>& assess) -> base::Status {
    PlanItem v = Item(PlanItemKind::kVisit, label);
    if (!assess.empty()) v.details.push_back(fmt::format("record: {}", fmt::join(assess, ", ")));
    return place(std::move(v), wanted, 1);
  };
  for (const FollowUpVisit& f : course.follow_up) {
    LC_RETURN_IF_ERROR(visit(f.label, AddMonths(first_dose, f.months) + days(f.days), f.assess));
  }
  // Not clinical: twelve months to the year.
  if (course.yearly_until_years > 0) {
    int last_months = 0;
    std::vector<std::string> assess;
    for (const FollowUpVisit& f : course.follow_up) {
      if (f.months >= last_months) {
        last_months = f.months;
        assess = f.assess;
      }
    }
    for (int y = last_months / 12 + 1; y <= course.yearly_until_years; ++y) {
      LC_RETURN_IF_ERROR(
          visit(fmt::format("Follow-up year {}", y), AddMonths(first_dose, 12 * y), assess));
    }
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const PlanItem& a, const PlanItem& b) { return a.day < b.day; });
  for (std::size_t i = 0; i < items.size(); ++i) items[i].seq = static_cast<int>(i) + 1;
  return plan;
}

std::vector<const PlanItem*> AdministrationsOn(const Plan& plan, sys_days day) {
  std::vector<const PlanItem*> out;
  for (const PlanItem& item : plan.items) {
    if (item.day == day &&
        (item.kind == PlanItemKind::kInfusion || item.kind == PlanItemKind::kProcedure)) {
      out.push_back(&item);
    }
  }
  return out;
}

}  // namespace livercell::domain
