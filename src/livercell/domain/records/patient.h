// A patient in the registry: an internal opaque id, typed external identifiers, and the
// baseline facts the pathway needs (sex, birth date, aetiology, comorbidities, ECOG).
#ifndef LIVERCELL_DOMAIN_RECORDS_PATIENT_H_
#define LIVERCELL_DOMAIN_RECORDS_PATIENT_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/domain/scores/inputs.h"

namespace livercell::domain {

// An identifier issued by someone else: `system` says who ("mrn", "trial", "mayo-pbc"),
// `value` is theirs. Unique per system in a registry.
struct ExternalId {
  std::string system;
  std::string value;
  friend bool operator==(const ExternalId&, const ExternalId&) = default;
};

// Checks an identifier: system is lower-case [a-z0-9-], 1–32 characters; value is 1–64
// printable ASCII characters. kInvalidArgument naming the part at fault.
base::Status ValidateExternalId(const ExternalId& id);

struct Patient {
  std::int64_t id = 0;  // internal; 0 until stored
  std::vector<ExternalId> identifiers;
  std::optional<Sex> sex;
  std::optional<std::chrono::sys_days> birth_date;
  // ICD-10 code of the liver disease's cause: K70.3x (alcoholic cirrhosis), K74.3–K74.6x
  // (biliary and other cirrhosis), B18.x (chronic viral hepatitis).
  std::optional<std::string> aetiology_icd10;
  std::vector<std::string> comorbidities_icd10;
  std::optional<int> ecog;  // ECOG performance status 0–5
  std::string provenance;   // where the record came from ("pbc.csv row 12")
  // Names (PHI: identified readers only). Staff confirm a patient by name and a second
  // identifier before acting (IdentityLine).
  std::optional<std::string> family_name;
  std::optional<std::string> given_name;
};

// A name as typed: 1–100 characters, no control characters, not only spaces.
// kInvalidArgument naming what was wrong.
base::Status ValidatePersonName(std::string_view name);

// "FAMILY, Given · mrn:A123 · born 1950-03-04": how a person acting on the patient (bedside,
// plan, product, assessment, label) sees who it is — the name and two identifiers. Parts the
// record lacks are said to be missing ("name not recorded").
std::string IdentityLine(const Patient& patient);

// Checks the aetiology code against the families above (kInvalidArgument otherwise, naming
// the allowed families). Accepts codes with or without the dot ("K74.6" / "K746").
base::Status ValidateAetiologyIcd10(std::string_view code);
// Checks any ICD-10 code's shape: a letter, two digits, optionally "." and 1–4 characters.
base::Status ValidateIcd10(std::string_view code);
// ECOG 0–5 (Oken 1982). kOutOfRange otherwise.
base::Status ValidateEcog(int ecog);

// The patient's age in years on `day`; nullopt without a birth date, or when the age is not a
// plausible one (ValidateAgeYears).
std::optional<double> AgeYearsOn(const Patient& patient, std::chrono::sys_days day);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_RECORDS_PATIENT_H_
