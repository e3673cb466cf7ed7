#include "livercell/formats/patient_json.h"

#include <fmt/format.h>

#include <utility>

#include "livercell/domain/labs/analyte.h"
#include "livercell/domain/labs/lab_value.h"

namespace livercell::formats {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsNumber(element_type type) {
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

std::string_view TypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

// The received value, for the error's detail.
base::DetailValue DetailOf(element value) {
  switch (value.type()) {
    case element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case element_type::BOOL:
      return value.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return nullptr;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return value.get_double().value_unsafe();
    default:
      return std::monostate{};
  }
}

base::Status WrongType(std::string path, std::string_view expected, element value) {
  std::string got(TypeName(value.type()));
  if (value.type() == element_type::STRING) {
    got += fmt::format(" \"{}\"", std::string_view(value.get_string().value_unsafe()));
  }
  base::Status status =
      base::InvalidArgumentError(fmt::format("expected {}, got {}", expected, got));
  status.SetPath(std::move(path)).SetValue(DetailOf(value)).SetAllowed(std::string(expected));
  return status;
}

class PatientReader {
 public:
  explicit PatientReader(domain::ScoreInput* input) : input_(input) {}

  void ReadTop(simdjson::dom::object top) {
    std::uint32_t seen = 0;
    for (auto field : top) {
      const std::string_view key = field.key;
      const int slot = TopSlot(key);
      if (slot < 0) {
        result_.warnings.push_back(fmt::format("{}: unknown key, ignored", key));
        continue;
      }
      if (seen & (1u << slot)) {
        Fail(Duplicate(std::string(key)));
        continue;
      }
      seen |= 1u << slot;
      ReadTopField(key, field.value);
    }
  }

  PatientParse Take() { return std::move(result_); }
  void Fail(base::Status status) { result_.errors.push_back(std::move(status)); }

 private:
  static constexpr std::string_view kTopKeys[] = {
      "sex", "age_years", "dialysis_twice_past_week", "ascites", "encephalopathy", "edema", "labs"};

  static int TopSlot(std::string_view key) {
    for (std::size_t i = 0; i < std::size(kTopKeys); ++i) {
      if (kTopKeys[i] == key) return static_cast<int>(i);
    }
    return -1;
  }

  static base::Status Duplicate(std::string path) {
    base::Status status = base::InvalidArgumentError("duplicate key");
    status.SetPath(std::move(path));
    return status;
  }

  // Reads an enum-valued string field with `parse`, storing it in `*out`.
  template <typename E, typename Parse>
  void ReadEnum(std::string_view key, element value, Parse parse, std::optional<E>* out) {
    if (value.type() != element_type::STRING) {
      Fail(WrongType(std::string(key), "a string", value));
      return;
    }
    base::Result<E> parsed = parse(value.get_string().value_unsafe());
    if (!parsed.ok()) {
      base::Status status = std::move(parsed).status();
      Fail(std::move(status.SetPath(std::string(key))));
      return;
    }
    *out = parsed.value();
  }

  void ReadTopField(std::string_view key, element value) {
    if (key == "sex") {
      ReadEnum(key, value, domain::ParseSex, &input_->sex);
    } else if (key == "ascites") {
      ReadEnum(key, value, domain::ParseAscites, &input_->ascites);
    } else if (key == "encephalopathy") {
      ReadEnum(key, value, domain::ParseEncephalopathy, &input_->encephalopathy);
    } else if (key == "edema") {
      ReadEnum(key, value, domain::ParseEdema, &input_->edema);
    } else if (key == "age_years") {
      if (!IsNumber(value.type())) return Fail(WrongType("age_years", "a number", value));
      base::Result<double> age = domain::ValidateAgeYears(value.get_double().value_unsafe());
      if (!age.ok()) {
        base::Status status = std::move(age).status();
        return Fail(std::move(status.SetPath("age_years")));
      }
      input_->age_years = age.value();
    } else if (key == "dialysis_twice_past_week") {
      if (value.type() != element_type::BOOL) {
        return Fail(WrongType("dialysis_twice_past_week", "true or false", value));
      }
      input_->dialysis_twice_past_week = value.get_bool().value_unsafe();
    } else if (key == "labs") {
      if (value.type() != element_type::OBJECT) {
        return Fail(WrongType("labs", "an object", value));
      }
      ReadLabs(value.get_object().value_unsafe());
    }
  }

  void ReadLabs(simdjson::dom::object labs) {
    for (auto field : labs) {
      const std::string_view key = field.key;
      const std::optional<domain::Analyte> analyte = domain::AnalyteFromKey(key);
      if (!analyte) {
        result_.warnings.push_back(fmt::format("labs.{}: unknown lab, ignored", key));
        continue;
      }
      if (seen_labs_ & (1u << static_cast<int>(*analyte))) {
        Fail(Duplicate(LabPath(*analyte)));
        continue;
      }
      seen_labs_ |= 1u << static_cast<int>(*analyte);
      ReadLab(*analyte, field.value);
    }
  }

  // "labs.<name>", built only when an error needs it (the hot path allocates nothing).
  static std::string LabPath(domain::Analyte analyte) {
    return fmt::format("labs.{}", domain::InfoOf(analyte).key);
  }

  void ReadLab(domain::Analyte analyte, element entry) {
    if (entry.type() != element_type::OBJECT) {
      const std::string path = LabPath(analyte);
      return Fail(WrongType(path, "an object {\"value\": number, \"unit\": string}", entry));
    }
    const simdjson::dom::object object = entry.get_object().value_unsafe();
    element value;
    element unit;
    const bool has_value = object["value"].get(value) == simdjson::SUCCESS;
    const bool has_unit = object["unit"].get(unit) == simdjson::SUCCESS;
    bool ok = true;
    const bool well_formed =
        has_value && has_unit && IsNumber(value.type()) && unit.type() == element_type::STRING;
    const std::string path = well_formed ? std::string() : LabPath(analyte);
    if (!has_value) {
      base::Status status = base::InvalidArgumentError("missing (a lab needs a numeric value)");
      Fail(std::move(status.SetPath(path + ".value")));
      ok = false;
    } else if (!IsNumber(value.type())) {
      Fail(WrongType(path + ".value", "a number", value));
      ok = false;
    }
    if (!has_unit) {
      base::Status status = base::InvalidArgumentError(
          fmt::format("missing (use {})", domain::AllowedUnitsText(analyte)));
      status.SetPath(path + ".unit").SetAllowed(domain::AllowedUnitsText(analyte));
      Fail(std::move(status));
      ok = false;
    } else if (unit.type() != element_type::STRING) {
      Fail(WrongType(path + ".unit", "a string", unit));
      ok = false;
    }
    if (!ok) return;
    base::Result<domain::LabValue> lab = domain::LabValue::Create(
        analyte, value.get_double().value_unsafe(), unit.get_string().value_unsafe());
    if (!lab.ok()) {
      base::Status status = std::move(lab).status();
      return Fail(std::move(status.PrefixPath(LabPath(analyte))));
    }
    input_->labs[static_cast<std::size_t>(analyte)] = std::move(lab).value();
  }

  domain::ScoreInput* input_;
  PatientParse result_;
  std::uint32_t seen_labs_ = 0;  // labs seen, valid or not (duplicate detection)
};

}  // namespace

PatientParse ParsePatient(std::string_view text, simdjson::dom::parser& parser,
                          domain::ScoreInput* input) {
  *input = domain::ScoreInput{};
  PatientReader reader(input);
  if (text.size() > kMaxPatientBytes) {
    reader.Fail(base::InvalidArgumentError(fmt::format(
        "the patient document is {} bytes; the limit is {} bytes", text.size(), kMaxPatientBytes)));
    return reader.Take();
  }
  element root;
  const simdjson::error_code error = parser.parse(text.data(), text.size()).get(root);
  if (error != simdjson::SUCCESS) {
    const char* what = text.find_first_not_of(" \t\r\n") == std::string_view::npos
                           ? "empty input: expected a JSON object"
                           : simdjson::error_message(error);
    reader.Fail(base::InvalidArgumentError(fmt::format("malformed JSON: {}", what)));
    return reader.Take();
  }
  if (root.type() != element_type::OBJECT) {
    reader.Fail(WrongType("", "a JSON object (one patient)", root));
    return reader.Take();
  }
  reader.ReadTop(root.get_object().value_unsafe());
  return reader.Take();
}

}  // namespace livercell::formats
