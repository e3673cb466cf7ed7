// When something happened: a clinical date, or a UTC instant (DESIGN.md §3: instants in UTC,
// clinical dates as dates). Parsed from and printed as ISO 8601: "2026-11-23" or
// "2026-11-23T08:30:00Z" (fractional seconds are not kept).
#ifndef LIVERCELL_DOMAIN_RECORDS_CLINICAL_TIME_H_
#define LIVERCELL_DOMAIN_RECORDS_CLINICAL_TIME_H_

#include <chrono>
#include <string>
#include <string_view>

#include "livercell/base/result.h"

namespace livercell::domain {

class ClinicalTime {
 public:
  // "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ss[.fff]Z". kInvalidArgument naming the expected form
  // for anything else, including impossible dates (2026-02-30) and offsets other than Z.
  static base::Result<ClinicalTime> Parse(std::string_view text);
  static ClinicalTime FromDate(std::chrono::sys_days day) { return ClinicalTime(day, true); }
  static ClinicalTime FromInstant(std::chrono::sys_seconds instant) {
    return ClinicalTime(instant, false);
  }

  bool date_only() const { return date_only_; }
  std::chrono::sys_seconds instant() const { return instant_; }
  std::chrono::sys_days day() const { return std::chrono::floor<std::chrono::days>(instant_); }
  // The ISO 8601 text Parse() accepts: a date, or an instant with "Z".
  std::string ToString() const;
  // Appends ToString()'s text to `out` (bulk imports: no temporary string).
  void AppendTo(std::string* out) const;

  friend bool operator==(const ClinicalTime&, const ClinicalTime&) = default;

 private:
  ClinicalTime(std::chrono::sys_seconds instant, bool date_only)
      : instant_(instant), date_only_(date_only) {}
  std::chrono::sys_seconds instant_;
  bool date_only_;
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_CLINICAL_TIME_H_
