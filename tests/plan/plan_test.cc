// Treatment planning: the shipped course templates and calendar read through formats/, and
// the schedules domain/plan builds from them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "livercell/domain/plan/course.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/course_file.h"
#include "livercell/formats/product_json.h"
#include "livercell/formats/release_spec.h"

#include <libical/ical.h>

namespace livercell {
namespace {

using domain::BuildPlan;
using domain::ClinicCalendar;
using domain::CourseTemplate;
using domain::Plan;
using domain::PlanItem;
using domain::PlanItemKind;
using domain::PlanRequest;
using std::chrono::sys_days;
using ::testing::HasSubstr;

sys_days Day(const char* iso) { return domain::ClinicalTime::Parse(iso)->day(); }
std::string Text(sys_days day) { return domain::ClinicalTime::FromDate(day).ToString(); }

CourseTemplate Builtin(std::string_view id) {
  auto parsed = formats::ParseCourseTemplate(*formats::BuiltinCourseTemplateText(id), id);
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front().ToString();
  return *parsed.value;
}

ClinicCalendar England() {
  std::ifstream in(LIVERCELL_SOURCE_DIR "/data/calendars/england-2026-2027.toml");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = formats::ParseClinicCalendar(text.str(), "england-2026-2027.toml");
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front().ToString();
  return *parsed.value;
}

PlanRequest Request(const char* start, double weight_kg, bool viral = false) {
  PlanRequest request;
  request.patient_id = 7;
  request.start = Day(start);
  request.weight_kg = weight_kg;
  request.viral_hepatitis = viral;
  return request;
}

std::vector<const PlanItem*> OfKind(const Plan& plan, PlanItemKind kind) {
  std::vector<const PlanItem*> out;
  for (const PlanItem& item : plan.items)
    if (item.kind == kind) out.push_back(&item);
  return out;
}

TEST(CourseTemplates, ShippedTemplatesParse) {
  ASSERT_THAT(formats::BuiltinCourseTemplateIds(), ::testing::ElementsAre("iv-2x5", "hepatic-artery"));
  const CourseTemplate iv = Builtin("iv-2x5");
  EXPECT_EQ(iv.courses, 2);
  EXPECT_EQ(iv.administrations_per_course, 5);
  EXPECT_EQ(iv.days_between_courses, 56);
  EXPECT_FALSE(iv.dose_source.empty());
  const CourseTemplate ha = Builtin("hepatic-artery");
  EXPECT_EQ(ha.procedure_minutes, 90);
  ASSERT_EQ(ha.pre_checks.size(), 2u);
  EXPECT_EQ(ha.pre_checks[0].analyte, "platelets");
  EXPECT_EQ(ha.pre_checks[1].limit, 1.5);
}

TEST(CourseTemplates, ProblemsAreNamedWithTheirPath) {
  const auto parsed = formats::ParseCourseTemplate(R"(
[course]
id = "x"
version = "1"
name = "x"
route = "intramuscular"
product_type = "bm_mnc"
bank_product_type = "uc_msc"
[dose]
cells_per_kg = 1e20
[schedule]
courses = 2
administrations_per_course = 5
days_between_courses = 3
source = "s"
[harvest]
lead_days = 0
source = "s"
[antiviral]
lead_days = 0
source = "s"
[follow_up]
source = "s"
)", "bad.toml");
  ASSERT_FALSE(parsed.value);
  std::vector<std::string> paths;
  for (const auto& e : parsed.errors) paths.emplace_back(e.path());
  EXPECT_THAT(paths, ::testing::UnorderedElementsAre(
                         "bad.toml: course.route", "bad.toml: dose.cells_per_kg", "bad.toml: dose",
                         "bad.toml: dose.source", "bad.toml: schedule.days_between_courses"));
}

TEST(Calendar, WeekendsAndHolidaysAreClosedWithTheirName) {
  const ClinicCalendar england = England();
  EXPECT_EQ(england.Closed(Day("2026-12-25")), "holiday: Christmas Day");
  EXPECT_EQ(england.Closed(Day("2026-12-26")), "Saturday");
  EXPECT_EQ(england.Closed(Day("2026-12-29")), std::nullopt);
  EXPECT_EQ(england.holidays().size(), 16u);
  const auto bad = formats::ParseClinicCalendar(
      "[calendar]\nname = \"x\"\nopen_weekdays = [\"Funday\"]\nholidays = [{date = \"soon\", "
      "name = \"x\"}]\n",
      "cal.toml");
  ASSERT_EQ(bad.errors.size(), 3u);
  EXPECT_EQ(bad.errors[0].path(), "cal.toml: calendar.open_weekdays");
  EXPECT_EQ(bad.errors[2].path(), "cal.toml: calendar.holidays[0].date");
}

TEST(BuildPlan, IvCoursesAvoidChristmasAndKeepFiveConsecutiveDays) {
  const auto plan = BuildPlan(Builtin("iv-2x5"), England(),
                              Request("2026-11-23", 70));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_DOUBLE_EQ(plan->cells_per_administration, 1e5 * 70);
  EXPECT_EQ(plan->administrations, 10);
  EXPECT_DOUBLE_EQ(plan->total_cells, 1e5 * 70 * 10);
  const auto harvest = OfKind(*plan, PlanItemKind::kHarvest);
  ASSERT_EQ(harvest.size(), 1u);
  EXPECT_EQ(Text(harvest[0]->day), "2026-11-23");
  const auto infusions = OfKind(*plan, PlanItemKind::kInfusion);
  ASSERT_EQ(infusions.size(), 10u);
  // Harvest + 30 days = Wed 23 Dec; the run of five open days first starts Mon 4 Jan 2027
  // (25 and 28 Dec and 1 Jan are bank holidays).
  EXPECT_EQ(Text(infusions[0]->day), "2027-01-04");
  EXPECT_EQ(Text(*infusions[0]->requested_day), "2026-12-23");
  EXPECT_EQ(infusions[0]->moved_because, "2026-12-25 holiday: Christmas Day");
  EXPECT_EQ(Text(infusions[4]->day), "2027-01-08");
  // Course 2 eight weeks after course 1's first day.
  EXPECT_EQ(Text(infusions[5]->day), "2027-03-01");
  EXPECT_FALSE(infusions[5]->requested_day.has_value());
  EXPECT_EQ(infusions[9]->course, 2);
  EXPECT_EQ(infusions[9]->administration, 5);
  const auto visits = OfKind(*plan, PlanItemKind::kVisit);
  ASSERT_EQ(visits.size(), 9u);  // day 10, months 1, 3, 6, 12, years 2–5
  EXPECT_EQ(Text(visits[0]->day), "2027-01-14");
  EXPECT_EQ(Text(visits[2]->day), "2027-04-05");  // 4 Apr 2027 is a Sunday
  EXPECT_EQ(visits[2]->moved_because, "2027-04-04 Sunday");
  EXPECT_EQ(Text(visits[8]->day), "2032-01-05");  // year 5: 4 Jan 2032 is a Sunday
  for (std::size_t i = 0; i < plan->items.size(); ++i) {
    EXPECT_EQ(plan->items[i].seq, static_cast<int>(i) + 1);
    EXPECT_FALSE(England().Closed(plan->items[i].day)) << plan->items[i].label;
    if (i > 0) {
      EXPECT_LE(plan->items[i - 1].day, plan->items[i].day);
    }
  }
  EXPECT_TRUE(OfKind(*plan, PlanItemKind::kAntiviralStart).empty());
}

TEST(BuildPlan, ViralHepatitisStartsAntiviralsFirst) {
  const auto plan = BuildPlan(Builtin("hepatic-artery"), ClinicCalendar(),
                              Request("2026-11-23", 82.5, true));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->items[0].kind, PlanItemKind::kAntiviralStart);
  EXPECT_EQ(Text(plan->items[0].day), "2026-11-23");
  ASSERT_EQ(plan->items[1].kind, PlanItemKind::kHarvest);
  EXPECT_EQ(Text(plan->items[1].day), "2026-12-21");  // 28 days later, a Monday
  ASSERT_EQ(plan->items[2].kind, PlanItemKind::kProcedure);
  EXPECT_EQ(plan->items[2].day, plan->items[1].day);  // same-day BM-MNC
  EXPECT_EQ(plan->items[2].minutes, 90);
  EXPECT_DOUBLE_EQ(plan->items[2].cells, 1e8);  // the minimum, not per kg
  EXPECT_THAT(plan->items[2].details[0], HasSubstr("platelets >= 50"));
  EXPECT_THAT(plan->items[2].details[2], HasSubstr("observation 6 h"));
  EXPECT_EQ(domain::AdministrationsOn(*plan, Day("2026-12-21")).size(), 1u);
  EXPECT_TRUE(domain::AdministrationsOn(*plan, Day("2026-12-22")).empty());
}

TEST(BuildPlan, RefusesImplausibleWeightAndAClosedClinic) {
  const auto light = BuildPlan(Builtin("iv-2x5"), ClinicCalendar(),
                               Request("2026-11-23", 7));
  ASSERT_FALSE(light.ok());
  EXPECT_EQ(light.status().path(), "weight_kg");
  EXPECT_EQ(std::get<double>(light.status().value()), 7);
  std::map<sys_days, std::string> closed;
  for (int i = 0; i < 120; ++i) closed.emplace(Day("2026-11-23") + std::chrono::days(i), "works");
  const auto shut = BuildPlan(Builtin("iv-2x5"),
                              ClinicCalendar("shut", {true, true, true, true, true, false, false},
                                             closed),
                              Request("2026-11-23", 70));
  ASSERT_FALSE(shut.ok());
  EXPECT_EQ(shut.status().code(), base::StatusCode::kFailedPrecondition);
  EXPECT_THAT(shut.status().message(), HasSubstr("\"shut\""));
}

TEST(BuildPlan, MonthEndsClampToTheShorterMonth) {
  CourseTemplate t = Builtin("hepatic-artery");
  domain::FollowUpVisit month;
  month.label = "Month 1";
  month.months = 1;
  t.follow_up = {month};
  t.yearly_until_years = 0;
  const ClinicCalendar always("always", {true, true, true, true, true, true, true}, {});
  const auto plan = BuildPlan(t, always, Request("2027-01-31", 70));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Text(plan->items.back().day), "2027-02-28");
}

// The iCalendar export parses with libical and holds every planned item on its date.
TEST(PlanICalendar, ParsesWithLibicalAndHoldsEveryItem) {
  auto plan = BuildPlan(Builtin("iv-2x5"), England(), Request("2026-11-23", 70, true));
  ASSERT_TRUE(plan.ok());
  plan.value().id = 42;
  const std::string text = formats::PlanICalendar(*plan).value();
  icalcomponent* calendar = icalparser_parse_string(text.c_str());
  ASSERT_NE(calendar, nullptr);
  EXPECT_EQ(icalcomponent_isa(calendar), ICAL_VCALENDAR_COMPONENT);
  std::size_t count = 0;
  std::set<std::string> uids;
  for (icalcomponent* e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
       e != nullptr; e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
    ASSERT_LT(count, plan->items.size());
    const PlanItem& item = plan->items[count];
    const icaltimetype start = icalcomponent_get_dtstart(e);
    EXPECT_TRUE(start.is_date);
    const std::chrono::year_month_day ymd(item.day);
    EXPECT_EQ(start.year, static_cast<int>(ymd.year())) << item.label;
    EXPECT_EQ(start.month, static_cast<int>(static_cast<unsigned>(ymd.month()))) << item.label;
    EXPECT_EQ(start.day, static_cast<int>(static_cast<unsigned>(ymd.day()))) << item.label;
    EXPECT_NE(std::string(icalcomponent_get_summary(e)).find(item.label), std::string::npos);
    uids.insert(icalcomponent_get_uid(e));
    ++count;
  }
  EXPECT_EQ(count, plan->items.size());
  EXPECT_EQ(uids.size(), count);
  EXPECT_TRUE(uids.contains("plan-42-item-1@livercell"));
  EXPECT_EQ(plan->items[0].kind, PlanItemKind::kAntiviralStart);
  icalcomponent_free(calendar);
}

// The shipped release specification parses, and a product failing viability is not released.
TEST(ReleaseSpec, ShippedSpecificationParsesAndDecides) {
  const domain::ReleaseSpec& spec = formats::DefaultReleaseSpec();
  EXPECT_EQ(spec.version, "1.1.0");
  EXPECT_EQ(spec.endotoxin_eu_per_kg_max.value, 5.0);
  ASSERT_TRUE(spec.types.contains("uc_msc"));
  EXPECT_TRUE(spec.types.at("uc_msc").donor_eligibility_source.has_value());
  EXPECT_EQ(spec.types.at("bm_msc").negative_markers->markers.size(), 5u);
  EXPECT_EQ(domain::MarkerField("CD14 or CD11b"), "cd14_or_cd11b_percent");
  const auto bad = formats::ParseReleaseSpec("version = \"1\"\n[x]\nviability_min_percent = { value = 70 }\n",
                                             "spec.toml");
  ASSERT_FALSE(bad.value);
  EXPECT_EQ(bad.errors[0].path(), "spec.toml: common");
}

// The shipped specification with a clinic's [exceptions] table appended.
std::string SpecWithExceptions(std::string_view exceptions) {
  return std::string(formats::DefaultReleaseSpecText()) + "\n[exceptions]\n" +
         std::string(exceptions);
}

domain::CustodyEvent Event(int seq, domain::CustodyKind kind, domain::Fields fields,
                           std::string actor = "cp.lee") {
  domain::CustodyEvent e;
  e.seq = seq;
  e.kind = kind;
  e.at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 20};
  e.actor = std::move(actor);
  e.role = "cell-processing";
  e.fields = std::move(fields);
  return e;
}

// A bone-marrow MNC product through harvest, processing and QC with viability `viability` %.
domain::Product TestedProduct(double viability) {
  using domain::CustodyKind;
  domain::Product p;
  p.id = 1;
  p.din = *domain::Din::Make("G1234", 2026, 1);
  p.product_code = "S1234";
  p.product_type = "bm_mnc";
  p.events.push_back(Event(1, CustodyKind::kHarvest,
                           {{"volume_ml", 45.0}, {"collected_at", "2026-11-20T09:00:00Z"},
                            {"operator", "Dr Ames"}}));
  p.events.push_back(Event(2, CustodyKind::kProcessing,
                           {{"method", "density gradient"}, {"target", "mnc"},
                            {"total_nucleated_cells", 3e8}, {"target_cells", 2e8},
                            {"cd34_cells", 2e6}, {"viability_percent", 92.0},
                            {"volume_ml", 20.0}, {"expires_at", "2026-11-22T09:00:00Z"}}));
  p.events.push_back(Event(3, CustodyKind::kQc,
                           {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
                            {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", viability}}));
  return p;
}

const domain::CheckItem& ItemOf(const domain::ReleaseChecklist& list, std::string_view name) {
  for (const domain::CheckItem& item : list.items)
    if (item.criterion == name) return item;
  ADD_FAILURE() << "no item " << name;
  return list.items.front();
}

domain::ReleaseContext Context() {
  domain::ReleaseContext context;
  context.recipient_weight_kg = 70;
  context.planned_cells = 1.4e8;
  context.now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21};
  return context;
}

TEST(ReleaseExceptions, TheShippedSpecificationAllowsNone) {
  const domain::ReleaseSpec& spec = formats::DefaultReleaseSpec();
  EXPECT_TRUE(spec.exceptions.criteria.empty());
  domain::Product p = TestedProduct(65);
  p.events.push_back(Event(4, domain::CustodyKind::kReleaseException,
                           {{"criterion", "viability"}, {"observed", "65 %"},
                            {"reason", "r"}, {"specification", "x"}},
                           "dr.ames"));
  const auto list = domain::EvaluateRelease(p, spec, Context());
  EXPECT_FALSE(list.releasable());
  EXPECT_EQ(ItemOf(list, "viability").outcome, domain::CheckOutcome::kFail);
  EXPECT_FALSE(ItemOf(list, "viability").may_be_excepted);
  const base::Status refused = domain::CanExcept(list, spec, "viability");
  EXPECT_EQ(refused.code(), base::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("allows no exception for viability"));
  EXPECT_EQ(refused.path(), "criterion");
}

TEST(ReleaseExceptions, ASignedExceptionCoversTheResultItAccepted) {
  const auto parsed = formats::ParseReleaseSpec(
      SpecWithExceptions("criteria = [\"viability\", \"dose\"]\nsource = \"SOP QA-12\"\n"),
      "clinic.toml");
  ASSERT_TRUE(parsed.value) << parsed.errors.front().ToString();
  const domain::ReleaseSpec& spec = *parsed.value;
  EXPECT_EQ(spec.exceptions.source, "SOP QA-12");
  domain::Product p = TestedProduct(65);
  auto list = domain::EvaluateRelease(p, spec, Context());
  EXPECT_FALSE(list.releasable());
  EXPECT_TRUE(ItemOf(list, "viability").may_be_excepted);
  EXPECT_FALSE(ItemOf(list, "sterility").may_be_excepted);
  EXPECT_TRUE(domain::CanExcept(list, spec, "viability").ok());
  // Not allowed by the clinic, passing, unknown, never excepted: each refused with its reason.
  EXPECT_THAT(domain::CanExcept(list, spec, "sterility").message(), HasSubstr("allows no"));
  EXPECT_THAT(domain::CanExcept(list, spec, "dose").message(), HasSubstr("nothing to except"));
  EXPECT_EQ(domain::CanExcept(list, spec, "viabilty").code(), base::StatusCode::kInvalidArgument);
  EXPECT_THAT(domain::CanExcept(list, spec, "expiry").message(), HasSubstr("never"));

  const std::string observed = ItemOf(list, "viability").observed;
  EXPECT_EQ(observed, "65 %");
  p.events.push_back(Event(4, domain::CustodyKind::kReleaseException,
                           {{"criterion", "viability"}, {"observed", observed},
                            {"reason", "no bank unit available"}, {"specification", "x"}},
                           "dr.ames"));
  list = domain::EvaluateRelease(p, spec, Context());
  EXPECT_TRUE(list.releasable()) << list.Blockers();
  const domain::CheckItem& excepted = ItemOf(list, "viability");
  EXPECT_EQ(excepted.outcome, domain::CheckOutcome::kExcepted);
  EXPECT_EQ(excepted.exception_seq, 4);
  EXPECT_EQ(excepted.excepted_by, "dr.ames");
  EXPECT_EQ(list.Exceptions(), "viability 65 % (event 4, dr.ames)");
  EXPECT_EQ(domain::CanExcept(list, spec, "viability").code(),
            base::StatusCode::kFailedPrecondition);  // already excepted
  const auto json = formats::ChecklistJson(list);
  EXPECT_EQ(json["items"][0]["may_be_excepted"], false);

  // A new QC result with another value is not covered by the old exception.
  p.events.push_back(Event(5, domain::CustodyKind::kQc,
                           {{"sterility", "no-growth"}, {"mycoplasma", "not-detected"},
                            {"endotoxin_eu_per_ml", 0.2}, {"viability_percent", 60.0}}));
  list = domain::EvaluateRelease(p, spec, Context());
  EXPECT_FALSE(list.releasable());
  EXPECT_EQ(ItemOf(list, "viability").outcome, domain::CheckOutcome::kFail);
  EXPECT_THAT(list.Blockers(), HasSubstr("viability: 60 %"));

  // The same event under a specification that no longer allows it counts for nothing.
  p.events.pop_back();
  EXPECT_FALSE(domain::EvaluateRelease(p, formats::DefaultReleaseSpec(), Context()).releasable());
}

TEST(ReleaseExceptions, AClinicCannotAllowWhatIsNeverExcepted) {
  const auto bad = formats::ParseReleaseSpec(
      SpecWithExceptions("criteria = [\"chain of identity\", \"viabilty\", \"expiry\"]\n"),
      "clinic.toml");
  ASSERT_FALSE(bad.value);
  std::vector<std::string> messages;
  for (const base::Status& e : bad.errors) messages.push_back(std::string(e.message()));
  EXPECT_THAT(messages, ::testing::ElementsAre(
                            HasSubstr("chain of identity can never be released by exception"),
                            HasSubstr("did you mean \"viability\""),
                            HasSubstr("expiry can never be released by exception"),
                            HasSubstr("every criterion needs its `source`")));
  EXPECT_EQ(bad.errors[0].path(), "clinic.toml: exceptions.criteria");
  // Marker criteria are named as the specification names them.
  const auto markers = formats::ParseReleaseSpec(
      SpecWithExceptions("criteria = [\"CD73\", \"HLA-DR\"]\nsource = \"s\"\n"), "m.toml");
  EXPECT_TRUE(markers.value);
  const auto names = domain::CriterionNames(formats::DefaultReleaseSpec());
  EXPECT_THAT(names, ::testing::Contains("CD14 or CD11b"));
  EXPECT_EQ(std::count(names.begin(), names.end(), "CD73"), 1);
}

}  // namespace
}  // namespace livercell
