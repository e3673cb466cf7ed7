// check_sources: not clinical (ISO 8601 field offsets and widths).
#include "livercell/domain/records/clinical_time.h"

#include <fmt/format.h>

#include <cctype>

namespace livercell::domain {
namespace {

// Reads exactly `width` digits at `pos`; -1 if they are not all digits.
int Digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

base::Status BadTime(std::string_view text) {
  base::Status status = base::InvalidArgumentError(fmt::format(
      "\"{}\" is not an ISO 8601 date (YYYY-MM-DD) or UTC instant (YYYY-MM-DDThh:mm:ssZ)", text));
  status.SetValue(std::string(text)).SetAllowed("YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ");
  return status;
}

}  // namespace

base::Result<ClinicalTime> ClinicalTime::Parse(std::string_view text) {
  using namespace std::chrono;
  const int y = Digits(text, 0, 4);
  const int m = Digits(text, 5, 2);
  const int d = Digits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0 || text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return BadTime(text);
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)},
                           std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return BadTime(text);
  const sys_days date{ymd};
  if (text.size() == 10) return FromDate(date);
  const int hh = Digits(text, 11, 2);
  const int mm = Digits(text, 14, 2);
  const int ss = Digits(text, 17, 2);
  if ((text[10] != 'T' && text[10] != ' ') || hh < 0 || hh > 23 || text[13] != ':' || mm < 0 ||
      mm > 59 || text[16] != ':' || ss < 0 || ss > 60) {
    return BadTime(text);
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return BadTime(text);
  return FromInstant(date + hours{hh} + minutes{mm} + seconds{ss});
}

std::string ClinicalTime::ToString() const {
  std::string text;
  AppendTo(&text);
  return text;
}

void ClinicalTime::AppendTo(std::string* out) const {
  using namespace std::chrono;
  const year_month_day ymd{day()};
  char text[20];
  const auto put = [&text](std::size_t at, unsigned value, std::size_t width) {
    for (std::size_t i = width; i-- > 0; value /= 10) text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  text[4] = text[7] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  if (date_only_) {
    out->append(text, 10);
    return;
  }
  const hh_mm_ss<seconds> tod{instant_ - day()};
  text[10] = 'T';
  text[13] = text[16] = ':';
  text[19] = 'Z';
  put(11, static_cast<unsigned>(tod.hours().count()), 2);
  put(14, static_cast<unsigned>(tod.minutes().count()), 2);
  put(17, static_cast<unsigned>(tod.seconds().count()), 2);
  out->append(text, 20);
}

}  // namespace livercell::domain
