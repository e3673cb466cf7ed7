// ISBT 128 donation identification numbers (DINs), which name every cell product from harvest
// to bedside (issue #8). A DIN is 13 characters: the facility identification number (FIN,
// five characters, issued by ICCBBA), the year (two digits) and a sequence number (six
// digits), e.g. G1234 26 123456. Keyed entry is protected by an ISO/IEC 7064 MOD 37-2 check
// character printed beside it (H); in the bar code two flag characters follow the DIN, and
// flags 60–96 carry the same checksum plus 60.
#ifndef LIVERCELL_DOMAIN_PRODUCT_DIN_H_
#define LIVERCELL_DOMAIN_PRODUCT_DIN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "livercell/base/result.h"

namespace livercell::domain {

// Source: ICCBBA, ISBT 128 Standard Technical Specification (ST-001), the DIN data structure:
// facility identification number (5 characters), year (2 digits), sequence number (6 digits);
// in the bar code two flag digits follow the 13 characters.
inline constexpr std::size_t kFinLength = 5, kYearLength = 2, kSequenceLength = 6;
inline constexpr std::size_t kDinLength = kFinLength + kYearLength + kSequenceLength;
inline constexpr std::size_t kFlagLength = 2;

// The ISO/IEC 7064 MOD 37-2 check character of `text` (digits, A–Z and '*'), one of
// 0–9, A–Z, '*'. kInvalidArgument naming the first character outside that alphabet.
base::Result<char> Mod37_2CheckCharacter(std::string_view text);

class Din {
 public:
  Din() = default;  // empty until Make() or Parse() gives it a value
  // A new DIN: `facility` is the clinic's FIN (a letter other than O, then four digits),
  // `year` a four-digit year (its last two digits are used), `sequence` 1–999999. Errors name
  // the part at fault ("facility", "year", "sequence") and what is allowed.
  static base::Result<Din> Make(std::string_view facility, int year, int sequence);
  // Reads a DIN as scanned or typed: the bar code's data ("=G12342612345600"), or the
  // eye-readable form with or without spaces, flag characters and check character
  // ("G1234 26 123456 H", "g123426123456", "G1234 26 123456 00 H"). A given check character,
  // or check-type flags (60–96), must agree with the DIN. Errors say what is wrong, so that a
  // mistyped character is reported rather than accepted.
  static base::Result<Din> Parse(std::string_view text);

  const std::string& text() const { return text_; }  // the 13 characters
  std::string_view facility() const { return std::string_view(text_).substr(0, kFinLength); }
  std::string_view year() const {
    return std::string_view(text_).substr(kFinLength, kYearLength);
  }
  std::string_view sequence() const {
    return std::string_view(text_).substr(kFinLength + kYearLength, kSequenceLength);
  }
  char check() const { return check_; }
  // The flags as scanned, when they were ("00" when none were given).
  const std::string& flags() const { return flags_; }
  // "G1234 26 123456": how labels print it (the check character goes in a box beside).
  std::string Spaced() const;
  // The bar code's data: "=" + DIN + flags (the check flags 60 + checksum by default).
  std::string BarcodeData() const;

  friend bool operator==(const Din& a, const Din& b) { return a.text_ == b.text_; }

 private:
  Din(std::string text, char check, std::string flags)
      : text_(std::move(text)), check_(check), flags_(std::move(flags)) {}
  std::string text_;
  char check_ = ' ';
  std::string flags_;
};

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PRODUCT_DIN_H_
