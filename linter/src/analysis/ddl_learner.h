// ddl_learner.h — fills the schema model from CREATE TABLE, ALTER TABLE ADD
// COLUMN and tenant_guard.protect()/protect_schema() calls.
#pragma once

#include "analysis/schema_model.h"

struct Node;

namespace tlint {

void LearnFromStatement(Node *raw_statement, SchemaModel &model);

/* Cheap test on statement text: could it teach the model anything? */
bool MayDeclareSchema(const char *text, size_t length);

} // namespace tlint
