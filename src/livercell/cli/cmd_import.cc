// `livercell import labs|pbc`: bring data into the registry (cli/lab_import.h, pbc_import.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "livercell/cli/app.h"
#include "livercell/cli/lab_import.h"
#include "livercell/cli/pbc_import.h"

namespace livercell::cli {
namespace {

using storage::Repository;

struct LabsOptions {
  std::string db, csv, map, rejects, format;
  bool skip_invalid = false;
  bool quiet = false;
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
    auto map = LoadLabImportMap(o.map);
    if (!map.ok()) return Fail(map.status(), format);
    options.map = std::move(map).value();
  }
  auto repo = Repository::Open(ResolveDbUrl(o.db), Repository::SchemaPolicy::kInitializeIfEmpty);
  if (!repo.ok()) return Fail(repo.status(), format);
  Progress progress("rows", 0, !o.quiet && Progress::StderrIsTerminal());
  auto result = ImportLabs(*repo.value(), options, &progress);
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
};

int RunImportPbc(const PbcOptions& o) {
  const Format format = ParseFormat(o.format);
  auto repo = Repository::Open(ResolveDbUrl(o.db), Repository::SchemaPolicy::kInitializeIfEmpty);
  if (!repo.ok()) return Fail(repo.status(), format);
  auto result = ImportPbc(*repo.value(), o.pbc, o.pbcseq);
  if (!result.ok()) return Fail(result.status(), format);
  const PbcImportResult& r = result.value();
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
  p->callback([selected, pbc] { *selected = [pbc] { return RunImportPbc(*pbc); }; });
}

}  // namespace livercell::cli
