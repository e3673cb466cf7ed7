// The one LiverCell executable; everything it does is a subcommand (cli/app.h).
#include "livercell/cli/app.h"

int main(int argc, char** argv) { return livercell::cli::RunCli(argc, argv); }
