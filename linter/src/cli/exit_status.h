// exit_status.h — what tenant-lint's exit code means.
#pragma once

namespace tlint {

enum ExitStatus : int {
	kExitClean = 0,	   /* no finding of severity error */
	kExitFindings = 1, /* at least one finding of severity error */
	kExitUsage = 2,	   /* usage, configuration or I/O error */
};

} // namespace tlint
