/*
 * audit_catalog.h — where the audit trail lives: the OIDs of its relations
 * (looked up by name through the syscache, so a reinstalled extension is
 * found again) and the column positions of audit_events, which the capture
 * trigger writes and verify_audit() reads without SQL.
 */
#pragma once

extern "C" {
#include "postgres.h"
}

namespace tg::audit {

/* audit_events columns, 1-based, in the order of tenant_guard--1.1.sql. */
enum EventColumn : int {
	kSeq = 1,
	kChainId,
	kFormatVersion,
	kOccurredAt,
	kTxid,
	kTxOrdinal,
	kSessionActor,
	kActor,
	kTableName,
	kOperation,
	kTenantId,
	kOldRow,
	kNewRow,
	kChangedColumns,
	kApplicationName,
	kClientAddr,
	kRowHash,
	kEventColumns = kRowHash
};

/* The relation's OID in schema tenant_guard, or InvalidOid. */
Oid AuditRelid(const char *name);

/* Like AuditRelid, but an ERROR (55000) naming the missing relation. */
Oid RequireAuditRelid(const char *name);

} // namespace tg::audit
