#include "boundary/sql_text.h"

extern "C" {
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace tg {

std::string QuoteIdent(const std::string &name)
{
	const char *raw = name.c_str();
	return PgCall(quote_identifier, raw);
}

std::string QuoteLiteral(const std::string &value)
{
	const char *raw = value.c_str();
	return PgCall(quote_literal_cstr, raw);
}

std::string ArrayLiteral(const std::vector<std::string> &elements)
{
	std::string out = "{";
	for (size_t i = 0; i < elements.size(); i++) {
		out += i ? ",\"" : "\"";
		for (char c : elements[i]) {
			if (c == '"' || c == '\\')
				out += '\\';
			out += c;
		}
		out += '"';
	}
	return out + "}";
}

Oid RelationNamed(RangeVar *rv)
{
	if (rv == nullptr)
		return InvalidOid;
	return PgCall(RangeVarGetRelidExtended, rv, NoLock, RVR_MISSING_OK,
				  static_cast<RangeVarGetRelidCallback>(nullptr), static_cast<void *>(nullptr));
}

std::string RelationDisplayName(Oid relid)
{
	const char *relname = PgCall(get_rel_name, relid);
	if (relname == nullptr)
		return "[relation " + std::to_string(relid) + "]";
	Oid const nsp = PgCall(get_rel_namespace, relid);
	/* pg_temp_N differs per session; pg_temp is how users write it. */
	const char *nspname =
		PgCall(isAnyTempNamespace, nsp) ? "pg_temp" : PgCall(get_namespace_name, nsp);
	return PgCall(quote_qualified_identifier, nspname, relname);
}

std::string RegclassLiteral(Oid relid)
{
	return QuoteLiteral(RelationDisplayName(relid)) + "::regclass";
}

} // namespace tg
