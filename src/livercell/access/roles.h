// Who may do what (issue #6): the six roles of a clinic and the one table of their
// permissions. Deny by default: a permission a role is not listed with is refused, and every
// server route names the permission it needs (server/routes.cc), so a new route is closed
// until this table opens it.
#ifndef LIVERCELL_ACCESS_ROLES_H_
#define LIVERCELL_ACCESS_ROLES_H_

#include <optional>
#include <span>
#include <string_view>

namespace livercell::access {

enum class Role { kAdmin, kPhysician, kNurse, kLab, kCellProcessing, kResearcher };

enum class Permission {
  kReadPatients,        // the whole identified record: labs, findings, events, AEs, QoL,
                        // scores, assessments, plans, products
  kReadIdentity,        // who a patient is (list, names, identifiers, birth date), nothing more
  kReadLabs,            // a patient's lab results (identified)
  kReadDeidentified,    // the same, de-identified (no identifiers, shifted dates, ages ≤ 90)
  kWritePatients,       // create and update a patient's demographics
  kRecordVisits,        // visits, clinical events, adverse events, quality of life
  kRecordLabs,          // lab results
  kSignAssessments,     // candidacy assessments, signed with re-authentication
  kHandleCellProducts,  // register cell products, record processing, QC and release
  kPlanTreatment,       // treatment plans (course, dose, schedule)
  kAdministerProducts,  // bedside verification and administration (second signer too)
  kSignReleaseExceptions,  // accept a failed release criterion the clinic allows (re-authenticated)
  kExport,              // bulk export of the registry
  kManageAccounts,      // user accounts
  kReadAudit,           // the audit trail
};

std::string_view ToString(Role role);
std::string_view ToString(Permission permission);
// "cell-processing" → kCellProcessing; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
std::span<const Role> AllRoles();
std::span<const Permission> AllPermissions();
// Whether `role` holds `permission` (the table in roles.cc).
bool Allows(Role role, Permission permission);

}  // namespace livercell::access

#endif  // LIVERCELL_ACCESS_ROLES_H_
