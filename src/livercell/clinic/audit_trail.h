// Reading the audit trail (issue #6), the same for `GET /api/v1/audit` and `livercell audit`.
#ifndef LIVERCELL_CLINIC_AUDIT_TRAIL_H_
#define LIVERCELL_CLINIC_AUDIT_TRAIL_H_

#include <nlohmann/json.hpp>

#include "livercell/access/audit.h"

namespace livercell::clinic {

// One audit-trail entry, as `GET /api/v1/audit` and `livercell audit export --format jsonl`
// give it (with both hashes, so a reader can check the chain link by link).
nlohmann::json AuditEntryJson(const access::AuditEntry& entry);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_AUDIT_TRAIL_H_
