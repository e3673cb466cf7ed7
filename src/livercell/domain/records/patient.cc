#include "livercell/domain/records/patient.h"

#include "livercell/domain/records/clinical_time.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace livercell::domain {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Not clinical: identifier length limits and the printable ASCII range.
constexpr std::size_t kMaxSystemChars = 32;
constexpr std::size_t kMaxValueChars = 64;
constexpr char kFirstPrintable = '!';
constexpr char kLastPrintable = '~';
// Not clinical: mean Gregorian year in days, for age in years.
constexpr double kDaysPerYear = 365.2425;

}  // namespace

base::Status ValidateExternalId(const ExternalId& id) {
  const bool system_ok =
      !id.system.empty() && id.system.size() <= kMaxSystemChars &&
      id.system.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
  if (!system_ok) {
    base::Status status = base::InvalidArgumentError(fmt::format(
        "identifier system \"{}\" must be 1–32 characters of a-z, 0-9 and -", id.system));
    status.SetPath("system").SetValue(id.system).SetAllowed("[a-z0-9-]{1,32}");
    return status;
  }
  bool value_ok = !id.value.empty() && id.value.size() <= kMaxValueChars;
  for (char c : id.value) value_ok = value_ok && c >= kFirstPrintable && c <= kLastPrintable;
  if (!value_ok) {
    base::Status status = base::InvalidArgumentError(
        fmt::format("identifier \"{}\" must be 1–64 printable ASCII characters", id.value));
    status.SetPath("value").SetValue(id.value).SetAllowed("1–64 printable ASCII characters");
    return status;
  }
  return base::OkStatus();
}

base::Status ValidateIcd10(std::string_view code) {
  const bool ok = code.size() >= 3 && std::isupper(static_cast<unsigned char>(code[0])) &&
                  std::isdigit(static_cast<unsigned char>(code[1])) &&
                  std::isalnum(static_cast<unsigned char>(code[2])) && code.size() <= 8;
  if (ok) return base::OkStatus();
  base::Status status =
      base::InvalidArgumentError(fmt::format("\"{}\" is not an ICD-10 code (e.g. K74.6)", code));
  status.SetValue(std::string(code)).SetAllowed("ICD-10, e.g. K74.6");
  return status;
}

base::Status ValidateAetiologyIcd10(std::string_view code) {
  LC_RETURN_IF_ERROR(ValidateIcd10(code));
  // Source: WHO ICD-10 2019, chapter XI (K70.3 alcoholic cirrhosis; K74.3 primary biliary
  // cirrhosis, K74.4 secondary, K74.5 unspecified biliary, K74.6 other/unspecified cirrhosis)
  // and chapter I (B18 chronic viral hepatitis); the families named in issue #4.
  std::string compact;
  for (char c : code) {
    if (c != '.') compact.push_back(c);
  }
  const bool ok = StartsWith(compact, "K703") || StartsWith(compact, "K743") ||
                  StartsWith(compact, "K744") || StartsWith(compact, "K745") ||
                  StartsWith(compact, "K746") || StartsWith(compact, "B18");
  if (ok) return base::OkStatus();
  base::Status status = base::InvalidArgumentError(fmt::format(
      "\"{}\" is not a cirrhosis aetiology code (K70.3x, K74.3–K74.6x or B18.x)", code));
  status.SetValue(std::string(code)).SetAllowed("K70.3x, K74.3–K74.6x, B18.x");
  return status;
}

base::Status ValidateEcog(int ecog) {
  // Source: Oken MM et al., Am J Clin Oncol 1982;5(6):649–655 (ECOG grades 0–5).
  if (ecog >= 0 && ecog <= 5) return base::OkStatus();
  base::Status status = base::OutOfRangeError(fmt::format("ECOG {} is outside 0–5", ecog));
  status.SetValue(static_cast<double>(ecog)).SetAllowed("0–5").SetSource("Oken 1982");
  return status;
}

base::Status ValidatePersonName(std::string_view name) {
  // Not clinical: a bound on what a form or a file may put in the field.
  constexpr std::size_t kMaxNameBytes = 100;
  std::string problem;
  if (name.empty() || name.find_first_not_of(' ') == std::string_view::npos) {
    problem = "is empty";
  } else if (name.size() > kMaxNameBytes) {
    problem = fmt::format("is longer than {} bytes", kMaxNameBytes);
  } else if (std::any_of(name.begin(), name.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
             })) {
    problem = "holds a control character";
  }
  if (problem.empty()) return base::OkStatus();
  base::Status status = base::InvalidArgumentError(fmt::format("the name {}", problem));
  status.SetValue(std::string(name)).SetAllowed("1–100 printable characters");
  return status;
}

std::string IdentityLine(const Patient& patient) {
  std::string name;
  if (patient.family_name) {
    std::string family = *patient.family_name;
    for (char& c : family) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    name = patient.given_name ? fmt::format("{}, {}", family, *patient.given_name) : family;
  } else if (patient.given_name) {
    name = *patient.given_name;
  } else {
    name = "name not recorded";
  }
  std::string identifier = patient.identifiers.empty()
                               ? fmt::format("patient {}", patient.id)
                               : fmt::format("{}:{}", patient.identifiers.front().system,
                                             patient.identifiers.front().value);
  std::string born = patient.birth_date
                         ? fmt::format("born {}", ClinicalTime::FromDate(*patient.birth_date).ToString())
                         : "birth date not recorded";
  return fmt::format("{} · {} · {}", name, identifier, born);
}

std::optional<double> AgeYearsOn(const Patient& patient, std::chrono::sys_days day) {
  if (!patient.birth_date) return std::nullopt;
  const double age = static_cast<double>((day - *patient.birth_date).count()) / kDaysPerYear;
  if (!ValidateAgeYears(age).ok()) return std::nullopt;
  return age;
}

}  // namespace livercell::domain
