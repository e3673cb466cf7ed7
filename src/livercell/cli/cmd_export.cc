// `livercell export tidy`: the registry as one long CSV per record kind (clinic/tidy.h), and
// `livercell import tidy`, its inverse. Administration of the registry file: run as the OS user
// (or --as an account) and audited.
#include <fmt/format.h>

#include "livercell/cli/app.h"
#include "livercell/cli/session.h"
#include "livercell/clinic/tidy.h"

namespace livercell::cli {
namespace {

struct TidyOptions {
  std::string db, dir;
  bool include_voided = false;  // export: corrected records too
  bool deidentified = false;    // export: study codes, shifted dates (researchers)
  Credentials credentials;
};

int RunExportTidy(const TidyOptions& o) {
  auto call = ClinicCall::Open(o.db, o.credentials, {},
                               fmt::format("livercell export tidy {}", o.dir));
  if (!call.ok()) return Fail(call.status(), Format::kTable);
  auto counts = clinic::ExportTidy((*call)->context(), (*call)->actor(), o.dir,
                                   {.include_corrected = o.include_voided,
                                    .deidentified = o.deidentified});
  if (!counts.ok()) return Fail(counts.status(), Format::kTable);
  const auto& c = counts.value().written;
  fmt::print(
      "wrote {}: {} patients, {} labs, {} findings, {} events, {} adverse events, {} "
      "quality-of-life, {} administrations, and dictionary.csv\n",
      o.dir, c.patients, c.labs, c.findings, c.events, c.adverse_events, c.qol,
      counts.value().administrations);
  if (o.include_voided) {
    fmt::print("{} of the records were voided or superseded (status column; who, when and why "
               "beside it)\n",
               counts.value().corrected);
  }
  return 0;
}

int RunImportTidy(const TidyOptions& o) {
  ClinicCall::Settings settings;
  settings.initialize_if_empty = true;
  auto call = ClinicCall::Open(o.db, o.credentials, settings,
                               fmt::format("livercell import tidy {}", o.dir));
  if (!call.ok()) return Fail(call.status(), Format::kTable);
  auto counts = clinic::ImportTidy((*call)->context(), (*call)->actor(), o.dir);
  if (!counts.ok()) return Fail(counts.status(), Format::kTable);
  const auto& c = counts.value().imported;
  fmt::print(
      "imported {}: {} patients, {} labs, {} findings, {} events, {} adverse events, {} "
      "quality-of-life (records already present were left alone)\n",
      o.dir, c.patients, c.labs, c.findings, c.events, c.adverse_events, c.qol);
  if (counts.value().skipped > 0) {
    fmt::print("{} voided or superseded rows were not imported (their amendments were)\n",
               counts.value().skipped);
  }
  return 0;
}

}  // namespace

void RegisterExportCommand(CLI::App& app, Action* selected) {
  CLI::App* exp = app.add_subcommand("export", "Write the registry out for analysis");
  exp->require_subcommand(1);
  auto options = std::make_shared<TidyOptions>();
  CLI::App* tidy = exp->add_subcommand(
      "tidy", "One long CSV per record kind plus dictionary.csv (one read.csv each in R)");
  AddDbOption(*tidy, &options->db);
  tidy->add_option("--out", options->dir, "Folder to write (created if needed)")->required();
  tidy->add_flag("--include-voided", options->include_voided,
                 "Also records voided or superseded by an amendment, marked in the status "
                 "column with who corrected them, when and why");
  tidy->add_flag("--deidentified", options->deidentified,
                 "For researchers: keyed study codes for patient ids, each patient's dates "
                 "shifted by their own 1-365 days, no identifiers, birth dates, DINs or staff, "
                 "ages from 90 as one group (the rule is in dictionary.csv)");
  AddCredentialOptions(*tidy, &options->credentials);
  tidy->footer(
      "Every record table ends with id, status (final, entered-in-error or superseded),\n"
      "corrected_at, corrected_by, correction_reason and replaced_by; dictionary.csv says so.\n\n"
      "Examples:\n  livercell export tidy --db sqlite:var/pbc.db --out export/\n"
      "  livercell export tidy --db sqlite:var/pbc.db --out audit-copy/ --include-voided\n"
      "  livercell export tidy --db sqlite:var/pbc.db --out study/ --deidentified --as rae "
      "--password-stdin");
  tidy->callback(
      [selected, options] { *selected = [options] { return RunExportTidy(*options); }; });

  // The inverse lives under `import`, beside labs and pbc.
  CLI::App* import = app.get_subcommand("import");
  auto in = std::make_shared<TidyOptions>();
  CLI::App* it = import->add_subcommand("tidy", "Import a folder written by `export tidy`");
  AddDbOption(*it, &in->db);
  it->add_option("--dir", in->dir, "The folder")->required();
  AddCredentialOptions(*it, &in->credentials);
  it->footer("Example:\n  livercell import tidy --db sqlite:var/copy.db --dir export/");
  it->callback([selected, in] { *selected = [in] { return RunImportTidy(*in); }; });
}

}  // namespace livercell::cli
