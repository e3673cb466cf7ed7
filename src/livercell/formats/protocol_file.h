// Reading a candidacy protocol file (data/protocols/*.toml) into domain::Protocol.
#ifndef LIVERCELL_FORMATS_PROTOCOL_FILE_H_
#define LIVERCELL_FORMATS_PROTOCOL_FILE_H_

#include <optional>
#include <string_view>
#include <vector>

#include "livercell/base/status.h"
#include "livercell/domain/assessment/protocol.h"

namespace livercell::formats {

// Parses a protocol file's text. Every problem is collected (path "FILE: rules[3] (EX-AGE)
// .condition.fact", value, allowed): TOML syntax, unknown facts (with the closest name),
// operators that do not fit the fact, words outside the fact's spellings, missing
// id/text/source/effect, duplicate ids, a decision order that is not the five decisions
// ending in "eligible". The protocol's sha256 is that of `text`.
struct ProtocolParse {
  std::optional<domain::Protocol> protocol;  // set when there are no errors
  std::vector<base::Status> errors;
};
ProtocolParse ParseProtocolFile(std::string_view text, std::string_view file);

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_PROTOCOL_FILE_H_
