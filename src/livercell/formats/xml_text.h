// Internal to formats/: text placed inside SVG (labels, outcome reports) with XML's special
// characters escaped.
#ifndef LIVERCELL_FORMATS_XML_TEXT_H_
#define LIVERCELL_FORMATS_XML_TEXT_H_

#include <string>
#include <string_view>

namespace livercell::formats {

inline std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_XML_TEXT_H_
