// The repository's treatment plans and cell products (schema version 4).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "livercell/base/instant.h"
#include "livercell/storage/repository.h"
#include "livercell/storage/row_values.h"

namespace livercell::storage {
namespace {

using domain::ClinicalTime;
using sql::Row;
using sql::Value;

std::chrono::sys_days DayOf(const Row& row, int column) { return TimeOf(row, column).day(); }

std::string Join(const std::vector<std::string>& lines) {
  return fmt::format("{}", fmt::join(lines, "\n"));
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

constexpr const char* kPlanColumns =
    "id, patient_id, template_id, template_version, template_sha256, calendar, start_date, "
    "weight_kg, product_type, bank_product_type, cells_per_administration, administrations, "
    "total_cells, dose_source, created_by, created_at";

domain::Plan PlanOf(const Row& row) {
  domain::Plan p;
  p.id = row.Int(0);
  p.patient_id = row.Int(1);
  p.template_id = row.Text(2);
  p.template_version = row.Text(3);
  p.template_sha256 = row.Text(4);
  p.calendar = row.Text(5);
  p.start = DayOf(row, 6);
  p.weight_kg = row.Double(7);
  p.product_type = row.Text(8);
  p.bank_product_type = row.Text(9);
  p.cells_per_administration = row.Double(10);
  p.administrations = static_cast<int>(row.Int(11));
  p.total_cells = row.Double(12);
  p.dose_source = row.Text(13);
  p.created_by = OptionalTextOf(row, 14);
  p.created_at = row.Text(15);
  return p;
}

domain::PlanItem PlanItemOf(const Row& row) {
  domain::PlanItem item;
  item.seq = static_cast<int>(row.Int(0));
  item.kind = domain::PlanItemKindFromString(row.Text(1)).value_or(domain::PlanItemKind::kVisit);
  item.label = row.Text(2);
  item.day = DayOf(row, 3);
  if (!row.IsNull(4)) item.requested_day = DayOf(row, 4);
  item.moved_because = row.Text(5);
  item.course = static_cast<int>(row.Int(6));
  item.administration = static_cast<int>(row.Int(7));
  item.cells = row.Double(8);
  item.minutes = static_cast<int>(row.Int(9));
  item.details = Split(row.Text(10));
  return item;
}

constexpr const char* kProductColumns =
    "id, din, product_code, product_type, origin, patient_id, plan_id, registered_by, "
    "registered_at";

domain::Product ProductOf(const Row& row) {
  domain::Product p;
  p.id = row.Int(0);
  // DINs are checked before they are stored; a bad one means the database was edited by hand.
  if (auto din = domain::Din::Parse(row.Text(1)); din.ok()) p.din = *din;
  p.product_code = row.Text(2);
  p.product_type = row.Text(3);
  p.origin = row.Text(4) == "bank" ? domain::ProductOrigin::kBank
                                   : domain::ProductOrigin::kAutologous;
  p.patient_id = row.Int(5);
  if (!row.IsNull(6)) p.plan_id = row.Int(6);
  p.registered_by = row.Text(7);
  p.registered_at = TimeOf(row, 8).instant();
  return p;
}

}  // namespace

base::Result<std::int64_t> Repository::AddPlan(const domain::Plan& p) {
  LC_RETURN_IF_ERROR(PatientVersion(p.patient_id).status());
  const std::string created_at =
      p.created_at.empty() ? ClinicalTime::FromInstant(base::NowSeconds()).ToString() : p.created_at;
  const Value params[] = {p.patient_id,         Text(p.template_id),
                          Text(p.template_version), Text(p.template_sha256),
                          Text(p.calendar),     DateText(p.start),
                          p.weight_kg,          Text(p.product_type),
                          Text(p.bank_product_type), p.cells_per_administration,
                          std::int64_t{p.administrations}, p.total_cells,
                          Text(p.dose_source),  OptionalText(p.created_by),
                          Text(created_at)};
  std::int64_t id = 0;
  LC_RETURN_IF_ERROR(
      db_->Execute("INSERT INTO plans (patient_id, template_id, template_version, "
                   "template_sha256, calendar, start_date, weight_kg, product_type, "
                   "bank_product_type, cells_per_administration, administrations, total_cells, "
                   "dose_source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?, ?, ?, ?) RETURNING id",
                   params, [&id](const Row& row) { id = row.Int(0); })
          .status());
  for (const domain::PlanItem& item : p.items) {
    const Value item_params[] = {
        id,
        std::int64_t{item.seq},
        std::string(domain::ToString(item.kind)),
        Text(item.label),
        DateText(item.day),
        item.requested_day ? Value(DateText(*item.requested_day)) : Value(),
        Text(item.moved_because),
        std::int64_t{item.course},
        std::int64_t{item.administration},
        item.cells,
        std::int64_t{item.minutes},
        Join(item.details)};
    LC_RETURN_IF_ERROR(
        db_->Execute("INSERT INTO plan_items (plan_id, seq, kind, label, day, requested_day, "
                     "moved_because, course, administration, cells, minutes, details) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     item_params)
            .status());
  }
  return id;
}

base::Result<domain::Plan> Repository::GetPlan(std::int64_t id) {
  const Value params[] = {id};
  LC_ASSIGN_OR_RETURN(
      std::vector<domain::Plan> found,
      Collect<domain::Plan>(*db_, fmt::format("SELECT {} FROM plans WHERE id = ?", kPlanColumns),
                            params, PlanOf));
  if (found.empty()) {
    return std::move(base::NotFoundError(fmt::format("no plan {}", id)).SetPath("plan").SetValue(
        static_cast<double>(id)));
  }
  LC_ASSIGN_OR_RETURN(found.front().items,
                      Collect<domain::PlanItem>(
                          *db_,
                          "SELECT seq, kind, label, day, requested_day, moved_because, course, "
                          "administration, cells, minutes, details FROM plan_items WHERE "
                          "plan_id = ? ORDER BY seq",
                          params, PlanItemOf));
  return std::move(found.front());
}

base::Result<std::vector<domain::Plan>> Repository::Plans(std::int64_t patient_id) {
  const Value params[] = {patient_id};
  std::vector<std::int64_t> ids;
  LC_RETURN_IF_ERROR(db_->Execute("SELECT id FROM plans WHERE patient_id = ? ORDER BY id DESC",
                                  params, [&ids](const Row& row) { ids.push_back(row.Int(0)); })
                         .status());
  std::vector<domain::Plan> plans;
  for (std::int64_t id : ids) {
    LC_ASSIGN_OR_RETURN(domain::Plan plan, GetPlan(id));
    plans.push_back(std::move(plan));
  }
  return plans;
}

base::Result<std::int64_t> Repository::AddProduct(const domain::Product& p) {
  LC_RETURN_IF_ERROR(PatientVersion(p.patient_id).status());
  if (p.plan_id) {
    LC_ASSIGN_OR_RETURN(const domain::Plan plan, GetPlan(*p.plan_id));
    if (plan.patient_id != p.patient_id) {
      return std::move(base::InvalidArgumentError(
                           fmt::format("plan {} is patient {}'s, not patient {}'s", plan.id,
                                       plan.patient_id, p.patient_id))
                           .SetPath("plan")
                           .SetValue(static_cast<double>(plan.id)));
    }
  }
  const Value params[] = {Text(p.din.text()),
                          Text(p.product_code),
                          Text(p.product_type),
                          std::string(domain::ToString(p.origin)),
                          p.patient_id,
                          p.plan_id ? Value(*p.plan_id) : Value(),
                          Text(p.registered_by),
                          ClinicalTime::FromInstant(p.registered_at).ToString()};
  std::int64_t id = 0;
  base::Status status =
      db_->Execute("INSERT INTO products (din, product_code, product_type, origin, patient_id, "
                   "plan_id, registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                   "RETURNING id",
                   params, [&id](const Row& row) { id = row.Int(0); })
          .status();
  if (status.code() == base::StatusCode::kAlreadyExists) {
    return std::move(base::Status(base::StatusCode::kAlreadyExists,
                                  fmt::format("the DIN {} is already registered", p.din.text()))
                         .SetPath("din")
                         .SetValue(p.din.text()));
  }
  LC_RETURN_IF_ERROR(status);
  return id;
}

base::Result<std::vector<domain::Product>> Repository::Products(
    std::string_view filter, std::span<const sql::Value> params) {
  LC_ASSIGN_OR_RETURN(std::vector<domain::Product> products,
                      Collect<domain::Product>(
                          *db_,
                          fmt::format("SELECT {} FROM products WHERE {} ORDER BY id",
                                      kProductColumns, filter),
                          params, ProductOf));
  // Each product's events and their fields, three queries whatever the number of products.
  std::map<std::int64_t, domain::Product*> by_id;
  for (domain::Product& p : products) by_id[p.id] = &p;
  const std::string chosen = fmt::format("product_id IN (SELECT id FROM products WHERE {})", filter);
  LC_RETURN_IF_ERROR(
      db_->Execute(fmt::format("SELECT product_id, seq, kind, at, actor, role, content_hash FROM "
                               "product_events WHERE {} ORDER BY product_id, seq",
                               chosen),
                   params,
                   [&by_id](const Row& row) {
                     const auto it = by_id.find(row.Int(0));
                     if (it == by_id.end()) return;
                     domain::CustodyEvent e;
                     e.seq = static_cast<int>(row.Int(1));
                     e.kind = domain::CustodyKindFromString(row.Text(2))
                                  .value_or(domain::CustodyKind::kHarvest);
                     e.at = TimeOf(row, 3).instant();
                     e.actor = row.Text(4);
                     e.role = row.Text(5);
                     e.content_hash = row.Text(6);
                     it->second->events.push_back(std::move(e));
                   })
          .status());
  LC_RETURN_IF_ERROR(
      db_->Execute(fmt::format("SELECT product_id, seq, name, type, number, text FROM "
                               "product_event_fields WHERE {} ORDER BY product_id, seq, name",
                               chosen),
                   params,
                   [&by_id](const Row& row) {
                     const auto it = by_id.find(row.Int(0));
                     if (it == by_id.end()) return;
                     std::vector<domain::CustodyEvent>& events = it->second->events;
                     const int seq = static_cast<int>(row.Int(1));
                     if (seq < 1 || seq > static_cast<int>(events.size())) return;
                     domain::Fields& fields = events[seq - 1].fields;
                     const std::string type = row.Text(3);
                     if (type == "number") {
                       fields.emplace(row.Text(2), row.Double(4));
                     } else if (type == "bool") {
                       fields.emplace(row.Text(2), row.Text(5) == "true");
                     } else {
                       fields.emplace(row.Text(2), row.Text(5));
                     }
                   })
          .status());
  return products;
}

base::Result<domain::Product> Repository::GetProduct(std::int64_t id) {
  const Value params[] = {id};
  LC_ASSIGN_OR_RETURN(std::vector<domain::Product> found, Products("id = ?", params));
  if (found.empty()) return base::NotFoundError(fmt::format("no product {}", id));
  return std::move(found.front());
}

base::Result<std::optional<domain::Product>> Repository::FindProductByDin(std::string_view din) {
  const Value params[] = {Text(din)};
  std::optional<std::int64_t> id;
  LC_RETURN_IF_ERROR(db_->Execute("SELECT id FROM products WHERE din = ?", params,
                                  [&id](const Row& row) { id = row.Int(0); })
                         .status());
  if (!id) return std::optional<domain::Product>();
  LC_ASSIGN_OR_RETURN(domain::Product product, GetProduct(*id));
  return std::optional<domain::Product>(std::move(product));
}

base::Result<std::vector<domain::Product>> Repository::ListProducts(std::int64_t patient_id) {
  const Value params[] = {patient_id, patient_id};
  return Products("(? <= 0 OR patient_id = ?)", params);
}

base::Result<domain::CustodyEvent> Repository::AppendCustodyEvent(std::int64_t product_id,
                                                                  domain::CustodyEvent event) {
  LC_ASSIGN_OR_RETURN(const domain::Product product, GetProduct(product_id));
  LC_RETURN_IF_ERROR(domain::CanAppend(product, event.kind));
  std::vector<base::Status> problems = domain::ValidateFields(event.kind, event.fields);
  if (!problems.empty()) return problems.front();
  event.seq = static_cast<int>(product.events.size()) + 1;
  event.content_hash = domain::CustodyEventHash(
      product.events.empty() ? "" : product.events.back().content_hash, product.din, event);
  const Value params[] = {product_id,
                          std::int64_t{event.seq},
                          std::string(domain::ToString(event.kind)),
                          ClinicalTime::FromInstant(event.at).ToString(),
                          Text(event.actor),
                          Text(event.role),
                          Text(event.content_hash)};
  LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO product_events (product_id, seq, kind, at, actor, "
                                  "role, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  params)
                         .status());
  for (const auto& [name, value] : event.fields) {
    Value number, text;
    std::string type;
    if (const double* d = std::get_if<double>(&value)) {
      type = "number";
      number = *d;
    } else if (const bool* b = std::get_if<bool>(&value)) {
      type = "bool";
      text = std::string(*b ? "true" : "false");
    } else {
      type = "text";
      text = std::get<std::string>(value);
    }
    const Value field[] = {product_id, std::int64_t{event.seq}, Text(name), type, number, text};
    LC_RETURN_IF_ERROR(db_->Execute("INSERT INTO product_event_fields (product_id, seq, name, "
                                    "type, number, text) VALUES (?, ?, ?, ?, ?, ?)",
                                    field)
                           .status());
  }
  return event;
}

base::Result<std::vector<int>> Repository::AdministeredPlanItems(std::int64_t plan_id) {
  const Value params[] = {plan_id};
  std::vector<int> items;
  LC_RETURN_IF_ERROR(
      db_->Execute("SELECT f.number FROM product_event_fields f JOIN product_events e ON "
                   "e.product_id = f.product_id AND e.seq = f.seq JOIN products p ON p.id = "
                   "e.product_id WHERE p.plan_id = ? AND e.kind = 'administration' AND f.name = "
                   "'plan_item' ORDER BY f.number",
                   params,
                   [&items](const Row& row) { items.push_back(static_cast<int>(row.Double(0))); })
          .status());
  return items;
}

}  // namespace livercell::storage
