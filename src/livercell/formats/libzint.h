// libzint's functions, taken from libzint.so.2.11 when a label is first drawn rather than
// linked (base/shared_library.h: libzint brings libpng, which every other command would pay
// for at start). Internal to formats.
#ifndef LIVERCELL_FORMATS_LIBZINT_H_
#define LIVERCELL_FORMATS_LIBZINT_H_

#include <zint.h>

#include "livercell/base/result.h"

namespace livercell::formats {

// The functions LiverCell calls.
struct LibZint {
  decltype(&::ZBarcode_Create) ZBarcode_Create = nullptr;
  decltype(&::ZBarcode_Delete) ZBarcode_Delete = nullptr;
  decltype(&::ZBarcode_Encode) ZBarcode_Encode = nullptr;
  decltype(&::ZBarcode_Buffer_Vector) ZBarcode_Buffer_Vector = nullptr;
};

// Loads libzint once (thread-safe); kUnavailable, saying what to install, when it is missing.
base::Result<const LibZint*> LoadLibZint();

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_LIBZINT_H_
