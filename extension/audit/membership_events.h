/*
 * membership_events.h — rows that leave or enter an audited table without a
 * row event: DROP of an audited table or of one of its partitions (also
 * through DROP SCHEMA ... CASCADE, DROP OWNED and the like), DETACH PARTITION
 * and ATTACH PARTITION. A ProcessUtility hook notes which relations belong to
 * audited tables before such a statement and compares after it; each relation
 * that left or joined gets an event of chain 'config' (operation DROP, DETACH
 * or ATTACH, table_name the relation, the audited table's registration in
 * old_row or new_row), written in the statement's transaction, so that the
 * sealed, anchored trail shows where rows went (docs/audit.md, "Keeping the
 * trail complete").
 */
#pragma once

namespace tg::audit {

/* From InitAudit (preloading only): chains the ProcessUtility hook. */
void InitMembershipEvents();

} // namespace tg::audit
