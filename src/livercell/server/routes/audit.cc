// The audit trail, for admins.
#include "livercell/server/routes/routes.h"

namespace livercell::server::internal {

base::Status Routes::GetAudit(Call& call) {
  LC_ASSIGN_OR_RETURN(const int limit, IntParam(call, "limit", 100, 1, 1000));
  LC_ASSIGN_OR_RETURN(const int offset, IntParam(call, "offset", 0, 0, 1 << 30));
  const std::string since = call.request.Param("since");
  LC_ASSIGN_OR_RETURN(auto repo, pool_.Acquire());
  access::AuditLog log(repo->connection());
  json items = json::array();
  LC_RETURN_IF_ERROR(log.ForEach(since, limit, offset, [&](const access::AuditEntry& e) {
    items.push_back(clinic::AuditEntryJson(e));
  }));
  LC_ASSIGN_OR_RETURN(const std::int64_t total, log.Count(since));
  Reply(call, 200, {{"items", items}, {"total", total}});
  return base::OkStatus();
}

}  // namespace livercell::server::internal
