// `livercell import labs`: a long-format lab CSV (one result per row) into the registry.
// All-or-nothing by default: every bad row is reported with its line, column, value and reason
// and nothing is written. With skip_invalid the good rows are stored and the bad ones written,
// with their reasons, to a rejects CSV. Rows are keyed by their content, so importing the same
// rows again changes nothing. Streaming, in bounded memory: one thread reads and checks the
// rows while another stores them into a sorted buffer of at most 128 MiB that is written when
// full (storage/lab_batch.h), plus the patient-id cache. The import is one use case (clinic.h):
// the rows and one audit entry (the file, its SHA-256, the counts written and rejected) are
// committed together, or nothing is.
#ifndef LIVERCELL_CLINIC_LAB_IMPORT_H_
#define LIVERCELL_CLINIC_LAB_IMPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/base/progress.h"
#include "livercell/clinic/clinic.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

// The map file (TOML) renames columns and maps local lab names to LOINC:
//   [columns]  patient_id = "MRN"   date = "collected"   loinc = "test"   value = "result"
//              unit = "units"
//   [patient]  system = "mrn"        # the identifier system of the patient_id column
//   [codes]    BILI = "1975-2"       # local name → LOINC code
struct LabImportMap {
  std::string patient_id = "patient_id";
  std::string date = "date";
  std::string loinc = "loinc";
  std::string value = "value";
  std::string unit = "unit";
  std::string patient_system = "mrn";
  std::map<std::string, std::string> codes;
};

// Reads a map file; errors name the TOML key ("columns.value: expected a string").
base::Result<LabImportMap> LoadLabImportMap(const std::string& path);

struct LabImportOptions {
  std::string csv_path;  // "-" = standard input
  LabImportMap map;
  bool skip_invalid = false;
  std::string rejects_path;  // required with skip_invalid
  std::size_t max_reported_errors = 1000;
};

struct LabImportResult {
  std::int64_t rows = 0;
  std::int64_t imported = 0;
  std::int64_t already_present = 0;
  std::int64_t rejected = 0;
  std::int64_t patients = 0;
  std::int64_t patients_created = 0;
  std::vector<base::Status> errors;  // at most max_reported_errors, in line order
};

// Runs the import as `actor` (record-labs and write-patients, or the OS user administering the
// registry file). The returned Result fails only for problems that stop the whole import
// (permission, unreadable file, missing columns, database errors); row problems are in
// `errors`, and in all-or-nothing mode a non-empty `errors` means nothing was written. Either
// way one audit entry ("import") names the file, its SHA-256 and the counts.
base::Result<LabImportResult> ImportLabs(const Context& context, const Actor& actor,
                                         const LabImportOptions& options,
                                         base::Progress* progress);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_LAB_IMPORT_H_
