#include "livercell/formats/libzint.h"

#include "livercell/base/shared_library.h"

namespace livercell::formats {

base::Result<const LibZint*> LoadLibZint() {
  return base::BindOnce<LibZint>("libzint.so.2.11", "libzint2.11",
                                 [](const base::SharedLibrary& lib, LibZint& zint) -> base::Status {
                                   LC_BIND_SYMBOL(lib, zint, ZBarcode_Create);
                                   LC_BIND_SYMBOL(lib, zint, ZBarcode_Delete);
                                   LC_BIND_SYMBOL(lib, zint, ZBarcode_Encode);
                                   LC_BIND_SYMBOL(lib, zint, ZBarcode_Buffer_Vector);
                                   return base::OkStatus();
                                 });
}

}  // namespace livercell::formats
