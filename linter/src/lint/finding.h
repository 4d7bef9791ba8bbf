// finding.h — one thing tenant-lint reports, located in a file.
#pragma once

#include <string>
#include <vector>

namespace tlint {

enum class Severity { Info, Warning, Error, Off };

const char *SeverityName(Severity severity);

/* 1-based line and column (in characters, as editors count). */
struct Position {
	int line = 1;
	int column = 1;
};

struct Finding {
	std::string file;
	Position start;
	Position end;
	std::string rule;
	Severity severity = Severity::Error;
	std::string message;
	std::string help; /* how to fix it; may be empty */
	int byte_offset = 0; /* where in the file the finding starts */
};

/* Findings of one file plus what stops a file from being linted at all. */
struct FileReport {
	std::string file;
	std::vector<Finding> findings;
	std::string source; /* kept for the text output's source line and caret */
};

} // namespace tlint
