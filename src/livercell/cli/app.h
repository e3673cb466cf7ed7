// The `livercell` command line: one executable, one subcommand per capability (specs/cli.md).
// Each subcommand lives in cmd_<name>.cc and registers itself through the functions below.
#ifndef LIVERCELL_CLI_APP_H_
#define LIVERCELL_CLI_APP_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <span>

#include "livercell/base/status.h"
#include "livercell/storage/repository.h"
#include "livercell/cli/output.h"

namespace livercell::cli {

// What a subcommand's parse callback selects: the action to run once parsing succeeded.
using Action = std::function<int()>;
// Adds a subcommand to `app` that stores its action in `*selected` when chosen.
using Registrar = void (*)(CLI::App& app, Action* selected);

// Runs the command line and returns the process exit status (0 ok, 1 internal failure,
// 2 bad input or usage, 3 verification failed). `more`: subcommands from outside cli/ (the
// executable's main adds `serve`, which belongs to server/).
int RunCli(int argc, char** argv, std::span<const Registrar> more = {});

// Registration, one per cmd_<name>.cc. Each adds its subcommand to `app` and, when that
// subcommand is chosen, stores its action in `*selected`.
void RegisterScoreCommand(CLI::App& app, Action* selected);
void RegisterErrorsCommand(CLI::App& app, Action* selected);
void RegisterDbCommand(CLI::App& app, Action* selected);
void RegisterImportCommand(CLI::App& app, Action* selected);
void RegisterPatientsCommands(CLI::App& app, Action* selected);
void RegisterExportCommand(CLI::App& app, Action* selected);
void RegisterStatsCommand(CLI::App& app, Action* selected);
void RegisterAssessCommands(CLI::App& app, Action* selected);
void RegisterDinCommands(CLI::App& app, Action* selected);
void RegisterPlanCommands(CLI::App& app, Action* selected);
void RegisterProductCommands(CLI::App& app, Action* selected);
void RegisterUserCommand(CLI::App& app, Action* selected);
void RegisterAuditCommand(CLI::App& app, Action* selected);
void RegisterOutcomesCommand(CLI::App& app, Action* selected);
void RegisterLoginCommands(CLI::App& app, Action* selected);  // login, logout
// patients register, record lab (after RegisterPatientsCommands).
void RegisterRecordCommands(CLI::App& app, Action* selected);

// Shared option helpers: --format with the given choices (default "table").
CLI::Option* AddFormatOption(CLI::App& sub, std::string* format,
                             const std::vector<std::string>& choices);
Format ParseFormat(const std::string& format);

// --db URL (specs/cli.md). Empty means: $LIVERCELL_DB, else sqlite:var/livercell.db.
CLI::Option* AddDbOption(CLI::App& sub, std::string* url);
// --release-spec FILE: the clinic's release specification (see LoadReleaseSpec).
CLI::Option* AddReleaseSpecOption(CLI::App& sub, std::string* path);
std::string ResolveDbUrl(const std::string& given);
// The registry of --db `given`, which must be at this binary's schema version.
base::Result<std::unique_ptr<storage::Repository>> OpenRegistry(const std::string& given);

// Writes `text` to the file `out`, or to standard output when `out` is empty or "-"; exit
// status 0, or 2 naming the file when it cannot be written.
int WriteOutput(const std::string& text, const std::string& out);

// Prints `errors` (text or JSON per `format`) and returns the exit status they call for.
int Fail(std::span<const base::Status> errors, Format format);
int Fail(const base::Status& error, Format format);

}  // namespace livercell::cli

#endif  // LIVERCELL_CLI_APP_H_
