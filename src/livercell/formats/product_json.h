// The JSON of plans, cell products, release checklists and bedside verdicts, shared by the
// CLI (`livercell plan`, `livercell product`) and the server (/api/v1/plans, /api/v1/products)
// so both give the same document. Field values keep their types (numbers, text, booleans).
#ifndef LIVERCELL_FORMATS_PRODUCT_JSON_H_
#define LIVERCELL_FORMATS_PRODUCT_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/status.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/bedside.h"
#include "livercell/domain/product/release.h"

namespace livercell::formats {

nlohmann::json PlanJson(const domain::Plan& plan);
nlohmann::json ProductJson(const domain::Product& product);  // with state and events
nlohmann::json ChecklistJson(const domain::ReleaseChecklist& checklist);
nlohmann::json VerdictJson(const domain::BedsideVerdict& verdict);
// The field schema of every custody event kind (the API catalogue and `--help`).
nlohmann::json CustodyFieldsJson();

// Custody fields from a JSON object ({"volume_ml": 40, "operator": "Dr A"}); every problem
// (unknown field, wrong type, out of range) with its path "fields.NAME".
base::Result<domain::Fields> FieldsFromJson(domain::CustodyKind kind, const nlohmann::json& json,
                                            std::vector<base::Status>* problems);

// The plan as an iCalendar (RFC 5545) VCALENDAR, one all-day VEVENT per item, written with
// libical. UIDs are stable ("plan-12-item-3@livercell"), so re-importing updates events.
// kUnavailable when libical is not installed.
base::Result<std::string> PlanICalendar(const domain::Plan& plan);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_PRODUCT_JSON_H_
