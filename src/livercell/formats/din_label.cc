#include "livercell/formats/din_label.h"

#include <fmt/format.h>

#include <memory>

#include "livercell/domain/records/clinical_time.h"
#include "livercell/formats/libzint.h"
#include "livercell/formats/xml_text.h"

namespace livercell::formats {
namespace {

// Label geometry in millimetres: ISBT 128 labels are typically 100 mm x 100 mm with the DIN in
// the upper left quadrant; the bar code's narrow module here is 0.254 mm (10 mil).
constexpr double kModuleMm = 0.254;
constexpr double kBarHeightMm = 12;
constexpr double kLabelWidthMm = 100, kLabelHeightMm = 66, kMarginMm = 4;

}  // namespace

LabelText LabelTextOf(const domain::Product& product, const domain::Patient* recipient) {
  LabelText text;
  if (recipient != nullptr) text.recipient = domain::IdentityLine(*recipient);
  text.autologous = product.origin == domain::ProductOrigin::kAutologous;
  text.product_code = product.product_code;
  text.product_type =
      fmt::format("{} ({})", product.product_type, domain::ToString(product.origin));
  if (const auto expires = domain::StateOf(product).expires)
    text.expires = domain::ClinicalTime::FromInstant(*expires).ToString();
  return text;
}

base::Result<std::string> DinLabelSvg(const domain::Din& din, const LabelText& text) {
  LC_ASSIGN_OR_RETURN(const LibZint* zint, LoadLibZint());
  std::unique_ptr<zint_symbol, decltype(&::ZBarcode_Delete)> symbol(zint->ZBarcode_Create(),
                                                                     zint->ZBarcode_Delete);
  symbol->symbology = BARCODE_CODE128;
  symbol->show_hrt = 0;  // the eye-readable DIN is drawn below, with its boxed check character
  const std::string data = din.BarcodeData();
  if (zint->ZBarcode_Encode(symbol.get(), reinterpret_cast<const unsigned char*>(data.data()),
                            static_cast<int>(data.size())) >= ZINT_ERROR ||
      zint->ZBarcode_Buffer_Vector(symbol.get(), 0) >= ZINT_ERROR) {
    return base::InternalError(fmt::format("libzint refused \"{}\": {}", data, symbol->errtxt));
  }
  // libzint's vector units are modules; a linear symbol's bars all span its height, drawn
  // here kBarHeightMm tall.
  const double x0 = kMarginMm + 10 * kModuleMm;  // quiet zone: 10 modules
  const double y0 = kMarginMm;
  std::string bars;
  for (const zint_vector_rect* r = symbol->vector->rectangles; r != nullptr; r = r->next) {
    bars += fmt::format("<rect x=\"{:.3f}\" y=\"{:.3f}\" width=\"{:.3f}\" height=\"{:.3f}\"/>",
                        x0 + r->x * kModuleMm, y0, r->width * kModuleMm, kBarHeightMm);
  }
  const double text_y = y0 + kBarHeightMm + 6;
  const std::string spaced = din.Spaced();
  const double check_x = x0 + 3.0 * static_cast<double>(spaced.size()) + 2;
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}mm\" height=\"{h}mm\" "
      "viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"ISBT 128 label {din} {check}\">\n"
      "<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"0.3\"/>\n"
      "<g fill=\"#000\" data-barcode=\"{data}\">{bars}</g>\n"
      "<text x=\"{x0:.3f}\" y=\"{ty:.3f}\" font-family=\"monospace\" font-size=\"5\">{spaced}</text>\n"
      "<rect x=\"{cx:.3f}\" y=\"{cy:.3f}\" width=\"5\" height=\"6.5\" fill=\"none\" stroke=\"#000\" "
      "stroke-width=\"0.3\"/>\n"
      "<text x=\"{ctx:.3f}\" y=\"{ty:.3f}\" font-family=\"monospace\" font-size=\"5\" "
      "data-check=\"{check}\">{check}</text>\n",
      fmt::arg("w", kLabelWidthMm), fmt::arg("h", kLabelHeightMm), fmt::arg("din", din.text()),
      fmt::arg("check", std::string(1, din.check())), fmt::arg("data", XmlEscape(data)),
      fmt::arg("bars", bars), fmt::arg("x0", x0), fmt::arg("ty", text_y),
      fmt::arg("spaced", XmlEscape(spaced)), fmt::arg("cx", check_x), fmt::arg("cy", text_y - 5),
      fmt::arg("ctx", check_x + 1));
  double line = text_y + 7;
  const auto add = [&](std::string_view label, const std::string& value) {
    if (value.empty()) return;
    out += fmt::format("<text x=\"{:.3f}\" y=\"{:.3f}\" font-family=\"sans-serif\" "
                       "font-size=\"3.5\">{}: {}</text>\n",
                       x0, line, label, XmlEscape(value));
    line += 5;
  };
  add("Product code", text.product_code);
  add("Product", text.product_type);
  add("Expires", text.expires);
  add("Facility", text.facility_name.empty() ? std::string(din.facility()) : text.facility_name);
  add("Recipient", text.recipient);
  if (text.autologous) {
    out += fmt::format("<text x=\"{:.3f}\" y=\"{:.3f}\" font-family=\"sans-serif\" "
                       "font-size=\"4.5\" font-weight=\"bold\">FOR AUTOLOGOUS USE ONLY</text>\n",
                       x0, line + 1);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace livercell::formats
