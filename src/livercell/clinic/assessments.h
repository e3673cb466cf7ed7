// Candidacy assessments of registry patients (issue #7 parts 4 and 5), shared by
// `livercell assess --db --patient` and POST /api/v1/patients/{id}/assessments: the candidate
// is built from the record (domain/assessment/from_record.h), the clinician's statements are
// laid over it, the protocol decides, and the result is stored with the protocol's exact text
// so that it can be re-run, and shown to have been reproduced, at any later date.
#ifndef LIVERCELL_CLINIC_ASSESSMENTS_H_
#define LIVERCELL_CLINIC_ASSESSMENTS_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/domain/assessment/protocol.h"
#include "livercell/domain/records/assessment_record.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

struct RegistryAssessment {
  nlohmann::json input;   // the candidate as assessed (specs/assessment.md "Input")
  nlohmann::json result;  // specs/assessment.md "Output", plus "stale": registry labs left out
  std::vector<base::Status> errors;  // the clinician's statements that were refused
  std::vector<std::string> warnings;
};

// Assesses patient `patient_id` as of `now`. `stated` holds what the clinician states
// (fields of the candidate input), laid over the registry's values as a JSON merge patch
// (RFC 7386): a stated field wins, null withdraws the registry's value. kNotFound for an
// unknown patient; kInvalidArgument when `stated` is not an object.
base::Result<RegistryAssessment> AssessFromRegistry(storage::Repository& repo,
                                                    std::int64_t patient_id,
                                                    const domain::Protocol& protocol,
                                                    const nlohmann::json& stated,
                                                    std::chrono::sys_seconds now);

// The record to store for `assessment`, its content hash computed.
domain::AssessmentRecord MakeAssessmentRecord(std::int64_t patient_id,
                                              const RegistryAssessment& assessment,
                                              const domain::Protocol& protocol,
                                              std::chrono::sys_seconds at,
                                              std::optional<std::string> signed_by,
                                              std::optional<std::string> signed_role);

// SHA-256 over everything a signature vouches for: patient, time, protocol, input, result,
// signer.
std::string AssessmentContentHash(const domain::AssessmentRecord& record);

// A stored assessment re-run under its own protocol text and input.
struct Replay {
  bool reproduced = false;  // the same result (every key but "stale", which the input fixes)
  bool intact = false;      // the content hash still matches the stored fields
  nlohmann::json result;    // the result of the re-run
};
base::Result<Replay> ReplayAssessment(const domain::AssessmentRecord& record);

// A stored assessment as the API and `--format json` show it.
nlohmann::json StoredAssessmentJson(const domain::AssessmentRecord& record);

// --- use cases (clinic.h) ----------------------------------------------------------------------

// Shows the assessment of `patient_id` without storing it (permission sign-assessments),
// audited as a "preview" read. The clinician's refused statements come back in `errors`.
base::Result<RegistryAssessment> PreviewAssessment(const Context& context, const Actor& actor,
                                                   std::int64_t patient_id,
                                                   const nlohmann::json& stated);

// Assesses and stores, signed: permission sign-assessments and the signer's password again.
// The record is stored with its protocol and signer in the transaction of its audit entry.
// kInvalidArgument (path "inputs.<field>") for a refused statement.
base::Result<domain::AssessmentRecord> SignAssessment(const Context& context, const Actor& actor,
                                                      std::int64_t patient_id,
                                                      const nlohmann::json& stated,
                                                      const std::string& password);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_ASSESSMENTS_H_
