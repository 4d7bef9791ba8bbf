// cli.h — tenant-lint's command line: parse options, lint, report, exit status.
#pragma once

namespace tlint {

/* The whole program; main() only calls this. Returns the exit status. */
int RunCli(int argc, char **argv);

} // namespace tlint
