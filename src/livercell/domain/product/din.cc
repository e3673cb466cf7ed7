#include "livercell/domain/product/din.h"

#include <fmt/format.h>

#include <cctype>

namespace livercell::domain {
namespace {

// Source: ISO/IEC 7064:2003, MOD 37-2 (pure system, radix 2); the character values and the
// worked example G123 498 654 321 → H are those of the UK Red Book, Annex 2 "ISBT 128 check
// character calculation" (JPAC, transfusionguidelines.org).
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";
constexpr int kModulus = 37;
constexpr int kRadix = 2;
// Source: the same annex — the bar code's check flags are 60 + the checksum (60–96).
constexpr int kCheckFlagOffset = 60;
// Source: ST-001 (din.h): six sequence digits, two year digits. LiverCell makes DINs for
// 2000–2099 only, so that the two digits name one year.
constexpr int kMaxSequence = 999999;
constexpr int kFirstYear = 2000, kLastYear = 2099, kYearsPerCentury = 100;

int ValueOf(char c) {
  const std::size_t at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

int Checksum(std::string_view text) {
  int p = 0;
  for (char c : text) p = (p + ValueOf(c)) * kRadix % kModulus;
  return (kModulus + 1 - p) % kModulus;
}

base::Status Invalid(std::string path, std::string message, std::string_view value,
                     std::string allowed = "") {
  base::Status status = base::InvalidArgumentError(std::move(message));
  status.SetPath(std::move(path)).SetValue(std::string(value));
  if (!allowed.empty()) status.SetAllowed(std::move(allowed));
  return status;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The FIN: a letter A–Z except O (kept apart from zero), then four digits.
base::Status CheckFacility(std::string_view fin) {
  if (fin.size() != kFinLength || !std::isupper(static_cast<unsigned char>(fin[0])) ||
      fin[0] == 'O' || !AllDigits(fin.substr(1))) {
    return Invalid("facility", "is not a facility identification number", fin,
                   "a letter A–Z other than O, then four digits (e.g. G1234)");
  }
  return base::OkStatus();
}

base::Status CheckStructure(std::string_view din) {
  LC_RETURN_IF_ERROR(CheckFacility(din.substr(0, kFinLength)));
  if (!AllDigits(din.substr(kFinLength))) {
    return Invalid("din", "year and sequence must be digits", din,
                   "FIN (5) + year (2 digits) + sequence (6 digits)");
  }
  return base::OkStatus();
}

}  // namespace

base::Result<char> Mod37_2CheckCharacter(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ValueOf(text[i]) < 0) {
      return Invalid(fmt::format("[{}]", i), "is not a character ISO 7064 MOD 37-2 checks",
                     text.substr(i, 1), "0–9, A–Z, *");
    }
  }
  return kAlphabet[static_cast<std::size_t>(Checksum(text))];
}

base::Result<Din> Din::Make(std::string_view facility, int year, int sequence) {
  LC_RETURN_IF_ERROR(CheckFacility(facility));
  if (year < kFirstYear || year > kLastYear) {
    return Invalid("year", fmt::format("is outside {}–{}", kFirstYear, kLastYear),
                   std::to_string(year), fmt::format("{}–{}", kFirstYear, kLastYear));
  }
  if (sequence < 1 || sequence > kMaxSequence) {
    return Invalid("sequence", "is outside 1–999999", std::to_string(sequence), "1–999999");
  }
  std::string text = fmt::format("{}{:0{}}{:0{}}", facility, year % kYearsPerCentury,
                                 kYearLength, sequence, kSequenceLength);
  const char check = kAlphabet[static_cast<std::size_t>(Checksum(text))];
  return Din(std::move(text), check, "00");
}

base::Result<Din> Din::Parse(std::string_view scanned) {
  std::string s;
  for (char c : scanned) {
    if (c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n') continue;
    s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  const bool barcode = !s.empty() && s.front() == '=';
  if (barcode) s.erase(0, 1);
  // What may follow the 13 characters: flags (2 digits) and/or a check character (1).
  std::string flags = "00";
  std::optional<char> check;
  const std::size_t extra = s.size() >= kDinLength ? s.size() - kDinLength : 0;
  if (s.size() < kDinLength || extra > kFlagLength + 1 || (barcode && extra != kFlagLength)) {
    return Invalid("din",
                   fmt::format("has {} characters; a DIN has 13{}", s.size(),
                               barcode ? " and its bar code 2 flags after them"
                                       : " (then optionally 2 flag digits and a check character)"),
                   scanned);
  }
  const std::string din = s.substr(0, kDinLength);
  const std::string rest = s.substr(kDinLength);
  if (rest.size() >= kFlagLength) {
    flags = rest.substr(0, kFlagLength);
    if (!AllDigits(flags)) {
      return Invalid("flags", "flag characters must be two digits", flags, "00–99");
    }
  }
  if (rest.size() == 1 || rest.size() == kFlagLength + 1) check = rest.back();
  LC_RETURN_IF_ERROR(CheckStructure(din));
  const int sum = Checksum(din);
  const char expected = kAlphabet[static_cast<std::size_t>(sum)];
  if (check && *check != expected) {
    return Invalid("check", fmt::format("the check character is {} but {} gives {}: a character "
                                        "was mistyped or misread",
                                        *check, din, expected),
                   std::string(1, *check), std::string(1, expected));
  }
  const int flag_value = std::stoi(flags);
  if (flag_value >= kCheckFlagOffset && flag_value < kCheckFlagOffset + kModulus &&
      flag_value != kCheckFlagOffset + sum) {
    return Invalid("flags",
                   fmt::format("the check flags are {} but {} gives {}: the bar code was misread",
                               flags, din, kCheckFlagOffset + sum),
                   flags, std::to_string(kCheckFlagOffset + sum));
  }
  return Din(din, expected, flags);
}

std::string Din::Spaced() const {
  return fmt::format("{} {} {}", facility(), year(), sequence());
}

std::string Din::BarcodeData() const {
  const bool given = flags_ != "00";
  return fmt::format("={}{}", text_,
                     given ? flags_ : std::to_string(kCheckFlagOffset + ValueOf(check_)));
}

}  // namespace livercell::domain
