/*
 * capture_plan.h — what the capture trigger works out once per backend
 * instead of once per statement: the plan of each audit trigger (the
 * relation's name, its tenant column, its row image plan), the trail's
 * relations and the indexes of the relation events go to, and the role
 * names written as actors.
 *
 * pgbench-like workloads run one statement per transaction, so per-statement
 * set-up was paid per row. Everything here is dropped when PostgreSQL
 * invalidates what it was derived from: a relcache invalidation of the
 * audited relation (ALTER TABLE, RENAME, a re-created trigger with other
 * excluded columns) or of a trail relation (CREATE INDEX, DROP EXTENSION), a
 * renamed schema, a renamed role. Invalidation callbacks only mark the cache
 * stale; it is freed when the next capture call starts, never under a
 * pointer a running call holds (invalidations are processed inside lock
 * acquisitions, in the middle of a capture).
 *
 * C-style on purpose: called through PgCall by the trigger.
 */
#pragma once

#include "audit/row_image.h"

extern "C" {
#include "postgres.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "nodes/execnodes.h"
}

namespace tg::audit {

/* What the trigger needs for every row of one audited relation. */
struct CapturePlan {
	bool global_chain;
	AttrNumber tenant_attnum; /* 0: the transaction's tenant */
	FmgrInfo tenant_output;
	RowPlan *row;
	const char *table_name; /* the audited relation, schema-qualified and quoted */
	Datum table_name_text;	/* the same as a text datum, for the event tuple */
	const char **changed_names;
};

/* An index of the relation events are inserted into. */
struct EventIndex {
	Oid relid;
	IndexInfo *info;
};

/* The relation events are inserted into, with its (plain column) indexes. */
struct EventTarget {
	Oid relid;
	int nindexes;
	EventIndex *indexes;
};

/*
 * Marks the start and the end of a capture call: a stale cache is freed at
 * the start of an outermost call. EndCaptureCall must run also when the
 * call fails (the trigger does it from a destructor).
 */
void BeginCaptureCall();
void EndCaptureCall();

/* The trigger's plan for the relation it fired on. */
CapturePlan *CapturePlanFor(FunctionCallInfo fcinfo, TriggerData *td);

/* OIDs of tenant_guard.audit_events and tenant_guard.audit_event_seq (ERROR 55000 if absent). */
Oid EventsRelid();
Oid EventSeqRelid();

/* The indexes of rel (open, locked by the caller); ERROR 0A000 for an expression or partial index. */
const EventTarget *EventTargetFor(Relation rel);

/* A role's name, as GetUserNameFromId returns it. */
const char *RoleName(Oid roleid);

} // namespace tg::audit
