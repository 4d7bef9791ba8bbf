// function_bodies.h — the SQL inside CREATE FUNCTION / CREATE PROCEDURE and DO:
// LANGUAGE sql bodies (quoted or BEGIN ATOMIC) and PL/pgSQL bodies, where
// parameters and variables count as values.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/analysis.h"

struct Node;

namespace tlint {

/* Analyses the bodies of a function-defining statement; parse errors become findings. */
void AnalyzeFunctionBodies(Node *raw_statement, std::string_view text, size_t offset,
						   StatementAnalyzer &analyzer, std::vector<RawFinding> &sink);

/* Where q occurs in text at or after from, a space in q matching any byte (PL/pgSQL blanks INTO). */
size_t FindWithBlanks(std::string_view text, std::string_view q, size_t from);

} // namespace tlint
