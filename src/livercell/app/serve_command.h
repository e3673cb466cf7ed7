// `livercell serve`: the server as a subcommand, added to the command line by the executable's
// main (app/main.cc), so that cli/ need not know the server.
#ifndef LIVERCELL_APP_SERVE_COMMAND_H_
#define LIVERCELL_APP_SERVE_COMMAND_H_

#include <CLI/CLI.hpp>

#include "livercell/cli/app.h"

namespace livercell::app {

void RegisterServeCommand(CLI::App& app, cli::Action* selected);

}  // namespace livercell::app

#endif  // LIVERCELL_APP_SERVE_COMMAND_H_
