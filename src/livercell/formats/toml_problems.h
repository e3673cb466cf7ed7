// Internal to formats/: collecting every problem of a TOML file (protocols, course templates,
// calendars, release specifications) with its path inside the file, so one run names them all.
#ifndef LIVERCELL_FORMATS_TOML_PROBLEMS_H_
#define LIVERCELL_FORMATS_TOML_PROBLEMS_H_

#include <fmt/format.h>
#include <toml++/toml.h>

#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/status.h"

namespace livercell::formats {

class Problems {
 public:
  explicit Problems(std::string_view file) : file_(file) {}
  void Add(const std::string& where, std::string message, std::string value = "",
           std::string allowed = "") {
    base::Status status = base::InvalidArgumentError(std::move(message));
    status.SetPath(where.empty() ? file_ : fmt::format("{}: {}", file_, where));
    if (!value.empty()) status.SetValue(std::move(value));
    if (!allowed.empty()) status.SetAllowed(std::move(allowed));
    errors_.push_back(std::move(status));
  }
  // A TOML syntax error, at its line.
  void AddSyntax(const toml::parse_error& e) {
    Add(fmt::format("line {}", e.source().begin.line), std::string(e.description()));
  }
  bool empty() const { return errors_.empty(); }
  std::vector<base::Status>& errors() { return errors_; }

 private:
  std::string file_;
  std::vector<base::Status> errors_;
};

// Parses `text`; on a syntax error records it in `problems` and returns nullopt.
inline std::optional<toml::table> ParseToml(std::string_view text, std::string_view file,
                                            Problems& problems) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    problems.AddSyntax(e);
    return std::nullopt;
  }
}

// A TOML value as written, for error messages.
inline std::string Quoted(const toml::node* node) {
  if (node == nullptr) return "";
  std::ostringstream out;
  node->visit([&out](const auto& value) { out << value; });
  return out.str();
}

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_TOML_PROBLEMS_H_
