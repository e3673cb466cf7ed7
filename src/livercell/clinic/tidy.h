// The tidy export (one long CSV per record kind, plus dictionary.csv describing every column)
// and its inverse. An R user loads each table with one read.csv; LiverCell re-imports the
// folder into another registry with the same content (`livercell import tidy`).
#ifndef LIVERCELL_CLINIC_TIDY_H_
#define LIVERCELL_CLINIC_TIDY_H_

#include <cstdint>
#include <string>

#include "livercell/base/result.h"
#include "livercell/clinic/clinic.h"
#include "livercell/storage/repository.h"

namespace livercell::clinic {

struct TidyExportOptions {
  // Also the records voided (entered-in-error) or superseded by an amendment, each with its
  // status and who corrected it, when and why. Without it only current (final) records.
  bool include_corrected = false;
  // For researchers (issue #24): patient ids replaced by keyed study codes, each patient's
  // dates shifted by their own 1–365 days (formats::Deidentifier, as the API does), no
  // identifiers, birth dates, DINs, source keys, provenance or staff names, ages from 90 as
  // one group. Permission read-deidentified suffices; not with include_corrected.
  bool deidentified = false;
};

// The registry's de-identification key (settings), created on first use: the one key behind
// the API's pseudonyms and date shifts and the de-identified export.
base::Result<std::string> DeidentificationKey(storage::Repository& repo);
struct TidyExportCounts {
  storage::RecordCounts written;  // rows per table
  std::int64_t corrected = 0;     // of them, voided or superseded
  std::int64_t administrations = 0;  // rows of administrations.csv
};

// Writes patients.csv, labs.csv, findings.csv, events.csv, adverse_events.csv, qol.csv,
// administrations.csv and dictionary.csv into `dir` (created if needed). Each file is written atomically. Every record
// table ends with id, status and the correction columns. Permission export (or the OS user
// administering the registry file); audited as one "export".
base::Result<TidyExportCounts> ExportTidy(const Context& context, const Actor& actor,
                                          const std::string& dir,
                                          const TidyExportOptions& options = {});

struct TidyImportCounts {
  storage::RecordCounts imported;  // new records (those already present are left alone)
  std::int64_t skipped = 0;        // voided or superseded rows, not imported
};

// Reads a folder written by ExportTidy in one transaction with its audit entry. Patients are
// matched by their identifiers (created when absent); records keep their source keys, so
// importing the same folder twice changes nothing. Only final rows are imported (an amendment
// is itself final). Errors name the file, line and column.
base::Result<TidyImportCounts> ImportTidy(const Context& context, const Actor& actor,
                                          const std::string& dir);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_TIDY_H_
