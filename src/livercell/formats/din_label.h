// A cell product's label as SVG (issue #8 part 3): the DIN in its eye-readable form with the
// check character boxed beside it, the ISBT 128 bar code of the DIN and its check flags as a
// Code 128 symbol (encoded by libzint), and the product code, type and expiry the clinic
// entered. The SVG is deterministic: the same product gives the same bytes.
#ifndef LIVERCELL_FORMATS_DIN_LABEL_H_
#define LIVERCELL_FORMATS_DIN_LABEL_H_

#include <string>

#include "livercell/base/result.h"
#include "livercell/domain/product/din.h"
#include "livercell/domain/product/product.h"
#include "livercell/domain/records/patient.h"

namespace livercell::formats {

struct LabelText {
  std::string product_code;  // as the clinic assigns it (ICCBBA's database is not shipped)
  std::string product_type;
  std::string expires;       // ISO 8601, or empty
  std::string facility_name;
  std::string recipient;     // IdentityLine of the intended recipient, or empty (bank stock)
  bool autologous = false;   // adds "FOR AUTOLOGOUS USE ONLY"
};

// What a registered product's label says: its code, type and origin, expiry, and for whom —
// the recipient's name and identifiers (`recipient`, may be null) and, for the patient's own
// cells, "FOR AUTOLOGOUS USE ONLY".
// Source: 21 CFR 1271.90(c)(1) (autologous HCT/Ps labelled "FOR AUTOLOGOUS USE ONLY"); ICCBBA
// ST-004, ISBT 128 Standard Labeling of Cellular Therapy Products (recipient name and
// identifier on the label); FACT-JACIE International Standards, 8th ed., D8 (labels).
LabelText LabelTextOf(const domain::Product& product, const domain::Patient* recipient);

// kInternal if libzint refuses the data (it cannot for a valid DIN).
base::Result<std::string> DinLabelSvg(const domain::Din& din, const LabelText& text);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_DIN_LABEL_H_
