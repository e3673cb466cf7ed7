// `livercell import labs|pbc`: bring data into the registry (clinic/lab_import.h,
// pbc_import.h). Administration of the registry file: run as the OS user (or --as an account);
// each import is one audit entry naming the file, its SHA-256 and the counts.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/session.h"
#include "livercell/clinic/lab_import.h"
#include "livercell/clinic/pbc_import.h"

namespace livercell::cli {
namespace {

using clinic::LabImportOptions;
using clinic::LabImportResult;

// The clinic for an import, creating the schema in a brand-new registry.
base::Result<std::unique_ptr<ClinicCall>> OpenForImport(const std::string& db,
                                                        const Credentials& credentials,
                                                        std::string command) {
  ClinicCall::Settings settings;
  settings.initialize_if_empty = true;
  return ClinicCall::Open(db, credentials, settings, std::move(command));
}

struct LabsOptions {
  std::string db, csv, map, rejects, format;
  bool skip_invalid = false;
  bool quiet = false;
  Credentials credentials;
};

int RunImportLabs(const LabsOptions& o) {
  const Format format = ParseFormat(o.format);
  if (o.skip_invalid && o.rejects.empty()) {
    base::Status status = base::InvalidArgumentError("--skip-invalid needs --rejects FILE");
    status.SetPath("--rejects");
    return Fail(status, format);
  }
  LabImportOptions options;
  options.csv_path = o.csv;
  options.skip_invalid = o.skip_invalid;
  options.rejects_path = o.rejects;
  if (!o.map.empty()) {
    auto map = clinic::LoadLabImportMap(o.map);
    if (!map.ok()) return Fail(map.status(), format);
    options.map = std::move(map).value();
  }
  auto call = OpenForImport(o.db, o.credentials, fmt::format("livercell import labs {}", o.csv));
  if (!call.ok()) return Fail(call.status(), format);
  Progress progress("rows", 0, !o.quiet && Progress::StderrIsTerminal());
  auto result = clinic::ImportLabs((*call)->context(), (*call)->actor(), options, &progress);
  if (!result.ok()) return Fail(result.status(), format);
  const LabImportResult& r = result.value();
  if (r.rejected > 0 && !o.skip_invalid) {
    const int code = Fail(r.errors, format);
    if (format == Format::kJson) return code;  // stderr stays one JSON object per line
    if (static_cast<std::int64_t>(r.errors.size()) < r.rejected) {
      fmt::print(stderr, "error: … and {} more bad rows\n",
                 r.rejected - static_cast<std::int64_t>(r.errors.size()));
    }
    fmt::print(stderr,
               "error: {} of {} rows are invalid; nothing was imported (use "
               "--skip-invalid --rejects FILE to import the rest)\n",
               r.rejected, r.rows);
    return code;
  }
  if (format == Format::kJson) {
    fmt::print("{}\n", nlohmann::json{{"rows", r.rows},
                                      {"imported", r.imported},
                                      {"already_present", r.already_present},
                                      {"rejected", r.rejected},
                                      {"patients", r.patients},
                                      {"patients_created", r.patients_created}}
                           .dump());
  } else {
    fmt::print(
        "imported {} lab results for {} patients ({} new); {} already present; {} "
        "rejected{}\n",
        r.imported, r.patients, r.patients_created, r.already_present, r.rejected,
        r.rejected > 0 ? " (see " + o.rejects + ")" : "");
  }
  return 0;
}

struct PbcOptions {
  std::string db, pbc, pbcseq, format;
  Credentials credentials;
};

int RunImportPbc(const PbcOptions& o) {
  const Format format = ParseFormat(o.format);
  auto call = OpenForImport(o.db, o.credentials, "livercell import pbc");
  if (!call.ok()) return Fail(call.status(), format);
  auto result = clinic::ImportPbc((*call)->context(), (*call)->actor(), o.pbc, o.pbcseq);
  if (!result.ok()) return Fail(result.status(), format);
  const clinic::PbcImportResult& r = result.value();
  if (format == Format::kJson) {
    fmt::print("{}\n", nlohmann::json{{"patients", r.patients},
                                      {"labs", r.labs},
                                      {"findings", r.findings},
                                      {"events", r.events},
                                      {"already_present", r.already_present}}
                           .dump());
  } else {
    fmt::print(
        "imported the Mayo PBC cohort: {} patients, {} labs, {} findings, {} events; {} "
        "records already present\n",
        r.patients, r.labs, r.findings, r.events, r.already_present);
  }
  return 0;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, Action* selected) {
  CLI::App* import =
      app.add_subcommand("import", "Bring lab results or a cohort into the registry");
  import->require_subcommand(1);

  auto labs = std::make_shared<LabsOptions>();
  CLI::App* l = import->add_subcommand("labs",
                                       "Import a long-format lab CSV "
                                       "(patient_id,date,loinc,value,unit)");
  AddDbOption(*l, &labs->db);
  l->add_option("--csv", labs->csv, "The CSV file, or - for standard input")->required();
  l->add_option("--map", labs->map,
                "TOML map: [columns] renames, [patient] system, [codes] local name → LOINC");
  l->add_flag("--skip-invalid", labs->skip_invalid,
              "Import the good rows and write the bad ones to --rejects (default: all or nothing)");
  l->add_option("--rejects", labs->rejects, "CSV of rejected rows with line and reason");
  l->add_flag("--quiet", labs->quiet, "No progress bar");
  AddFormatOption(*l, &labs->format, {"table", "json"});
  l->footer(
      "Dates are YYYY-MM-DD or UTC instants (2026-11-23T08:30:00Z); units are UCUM (mg/dL,\n"
      "umol/L, g/L, ...). A patient_id not yet in the registry creates the patient. Re-importing\n"
      "the same rows changes nothing.\n"
      "Example:\n  livercell import labs --db sqlite:var/clinic.db --csv labs.csv --map lab.toml");
  AddCredentialOptions(*l, &labs->credentials);
  l->callback([selected, labs] { *selected = [labs] { return RunImportLabs(*labs); }; });

  auto pbc = std::make_shared<PbcOptions>();
  CLI::App* p = import->add_subcommand("pbc", "Import the Mayo Clinic PBC cohort (pbc + pbcseq)");
  AddDbOption(*p, &pbc->db);
  p->add_option("--pbc", pbc->pbc, "pbc.csv (one row per patient)")
      ->default_str("data/cohorts/pbc.csv")
      ->default_val("data/cohorts/pbc.csv");
  p->add_option("--pbcseq", pbc->pbcseq, "pbcseq.csv (follow-up visits)")
      ->default_str("data/cohorts/pbcseq.csv")
      ->default_val("data/cohorts/pbcseq.csv");
  AddFormatOption(*p, &pbc->format, {"table", "json"});
  p->footer("Example:\n  livercell import pbc --db sqlite:var/pbc.db");
  AddCredentialOptions(*p, &pbc->credentials);
  p->callback([selected, pbc] { *selected = [pbc] { return RunImportPbc(*pbc); }; });
}

}  // namespace livercell::cli
