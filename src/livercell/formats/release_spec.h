// Reading release specifications (data/release/release_criteria.toml) into
// domain::ReleaseSpec. The shipped specification is built into the binary.
#ifndef LIVERCELL_FORMATS_RELEASE_SPEC_H_
#define LIVERCELL_FORMATS_RELEASE_SPEC_H_

#include <string_view>

#include "livercell/domain/product/release.h"
#include "livercell/formats/course_file.h"

namespace livercell::formats {

// Every problem with its path ("FILE: bm_msc.viability_min_percent.source").
FileParse<domain::ReleaseSpec> ParseReleaseSpec(std::string_view text, std::string_view file);

// The shipped specification (parsed once; it is checked by a test).
const domain::ReleaseSpec& DefaultReleaseSpec();
std::string_view DefaultReleaseSpecText();

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_RELEASE_SPEC_H_
