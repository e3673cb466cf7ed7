// A stored candidacy assessment: what was assessed, what came out, under which protocol (its
// exact text, so it can be re-run), when, and who signed it. Stored once, never changed.
// The documents are kept as the JSON the assessment read and wrote (specs/assessment.md);
// the domain does not look inside them.
#ifndef LIVERCELL_DOMAIN_RECORDS_ASSESSMENT_RECORD_H_
#define LIVERCELL_DOMAIN_RECORDS_ASSESSMENT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {

struct AssessmentRecord {
  std::int64_t id = 0;  // 0 until stored
  std::int64_t patient_id = 0;
  ClinicalTime assessed_at = ClinicalTime::FromDate({});
  std::string decision;
  std::string protocol_id;
  std::string protocol_version;
  std::string protocol_sha256;
  std::string protocol_text;  // the protocol file's bytes (sha256 of these = protocol_sha256)
  std::string input_json;     // the candidate as assessed
  std::string result_json;    // the assessment as given
  std::optional<std::string> signed_by;    // username, when signed with re-authentication
  std::optional<std::string> signed_role;  // their role then
  std::string content_hash;  // SHA-256 over the fields above: what was signed
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_ASSESSMENT_RECORD_H_
