// A cell product's chain of identity (issue #8): who it is for, what it is, and its life as an
// append-only sequence of custody events — bone-marrow harvest (or receipt of a bank unit),
// processing, QC, release, storage, dispatch, administration. Each kind of event has a field
// schema (CustodyFields) so every value is checked, with its unit and range, where it enters.
// Once a product is released its record cannot change: only custody moves (storage, dispatch,
// administration) may follow.
#ifndef LIVERCELL_DOMAIN_PRODUCT_PRODUCT_H_
#define LIVERCELL_DOMAIN_PRODUCT_PRODUCT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/domain/product/din.h"

namespace livercell::domain {

enum class CustodyKind {
  kHarvest,         // autologous bone-marrow aspiration
  kBankReceipt,     // a bank unit received, with its donor's eligibility
  kProcessing,
  kQc,
  kReleaseException,  // a physician's signed acceptance of one criterion's result
  kRelease,
  kStorage,
  kDispatch,
  kAdministration,
};
std::string_view ToString(CustodyKind kind);
std::optional<CustodyKind> CustodyKindFromString(std::string_view text);
std::span<const CustodyKind> AllCustodyKinds();
// Whether the kind is recorded with its fields as given (harvest, bank receipt, processing, QC,
// storage, dispatch); a release exception, the release and an administration each have their
// own path that checks and signs them.
bool RecordedByHand(CustodyKind kind);

enum class FieldType { kNumber, kText, kChoice, kBool, kInstant };
struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required;
  std::string_view unit;  // numbers
  double min = 0, max = 0;  // numbers
  std::span<const std::string_view> choices = {};  // kChoice
  std::string_view meaning;
};
// The fields an event of `kind` carries (what `--help` and the API catalogue show).
std::span<const FieldSpec> CustodyFields(CustodyKind kind);

using FieldValue = std::variant<double, std::string, bool>;
using Fields = std::map<std::string, FieldValue, std::less<>>;

struct CustodyEvent {
  int seq = 0;  // 1, 2, ... per product
  CustodyKind kind = CustodyKind::kHarvest;
  std::chrono::sys_seconds at{};
  std::string actor;  // username
  std::string role;
  Fields fields;
  std::string content_hash;  // SHA-256 chaining to the previous event's, set when stored
};

// Converts text values ("1.2e9", "true", an ISO instant) to each field's type and checks it:
// unknown fields (with the closest name), missing required ones, numbers outside their range,
// words outside the choices. Every problem is returned, path "fields.NAME".
base::Result<Fields> ParseFields(CustodyKind kind,
                                 const std::map<std::string, std::string, std::less<>>& text,
                                 std::vector<base::Status>* problems);
// The same checks on values already typed (from JSON).
std::vector<base::Status> ValidateFields(CustodyKind kind, const Fields& fields);

enum class ProductOrigin { kAutologous, kBank };
std::string_view ToString(ProductOrigin origin);

struct Product {
  std::int64_t id = 0;  // 0 until stored
  Din din;
  std::string product_code;  // as the clinic enters it (ICCBBA's database is not shipped)
  std::string product_type;  // release_criteria.toml section: bm_mnc, cd34_selected, ...
  ProductOrigin origin = ProductOrigin::kAutologous;
  std::int64_t patient_id = 0;  // the recipient (for autologous products also the donor)
  std::optional<std::int64_t> plan_id;
  std::vector<CustodyEvent> events;  // oldest first
  std::string registered_by;
  std::chrono::sys_seconds registered_at{};
};

// What the events add up to.
struct ProductState {
  std::string status;  // registered, collected, processed, tested, released, ... given
  bool released = false;
  std::optional<double> dose_cells;  // target cells from processing
  std::optional<std::chrono::sys_seconds> expires;
  int administrations = 0;
  std::optional<std::chrono::sys_seconds> released_at;
};
ProductState StateOf(const Product& product);

// SHA-256 over the event (kind, time, actor, role, every field) and the previous event's hash
// (empty for the first), so an edit anywhere in the chain shows.
std::string CustodyEventHash(std::string_view previous_hash, const Din& din,
                             const CustodyEvent& event);

// Whether an event of `kind` may follow the product's events: processing needs a harvest or
// bank receipt, QC needs processing, a release exception and release need QC, storage/dispatch/administration need a
// release; a bank receipt only for bank products, a harvest only for autologous ones; nothing
// but custody moves after release. kFailedPrecondition saying why.
base::Status CanAppend(const Product& product, CustodyKind kind);

}  // namespace livercell::domain

#endif  // LIVERCELL_DOMAIN_PRODUCT_PRODUCT_H_
