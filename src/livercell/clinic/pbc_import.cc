#include "livercell/clinic/pbc_import.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <span>

#include "livercell/base/csv.h"
#include "livercell/domain/records/observation.h"

namespace livercell::clinic {
namespace {

using base::CsvTable;
using domain::ClinicalTime;

// PBC columns → LOINC and unit. Source: survival::pbc documentation (units as recorded:
// bilirubin and cholesterol mg/dl, albumin g/dl, copper ug/day, alkaline phosphatase U/liter,
// AST U/ml as documented but U/L in magnitude, triglycerides mg/dl, platelets per cubic ml/1000
// = 10^9/L, prothrombin time seconds).
struct LabColumn {
  std::string_view column;
  std::string_view code;
  std::string_view unit;
};
constexpr LabColumn kLabColumns[] = {
    {"bili", "1975-2", "mg/dL"},
    {"albumin", "1751-7", "g/dL"},
    {"protime", "5902-2", "s"},
    {"platelet", "777-3", "10*9/L"},
    {"ast", "1920-8", "U/L"},
    {"chol", "2093-3", "mg/dL"},
    {"alk.phos", "6768-6", "U/L"},
    {"trig", "2571-8", "mg/dL"},
    {"copper", "urine-copper-24h", "ug/d"},
};
constexpr std::pair<std::string_view, std::string_view> kFindingColumns[] = {
    {"ascites", "ascites"},
    {"hepato", "hepatomegaly"},
    {"spiders", "spiders"},
    {"edema", "edema"},
    {"stage", "histologic_stage"}};
// Source: survival::pbc documentation: status 0 censored, 1 transplant, 2 dead.
constexpr int kStatusTransplant = 1;
constexpr int kStatusDead = 2;
constexpr double kDaysPerYear = 365.25;

class PbcImporter {
 public:
  explicit PbcImporter(storage::Repository& repo) : repo_(repo) {}

  base::Status ImportBaseline(CsvTable& pbc, PbcImportResult* result);
  base::Status ImportFollowUp(CsvTable& seq, PbcImportResult* result);

 private:
  base::Status AddLabs(CsvTable& t, std::int64_t patient, int day, const std::string& key_prefix,
                       PbcImportResult* result);
  base::Status AddFindings(CsvTable& t, std::int64_t patient, int day,
                           const std::string& key_prefix, PbcImportResult* result);
  void Count(bool stored, std::int64_t* counter, PbcImportResult* result) {
    ++(stored ? *counter : result->already_present);
  }

  storage::Repository& repo_;
  std::map<std::string, std::int64_t, std::less<>> patients_;  // pbc id → internal id
  const std::chrono::sys_days start_ = ClinicalTime::Parse(kPbcStudyStart).value().day();
};

base::Status PbcImporter::AddLabs(CsvTable& t, std::int64_t patient, int day,
                                  const std::string& key_prefix, PbcImportResult* result) {
  const ClinicalTime time = ClinicalTime::FromDate(start_ + std::chrono::days{day});
  for (const LabColumn& c : kLabColumns) {
    if (!t.Has(c.column)) continue;  // pbcseq has no copper or triglycerides
    LC_ASSIGN_OR_RETURN(const std::optional<double> value, t.OptionalNumber(c.column));
    if (!value) continue;
    // A published cohort is imported as recorded: implausible values are kept, flagged.
    auto lab =
        domain::MakeLabObservation(c.code, *value, c.unit, time, domain::PlausibilityPolicy::kFlag);
    if (!lab.ok()) return t.Wrap(c.column, lab.status());
    lab.value().patient_id = patient;
    lab.value().source_key = fmt::format("{}:{}", key_prefix, c.column);
    lab.value().provenance =
        fmt::format("{} line {}, column {}; day {} from registration (day 0 = nominal {})",
                    t.name(), t.line(), c.column, day, kPbcStudyStart);
    LC_ASSIGN_OR_RETURN(const bool stored, repo_.AddLab(lab.value()));
    Count(stored, &result->labs, result);
  }
  return base::OkStatus();
}

base::Status PbcImporter::AddFindings(CsvTable& t, std::int64_t patient, int day,
                                      const std::string& key_prefix, PbcImportResult* result) {
  const ClinicalTime time = ClinicalTime::FromDate(start_ + std::chrono::days{day});
  for (const auto& [column, kind] : kFindingColumns) {
    LC_ASSIGN_OR_RETURN(const std::optional<double> value, t.OptionalNumber(column));
    if (!value) continue;
    domain::Finding f{0,
                      patient,
                      std::string(kind),
                      *value,
                      time,
                      fmt::format("{}:{}", key_prefix, column),
                      fmt::format("{} line {}, column {}; day {} from registration", t.name(),
                                  t.line(), column, day)};
    auto stored = repo_.AddFinding(f);
    if (!stored.ok()) return t.Wrap(column, stored.status());
    Count(stored.value(), &result->findings, result);
  }
  return base::OkStatus();
}

base::Status PbcImporter::ImportBaseline(CsvTable& pbc, PbcImportResult* result) {
  const std::string_view required[] = {"id",   "time",    "status",  "age",   "sex",
                                       "bili", "albumin", "protime", "edema", "stage"};
  LC_RETURN_IF_ERROR(pbc.Require(required));
  for (;;) {
    LC_ASSIGN_OR_RETURN(const bool any, pbc.Next());
    if (!any) break;
    LC_ASSIGN_OR_RETURN(const std::string pbc_id, pbc.Text("id"));
    const domain::ExternalId ext{"mayo-pbc", pbc_id};
    LC_ASSIGN_OR_RETURN(std::optional<std::int64_t> id, repo_.FindPatient(ext));
    if (!id) {
      domain::Patient p;
      p.identifiers = {ext};
      LC_ASSIGN_OR_RETURN(const std::string sex, pbc.Text("sex"));
      if (sex == "f") p.sex = domain::Sex::kFemale;
      if (sex == "m") p.sex = domain::Sex::kMale;
      LC_ASSIGN_OR_RETURN(const std::optional<double> age, pbc.OptionalNumber("age"));
      if (age) {
        p.birth_date = start_ - std::chrono::days{std::lround(*age * kDaysPerYear)};
      }
      // Source: WHO ICD-10 K74.3 primary biliary cirrhosis (the trial's diagnosis).
      p.aetiology_icd10 = "K74.3";
      p.provenance = fmt::format(
          "{} line {} (survival 3.5-3 pbc, id {}); birth date derived "
          "from age at registration, day 0 = nominal {}",
          pbc.name(), pbc.line(), pbc_id, kPbcStudyStart);
      LC_ASSIGN_OR_RETURN(id, repo_.CreatePatient(p));
      ++result->patients;
    }
    patients_[pbc_id] = *id;
    const std::string prefix = fmt::format("pbc|{}", pbc_id);
    LC_RETURN_IF_ERROR(AddLabs(pbc, *id, 0, prefix, result));
    LC_RETURN_IF_ERROR(AddFindings(pbc, *id, 0, prefix, result));
    LC_ASSIGN_OR_RETURN(const std::optional<double> time, pbc.Number("time"));
    LC_ASSIGN_OR_RETURN(const std::optional<double> status, pbc.Number("status"));
    if (*status == kStatusTransplant || *status == kStatusDead) {
      domain::ClinicalEvent e{
          0,
          *id,
          *status == kStatusDead ? "death" : "transplant",
          std::nullopt,
          ClinicalTime::FromDate(start_ + std::chrono::days{std::lround(*time)}),
          prefix + ":status",
          fmt::format("{} line {}: status {} at day {}", pbc.name(), pbc.line(), *status, *time)};
      LC_ASSIGN_OR_RETURN(const bool stored, repo_.AddEvent(e));
      Count(stored, &result->events, result);
    }
  }
  return base::OkStatus();
}

base::Status PbcImporter::ImportFollowUp(CsvTable& seq, PbcImportResult* result) {
  const std::string_view required[] = {"id", "day", "bili", "albumin", "protime", "stage"};
  LC_RETURN_IF_ERROR(seq.Require(required));
  for (;;) {
    LC_ASSIGN_OR_RETURN(const bool any, seq.Next());
    if (!any) break;
    LC_ASSIGN_OR_RETURN(const std::string id, seq.Text("id"));
    const auto it = patients_.find(id);
    if (it == patients_.end())
      return seq.Error("id", fmt::format("patient {} is not in pbc.csv", id));
    LC_ASSIGN_OR_RETURN(const std::optional<double> day, seq.Number("day"));
    const std::string prefix = fmt::format("pbcseq|line {}", seq.line());
    LC_RETURN_IF_ERROR(AddLabs(seq, it->second, static_cast<int>(*day), prefix, result));
    LC_RETURN_IF_ERROR(AddFindings(seq, it->second, static_cast<int>(*day), prefix, result));
  }
  return base::OkStatus();
}

}  // namespace

base::Result<PbcImportResult> ImportPbc(const Context& context, const Actor& actor,
                                        const std::string& pbc_path,
                                        const std::string& pbcseq_path) {
  if (base::Status allowed =
          Authorize(actor, access::Permission::kWritePatients, "import the PBC cohort", true);
      !allowed.ok()) {
    return Refuse(context, actor, "import", std::nullopt, std::move(allowed));
  }
  LC_ASSIGN_OR_RETURN(CsvTable pbc, CsvTable::Open(pbc_path));
  LC_ASSIGN_OR_RETURN(CsvTable seq, CsvTable::Open(pbcseq_path));
  PbcImportResult result;
  LC_RETURN_IF_ERROR(context.journal.RecordEditing(
      EntryFor(actor, "import", std::nullopt, context.now),
      [&](storage::Repository& repo, access::AuditEntry& entry) -> base::Status {
        result = PbcImportResult();
        PbcImporter importer(repo);
        LC_RETURN_IF_ERROR(importer.ImportBaseline(pbc, &result));
        LC_RETURN_IF_ERROR(importer.ImportFollowUp(seq, &result));
        entry.resource += fmt::format(
            " pbc {} sha256:{} pbcseq {} sha256:{} patients {} labs {} findings {} events {} "
            "already {}",
            pbc_path, pbc.sha256(), pbcseq_path, seq.sha256(), result.patients, result.labs,
            result.findings, result.events, result.already_present);
        return base::OkStatus();
      }));
  return result;
}

}  // namespace livercell::clinic
