/*
 * sql_text.h — spelling SQL for generated statements and messages: quoting as
 * PostgreSQL does, and relation names as users see them.
 */
#pragma once

#include "boundary/pg_boundary.h"

extern "C" {
#include "nodes/primnodes.h"
}

#include <string>
#include <vector>

namespace tg {

std::string QuoteIdent(const std::string &name);
std::string QuoteLiteral(const std::string &value);
/*
 * An array literal of the elements, each double-quoted with '"' and '\\'
 * backslash-escaped, as array_in reads them: any name, also "NULL", one with
 * quotes, backslashes, commas or braces, comes back as it was.
 */
std::string ArrayLiteral(const std::vector<std::string> &elements);

/* The relation a name in a statement finds now (search_path applies), unlocked; InvalidOid for none or nullptr. */
Oid RelationNamed(RangeVar *rv);

/* "schema.table", quoted where needed; the OID in brackets if it is gone. */
std::string RelationDisplayName(Oid relid);

/* A regclass literal that survives renames and dump/restore: 'schema.table'::regclass */
std::string RegclassLiteral(Oid relid);

} // namespace tg
