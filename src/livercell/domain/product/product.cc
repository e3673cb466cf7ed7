#include "livercell/domain/product/product.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "livercell/base/closest.h"
#include "livercell/base/sha256.h"
#include "livercell/domain/records/clinical_time.h"

namespace livercell::domain {
namespace {

constexpr CustodyKind kKinds[] = {
    CustodyKind::kHarvest,  CustodyKind::kBankReceipt,      CustodyKind::kProcessing,
    CustodyKind::kQc,       CustodyKind::kReleaseException, CustodyKind::kRelease,
    CustodyKind::kStorage,  CustodyKind::kDispatch,         CustodyKind::kAdministration};

// Results as laboratories report them (release_criteria.toml [common]).
constexpr std::string_view kSterility[] = {"no-growth", "gram-stain-negative-culture-pending",
                                           "growth"};
constexpr std::string_view kMycoplasma[] = {"not-detected", "detected"};
constexpr std::string_view kTargets[] = {"mnc", "cd34", "cd133", "msc"};

// Not clinical: the ranges below are plausibility bounds that catch typing and unit errors,
// not clinical limits (the release specification holds those, with their sources).
constexpr FieldSpec kHarvest[] = {
    {"volume_ml", FieldType::kNumber, true, "mL", 1, 2000, {}, "marrow aspirate volume"},
    {"collected_at", FieldType::kInstant, true, "", 0, 0, {}, "end of aspiration (UTC)"},
    {"operator", FieldType::kText, true, "", 0, 0, {}, "who aspirated"},
    {"site", FieldType::kText, false, "", 0, 0, {}, "e.g. posterior iliac crest"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kBankReceipt[] = {
    {"bank", FieldType::kText, true, "", 0, 0, {}, "the cell bank"},
    {"bank_unit", FieldType::kText, true, "", 0, 0, {}, "the bank's own unit identifier"},
    {"donor", FieldType::kText, true, "", 0, 0, {}, "the bank's donor identifier"},
    {"donor_eligible", FieldType::kBool, true, "", 0, 0, {},
     "donor screened and tested eligible (HIV-1/2, HBV, HCV, HTLV, syphilis)"},
    {"donor_screening", FieldType::kText, false, "", 0, 0, {}, "the panel and results"},
    {"received_at", FieldType::kInstant, true, "", 0, 0, {}, "receipt (UTC)"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kProcessing[] = {
    {"method", FieldType::kText, true, "", 0, 0, {}, "e.g. density gradient, culture expansion"},
    {"target", FieldType::kChoice, true, "", 0, 0, kTargets, "the population dosed"},
    {"total_nucleated_cells", FieldType::kNumber, true, "cells", 1e3, 1e13, {}, "TNC"},
    {"target_cells", FieldType::kNumber, true, "cells", 1e3, 1e13, {},
     "cells of the target population in the product (the dose)"},
    {"cd34_cells", FieldType::kNumber, false, "cells", 0, 1e12, {}, "CD34+ (ISHAGE gating)"},
    {"viability_percent", FieldType::kNumber, true, "%", 0, 100, {}, "at processing"},
    {"volume_ml", FieldType::kNumber, true, "mL", 0.1, 2000, {}, "final product volume"},
    {"expires_at", FieldType::kInstant, true, "", 0, 0, {}, "expiry (UTC)"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kQc[] = {
    {"sterility", FieldType::kChoice, true, "", 0, 0, kSterility, "culture result"},
    {"mycoplasma", FieldType::kChoice, true, "", 0, 0, kMycoplasma, "NAT/PCR or culture"},
    {"endotoxin_eu_per_ml", FieldType::kNumber, true, "EU/mL", 0, 1e4, {}, "LAL test"},
    {"viability_percent", FieldType::kNumber, true, "%", 0, 100, {}, "at release"},
    {"purity_percent", FieldType::kNumber, false, "%", 0, 100, {}, "selected cells"},
    {"cd105_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd73_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd90_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd45_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd34_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd14_or_cd11b_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"cd79a_or_cd19_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
    {"hla_dr_percent", FieldType::kNumber, false, "%", 0, 100, {}, "flow cytometry"},
};
// Not clinical: no numbers.
constexpr FieldSpec kReleaseException[] = {
    {"criterion", FieldType::kText, true, "", 0, 0, {}, "the checklist's criterion accepted"},
    {"observed", FieldType::kText, true, "", 0, 0, {},
     "the result accepted, as the checklist showed it (a later result is not covered)"},
    {"reason", FieldType::kText, true, "", 0, 0, {}, "why the product is given nonetheless"},
    {"specification", FieldType::kText, true, "", 0, 0, {},
     "the release specification that allows the exception (version and SHA-256)"},
};
// Not clinical: no numbers.
constexpr FieldSpec kRelease[] = {
    {"specification", FieldType::kText, false, "", 0, 0, {},
     "the release specification checked (version and SHA-256)"},
    {"exceptions", FieldType::kText, false, "", 0, 0, {},
     "the criteria released by a physician's exception, with the events that signed them"},
    {"note", FieldType::kText, false, "", 0, 0, {}, "anything the releaser adds"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kStorage[] = {
    {"location", FieldType::kText, true, "", 0, 0, {}, "e.g. LN2 tank 2, rack 4"},
    {"temperature_c", FieldType::kNumber, true, "Cel", -200, 40, {}, "storage temperature"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kDispatch[] = {
    {"to", FieldType::kText, true, "", 0, 0, {}, "ward or suite"},
    {"courier", FieldType::kText, false, "", 0, 0, {}, "who carries it"},
};
// Not clinical: plausibility bounds, as above.
constexpr FieldSpec kAdministration[] = {
    {"plan_item", FieldType::kNumber, true, "", 1, 1000, {}, "the plan's item given"},
    {"wristband", FieldType::kText, true, "", 0, 0, {}, "the patient identifier scanned"},
    {"din_scanned", FieldType::kText, true, "", 0, 0, {}, "the DIN as scanned"},
    {"second_signer", FieldType::kText, true, "", 0, 0, {}, "the second member of staff"},
};

const FieldSpec* Find(std::span<const FieldSpec> specs, std::string_view name) {
  for (const FieldSpec& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

base::Status FieldError(std::string_view name, std::string message, base::DetailValue value,
                        std::string allowed) {
  base::Status status = base::InvalidArgumentError(std::move(message));
  status.SetPath(fmt::format("fields.{}", name)).SetValue(std::move(value));
  if (!allowed.empty()) status.SetAllowed(std::move(allowed));
  return status;
}

std::string Allowed(const FieldSpec& spec) {
  switch (spec.type) {
    case FieldType::kNumber:
      return fmt::format("{:g}–{:g}{}{}", spec.min, spec.max, spec.unit.empty() ? "" : " ",
                         spec.unit);
    case FieldType::kChoice: return fmt::format("{}", fmt::join(spec.choices, ", "));
    case FieldType::kBool: return "true, false";
    case FieldType::kInstant: return "UTC instant, e.g. 2026-11-23T08:30:00Z";
    case FieldType::kText: return "non-empty text";
  }
  return "";
}

void CheckOne(const FieldSpec& spec, const FieldValue& value, std::vector<base::Status>& out) {
  const auto bad = [&](base::DetailValue shown) {
    out.push_back(FieldError(spec.name, fmt::format("{} must be {}", spec.name, Allowed(spec)),
                             std::move(shown), Allowed(spec)));
  };
  switch (spec.type) {
    case FieldType::kNumber: {
      const double* d = std::get_if<double>(&value);
      if (d == nullptr) return bad(std::get_if<std::string>(&value) ? std::get<std::string>(value) : "");
      if (!std::isfinite(*d) || *d < spec.min || *d > spec.max) bad(*d);
      return;
    }
    case FieldType::kBool:
      if (!std::holds_alternative<bool>(value)) bad("");
      return;
    case FieldType::kChoice: {
      const std::string* s = std::get_if<std::string>(&value);
      if (s == nullptr ||
          std::find(spec.choices.begin(), spec.choices.end(), *s) == spec.choices.end())
        bad(s ? *s : "");
      return;
    }
    case FieldType::kInstant: {
      const std::string* s = std::get_if<std::string>(&value);
      const auto t = s ? ClinicalTime::Parse(*s) : base::Result<ClinicalTime>(base::InvalidArgumentError(""));
      if (!t.ok() || t->date_only()) bad(s ? *s : "");
      return;
    }
    case FieldType::kText: {
      const std::string* s = std::get_if<std::string>(&value);
      // Not clinical: a length limit for free text.
      if (s == nullptr || s->empty() || s->size() > 500) bad(s ? *s : "");
      return;
    }
  }
}

std::vector<std::string> Names(std::span<const FieldSpec> specs) {
  std::vector<std::string> names;
  for (const FieldSpec& s : specs) names.emplace_back(s.name);
  return names;
}

bool Has(const Product& product, CustodyKind kind) {
  return std::any_of(product.events.begin(), product.events.end(),
                     [kind](const CustodyEvent& e) { return e.kind == kind; });
}

std::optional<std::chrono::sys_seconds> InstantField(const Fields& fields, std::string_view key) {
  auto it = fields.find(key);
  if (it == fields.end()) return std::nullopt;
  const std::string* s = std::get_if<std::string>(&it->second);
  if (s == nullptr) return std::nullopt;
  auto t = ClinicalTime::Parse(*s);
  if (!t.ok()) return std::nullopt;
  return t->instant();
}

}  // namespace

std::string_view ToString(CustodyKind kind) {
  switch (kind) {
    case CustodyKind::kHarvest: return "harvest";
    case CustodyKind::kBankReceipt: return "bank-receipt";
    case CustodyKind::kProcessing: return "processing";
    case CustodyKind::kQc: return "qc";
    case CustodyKind::kReleaseException: return "release-exception";
    case CustodyKind::kRelease: return "release";
    case CustodyKind::kStorage: return "storage";
    case CustodyKind::kDispatch: return "dispatch";
    case CustodyKind::kAdministration: return "administration";
  }
  return "harvest";
}

std::optional<CustodyKind> CustodyKindFromString(std::string_view text) {
  for (CustodyKind k : kKinds)
    if (ToString(k) == text) return k;
  return std::nullopt;
}

std::span<const CustodyKind> AllCustodyKinds() { return kKinds; }

bool RecordedByHand(CustodyKind kind) {
  return kind != CustodyKind::kReleaseException && kind != CustodyKind::kRelease &&
         kind != CustodyKind::kAdministration;
}

std::span<const FieldSpec> CustodyFields(CustodyKind kind) {
  switch (kind) {
    case CustodyKind::kHarvest: return kHarvest;
    case CustodyKind::kBankReceipt: return kBankReceipt;
    case CustodyKind::kProcessing: return kProcessing;
    case CustodyKind::kQc: return kQc;
    case CustodyKind::kReleaseException: return kReleaseException;
    case CustodyKind::kRelease: return kRelease;
    case CustodyKind::kStorage: return kStorage;
    case CustodyKind::kDispatch: return kDispatch;
    case CustodyKind::kAdministration: return kAdministration;
  }
  return {};
}

std::vector<base::Status> ValidateFields(CustodyKind kind, const Fields& fields) {
  std::vector<base::Status> out;
  const auto specs = CustodyFields(kind);
  for (const auto& [name, value] : fields) {
    const FieldSpec* spec = Find(specs, name);
    if (spec == nullptr) {
      const auto names = Names(specs);
      std::string message = fmt::format("unknown field \"{}\" for a {} event", name, ToString(kind));
      if (auto close = base::ClosestName(name, names)) message += fmt::format(" (did you mean \"{}\"?)", *close);
      out.push_back(FieldError(name, std::move(message), name, fmt::format("{}", fmt::join(names, ", "))));
      continue;
    }
    CheckOne(*spec, value, out);
  }
  for (const FieldSpec& spec : specs) {
    if (spec.required && fields.find(spec.name) == fields.end()) {
      out.push_back(FieldError(spec.name,
                               fmt::format("a {} event needs `{}` ({})", ToString(kind), spec.name,
                                           spec.meaning),
                               std::monostate{}, Allowed(spec)));
    }
  }
  return out;
}

base::Result<Fields> ParseFields(CustodyKind kind,
                                 const std::map<std::string, std::string, std::less<>>& text,
                                 std::vector<base::Status>* problems) {
  Fields fields;
  for (const auto& [name, raw] : text) {
    const FieldSpec* spec = Find(CustodyFields(kind), name);
    if (spec != nullptr && spec->type == FieldType::kNumber) {
      char* end = nullptr;
      errno = 0;
      const double d = std::strtod(raw.c_str(), &end);
      if (raw.empty() || end != raw.c_str() + raw.size() || errno != 0) {
        fields.emplace(name, raw);  // reported as "must be a number" below
      } else {
        fields.emplace(name, d);
      }
    } else if (spec != nullptr && spec->type == FieldType::kBool && (raw == "true" || raw == "false")) {
      fields.emplace(name, raw == "true");
    } else {
      fields.emplace(name, raw);
    }
  }
  *problems = ValidateFields(kind, fields);
  if (!problems->empty()) return problems->front();
  return fields;
}

std::string_view ToString(ProductOrigin origin) {
  return origin == ProductOrigin::kBank ? "bank" : "autologous";
}

ProductState StateOf(const Product& product) {
  ProductState state;
  state.status = "registered";
  for (const CustodyEvent& e : product.events) {
    switch (e.kind) {
      case CustodyKind::kHarvest: state.status = "collected"; break;
      case CustodyKind::kBankReceipt: state.status = "received"; break;
      case CustodyKind::kProcessing: {
        state.status = "processed";
        if (auto it = e.fields.find("target_cells"); it != e.fields.end())
          if (const double* d = std::get_if<double>(&it->second)) state.dose_cells = *d;
        state.expires = InstantField(e.fields, "expires_at");
        break;
      }
      case CustodyKind::kQc: state.status = "tested"; break;
      case CustodyKind::kReleaseException: break;  // the status stays "tested"
      case CustodyKind::kRelease:
        state.status = "released";
        state.released = true;
        state.released_at = e.at;
        break;
      case CustodyKind::kStorage: state.status = "stored"; break;
      case CustodyKind::kDispatch: state.status = "dispatched"; break;
      case CustodyKind::kAdministration:
        state.status = "administered";
        ++state.administrations;
        break;
    }
  }
  return state;
}

std::string CustodyEventHash(std::string_view previous_hash, const Din& din,
                             const CustodyEvent& event) {
  std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n", previous_hash, din.text(),
                                 event.seq, ToString(event.kind),
                                 ClinicalTime::FromInstant(event.at).ToString(), event.actor,
                                 event.role);
  for (const auto& [name, value] : event.fields) {
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, double>) {
            text += fmt::format("{}=n:{:.17g}\n", name, v);
          } else if constexpr (std::is_same_v<V, bool>) {
            text += fmt::format("{}=b:{}\n", name, v);
          } else {
            text += fmt::format("{}=t:{}\n", name, v);
          }
        },
        value);
  }
  return base::Sha256Hex(text);
}

base::Status CanAppend(const Product& product, CustodyKind kind) {
  const auto refuse = [&](std::string why) {
    return base::Status(base::StatusCode::kFailedPrecondition,
                        fmt::format("product {}: a {} event cannot be recorded: {}",
                                    product.din.text(), ToString(kind), why));
  };
  const bool released = Has(product, CustodyKind::kRelease);
  const bool bank = product.origin == ProductOrigin::kBank;
  switch (kind) {
    case CustodyKind::kHarvest:
    case CustodyKind::kBankReceipt:
      if (released) return refuse("the product is released and its record cannot change");
      if ((kind == CustodyKind::kHarvest) == bank)
        return refuse(bank ? "a bank unit is received, not harvested"
                           : "an autologous product is harvested, not received from a bank");
      if (Has(product, kind)) return refuse("it is already recorded");
      return base::OkStatus();
    case CustodyKind::kProcessing:
    case CustodyKind::kQc:
      if (released) return refuse("the product is released and its record cannot change");
      if (kind == CustodyKind::kProcessing && !Has(product, CustodyKind::kHarvest) &&
          !Has(product, CustodyKind::kBankReceipt))
        return refuse(bank ? "record the bank receipt first" : "record the harvest first");
      if (kind == CustodyKind::kQc && !Has(product, CustodyKind::kProcessing))
        return refuse("record the processing first");
      return base::OkStatus();
    case CustodyKind::kReleaseException:
    case CustodyKind::kRelease:
      if (released) return refuse("the product is already released");
      if (!Has(product, CustodyKind::kQc)) return refuse("record the QC results first");
      return base::OkStatus();
    case CustodyKind::kStorage:
    case CustodyKind::kDispatch:
    case CustodyKind::kAdministration:
      if (!released) return refuse("the product is not released");
      return base::OkStatus();
  }
  return refuse("unknown event");
}

}  // namespace livercell::domain
