#include "livercell/access/roles.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace livercell::access {
namespace {

constexpr std::array kRoles = {Role::kAdmin, Role::kPhysician,      Role::kNurse,
                               Role::kLab,   Role::kCellProcessing, Role::kResearcher};
constexpr std::array kPermissions = {
    Permission::kReadPatients,      Permission::kReadIdentity,     Permission::kReadLabs,
    Permission::kReadDeidentified,  Permission::kWritePatients,
    Permission::kRecordVisits,      Permission::kRecordLabs,       Permission::kSignAssessments,
    Permission::kHandleCellProducts, Permission::kExport,          Permission::kManageAccounts,
    Permission::kReadAudit,         Permission::kPlanTreatment,    Permission::kAdministerProducts,
    Permission::kSignReleaseExceptions,
};

struct Grant {
  Role role;
  std::initializer_list<Permission> permissions;
};

// The table (issue #6): admin runs accounts and reads the audit, not patient records one by
// one, and alone exports the whole identified registry over the API (issue #23: the export is
// administration, audited; the CLI's `export` is the OS user's, on the file); physicians do
// everything clinical, sign and plan treatment; nurses record visits, labs and
// events and give products at the bedside (issue #8: two staff confirm, either role); the lab
// records labs; cell-processing staff register products and record processing, QC and
// release, but only a physician signs a release exception (issue #8); researchers read
// de-identified data only. Least privilege (issue #23): the lab reads who a patient is and
// their labs, nothing of their events, adverse events, questionnaires, assessments or plans;
// cell-processing reads who a patient is, the products and the plans they are made for
// (kHandleCellProducts opens those routes), not the clinical record.
const Grant kGrants[] = {
    {Role::kAdmin, {Permission::kManageAccounts, Permission::kReadAudit, Permission::kExport}},
    {Role::kPhysician,
     {Permission::kReadPatients, Permission::kWritePatients, Permission::kRecordVisits,
      Permission::kRecordLabs, Permission::kSignAssessments, Permission::kPlanTreatment,
      Permission::kAdministerProducts, Permission::kSignReleaseExceptions}},
    {Role::kNurse,
     {Permission::kReadPatients, Permission::kWritePatients, Permission::kRecordVisits,
      Permission::kRecordLabs, Permission::kAdministerProducts}},
    {Role::kLab, {Permission::kReadIdentity, Permission::kReadLabs, Permission::kRecordLabs}},
    {Role::kCellProcessing, {Permission::kReadIdentity, Permission::kHandleCellProducts}},
    {Role::kResearcher, {Permission::kReadDeidentified}},
};

}  // namespace

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kPhysician:
      return "physician";
    case Role::kNurse:
      return "nurse";
    case Role::kLab:
      return "lab";
    case Role::kCellProcessing:
      return "cell-processing";
    case Role::kResearcher:
      return "researcher";
  }
  return "?";
}

std::string_view ToString(Permission permission) {
  switch (permission) {
    case Permission::kReadPatients:
      return "read-patients";
    case Permission::kReadIdentity:
      return "read-identity";
    case Permission::kReadLabs:
      return "read-labs";
    case Permission::kReadDeidentified:
      return "read-deidentified";
    case Permission::kWritePatients:
      return "write-patients";
    case Permission::kRecordVisits:
      return "record-visits";
    case Permission::kRecordLabs:
      return "record-labs";
    case Permission::kSignAssessments:
      return "sign-assessments";
    case Permission::kHandleCellProducts:
      return "handle-cell-products";
    case Permission::kPlanTreatment:
      return "plan-treatment";
    case Permission::kAdministerProducts:
      return "administer-products";
    case Permission::kSignReleaseExceptions:
      return "sign-release-exceptions";
    case Permission::kExport:
      return "export";
    case Permission::kManageAccounts:
      return "manage-accounts";
    case Permission::kReadAudit:
      return "read-audit";
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const Role role : kRoles) {
    if (ToString(role) == name) return role;
  }
  return std::nullopt;
}

std::span<const Role> AllRoles() { return kRoles; }
std::span<const Permission> AllPermissions() { return kPermissions; }

bool Allows(Role role, Permission permission) {
  for (const Grant& grant : kGrants) {
    if (grant.role != role) continue;
    return std::find(grant.permissions.begin(), grant.permissions.end(), permission) !=
           grant.permissions.end();
  }
  return false;
}

}  // namespace livercell::access
