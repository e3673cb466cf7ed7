#include "livercell/cli/app.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "livercell/cli/error_output.h"

namespace livercell::cli {

CLI::Option* AddFormatOption(CLI::App& sub, std::string* format,
                             const std::vector<std::string>& choices) {
  *format = "table";
  return sub.add_option("--format", *format, "Output format")
      ->check(CLI::IsMember(choices))
      ->capture_default_str();
}

CLI::Option* AddReleaseSpecOption(CLI::App& sub, std::string* path) {
  return sub.add_option("--release-spec", *path,
                        "The clinic's release specification TOML, with the criteria a physician "
                        "may except under [exceptions] (default: the shipped "
                        "release_criteria.toml, which allows none)");
}

CLI::Option* AddDbOption(CLI::App& sub, std::string* url) {
  return sub.add_option("--db", *url,
                        "Registry: sqlite:PATH, a file path, or postgresql://... "
                        "(default: $LIVERCELL_DB, else sqlite:var/livercell.db)");
}

std::string ResolveDbUrl(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("LIVERCELL_DB");
  return env != nullptr && *env != '\0' ? env : "sqlite:var/livercell.db";
}

base::Result<std::unique_ptr<storage::Repository>> OpenRegistry(const std::string& given) {
  return storage::Repository::Open(ResolveDbUrl(given),
                                   storage::Repository::SchemaPolicy::kRequireCurrent);
}

Format ParseFormat(const std::string& format) {
  if (format == "json") return Format::kJson;
  if (format == "csv") return Format::kCsv;
  return Format::kTable;
}

int Fail(std::span<const base::Status> errors, Format format) {
  PrintErrors(errors, format, stderr);
  return ExitCodeFor(errors);
}

int Fail(const base::Status& error, Format format) { return Fail(std::span(&error, 1), format); }

int RunCli(int argc, char** argv, std::span<const Registrar> more) {
  CLI::App app(
      "LiverCell: cell therapy for liver cirrhosis, from evaluation to measured outcome.\n"
      "Every number carries its source; see `livercell SUBCOMMAND --help`.",
      "livercell");
  app.set_version_flag("--version", "livercell " LIVERCELL_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 internal failure, 2 bad input or usage (nothing written), "
      "3 verification failed.\nExample:\n  livercell score data/examples/decompensated.json");

  Action selected;
  RegisterScoreCommand(app, &selected);
  RegisterErrorsCommand(app, &selected);
  RegisterDbCommand(app, &selected);
  RegisterImportCommand(app, &selected);
  RegisterPatientsCommands(app, &selected);
  RegisterExportCommand(app, &selected);
  RegisterStatsCommand(app, &selected);
  RegisterAssessCommands(app, &selected);
  for (const Registrar add : more) add(app, &selected);
  RegisterDinCommands(app, &selected);
  RegisterPlanCommands(app, &selected);
  RegisterProductCommands(app, &selected);
  RegisterUserCommand(app, &selected);
  RegisterAuditCommand(app, &selected);
  RegisterOutcomesCommand(app, &selected);
  RegisterLoginCommands(app, &selected);
  RegisterRecordCommands(app, &selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "error: {}\nRun 'livercell --help' or 'livercell SUBCOMMAND --help'.\n",
               e.what());
    return 2;
  }
  try {
    return selected ? selected() : 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal: {}\n", e.what());
    return 1;
  }
}

}  // namespace livercell::cli
