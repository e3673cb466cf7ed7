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

// Writes patients.csv, labs.csv, findings.csv, events.csv, adverse_events.csv, qol.csv and
// dictionary.csv into `dir` (created if needed). Each file is written atomically. Permission
// export (or the OS user administering the registry file); audited as one "export".
base::Result<storage::RecordCounts> ExportTidy(const Context& context, const Actor& actor,
                                               const std::string& dir);

// Reads a folder written by ExportTidy in one transaction with its audit entry. Patients are
// matched by their identifiers (created when absent); records keep their source keys, so
// importing the same folder twice changes nothing. Errors name the file, line and column.
base::Result<storage::RecordCounts> ImportTidy(const Context& context, const Actor& actor,
                                               const std::string& dir);

}  // namespace livercell::clinic

#endif  // LIVERCELL_CLINIC_TIDY_H_
