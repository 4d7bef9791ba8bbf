// ddl_learner.h — fills the schema model from CREATE TABLE, ALTER TABLE ADD
// COLUMN, tenant_guard.protect()/protect_schema() calls, and the schema's own
// row-level security (ENABLE / FORCE ROW LEVEL SECURITY, CREATE POLICY).
#pragma once

#include <string>
#include <string_view>

#include "analysis/schema_model.h"

struct Node;

namespace tlint {

/* from: where the statement is ("file:line"), kept for --print-schema. */
void LearnFromStatement(Node *raw_statement, SchemaModel &model, const std::string &from);

/* Where the first token of a statement is, past spaces and comments. */
size_t FirstTokenOffset(std::string_view text);

/* Cheap test on statement text: could it teach the model anything? */
bool MayDeclareSchema(const char *text, size_t length);

} // namespace tlint
