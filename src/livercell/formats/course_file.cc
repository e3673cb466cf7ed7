// TOML stays at the edge: the domain sees only the parsed template and calendar.
#include "livercell/formats/course_file.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <map>

#include "livercell/base/sha256.h"
#include "livercell/domain/labs/analyte.h"
#include "livercell/formats/toml_problems.h"

namespace livercell::courses {
// Defined in the generated course_templates.cc (cmake/EmbedFiles.cmake).
extern const char k_data_iv_2x5[];
extern const char k_data_hepatic_artery[];
}  // namespace livercell::courses

namespace livercell::formats {
namespace {

using domain::ClinicCalendar;
using domain::CourseTemplate;

struct Builtin {
  std::string_view id;
  const char* text;
};
const Builtin kBuiltins[] = {{"iv-2x5", courses::k_data_iv_2x5},
                             {"hepatic-artery", courses::k_data_hepatic_artery}};

constexpr const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

const toml::table* Section(const toml::table& root, std::string_view key, Problems& problems,
                           bool required = true) {
  const toml::table* table = root[key].as_table();
  if (table == nullptr && required)
    problems.Add(std::string(key), fmt::format("the [{}] section is required", key));
  return table;
}

}  // namespace

FileParse<CourseTemplate> ParseCourseTemplate(std::string_view text, std::string_view file) {
  FileParse<CourseTemplate> out;
  Problems problems(file);
  std::optional<toml::table> parsed = ParseToml(text, file, problems);
  if (!parsed) {
    out.errors = std::move(problems.errors());
    return out;
  }
  const toml::table& root = *parsed;
  CourseTemplate c;
  c.sha256 = base::Sha256Hex(text);
  {
    Reader r(Section(root, "course", problems), "course", problems);
    c.id = r.Text("id");
    c.version = r.Text("version");
    c.name = r.Text("name");
    c.route = r.Text("route");
    if (!c.route.empty() && c.route != "iv" && c.route != "hepatic-artery")
      problems.Add("course.route", "unknown route", c.route, "iv, hepatic-artery");
    c.product_type = r.Text("product_type");
    c.bank_product_type = r.Text("bank_product_type");
  }
  {
    Reader r(Section(root, "dose", problems), "dose", problems);
    // Bounds: plausibility only (no published cell-therapy dose is outside them).
    c.dose_cells_per_kg = r.Number("cells_per_kg", 1e3, 1e9);
    c.dose_min_cells = r.Number("min_cells", 1e4, 1e12);
    if (!c.dose_cells_per_kg && !c.dose_min_cells)
      problems.Add("dose", "state `cells_per_kg`, `min_cells` or both");
    c.dose_source = r.Text("source");
  }
  {
    Reader r(Section(root, "schedule", problems), "schedule", problems);
    c.courses = r.Int("courses", 1, 10);
    c.administrations_per_course = r.Int("administrations_per_course", 1, 30);
    c.days_between_courses = r.Int("days_between_courses", 0, 730);
    if (c.courses > 1 && c.days_between_courses < c.administrations_per_course) {
      problems.Add("schedule.days_between_courses",
                   "must leave room for a course before the next one starts",
                   std::to_string(c.days_between_courses),
                   fmt::format(">= {}", c.administrations_per_course));
    }
    c.schedule_source = r.Text("source");
  }
  {
    Reader r(Section(root, "harvest", problems), "harvest", problems);
    c.harvest_lead_days = r.Int("lead_days", 0, 365);
    c.harvest_source = r.Text("source");
  }
  if (const toml::table* p = Section(root, "procedure", problems, c.route == "hepatic-artery")) {
    Reader r(p, "procedure", problems);
    c.procedure_minutes = r.Int("minutes", 1, 24 * 60);
    c.observation_hours = r.Int("observation_hours", 0, 72, 0);
    c.procedure_source = r.Text("source");
    if (const toml::array* checks = (*p)["checks"].as_array()) {
      for (std::size_t i = 0; i < checks->size(); ++i) {
        const std::string where = fmt::format("procedure.checks[{}]", i);
        Reader cr(checks->get(i)->as_table(), where, problems);
        domain::PreCheck check;
        check.analyte = cr.Text("analyte");
        if (!check.analyte.empty() && !domain::AnalyteFromKey(check.analyte))
          problems.Add(where + ".analyte", "unknown analyte", check.analyte);
        check.op = cr.Text("op");
        if (!check.op.empty() && check.op != ">=" && check.op != "<=")
          problems.Add(where + ".op", "unknown operator", check.op, ">=, <=");
        check.limit = cr.Number("limit", -1e9, 1e9).value_or(0);
        check.unit = cr.Text("unit");
        // How recent the result must be; a week when the template does not say.
        check.max_age_days = cr.Int("max_age_days", 0, 365, 7);
        check.source = cr.Text("source");
        c.pre_checks.push_back(std::move(check));
      }
    }
  }
  {
    Reader r(Section(root, "antiviral", problems), "antiviral", problems);
    c.antiviral_lead_days = r.Int("lead_days", 0, 365);
    c.antiviral_source = r.Text("source");
  }
  if (const toml::table* f = Section(root, "follow_up", problems)) {
    Reader r(f, "follow_up", problems);
    c.yearly_until_years = r.Int("yearly_until_years", 0, 30, 0);
    c.follow_up_source = r.Text("source");
    if (const toml::array* visits = (*f)["visits"].as_array()) {
      for (std::size_t i = 0; i < visits->size(); ++i) {
        const std::string where = fmt::format("follow_up.visits[{}]", i);
        Reader vr(visits->get(i)->as_table(), where, problems);
        domain::FollowUpVisit v;
        v.label = vr.Text("label");
        v.days = vr.Int("days", 0, 3650, 0);
        v.months = vr.Int("months", 0, 360, 0);
        v.assess = vr.Strings("assess");
        c.follow_up.push_back(std::move(v));
      }
    }
  }
  out.errors = std::move(problems.errors());
  if (out.errors.empty()) out.value = std::move(c);
  return out;
}

FileParse<ClinicCalendar> ParseClinicCalendar(std::string_view text, std::string_view file) {
  FileParse<ClinicCalendar> out;
  Problems problems(file);
  std::optional<toml::table> parsed = ParseToml(text, file, problems);
  if (!parsed) {
    out.errors = std::move(problems.errors());
    return out;
  }
  const toml::table& root = *parsed;
  const toml::table* table = Section(root, "calendar", problems);
  Reader r(table, "calendar", problems);
  const std::string name = r.Text("name");
  std::array<bool, 7> open{};
  for (const std::string& day : r.Strings("open_weekdays")) {
    const auto* it = std::find_if(std::begin(kWeekdays), std::end(kWeekdays),
                                  [&day](const char* weekday) { return day == weekday; });
    if (it == std::end(kWeekdays)) {
      problems.Add("calendar.open_weekdays", "unknown weekday", day, "Monday … Sunday");
    } else {
      open[it - std::begin(kWeekdays)] = true;
    }
  }
  if (table != nullptr && std::find(open.begin(), open.end(), true) == open.end())
    problems.Add("calendar.open_weekdays", "the clinic must be open on at least one weekday");
  std::map<std::chrono::sys_days, std::string> holidays;
  if (const toml::array* list = table ? (*table)["holidays"].as_array() : nullptr) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string where = fmt::format("calendar.holidays[{}]", i);
      const toml::table* h = list->get(i)->as_table();
      const toml::node* date = h ? h->get("date") : nullptr;
      if (date == nullptr || !date->is_date()) {
        problems.Add(where + ".date", "must be a TOML date (2026-12-25)", Quoted(date));
        continue;
      }
      const toml::date d = *date->value<toml::date>();
      const std::chrono::year_month_day ymd{std::chrono::year(d.year),
                                            std::chrono::month(d.month),
                                            std::chrono::day(d.day)};
      Reader hr(h, where, problems);
      holidays.emplace(std::chrono::sys_days(ymd), hr.Text("name"));
    }
  }
  out.errors = std::move(problems.errors());
  if (out.errors.empty()) out.value = ClinicCalendar(name, open, std::move(holidays));
  return out;
}

std::vector<std::string_view> BuiltinCourseTemplateIds() {
  std::vector<std::string_view> ids;
  for (const Builtin& b : kBuiltins) ids.push_back(b.id);
  return ids;
}

std::optional<std::string_view> BuiltinCourseTemplateText(std::string_view id) {
  for (const Builtin& b : kBuiltins) {
    if (b.id == id) return std::string_view(b.text);
  }
  return std::nullopt;
}

}  // namespace livercell::formats
