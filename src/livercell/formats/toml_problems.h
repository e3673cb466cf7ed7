// Internal to formats/: collecting every problem of a TOML file (protocols, course templates,
// calendars, release specifications) with its path inside the file, so one run names them all.
#ifndef LIVERCELL_FORMATS_TOML_PROBLEMS_H_
#define LIVERCELL_FORMATS_TOML_PROBLEMS_H_

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cstdint>
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

// Typed reads from one table, each problem named by its path (course templates, calendars,
// outcome definitions).
class Reader {
 public:
  Reader(const toml::table* table, std::string where, Problems& problems)
      : table_(table), where_(std::move(where)), problems_(problems) {}

  // "where.key", or "key" at the file's top level (where = "").
  std::string Path(std::string_view key) const {
    return where_.empty() ? std::string(key) : fmt::format("{}.{}", where_, key);
  }

  std::string Text(std::string_view key, bool required = true) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (node == nullptr) {
      if (required) problems_.Add(Path(key), fmt::format("`{}` is required", key));
      return "";
    }
    const auto value = node->value<std::string>();
    if (!node->is_string() || value->empty()) {
      problems_.Add(Path(key), "must be a non-empty string", Quoted(node));
      return "";
    }
    return *value;
  }
  // A whole number in [min, max]; `fallback` when absent and not required.
  int Int(std::string_view key, int min, int max, std::optional<int> fallback = std::nullopt) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (node == nullptr) {
      if (!fallback) problems_.Add(Path(key), fmt::format("`{}` is required", key));
      return fallback.value_or(min);
    }
    const auto value = node->value<std::int64_t>();
    if (!node->is_integer() || *value < min || *value > max) {
      problems_.Add(Path(key), fmt::format("must be a whole number, {}–{}", min, max),
                    Quoted(node), fmt::format("{}–{}", min, max));
      return min;
    }
    return static_cast<int>(*value);
  }
  std::optional<double> Number(std::string_view key, double min, double max) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (node == nullptr) return std::nullopt;
    const auto value = node->value<double>();
    if (!node->is_number() || !(*value >= min && *value <= max)) {
      problems_.Add(Path(key), fmt::format("must be a number, {:g}–{:g}", min, max),
                    Quoted(node), fmt::format("{:g}–{:g}", min, max));
      return std::nullopt;
    }
    return *value;
  }
  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      problems_.Add(Path(key), "must be an array of strings", Quoted(node));
      return out;
    }
    for (const toml::node& item : *array) {
      if (const auto s = item.value<std::string>(); s && item.is_string()) {
        out.push_back(*s);
      } else {
        problems_.Add(Path(key), "must be an array of strings", Quoted(&item));
      }
    }
    return out;
  }

 private:
  const toml::table* table_;
  std::string where_;
  Problems& problems_;
};

}  // namespace livercell::formats

#endif  // LIVERCELL_FORMATS_TOML_PROBLEMS_H_
