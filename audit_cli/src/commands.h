/* commands.h — the subcommands of tenant-audit and their exit codes (docs/tenant-audit.md). */
#pragma once

#include <string>

namespace tg::audit_cli {

enum ExitCode : int {
	kExitOk = 0,          /* done: verified, exported, anchored */
	kExitProblems = 1,    /* verify found problems */
	kExitError = 2,       /* usage, I/O or database error */
	kExitUnreachable = 3, /* anchor: the TSA could not be reached (after the retries) */
	kExitRefused = 4,     /* anchor: the TSA or the database refused the time-stamp */
};

struct ExportOptions {
	std::string dsn, dir;
};
struct VerifyOptions {
	std::string dir, ca;
	bool progress = true;
};
struct AnchorOptions {
	std::string dsn, tsa, day;
	int retries = 3;
	double wait_seconds = 15;
	double timeout_seconds = 30;
};

int RunExport(const ExportOptions &options);
int RunVerify(const VerifyOptions &options);
int RunAnchor(const AnchorOptions &options);

} // namespace tg::audit_cli
