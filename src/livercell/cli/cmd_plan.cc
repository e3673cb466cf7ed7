// `livercell plan` (issue #8 part 1): a treatment schedule for a registry patient from a course
// template and a clinic calendar, stored (append-only) and optionally written as iCalendar;
// `livercell plans list|show` reads them back.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/input.h"
#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/course_file.h"
#include "livercell/formats/product_json.h"
#include "livercell/clinic/plans.h"
#include "livercell/clinic/products.h"
#include "livercell/cli/session.h"

namespace livercell::cli {
namespace {

using nlohmann::json;

struct PlanOptions {
  std::string db, patient, template_name, start, calendar, ics, format, override_reason;
  double weight_kg = 0;
  bool no_store = false;
  Credentials credentials;
};

constexpr std::size_t kMaxTomlBytes = 1 << 20;

// A shipped template by id, or a TOML file when the name is a path.
base::Result<domain::CourseTemplate> LoadTemplate(const std::string& name,
                                                  std::vector<base::Status>* problems) {
  if (formats::BuiltinCourseTemplateText(name)) return clinic::BuiltinCourseTemplate(name);
  if (name.find('/') == std::string::npos && !name.ends_with(".toml") && name != "-") {
    return clinic::BuiltinCourseTemplate(name);  // the unknown-id error, naming the ids
  }
  LC_ASSIGN_OR_RETURN(const std::string text, ReadDocument(name, kMaxTomlBytes, "one template"));
  auto parsed = formats::ParseCourseTemplate(text, name);
  if (!parsed.value) {
    *problems = std::move(parsed.errors);
    return problems->front();
  }
  return std::move(*parsed.value);
}

std::string Cells(double cells) { return cells > 0 ? fmt::format("{:.3g}", cells) : ""; }

void PrintPlan(const domain::Plan& plan) {
  fmt::print("Plan{} for patient {}: {} {} from {}, {} kg; calendar: {}\n",
             plan.id > 0 ? fmt::format(" {}", plan.id) : "", plan.patient_id, plan.template_id,
             plan.template_version, domain::ClinicalTime::FromDate(plan.start).ToString(),
             plan.weight_kg, plan.calendar);
  fmt::print("Dose: {} cells per administration x {} = {} cells of {} (bank fallback: {})\n"
             "      source: {}\n\n",
             Cells(plan.cells_per_administration), plan.administrations, Cells(plan.total_cells),
             plan.product_type, plan.bank_product_type, plan.dose_source);
  fmt::print("{:>3}  {:<10}  {:<15}  {:>8}  {}\n", "#", "date", "kind", "cells", "what");
  for (const domain::PlanItem& item : plan.items) {
    fmt::print("{:>3}  {:<10}  {:<15}  {:>8}  {}\n", item.seq,
               domain::ClinicalTime::FromDate(item.day).ToString(), domain::ToString(item.kind),
               Cells(item.cells), item.label);
    if (item.requested_day) {
      fmt::print("{:>34}moved from {}: {}\n", "",
                 domain::ClinicalTime::FromDate(*item.requested_day).ToString(),
                 item.moved_because);
    }
  }
}

// The plan as the command's output, and as iCalendar to `ics` when given.
int EmitPlan(const domain::Plan& plan, const std::string& ics, Format format) {
  if (!ics.empty()) {
    const base::Result<std::string> text = formats::PlanICalendar(plan);
    if (!text.ok()) return Fail(text.status(), format);
    if (const int status = WriteOutput(text.value(), ics); status != 0) return status;
  }
  if (format == Format::kJson) {
    fmt::print("{}\n", formats::PlanJson(plan).dump());
  } else {
    PrintPlan(plan);
  }
  return 0;
}

int RunPlan(const PlanOptions& o) {
  const Format format = ParseFormat(o.format);
  std::vector<base::Status> problems;
  const auto course = LoadTemplate(o.template_name, &problems);
  if (!course.ok()) return problems.empty() ? Fail(course.status(), format) : Fail(problems, format);
  const auto calendar = LoadClinicCalendar(o.calendar, &problems);
  if (!calendar.ok()) return problems.empty() ? Fail(calendar.status(), format) : Fail(problems, format);
  const auto start = domain::ClinicalTime::Parse(o.start);
  if (!start.ok() || !start->date_only()) {
    base::Status status = base::InvalidArgumentError("--start must be a date (2026-11-23)");
    return Fail(status.SetPath("start").SetValue(o.start), format);
  }
  if (o.no_store) {  // a computation: no account needed, nothing stored
    auto repo = OpenRegistry(o.db);
    if (!repo.ok()) return Fail(repo.status(), format);
    const auto patient = (*repo)->ResolvePatient(o.patient);
    if (!patient.ok()) return Fail(patient.status(), format);
    const auto planned = clinic::PlanForPatient(**repo, *patient, *course, *calendar,
                                                start->day(), o.weight_kg);
    if (!planned.ok()) return Fail(planned.status(), format);
    return EmitPlan(*planned, o.ics, format);
  }
  ClinicCall::Settings settings;
  settings.calendar = o.calendar;
  auto call = ClinicCall::Open(o.db, o.credentials, settings,
                               fmt::format("livercell plan --patient {}", o.patient));
  if (!call.ok()) return Fail(call.status(), format);
  clinic::PlanRequest request;
  const auto patient = (*call)->repo().ResolvePatient(o.patient);
  if (!patient.ok()) return Fail(patient.status(), format);
  request.patient_id = *patient;
  request.course = *course;
  request.start = start->day();
  request.weight_kg = o.weight_kg;
  request.password = (*call)->password();
  request.override_reason = o.override_reason;
  const auto planned = clinic::CreatePlan((*call)->context(), (*call)->actor(), request);
  if (!planned.ok()) return Fail(planned.status(), format);
  for (const std::string& w : planned->warnings) fmt::print(stderr, "warning: {}\n", w);
  if (format != Format::kJson) fmt::print(stderr, "stored as plan {}\n", planned->plan.id);
  const domain::Plan* plan = &planned->plan;
  return EmitPlan(*plan, o.ics, format);
}

struct PlansOptions {
  std::string db, patient, format, ics;
  std::int64_t id = 0;
};

int RunPlansList(const PlansOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  const auto patient = (*repo)->ResolvePatient(o.patient);
  if (!patient.ok()) return Fail(patient.status(), format);
  const auto plans = (*repo)->Plans(*patient);
  if (!plans.ok()) return Fail(plans.status(), format);
  if (format == Format::kJson) {
    json items = json::array();
    for (const auto& p : *plans) items.push_back(formats::PlanJson(p));
    fmt::print("{}\n", json{{"patient_id", *patient}, {"items", items}}.dump());
    return 0;
  }
  fmt::print("{:>5}  {:<16}  {:<10}  {:>6}  {:<20}\n", "id", "template", "start", "kg", "created");
  for (const auto& p : *plans) {
    fmt::print("{:>5}  {:<16}  {:<10}  {:>6}  {:<20}\n", p.id, p.template_id,
               domain::ClinicalTime::FromDate(p.start).ToString(), p.weight_kg, p.created_at);
  }
  return 0;
}

int RunPlansShow(const PlansOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = OpenRegistry(o.db);
  if (!repo.ok()) return Fail(repo.status(), format);
  const auto plan = (*repo)->GetPlan(o.id);
  if (!plan.ok()) return Fail(plan.status(), format);
  return EmitPlan(*plan, o.ics, format);
}

}  // namespace

void RegisterPlanCommands(CLI::App& app, Action* selected) {
  auto o = std::make_shared<PlanOptions>();
  CLI::App* plan = app.add_subcommand(
      "plan", "Plan a treatment course: harvest, infusions or the hepatic-artery procedure, "
              "antiviral start, follow-up visits, each on a day the clinic is open");
  AddDbOption(*plan, &o->db);
  plan->add_option("--patient", o->patient, "Patient: internal id or system:value (mrn:A123)")
      ->required();
  plan->add_option("--template", o->template_name,
                   fmt::format("Course template: a shipped id ({}) or a TOML file",
                               fmt::join(formats::BuiltinCourseTemplateIds(), ", ")))
      ->required();
  plan->add_option("--start", o->start, "First possible day (YYYY-MM-DD)")->required();
  plan->add_option("--weight", o->weight_kg,
                   fmt::format("Body weight at planning, kg ({}-{}); the dose is per kg of it",
                               domain::kMinWeightKg, domain::kMaxWeightKg))
      ->required();
  plan->add_option("--calendar", o->calendar,
                   "Clinic calendar TOML (open weekdays, holidays); default Monday-Friday");
  plan->add_option("--ics", o->ics, "Also write the schedule as iCalendar (RFC 5545) to FILE");
  plan->add_flag("--no-store", o->no_store, "Show the plan without storing it (no account needed)");
  plan->add_option("--override-reason", o->override_reason,
                   "Plan without a current signed eligible assessment, for this reason (audited)");
  AddCredentialOptions(*plan, &o->credentials);
  AddFormatOption(*plan, &o->format, {"table", "json"});
  plan->footer(
      "Example:\n  livercell plan --patient mrn:A123 --template iv-2x5 --start 2026-12-01 "
      "--weight 72 \\\n      --calendar data/calendars/england-2026-2027.toml --ics plan.ics "
      "--as dr.ada --password-stdin\n"
      "A stored plan is signed by a physician (--as, the password on standard input) and needs a "
      "signed\nassessment that found the patient eligible, unless --override-reason is given.");
  plan->callback([selected, o] { *selected = [o] { return RunPlan(*o); }; });

  CLI::App* plans = app.add_subcommand("plans", "Stored treatment plans: list, show");
  plans->require_subcommand(1);
  auto lo = std::make_shared<PlansOptions>();
  CLI::App* list = plans->add_subcommand("list", "A patient's plans, newest first");
  AddDbOption(*list, &lo->db);
  list->add_option("--patient", lo->patient, "Patient: internal id or system:value")->required();
  AddFormatOption(*list, &lo->format, {"table", "json"});
  list->footer("Example:\n  livercell plans list --patient mrn:A123");
  list->callback([selected, lo] { *selected = [lo] { return RunPlansList(*lo); }; });
  auto so = std::make_shared<PlansOptions>();
  CLI::App* show = plans->add_subcommand("show", "One plan's schedule");
  AddDbOption(*show, &so->db);
  show->add_option("ID", so->id, "Plan id")->required();
  show->add_option("--ics", so->ics, "Also write it as iCalendar to FILE");
  AddFormatOption(*show, &so->format, {"table", "json"});
  show->footer("Example:\n  livercell plans show 3 --ics plan-3.ics");
  show->callback([selected, so] { *selected = [so] { return RunPlansShow(*so); }; });
}

}  // namespace livercell::cli
