// The registry's one storage interface (STYLE.md C8): patients, their identifiers, labs,
// findings, clinical events, adverse events and quality of life, over any sql::Connection.
// The same code runs on SQLite and PostgreSQL; the contract suite in
// tests/storage/repository_test.cc is run against both.
//
// Writes that belong together go in one InTransaction() call: all of it or none of it is
// stored. Records carry a `source_key`; adding a record whose key is already stored changes
// nothing (returns false), so re-importing the same file is harmless. Not thread-safe: one
// Repository per thread.
#ifndef LIVERCELL_STORAGE_REPOSITORY_H_
#define LIVERCELL_STORAGE_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "livercell/base/result.h"
#include "livercell/domain/plan/course.h"
#include "livercell/domain/product/product.h"
#include "livercell/domain/records/assessment_record.h"
#include "livercell/domain/records/correction.h"
#include "livercell/domain/records/event.h"
#include "livercell/domain/records/observation.h"
#include "livercell/domain/records/patient.h"
#include "livercell/storage/sql/connection.h"

namespace livercell::storage {

struct RecordCounts {
  std::int64_t patients = 0;
  std::int64_t labs = 0;
  std::int64_t findings = 0;
  std::int64_t events = 0;
  std::int64_t adverse_events = 0;
  std::int64_t qol = 0;
  friend bool operator==(const RecordCounts&, const RecordCounts&) = default;
};

class Repository {
 public:
  enum class SchemaPolicy {
    kRequireCurrent,     // refuse an older schema, naming `livercell db migrate`
    kInitializeIfEmpty,  // create the schema in a brand-new database; refuse an older one
    kAny,                // for `livercell db`: no check
  };

  // Opens `url` (sql::Open). kFailedPrecondition when the schema does not fit the policy.
  static base::Result<std::unique_ptr<Repository>> Open(std::string_view url, SchemaPolicy policy);
  explicit Repository(std::unique_ptr<sql::Connection> db) : db_(std::move(db)) {}

  sql::Connection& connection() { return *db_; }

  // Runs `body` in one transaction: commit if it returns ok, roll back otherwise. A kAborted
  // failure (serialisation conflict, lock timeout) is retried up to 5 times.
  base::Status InTransaction(const std::function<base::Status()>& body);

  // --- patients -----------------------------------------------------------------------------
  base::Result<std::optional<std::int64_t>> FindPatient(const domain::ExternalId& id);
  // Stores a new patient with its identifiers and comorbidities; returns its internal id.
  // kAlreadyExists if one of the identifiers is taken; kInvalidArgument for a bad identifier.
  base::Result<std::int64_t> CreatePatient(const domain::Patient& patient);
  // The patient with identifier `id`, created (with only that identifier) if absent.
  base::Result<std::int64_t> FindOrCreatePatient(const domain::ExternalId& id, bool* created);
  // kNotFound if there is none.
  base::Result<domain::Patient> GetPatient(std::int64_t id);
  // The patient's version, raised by every update (the API's ETag). kNotFound.
  base::Result<std::int64_t> PatientVersion(std::int64_t id);
  // Replaces sex, birth date, aetiology, ECOG and comorbidities (identifiers are kept, and
  // those in `patient` not yet held are added) if the stored version is `expected_version`;
  // returns the new version. kFailedPrecondition when the version moved on, kNotFound.
  base::Result<std::int64_t> UpdatePatient(const domain::Patient& patient,
                                           std::int64_t expected_version);
  // Resolves what a user typed: an internal id ("42") or "system:value" ("mrn:A123").
  base::Result<std::int64_t> ResolvePatient(std::string_view reference);
  // Patients ordered by id; `query` (may be empty) matches any identifier value, or the family
  // name (case-insensitively), by prefix.
  base::Result<std::vector<domain::Patient>> ListPatients(int limit, int offset,
                                                          std::string_view query,
                                                          std::int64_t* total);

  // --- records (true = stored, false = its source_key was already there) ---------------------
  // A lab result's key is (patient, code, time, source_key): its source key need be unique
  // only among the patient's results of that analyte at that instant.
  base::Result<bool> AddLab(const domain::LabObservation& lab);
  // Stores many at once (bulk imports: see lab_batch.h); returns how many were new.
  base::Result<std::int64_t> AddLabs(std::span<const domain::LabObservation> labs);
  base::Result<bool> AddFinding(const domain::Finding& finding);
  base::Result<bool> AddEvent(const domain::ClinicalEvent& event);
  base::Result<bool> AddAdverseEvent(const domain::AdverseEvent& event);
  base::Result<bool> AddQualityOfLife(const domain::QualityOfLife& qol);

  // Which records a read returns: the current ones (no correction voided or superseded them:
  // what scores, assessments, statistics and exports see), or all (for a record's history).
  enum class Visibility { kCurrent, kAll };

  // A patient's records, oldest first (labs also by code).
  base::Result<std::vector<domain::LabObservation>> Labs(std::int64_t patient_id,
                                                         Visibility visibility = Visibility::kCurrent);
  base::Result<std::vector<domain::Finding>> Findings(std::int64_t patient_id,
                                                      Visibility visibility = Visibility::kCurrent);
  base::Result<std::vector<domain::ClinicalEvent>> Events(
      std::int64_t patient_id, Visibility visibility = Visibility::kCurrent);
  base::Result<std::vector<domain::AdverseEvent>> AdverseEvents(
      std::int64_t patient_id, Visibility visibility = Visibility::kCurrent);
  base::Result<std::vector<domain::QualityOfLife>> QualityOfLife(
      std::int64_t patient_id, Visibility visibility = Visibility::kCurrent);

  // --- corrections (append-only; domain/records/correction.h) -------------------------------
  // Stores `c`; `record_key` is what identifies the record in its table (a lab's LabKey, any
  // other record's id). kAlreadyExists when that record was already corrected.
  base::Status AddCorrection(const domain::Correction& c, std::string_view record_key);
  // A patient's corrections, oldest first (record_id as the API names the record).
  base::Result<std::vector<domain::Correction>> Corrections(std::int64_t patient_id);
  // The id of the record of `kind` (not labs) stored under `source_key`. kNotFound.
  base::Result<std::int64_t> RecordIdBySourceKey(domain::RecordKind kind,
                                                 std::string_view source_key);

  // --- candidacy assessments (append-only) ---------------------------------------------------
  // Stores `a` (and its protocol's text, once per sha256); returns its id. kNotFound for an
  // unknown patient; kInvalidArgument when protocol_text does not hash to protocol_sha256.
  base::Result<std::int64_t> AddAssessment(const domain::AssessmentRecord& a);
  // A patient's assessments, newest first. kNotFound for an unknown assessment.
  base::Result<std::vector<domain::AssessmentRecord>> Assessments(std::int64_t patient_id);
  base::Result<domain::AssessmentRecord> GetAssessment(std::int64_t id);

  // --- treatment plans (append-only; storage/products.cc) -----------------------------------
  // Stores the plan and its items; returns its id. kNotFound for an unknown patient.
  base::Result<std::int64_t> AddPlan(const domain::Plan& plan);
  base::Result<domain::Plan> GetPlan(std::int64_t id);  // kNotFound
  base::Result<std::vector<domain::Plan>> Plans(std::int64_t patient_id);  // newest first

  // --- cell products and their custody events (append-only) ---------------------------------
  // Stores a new product (no events); returns its id. kAlreadyExists for a DIN already
  // registered; kNotFound for an unknown patient or plan; kInvalidArgument when the plan is
  // another patient's.
  base::Result<std::int64_t> AddProduct(const domain::Product& product);
  base::Result<domain::Product> GetProduct(std::int64_t id);  // with its events; kNotFound
  base::Result<std::optional<domain::Product>> FindProductByDin(std::string_view din);
  // Products ordered by id (of one patient when patient_id > 0), with their events.
  base::Result<std::vector<domain::Product>> ListProducts(std::int64_t patient_id);
  // Appends `event` (seq and content hash are assigned) after domain::CanAppend agrees, in
  // the caller's transaction; returns the stored event. The database refuses the same
  // changes on its own (schema 4 triggers).
  base::Result<domain::CustodyEvent> AppendCustodyEvent(std::int64_t product_id,
                                                        domain::CustodyEvent event);
  // The plan items already administered, from any product of the plan.
  base::Result<std::vector<int>> AdministeredPlanItems(std::int64_t plan_id);

  // Every patient in id order, a page at a time, so `fn` may itself query this repository
  // (a patient's records); stops at and returns the first error `fn` returns.
  base::Status ForEachPatient(const std::function<base::Status(const domain::Patient&)>& fn);

  // Every record of a kind, one at a time (exports; constant memory): in id order, labs
  // (which have no id) by patient, code, time and source key.
  base::Status ForEachLab(const std::function<void(const domain::LabObservation&)>& fn);
  base::Status ForEachFinding(const std::function<void(const domain::Finding&)>& fn);
  base::Status ForEachEvent(const std::function<void(const domain::ClinicalEvent&)>& fn);
  base::Status ForEachAdverseEvent(const std::function<void(const domain::AdverseEvent&)>& fn);
  base::Status ForEachQualityOfLife(const std::function<void(const domain::QualityOfLife&)>& fn);

  base::Result<RecordCounts> Counts();

 private:
  base::Result<bool> Insert(std::string_view sql, std::span<const sql::Value> params);
  // --- labs (storage/labs.cc) ---
  friend class LabBatch;
  // One lab as stored (schema 6), its text borrowed from the caller.
  struct LabRow {
    std::int64_t patient_id = 0;
    std::string_view code, time, source_key, code_system;
    double value = 0;
    std::string_view unit;
    std::optional<double> canonical_value;
    std::string_view canonical_unit;
    std::int64_t provenance_id = 0;
    std::optional<std::int64_t> line;
    std::string_view flag;
  };
  // "labs.csv line 12" → ("labs.csv", 12): a file's name is stored once, its lines per lab.
  // Text not ending in " line <number>" is kept whole (no line).
  struct SplitProvenance {
    std::string_view text;
    std::optional<std::int64_t> line;
  };
  static SplitProvenance Split(std::string_view provenance);
  // The id of `text` in provenances, added if new, in the caller's transaction.
  base::Result<std::int64_t> ProvenanceId(std::string_view text);
  // kNotFound (path "patient_id") unless the patient is in the registry.
  base::Status CheckPatientExists(std::int64_t patient_id);
  // Inserts rows 0 … count-1 of `row_at` (a stored key is left as it is); returns how many
  // were new. The rows' texts stay valid until it returns. kNotFound for a row whose patient
  // is not in the registry (its transaction must then be rolled back).
  base::Result<std::int64_t> InsertLabRows(std::size_t count,
                                           const std::function<LabRow(std::size_t)>& row_at);
  // The products `filter` (an SQL condition on products, with `params`) selects, with events.
  base::Result<std::vector<domain::Product>> Products(std::string_view filter,
                                                      std::span<const sql::Value> params);
  std::unique_ptr<sql::Connection> db_;
};

}  // namespace livercell::storage

#endif  // LIVERCELL_STORAGE_REPOSITORY_H_
