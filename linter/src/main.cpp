// tenant-lint: finds queries on tenant tables that lack a tenant predicate.
#include "cli/cli.h"

int main(int argc, char **argv) { return tlint::RunCli(argc, argv); }
