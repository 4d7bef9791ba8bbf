// node_utils.h — small readers over PostgreSQL raw parse nodes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parse/pg_nodes.h"

namespace tlint {

/* The text of a String node (identifiers in name lists). */
std::string StringValue(Node *node);

/* A string constant, possibly cast ('t'::regclass): its text; nullopt otherwise. */
std::optional<std::string> ConstantString(Node *node);

/* A boolean constant (true, false, 'f'::boolean); nullopt otherwise. */
std::optional<bool> ConstantBool(Node *node);

/* The last name of a dotted name list, and the one before it (schema), lower-cased by the parser. */
std::string LastName(List *names);
std::string SchemaOfName(List *names);

/* Function call arguments by position, resolving name => value notation against param_names. */
std::vector<Node *> CallArguments(FuncCall *call, const std::vector<std::string> &param_names);

/* Flattens nested ANDs into their conjuncts. */
void Conjuncts(Node *expr, std::vector<Node *> &out);

} // namespace tlint
