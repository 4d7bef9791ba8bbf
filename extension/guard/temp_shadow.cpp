#include "guard/temp_shadow.h"

#include "boundary/pg_boundary.h"
#include "boundary/sql_text.h"
#include "guard/protected_relations.h"
#include "tenant/exemption.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
}

namespace tg {

namespace {

/* The name a statement may have given a relation, or nullptr. */
const char *NewRelationName(Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_CreateStmt:
		return reinterpret_cast<CreateStmt *>(stmt)->relation->relname;
	case T_CreateTableAsStmt:
		return reinterpret_cast<CreateTableAsStmt *>(stmt)->into->rel->relname;
	case T_ViewStmt:
		return reinterpret_cast<ViewStmt *>(stmt)->view->relname;
	case T_CreateSeqStmt:
		return reinterpret_cast<CreateSeqStmt *>(stmt)->sequence->relname;
	case T_RenameStmt: {
		auto *rename = reinterpret_cast<RenameStmt *>(stmt);
		bool const renames_relation =
			rename->renameType == OBJECT_TABLE || rename->renameType == OBJECT_VIEW ||
			rename->renameType == OBJECT_SEQUENCE || rename->renameType == OBJECT_MATVIEW ||
			rename->renameType == OBJECT_FOREIGN_TABLE;
		return renames_relation ? rename->newname : nullptr;
	}
	default:
		return nullptr;
	}
}

struct NamedRelation {
	Oid relid = InvalidOid;
	bool is_protected = false;
};

/*
 * A permanent relation called name in any schema (relid InvalidOid: none);
 * protected tables first, since those are the ones to name in the error.
 * Plain C frame.
 */
NamedRelation PermanentRelationNamed(const char *name)
{
	Relation classes = table_open(RelationRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_class_relname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum(name));
	SysScanDesc scan = systable_beginscan(classes, ClassNameNspIndexId, true, nullptr, 1, &key);
	NamedRelation found;
	HeapTuple tuple;
	while (!found.is_protected && HeapTupleIsValid(tuple = systable_getnext(scan))) {
		auto *form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
		bool const capturable = form->relkind == RELKIND_RELATION ||
								form->relkind == RELKIND_PARTITIONED_TABLE ||
								form->relkind == RELKIND_VIEW || form->relkind == RELKIND_MATVIEW ||
								form->relkind == RELKIND_FOREIGN_TABLE ||
								form->relkind == RELKIND_SEQUENCE;
		if (!capturable || form->relpersistence == RELPERSISTENCE_TEMP ||
			isAnyTempNamespace(form->relnamespace))
			continue;
		bool const is_protected = IsProtectedRelation(form->oid);
		if (is_protected || !OidIsValid(found.relid))
			found = {form->oid, is_protected};
	}
	systable_endscan(scan);
	table_close(classes, AccessShareLock);
	return found;
}

} // namespace

void CheckTempShadowing(Node *stmt)
{
	const char *name = NewRelationName(stmt);
	if (name == nullptr)
		return;
	/* Only an existing temporary schema can hold the new name; no lookup creates one. */
	Oid const temp_schema = PgCall(LookupExplicitNamespace, "pg_temp", true);
	if (!OidIsValid(temp_schema) || !OidIsValid(PgCall(get_relname_relid, name, temp_schema)))
		return;
	NamedRelation const shadowed = PgCall(PermanentRelationNamed, name);
	if (!OidIsValid(shadowed.relid) || PgCall(CurrentRoleIsExempt))
		return;
	std::string const what = shadowed.is_protected ? "protected table " : "relation ";
	throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
				std::string("temporary relation \"") + name + "\" would shadow " + what +
					RelationDisplayName(shadowed.relid),
				"Unqualified names resolve in pg_temp first, so on a pooled connection it would "
				"capture another client's statements on that relation (a view over a protected "
				"table, too).",
				std::string("Give the temporary relation another name, e.g. tmp_") + name + ".");
}

} // namespace tg
