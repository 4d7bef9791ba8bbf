// ddl_learner.h — fills the schema model from CREATE TABLE, ALTER TABLE ADD
// COLUMN and tenant_guard.protect()/protect_schema() calls.
#pragma once

#include <string_view>

#include "analysis/schema_model.h"

struct Node;

namespace tlint {

void LearnFromStatement(Node *raw_statement, SchemaModel &model);

/* Where the first token of a statement is, past spaces and comments. */
size_t FirstTokenOffset(std::string_view text);

/* Cheap test on statement text: could it teach the model anything? */
bool MayDeclareSchema(const char *text, size_t length);

} // namespace tlint
