#include "livercell/clinic/audit_trail.h"

namespace livercell::clinic {

nlohmann::json AuditEntryJson(const access::AuditEntry& e) {
  using nlohmann::json;
  return {{"seq", e.seq},
          {"at", e.at},
          {"username", e.username},
          {"role", e.role},
          {"action", e.action},
          {"resource", e.resource},
          {"patient_id", e.patient_id ? json(*e.patient_id) : json()},
          {"outcome", e.outcome},
          {"request_id", e.request_id},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

}  // namespace livercell::clinic
