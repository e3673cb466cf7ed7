#include "livercell/formats/product_json.h"

#include <fmt/format.h>

#include <memory>

#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/libical.h"

namespace livercell::formats {
namespace {

using domain::ClinicalTime;
using nlohmann::json;

std::string DayText(std::chrono::sys_days day) { return ClinicalTime::FromDate(day).ToString(); }
std::string InstantText(std::chrono::sys_seconds t) { return ClinicalTime::FromInstant(t).ToString(); }

json FieldsJson(const domain::Fields& fields) {
  json out = json::object();
  for (const auto& [name, value] : fields) {
    std::visit([&out, &name](const auto& v) { out[name] = v; }, value);
  }
  return out;
}

std::string_view TypeName(domain::FieldType type) {
  switch (type) {
    case domain::FieldType::kNumber: return "number";
    case domain::FieldType::kText: return "text";
    case domain::FieldType::kChoice: return "choice";
    case domain::FieldType::kBool: return "boolean";
    case domain::FieldType::kInstant: return "instant";
  }
  return "text";
}

icaltimetype IcalDate(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  icaltimetype t{};  // as icaltime_null_date() gives it: no time, no zone
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.is_date = 1;
  return t;
}

}  // namespace

json PlanJson(const domain::Plan& plan) {
  json items = json::array();
  for (const domain::PlanItem& item : plan.items) {
    json i = {{"seq", item.seq},
              {"kind", domain::ToString(item.kind)},
              {"label", item.label},
              {"date", DayText(item.day)},
              {"details", item.details}};
    if (item.requested_day) {
      i["requested_date"] = DayText(*item.requested_day);
      i["moved_because"] = item.moved_because;
    }
    if (item.kind == domain::PlanItemKind::kInfusion ||
        item.kind == domain::PlanItemKind::kProcedure) {
      i["course"] = item.course;
      i["administration"] = item.administration;
      i["cells"] = item.cells;
    }
    if (item.kind == domain::PlanItemKind::kHarvest) i["cells"] = item.cells;
    if (item.minutes > 0) i["minutes"] = item.minutes;
    items.push_back(std::move(i));
  }
  json out = {{"patient_id", plan.patient_id},
              {"template", {{"id", plan.template_id},
                            {"version", plan.template_version},
                            {"sha256", plan.template_sha256}}},
              {"calendar", plan.calendar},
              {"start", DayText(plan.start)},
              {"weight_kg", plan.weight_kg},
              {"dose", {{"cells_per_administration", plan.cells_per_administration},
                        {"administrations", plan.administrations},
                        {"total_cells", plan.total_cells},
                        {"product_type", plan.product_type},
                        {"bank_product_type", plan.bank_product_type},
                        {"source", plan.dose_source}}},
              {"items", std::move(items)}};
  if (plan.id > 0) out["id"] = plan.id;
  if (plan.created_by) out["created_by"] = *plan.created_by;
  if (!plan.created_at.empty()) out["created_at"] = plan.created_at;
  return out;
}

json ProductJson(const domain::Product& product) {
  const domain::ProductState state = domain::StateOf(product);
  json events = json::array();
  for (const domain::CustodyEvent& e : product.events) {
    events.push_back({{"seq", e.seq},
                      {"kind", domain::ToString(e.kind)},
                      {"at", InstantText(e.at)},
                      {"actor", e.actor},
                      {"role", e.role},
                      {"fields", FieldsJson(e.fields)},
                      {"hash", e.content_hash}});
  }
  json out = {{"id", product.id},
              {"din", product.din.text()},
              {"check", std::string(1, product.din.check())},
              {"din_spaced", product.din.Spaced()},
              {"product_code", product.product_code},
              {"product_type", product.product_type},
              {"origin", domain::ToString(product.origin)},
              {"patient_id", product.patient_id},
              {"plan_id", product.plan_id ? json(*product.plan_id) : json(nullptr)},
              {"registered_by", product.registered_by},
              {"registered_at", InstantText(product.registered_at)},
              {"status", state.status},
              {"released", state.released},
              {"administrations", state.administrations},
              {"events", std::move(events)}};
  out["dose_cells"] = state.dose_cells ? json(*state.dose_cells) : json(nullptr);
  out["expires"] = state.expires ? json(InstantText(*state.expires)) : json(nullptr);
  return out;
}

json ChecklistJson(const domain::ReleaseChecklist& checklist) {
  json items = json::array();
  for (const domain::CheckItem& item : checklist.items) {
    json entry = {{"criterion", item.criterion},
                  {"required", item.required},
                  {"observed", item.observed},
                  {"outcome", domain::ToString(item.outcome)},
                  {"source", item.source},
                  {"may_be_excepted", item.may_be_excepted}};
    if (item.outcome == domain::CheckOutcome::kExcepted) {
      entry["exception"] = {{"seq", item.exception_seq},
                            {"by", item.excepted_by},
                            {"reason", item.exception_reason}};
    }
    items.push_back(std::move(entry));
  }
  return {{"releasable", checklist.releasable()},
          {"specification", checklist.spec_version},
          {"items", std::move(items)}};
}

json VerdictJson(const domain::BedsideVerdict& verdict) {
  json checks = json::array();
  for (const domain::BedsideCheck& c : verdict.checks) {
    checks.push_back({{"check", c.check}, {"ok", c.ok}, {"detail", c.detail}});
  }
  json out = {{"match", verdict.match}, {"checks", std::move(checks)}};
  if (!verdict.match) {
    out["reason"] = verdict.reason;
    out["failed_check"] = verdict.failed_check;
  }
  if (verdict.plan_item) out["plan_item"] = *verdict.plan_item;
  return out;
}

json CustodyFieldsJson() {
  json out = json::object();
  for (domain::CustodyKind kind : domain::AllCustodyKinds()) {
    json fields = json::array();
    for (const domain::FieldSpec& f : domain::CustodyFields(kind)) {
      json field = {{"name", f.name},
                    {"type", TypeName(f.type)},
                    {"required", f.required},
                    {"meaning", f.meaning}};
      if (f.type == domain::FieldType::kNumber) {
        field["unit"] = f.unit;
        field["min"] = f.min;
        field["max"] = f.max;
      }
      if (f.type == domain::FieldType::kChoice) {
        json choices = json::array();
        for (std::string_view c : f.choices) choices.push_back(c);
        field["choices"] = std::move(choices);
      }
      fields.push_back(std::move(field));
    }
    out[std::string(domain::ToString(kind))] = std::move(fields);
  }
  return out;
}

base::Result<domain::Fields> FieldsFromJson(domain::CustodyKind kind, const json& in,
                                            std::vector<base::Status>* problems) {
  domain::Fields fields;
  if (!in.is_object()) {
    base::Status status = base::InvalidArgumentError("`fields` must be an object");
    status.SetPath("fields");
    problems->push_back(status);
    return status;
  }
  for (const auto& [name, value] : in.items()) {
    if (value.is_number()) {
      fields.emplace(name, value.get<double>());
    } else if (value.is_boolean()) {
      fields.emplace(name, value.get<bool>());
    } else if (value.is_string()) {
      fields.emplace(name, value.get<std::string>());
    } else {
      fields.emplace(name, value.dump());  // reported as the wrong type below
    }
  }
  *problems = domain::ValidateFields(kind, fields);
  if (!problems->empty()) return problems->front();
  return fields;
}

base::Result<std::string> PlanICalendar(const domain::Plan& plan) {
  LC_ASSIGN_OR_RETURN(const LibIcal* ical, LoadLibIcal());
  auto add = [ical](icalcomponent* component, icalproperty* property) {
    ical->icalcomponent_add_property(component, property);
  };
  using Component = std::unique_ptr<icalcomponent, decltype(&::icalcomponent_free)>;
  Component calendar(ical->icalcomponent_new(ICAL_VCALENDAR_COMPONENT), ical->icalcomponent_free);
  add(calendar.get(), ical->icalproperty_new_version("2.0"));
  add(calendar.get(), ical->icalproperty_new_prodid("-//LiverCell//Treatment plan//EN"));
  add(calendar.get(), ical->icalproperty_new_calscale("GREGORIAN"));
  const icaltimetype stamp =
      ical->icaltime_current_time_with_zone(ical->icaltimezone_get_utc_timezone());
  for (const domain::PlanItem& item : plan.items) {
    icalcomponent* event = ical->icalcomponent_new(ICAL_VEVENT_COMPONENT);
    const std::string uid = fmt::format("plan-{}-item-{}@livercell", plan.id, item.seq);
    add(event, ical->icalproperty_new_uid(uid.c_str()));
    add(event, ical->icalproperty_new_dtstamp(stamp));
    add(event, ical->icalproperty_new_dtstart(IcalDate(item.day)));
    add(event, ical->icalproperty_new_dtend(IcalDate(item.day + std::chrono::days(1))));
    const std::string summary = fmt::format("Patient {}: {}", plan.patient_id, item.label);
    add(event, ical->icalproperty_new_summary(summary.c_str()));
    std::vector<std::string> lines = item.details;
    if (item.cells > 0) lines.insert(lines.begin(), fmt::format("cells: {:.3g}", item.cells));
    if (item.minutes > 0) lines.insert(lines.begin(), fmt::format("booking: {} min", item.minutes));
    if (item.requested_day) {
      lines.push_back(fmt::format("moved from {} ({})", DayText(*item.requested_day),
                                  item.moved_because));
    }
    const std::string description = fmt::format("{}", fmt::join(lines, "\n"));
    if (!description.empty()) add(event, ical->icalproperty_new_description(description.c_str()));
    const std::string category(domain::ToString(item.kind));
    add(event, ical->icalproperty_new_categories(category.c_str()));
    ical->icalcomponent_add_component(calendar.get(), event);
  }
  char* text = ical->icalcomponent_as_ical_string_r(calendar.get());
  std::string out(text);
  free(text);  // NOLINT: libical allocates with malloc
  return out;
}

}  // namespace livercell::formats
