#include "audit/membership_events.h"

#include "audit/audit_catalog.h"
#include "audit/audit_shared.h"
#include "audit/capture_triggers.h"
#include "audit/config_event.h"
#include "boundary/extension_owner.h"
#include "boundary/internal_ddl.h"
#include "boundary/pg_boundary.h"
#include "boundary/spi.h"
#include "boundary/sql_text.h"
#include "boundary/user_switch.h"
#include "boundary/utility_call.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/dependency.h"
#include "catalog/objectaccess.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/extension.h"
#include "nodes/parsenodes.h"
#include "storage/ipc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
}

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tg::audit {

namespace {

/* A relation as its events name it. */
struct Named {
	Oid relid;
	std::string table_name;
};

/*
 * A table, partitioned table or foreign table that a statement dropped, with
 * what it was a partition of at that moment (itself first, then each parent
 * up to the root), so that its audited ancestor is known after the catalogs
 * forgot it.
 */
struct Dropped {
	std::vector<Named> lineage;
	SubTransactionId subxact;
};

/* An ATTACH or DETACH, resolved before the statement (its own code may shadow the names later). */
struct PartitionMove {
	bool detach = false;
	bool concurrent = false;
	Oid parent = InvalidOid;
	Oid partition = InvalidOid;
};

/* Where a statement's frame began in each of the notes below: what it noted is its own. */
struct FrameMarks {
	size_t drops;
	size_t pins;
	size_t created;
};

ProcessUtility_hook_type prev_process_utility_hook = nullptr;
object_access_hook_type prev_object_access_hook = nullptr;

/* A column an audited table's settings name (tenant column, excluded column), by number before a statement. */
struct ColumnPin {
	Oid table;
	std::string name;
	AttrNumber attnum;
	bool tenant; /* the tenant column (else an excluded one) */
};

int utility_depth = 0;			   /* ProcessUtility calls running in this backend */
std::vector<ColumnPin> column_pins; /* of the statements running, each frame's from its mark */
std::vector<Oid> created_relations; /* made by the statements running (object_access_hook), likewise */
std::vector<Dropped> pending_drops; /* seen by the drop hook, not yet recorded */
MemoryContext note_context = nullptr; /* NoteDrop's catalog lookups, reset after each */

Named NamedRelation(Oid relid)
{
	return Named{relid, EventTableName(relid)};
}

/*
 * The relation and what it is a partition of, itself first, also while its
 * DETACH CONCURRENTLY is pending (PartitionAncestors).
 */
std::vector<Named> Lineage(Oid relid)
{
	std::vector<Named> out{NamedRelation(relid)};
	List *ancestors = PgCall(PartitionAncestors, relid);
	ListCell *lc;
	foreach (lc, ancestors)
		out.push_back(NamedRelation(lfirst_oid(lc)));
	return out;
}

/* From object_access_hook, for each relation a statement creates (its catalog row may not be visible yet). */
void NoteCreate(Oid relid)
{
	if (!proc_exit_inprogress)
		created_relations.push_back(relid);
}

/* The trail exists in this database, and tenant_guard is not installing or changing it itself. */
bool TrailInPlace()
{
	if (!IsTransactionState() || InternalDdlActive() || InSealer())
		return false;
	if (creating_extension && CurrentExtensionObject == PgCall(get_extension_oid, "tenant_guard", true))
		return false;
	return OidIsValid(PgCall(AuditRelid, "audited_tables")) && OidIsValid(PgCall(AuditRelid, "audit_events"));
}

/* Catalog lookups in a context of their own, emptied when the note is taken: a DROP SCHEMA may drop 100,000 tables. */
class NoteContext {
public:
	NoteContext()
	{
		if (note_context == nullptr)
			note_context = PgCall(AllocSetContextCreateInternal, TopMemoryContext, "tenant_guard drop notes",
								  static_cast<Size>(ALLOCSET_SMALL_MINSIZE), static_cast<Size>(ALLOCSET_SMALL_INITSIZE),
								  static_cast<Size>(ALLOCSET_SMALL_MAXSIZE));
		saved_ = MemoryContextSwitchTo(note_context);
	}
	~NoteContext()
	{
		MemoryContextSwitchTo(saved_);
		MemoryContextReset(note_context);
	}
	NoteContext(const NoteContext &) = delete;
	NoteContext &operator=(const NoteContext &) = delete;

private:
	MemoryContext saved_;
};

/*
 * From object_access_hook, for each relation a statement drops, before its
 * catalog rows go (PostgreSQL drops partitions before their parent, so the
 * parent is still there to be named).
 */
void NoteDrop(Oid relid)
{
	if (proc_exit_inprogress || !OidIsValid(PgCall(AuditRelid, "audited_tables")))
		return;
	NoteContext const context;
	char const kind = PgCall(get_rel_relkind, relid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE && kind != RELKIND_FOREIGN_TABLE)
		return;
	pending_drops.push_back(Dropped{Lineage(relid), PgCall(GetCurrentSubTransactionId)});
}

/*
 * The registry, read as the extension owner (the caller may not read it) and
 * from the latest committed state (the statement holds its locks now; under
 * REPEATABLE READ the transaction's snapshot may predate an audit() another
 * session committed).
 */
class Registry {
public:
	explicit Registry(SpiSession &spi) : spi_(spi), owner_(ExtensionOwner(spi)) {}

	/* The registrations of those of `relations` that are audited tables, with "audited_table", by OID. */
	std::map<Oid, std::string> Of(const std::vector<Named> &relations)
	{
		std::vector<std::string> oids, names;
		for (const Named &n : relations) {
			oids.push_back(std::to_string(n.relid));
			names.push_back(n.table_name);
		}
		UserSwitch as_owner(owner_);
		std::map<Oid, std::string> out;
		for (const SqlRow &r : spi_.QueryLatest(
				 "SELECT a.table_oid::pg_catalog.oid, pg_catalog.jsonb_build_object('chain', a.chain,"
				 "       'tenant_column', a.tenant_column, 'exclude_columns', a.exclude_columns,"
				 "       'audited_table', n.name)::pg_catalog.text"
				 "  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.text[]))"
				 "       AS n(relid, name)"
				 "  JOIN tenant_guard.audited_tables a ON a.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) n.relid",
				 {ArrayLiteral(oids), ArrayLiteral(names)}))
			out.emplace(SqlOid(r[0]), *r[1]);
		return out;
	}

	/* The columns an audited table's settings name: its tenant column (true) and its excluded columns. */
	std::vector<std::pair<std::string, bool>> ColumnsOf(Oid table)
	{
		UserSwitch as_owner(owner_);
		std::vector<std::pair<std::string, bool>> out;
		for (const SqlRow &r : spi_.QueryLatest(
				 "SELECT n, o OPERATOR(pg_catalog.=) 1 FROM tenant_guard.audited_tables a,"
				 "       pg_catalog.unnest(ARRAY[a.tenant_column] OPERATOR(pg_catalog.||) a.exclude_columns)"
				 "       WITH ORDINALITY AS x(n, o)"
				 " WHERE a.table_oid::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid AND n IS NOT NULL",
				 {std::to_string(table)}))
			out.emplace_back(*r[0], SqlBool(r[1]));
		return out;
	}

	/* Dropped audited tables leave it; their events stay. */
	void Forget(const std::vector<std::string> &oids)
	{
		UserSwitch as_owner(owner_);
		spi_.ExecuteLatest("DELETE FROM tenant_guard.audited_tables WHERE table_oid::pg_catalog.oid"
					 " OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])",
					 {ArrayLiteral(oids)});
	}

	/*
	 * Of `subjects` (what a statement created, attached, made inherit or made
	 * unlogged, with their partitions), one in an audited tree that the trail
	 * cannot vouch for: a child by plain inheritance or a foreign table (no
	 * capture trigger covers it), or an unlogged table (a crash empties it
	 * without events); with the audited table's name. Only the statement's
	 * subjects: something wrong elsewhere is check()'s to report, and must
	 * not make every later DDL command fail.
	 */
	std::optional<std::pair<Oid, std::string>> Uncaptured(const std::vector<Oid> &subjects)
	{
		std::vector<std::string> oids;
		for (Oid relid : subjects)
			oids.push_back(std::to_string(relid));
		UserSwitch as_owner(owner_);
		std::vector<SqlRow> const found = spi_.QueryLatest(
			"WITH RECURSIVE tree (relid, root) AS ("
			"  SELECT a.table_oid::pg_catalog.oid, a.table_oid::pg_catalog.oid FROM tenant_guard.audited_tables a"
			"  UNION ALL"
			"  SELECT i.inhrelid, t.root FROM pg_catalog.pg_inherits i JOIN tree t"
			"    ON i.inhparent OPERATOR(pg_catalog.=) t.relid)"
			" SELECT t.relid, t.root FROM tree t JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid"
			" WHERE t.relid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])"
			"   AND (c.relkind OPERATOR(pg_catalog.=) 'f'"
			"        OR (c.relkind OPERATOR(pg_catalog.=) 'r' AND c.relpersistence OPERATOR(pg_catalog.=) 'u')"
			"        OR (t.relid OPERATOR(pg_catalog.<>) t.root AND NOT c.relispartition))"
			" LIMIT 1",
			{ArrayLiteral(oids)});
		if (found.empty())
			return std::nullopt;
		return std::make_pair(SqlOid(found[0][0]), RelationDisplayName(SqlOid(found[0][1])));
	}

private:
	SpiSession &spi_;
	Oid owner_;
};

/*
 * One DROP event per dropped relation and audited table it belonged to (a
 * table audited on its own inside an audited tree belongs to both); a dropped
 * audited table leaves the registry.
 */
void RecordDrops(Registry &registry, size_t mark)
{
	std::vector<Dropped> drops(std::make_move_iterator(pending_drops.begin() + static_cast<long>(mark)),
							   std::make_move_iterator(pending_drops.end()));
	pending_drops.resize(mark);
	std::vector<Named> lineages;
	for (const Dropped &d : drops)
		lineages.insert(lineages.end(), d.lineage.begin(), d.lineage.end());
	std::map<Oid, std::string> const registered = registry.Of(lineages);
	if (registered.empty())
		return;
	std::vector<std::string> forgotten;
	for (const Dropped &d : drops) {
		/* Dropped in a subtransaction that was rolled back: it is still there. */
		if (PgCall(get_rel_relkind, d.lineage.front().relid) != '\0')
			continue;
		for (const Named &member_of : d.lineage) {
			auto const reg = registered.find(member_of.relid);
			if (reg != registered.end())
				WriteConfigEvent("DROP", d.lineage.front().table_name, reg->second, std::nullopt);
		}
		if (registered.count(d.lineage.front().relid) > 0)
			forgotten.push_back(std::to_string(d.lineage.front().relid));
	}
	if (!forgotten.empty())
		registry.Forget(forgotten);
}

/* The partition and its own partitions, which move with it. */
std::vector<Named> Subtree(Oid relid)
{
	std::vector<Named> out;
	for (Oid member : InheritorsOf(relid))
		if (member == relid || PgCall(get_rel_relispartition, member))
			out.push_back(NamedRelation(member));
	return out;
}

bool IsPartitionOf(Oid partition, Oid parent)
{
	return PgCall(get_rel_relispartition, partition) && PgCall(get_partition_parent, partition, true) == parent;
}

/*
 * ATTACH or DETACH PARTITION, judged after the statement under the locks it
 * took, on the relations named before it ran: the partition (and its
 * partitions) joined or left every audited table the parent belongs to. One
 * that left and belongs to no audited table any more loses its TRUNCATE
 * capture trigger; one that joined gets it here too (session_replication_role
 * = replica skips the event trigger that does it otherwise).
 */
void RecordPartitionMove(SpiSession &spi, Registry &registry, const PartitionMove &move)
{
	if (!OidIsValid(move.parent) || !OidIsValid(move.partition))
		return;
	/* The statement did nothing to them (DETACH FINALIZE of one already detached). */
	if (IsPartitionOf(move.partition, move.parent) == move.detach)
		return;
	std::map<Oid, std::string> const audited_parent = registry.Of(Lineage(move.parent));
	if (audited_parent.empty())
		return;
	std::vector<Named> const moved = Subtree(move.partition);
	for (const Named &m : moved)
		for (const auto &[root, registration] : audited_parent)
			WriteConfigEvent(move.detach ? "DETACH" : "ATTACH", m.table_name,
							 move.detach ? std::optional<std::string>(registration) : std::nullopt,
							 move.detach ? std::nullopt : std::optional<std::string>(registration));
	if (!move.detach) {
		std::vector<Oid> relids;
		for (const Named &m : moved)
			relids.push_back(m.relid);
		AddMissingTruncateTriggers(spi, &relids);
		return;
	}
	/* Still audited after the DETACH only through a table audited inside the moved tree itself. */
	std::map<Oid, std::string> const audited_inside = registry.Of(moved);
	for (const Named &m : moved) {
		std::vector<Named> const lineage = Lineage(m.relid);
		bool const covered = std::any_of(lineage.begin(), lineage.end(),
										 [&](const Named &n) { return audited_inside.count(n.relid) > 0; });
		if (!covered)
			DropTruncateTriggers(spi, m.relid);
	}
}

/* The text of the statement pstmt is, out of a query string that may hold several. */
std::string StatementText(PlannedStmt *pstmt, const char *query_string)
{
	if (query_string == nullptr)
		return "";
	std::string_view text(query_string);
	size_t const start = pstmt->stmt_location > 0 ? static_cast<size_t>(pstmt->stmt_location) : 0;
	if (start >= text.size())
		return "";
	text.remove_prefix(start);
	if (pstmt->stmt_len > 0 && static_cast<size_t>(pstmt->stmt_len) < text.size())
		text = text.substr(0, static_cast<size_t>(pstmt->stmt_len));
	return std::string(text);
}

/* The tables a statement on relid changes: relid, or the tables OF a composite type. */
std::vector<Oid> TablesOf(SpiSession &spi, Oid relid)
{
	if (PgCall(get_rel_relkind, relid) != RELKIND_COMPOSITE_TYPE)
		return {relid};
	std::vector<Oid> out;
	for (const SqlRow &r : spi.Query("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.reloftype OPERATOR(pg_catalog.=)"
									 " (SELECT t.reltype FROM pg_catalog.pg_class t"
									 "   WHERE t.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid) ORDER BY c.oid",
									 {std::to_string(relid)}))
		out.push_back(SqlOid(r[0]));
	return out;
}

/*
 * ALTER COLUMN ... TYPE rewrites every row of an audited table, with USING
 * any value at all (the tenant column's too), and no row event says so: one
 * event ALTER per audited table whose rows it rewrote, with the statement in
 * new_row, so that the row events before and after it can be reconciled.
 * The statement may name an audited table, a partition of one, a parent
 * above one (it recurses down), or a composite type (ALTER TYPE ... ALTER
 * ATTRIBUTE ... CASCADE rewrites the tables OF that type).
 */
void RecordColumnRewrite(SpiSession &spi, Registry &registry, Oid relid, const std::string &statement)
{
	if (!OidIsValid(relid))
		return;
	auto const write = [&](const std::string &table_name, const std::string &registration) {
		SqlValue const image = spi.Value("SELECT ($1::pg_catalog.jsonb OPERATOR(pg_catalog.||)"
										 " pg_catalog.jsonb_build_object('statement', $2))::pg_catalog.text",
										 {registration, statement});
		WriteConfigEvent("ALTER", table_name, std::nullopt, *image);
	};
	for (Oid target : TablesOf(spi, relid)) {
		std::string const table_name = EventTableName(target);
		for (const auto &[root, registration] : registry.Of(Lineage(target)))
			write(table_name, registration);
		std::vector<Named> below = Subtree(target);
		below.erase(below.begin()); /* the target itself, judged above */
		for (const auto &[root, registration] : registry.Of(below))
			write(EventTableName(root), registration);
	}
}

bool HasCommand(AlterTableStmt *stmt, AlterTableType type)
{
	ListCell *lc;
	foreach (lc, stmt->cmds)
		if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == type)
			return true;
	return false;
}

/* An ALTER TABLE or ALTER FOREIGN TABLE, else nullptr. */
AlterTableStmt *AlterOfTable(Node *stmt)
{
	if (stmt == nullptr || !IsA(stmt, AlterTableStmt))
		return nullptr;
	auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
	return alter->objtype == OBJECT_TABLE || alter->objtype == OBJECT_FOREIGN_TABLE ? alter : nullptr;
}

/*
 * What a statement may have put into an audited tree that the trail cannot
 * vouch for: the relations it created (object_access_hook, since `mark`),
 * and those an ATTACH, INHERIT or SET UNLOGGED named before it ran, each
 * with its partitions.
 */
std::vector<Oid> Subjects(size_t created_mark, const PartitionMove &move, Oid altered)
{
	std::vector<Oid> named(created_relations.begin() + static_cast<long>(created_mark), created_relations.end());
	for (Oid relid : {move.detach ? InvalidOid : move.partition, altered})
		if (OidIsValid(relid) && PgCall(get_rel_relkind, relid) != '\0') {
			std::vector<Oid> const tree = InheritorsOf(relid);
			named.insert(named.end(), tree.begin(), tree.end());
		}
	/* Indexes, sequences, TOAST tables and the like hold no rows of their own. */
	std::vector<Oid> out;
	for (Oid relid : named) {
		char const kind = PgCall(get_rel_relkind, relid);
		if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE || kind == RELKIND_FOREIGN_TABLE)
			out.push_back(relid);
	}
	return out;
}

/* Before the statement: the table an ALTER TABLE ... INHERIT or SET UNLOGGED names. */
Oid ResolveAltered(PlannedStmt *pstmt)
{
	AlterTableStmt *alter = AlterOfTable(pstmt->utilityStmt);
	if (alter == nullptr || !(HasCommand(alter, AT_AddInherit) || HasCommand(alter, AT_SetUnLogged)))
		return InvalidOid;
	return RelationNamed(alter->relation);
}

/*
 * After a statement that could have put one there, under its locks: refuses
 * (the ERROR rolls the statement back) a relation in an audited tree that no
 * capture trigger can see. A child by plain inheritance gets neither the row
 * trigger (PostgreSQL clones it to partitions only) nor a TRUNCATE trigger; a
 * foreign table's rows live and change on another server, and it cannot have
 * a TRUNCATE trigger. Judged on the catalogs, not on the statement's names.
 */
void RefuseUncaptured(Registry &registry, const std::vector<Oid> &subjects)
{
	std::optional<std::pair<Oid, std::string>> const found = registry.Uncaptured(subjects);
	if (!found)
		return;
	auto const &[relid, audited] = *found;
	char const kind = PgCall(get_rel_relkind, relid);
	char const persistence = PgCall(get_rel_persistence, relid);
	std::string const what = RelationDisplayName(relid);
	std::string const hint = "call tenant_guard.unaudit(" + QuoteLiteral(audited) + ") first.";
	if (persistence == RELPERSISTENCE_UNLOGGED && kind != RELKIND_FOREIGN_TABLE)
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
					"cannot have unlogged table " + what + " in audited table " + audited,
					"A crash empties an unlogged table without any event, and a standby never has its "
					"rows: the trail would show rows that are gone.",
					"Keep it logged (ALTER TABLE " + what + " SET LOGGED), or " + hint);
	bool const foreign = kind == RELKIND_FOREIGN_TABLE;
	throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
				"cannot put " + std::string(foreign ? "foreign table " : "inheritance child ") + what +
					" into audited table " + audited,
				foreign ? "A foreign table's rows live and change on another server, and it cannot have a "
						  "TRUNCATE capture trigger."
						: "A child by inheritance gets no capture trigger: its rows would be read and changed "
						  "through the audited table unrecorded.",
				"Add rows to an audited table as a partition of it (CREATE TABLE ... PARTITION OF, or ATTACH "
				"PARTITION of a table), or " + hint);
}

/* Before the statement: the relations an ATTACH or DETACH names, while its own code cannot have run. */
PartitionMove ResolveMove(PlannedStmt *pstmt)
{
	AlterTableStmt *alter = AlterOfTable(pstmt->utilityStmt);
	if (alter == nullptr || alter->objtype != OBJECT_TABLE || list_length(alter->cmds) != 1)
		return {};
	auto *cmd = static_cast<AlterTableCmd *>(linitial(alter->cmds));
	PartitionMove move;
	move.detach = cmd->subtype == AT_DetachPartition || cmd->subtype == AT_DetachPartitionFinalize;
	if (!move.detach && cmd->subtype != AT_AttachPartition)
		return {};
	auto *partcmd = reinterpret_cast<PartitionCmd *>(cmd->def);
	move.parent = RelationNamed(alter->relation);
	move.partition = RelationNamed(partcmd->name);
	move.concurrent = partcmd->concurrent;
	return move;
}

/* Before the statement: what it names for a column rewrite (a table, or a composite type). */
Oid ResolveRewrite(PlannedStmt *pstmt)
{
	Node *stmt = pstmt->utilityStmt;
	if (stmt == nullptr || !IsA(stmt, AlterTableStmt))
		return InvalidOid;
	auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
	if ((alter->objtype != OBJECT_TABLE && alter->objtype != OBJECT_TYPE) || !HasCommand(alter, AT_AlterColumnType))
		return InvalidOid;
	return RelationNamed(alter->relation);
}

/* A statement that renames or drops columns: the relation (or composite type) it names. */
Oid ResolveColumnChange(Node *stmt)
{
	RangeVar *relation = nullptr;
	if (stmt != nullptr && IsA(stmt, RenameStmt)) {
		auto *rename = reinterpret_cast<RenameStmt *>(stmt);
		if (rename->renameType == OBJECT_COLUMN || rename->renameType == OBJECT_ATTRIBUTE)
			relation = rename->relation;
	} else if (stmt != nullptr && IsA(stmt, AlterTableStmt)) {
		auto *alter = reinterpret_cast<AlterTableStmt *>(stmt);
		if (HasCommand(alter, AT_DropColumn))
			relation = alter->relation;
	}
	return RelationNamed(relation);
}

/*
 * Before a RENAME or DROP of a column: the columns that the settings of every
 * audited table it reaches name, by number. The capture trigger finds them by
 * name, so a rename would hand the tenant, or the exclusion of a secret, to
 * another column.
 */
void PinColumns(PlannedStmt *pstmt)
{
	Oid const relid = ResolveColumnChange(pstmt->utilityStmt);
	if (!OidIsValid(relid) || !TrailInPlace())
		return;
	SpiSession spi;
	Registry registry(spi);
	for (Oid table : TablesOf(spi, relid)) {
		std::vector<Named> reached = Lineage(table);
		std::vector<Named> const below = Subtree(table);
		reached.insert(reached.end(), below.begin() + 1, below.end());
		for (const auto &[root, registration] : registry.Of(reached))
			for (const auto &[name, tenant] : registry.ColumnsOf(root)) {
				const char *column = name.c_str();
				column_pins.push_back(ColumnPin{root, name, PgCall(get_attnum, root, column), tenant});
			}
	}
}

/* The pinned column still exists under another name. */
bool ColumnRenamedAway(const ColumnPin &pin)
{
	HeapTuple tuple = PgCall(SearchSysCacheCopy, static_cast<int>(ATTNUM), ObjectIdGetDatum(pin.table),
							 Int16GetDatum(pin.attnum), static_cast<Datum>(0), static_cast<Datum>(0));
	if (tuple == nullptr)
		return false;
	bool const dropped = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple))->attisdropped;
	PgCall(heap_freetuple, tuple);
	return !dropped;
}

/* After it: each pinned column is still the same column under the same name. */
void RequirePinnedColumns(size_t mark)
{
	for (size_t i = mark; i < column_pins.size(); i++) {
		const ColumnPin &pin = column_pins[i];
		if (PgCall(get_rel_relkind, pin.table) == '\0')
			continue; /* dropped with it: recorded as a DROP */
		const char *column = pin.name.c_str();
		AttrNumber const now = PgCall(get_attnum, pin.table, column);
		if (now == pin.attnum)
			continue;
		/* An excluded column dropped takes its values with it; a new one of that name is excluded too. */
		if (!pin.tenant && now == InvalidAttrNumber && !ColumnRenamedAway(pin))
			continue;
		std::string const table = RelationDisplayName(pin.table);
		throw Error(ERRCODE_FEATURE_NOT_SUPPORTED,
					std::string(pin.tenant ? "cannot rename or drop" : "cannot rename") + " column \"" + pin.name +
						"\" of audited table " + table,
					"The table's audit settings name it (its tenant column or an excluded column), and the "
					"capture trigger finds it by name: the rows' tenant, or the exclusion of a secret, would "
					"move to another column.",
					"Call tenant_guard.unaudit(" + QuoteLiteral(table) + ") first and audit it again with the "
					"new names afterwards, in the same transaction.");
	}
}

/* CREATE TABLE ... PARTITION OF (a new partition has no rows, but needs its TRUNCATE trigger). */
bool CreatesPartition(Node *stmt)
{
	return stmt != nullptr && IsA(stmt, CreateStmt) && reinterpret_cast<CreateStmt *>(stmt)->partbound != nullptr;
}

/*
 * The names an ATTACH, DETACH or column rewrite gave must name after it what
 * they named before it: its own code (a partition key's function, a default)
 * or another session while it waited for a lock (a rename, a table created
 * earlier in search_path) could make them name something else, and the event
 * would then be written for the wrong table, or for none.
 */
void RequireSameRelations(PlannedStmt *pstmt, const PartitionMove &move, Oid rewritten)
{
	PartitionMove const after = ResolveMove(pstmt);
	if (after.parent == move.parent && after.partition == move.partition && ResolveRewrite(pstmt) == rewritten)
		return;
	throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
				"the tables named by ALTER TABLE on an audited table changed while it ran",
				"A name now finds another table than when the statement began: code it ran, or another "
				"session, changed search_path or renamed or created a table meanwhile, and the audit "
				"trail could not say which table moved.",
				move.concurrent
					? "The first step of DETACH CONCURRENTLY is committed: complete it with ALTER TABLE ... "
					  "DETACH PARTITION ... FINALIZE."
					: "Run the statement again, with schema-qualified names.");
}

/*
 * After a statement: pinned columns unchanged, anything it put into an
 * audited tree that the trail cannot vouch for, TRUNCATE triggers for the
 * partitions it made, what it dropped (the drops noted since its frame
 * began: those of a statement around it are that one's to record, in its own
 * subtransaction), what its ATTACH or DETACH moved, and a column rewrite.
 * Within tenant_guard's own DDL nothing is judged.
 */
void RecordMembershipChanges(PlannedStmt *pstmt, const char *query_string, const FrameMarks &marks,
							 const PartitionMove &move, Oid rewritten, Oid altered)
{
	if (column_pins.size() > marks.pins)
		RequirePinnedColumns(marks.pins);
	bool const drops = pending_drops.size() > marks.drops;
	bool const moves = OidIsValid(move.partition);
	bool const created = created_relations.size() > marks.created;
	if ((!drops && !moves && !OidIsValid(rewritten) && !OidIsValid(altered) && !created) || !TrailInPlace())
		return;
	/* What the statement did is visible to the lookups and queries below. */
	PgCall(CommandCounterIncrement);
	std::vector<Oid> const subjects = Subjects(marks.created, move, altered);
	if (moves || OidIsValid(rewritten))
		RequireSameRelations(pstmt, move, rewritten);
	SpiSession spi;
	Registry registry(spi);
	if (!subjects.empty())
		RefuseUncaptured(registry, subjects);
	/* Also where no event trigger runs: CREATE SCHEMA's own statements, session_replication_role = replica. */
	if (created && CreatesPartition(pstmt->utilityStmt)) {
		std::vector<Oid> const made(created_relations.begin() + static_cast<long>(marks.created),
									created_relations.end());
		AddMissingTruncateTriggers(spi, &made);
	}
	if (drops)
		RecordDrops(registry, marks.drops);
	if (moves)
		RecordPartitionMove(spi, registry, move);
	if (OidIsValid(rewritten))
		RecordColumnRewrite(spi, registry, rewritten, StatementText(pstmt, query_string));
}

/* Leaving a frame: what it noted is its own, recorded or not. */
void ForgetSince(const FrameMarks &marks) noexcept
{
	if (pending_drops.size() > marks.drops)
		pending_drops.resize(marks.drops);
	if (column_pins.size() > marks.pins)
		column_pins.resize(marks.pins);
	if (created_relations.size() > marks.created)
		created_relations.resize(marks.created);
}


/*
 * A subtransaction rolled back (an EXCEPTION block around a statement that
 * had finished): its drops are undone, and so are the events recorded for
 * them (RecordDrops also checks that each relation is really gone). Noted
 * drops still pending belong to the subtransaction that made them. Plain
 * vector operations on small structs: nothing here can throw.
 */
void ForgetDropsOfSubxact(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent) noexcept
{
	if (event == SUBXACT_EVENT_COMMIT_SUB) {
		for (Dropped &d : pending_drops)
			if (d.subxact == subxact)
				d.subxact = parent;
		return;
	}
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	pending_drops.erase(std::remove_if(pending_drops.begin(), pending_drops.end(),
									   [subxact](const Dropped &d) { return d.subxact == subxact; }),
						pending_drops.end());
}

/* Nothing noted outlives its transaction (a procedure's COMMIT included). */
void ForgetDropsAtEnd(XactEvent event) noexcept
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) {
		pending_drops.clear();
		created_relations.clear();
	}
}

} // namespace

} // namespace tg::audit

extern "C" {

struct MembershipCall {
	tg::UtilityCall utility;
	tg::audit::FrameMarks marks;
	tg::audit::PartitionMove move;
	Oid rewritten;
	Oid altered;
};

static void tg_membership_resolve(MembershipCall *call)
{
	call->move = tg::audit::ResolveMove(call->utility.pstmt);
	call->rewritten = tg::audit::ResolveRewrite(call->utility.pstmt);
	call->altered = tg::audit::ResolveAltered(call->utility.pstmt);
	tg::audit::PinColumns(call->utility.pstmt);
}

static void tg_membership_run(void *arg)
{
	auto *call = static_cast<MembershipCall *>(arg);
	tg::InvokeCpp(tg_membership_resolve, call);
	tg::CallNextUtility(&call->utility);
	tg::InvokeCpp(tg::audit::RecordMembershipChanges, call->utility.pstmt, call->utility.query_string,
				  call->marks, call->move, call->rewritten, call->altered);
}

static void tg_membership_leave(void *arg)
{
	auto *call = static_cast<MembershipCall *>(arg);
	tg::audit::utility_depth--;
	tg::audit::ForgetSince(call->marks);
}

/* A plain C frame around every utility statement, so that drops in nested ones are seen too. */
static void tg_membership_process_utility(PlannedStmt *pstmt, const char *query_string,
										  bool read_only_tree, ProcessUtilityContext context,
										  ParamListInfo params, QueryEnvironment *query_env,
										  DestReceiver *dest, QueryCompletion *qc)
{
	MembershipCall call{{tg::audit::prev_process_utility_hook, pstmt, query_string, read_only_tree,
						 context, params, query_env, dest, qc},
						{tg::audit::pending_drops.size(), tg::audit::column_pins.size(),
						 tg::audit::created_relations.size()},
						{},
						InvalidOid,
						InvalidOid};
	tg::audit::utility_depth++;
	tg::CallWithCleanup(tg_membership_run, tg_membership_leave, &call);
}

static void tg_membership_object_access(ObjectAccessType access, Oid class_id, Oid object_id, int sub_id,
										void *arg)
{
	if (tg::audit::prev_object_access_hook != nullptr)
		tg::audit::prev_object_access_hook(access, class_id, object_id, sub_id, arg);
	if (class_id != RelationRelationId || sub_id != 0 || tg::audit::utility_depth == 0)
		return;
	/* PostgreSQL's own deletions (a rewrite's transient heap) drop nothing of the user's. */
	if (access == OAT_DROP && !(static_cast<ObjectAccessDrop *>(arg)->dropflags & PERFORM_DELETION_INTERNAL))
		tg::InvokeCpp(tg::audit::NoteDrop, object_id);
	else if (access == OAT_POST_CREATE)
		tg::InvokeCpp(tg::audit::NoteCreate, object_id);
}

static void tg_membership_subxact(SubXactEvent event, SubTransactionId subxact, SubTransactionId parent, void *)
{
	tg::audit::ForgetDropsOfSubxact(event, subxact, parent);
}

static void tg_membership_xact(XactEvent event, void *) { tg::audit::ForgetDropsAtEnd(event); }
}

namespace tg::audit {

void InitMembershipEvents()
{
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = tg_membership_process_utility;
	prev_object_access_hook = object_access_hook;
	object_access_hook = tg_membership_object_access;
	RegisterSubXactCallback(tg_membership_subxact, nullptr);
	RegisterXactCallback(tg_membership_xact, nullptr);
}

} // namespace tg::audit
