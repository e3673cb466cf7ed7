// `livercell import pbc`: the Mayo Clinic PBC cohort (R survival's pbc and pbcseq, shipped in
// data/cohorts/) into the registry — patients, baseline and follow-up labs (LOINC-coded, with
// units), findings (ascites, hepatomegaly, spiders, oedema, histologic stage) and outcome
// events (transplant, death). The trial's registration dates are not public: every patient's
// day 0 is the nominal study start kPbcStudyStart, and each record's provenance says so.
// One transaction; idempotent (records keyed by file, patient and column).
#ifndef LIVERCELL_CLINIC_PBC_IMPORT_H_
#define LIVERCELL_CLINIC_PBC_IMPORT_H_

#include <cstdint>
#include <string>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

// Source: Dickson 1989 / survival::pbc documentation: trial enrolment 1974–1984; registration
// dates were not released, so 1974-01-01 stands for each patient's day 0.
inline constexpr const char* kPbcStudyStart = "1974-01-01";

struct PbcImportResult {
  std::int64_t patients = 0;
  std::int64_t labs = 0;
  std::int64_t findings = 0;
  std::int64_t events = 0;
  std::int64_t already_present = 0;
};

// As `actor` (write-patients, or the OS user administering the registry file), in one
// transaction with its audit entry (both files and their SHA-256, the counts). Errors name the
// file and line ("pbc.csv line 12, column \"bili\"").
base::Result<PbcImportResult> ImportPbc(const Context& context, const Actor& actor,
                                        const std::string& pbc_path,
                                        const std::string& pbcseq_path);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_PBC_IMPORT_H_
