/*
 * membership_events.h — rows that leave or enter an audited table without a
 * row event: DROP of an audited table or of one of its partitions (also
 * through DROP SCHEMA ... CASCADE, DROP OWNED and the like), DETACH PARTITION
 * and ATTACH PARTITION, and rows rewritten in place by ALTER COLUMN ... TYPE
 * (event ALTER, the statement in new_row). Each relation that left or joined an audited table
 * gets an event of chain 'config' (operation DROP, DETACH or ATTACH,
 * table_name the relation, the audited table's registration in old_row or
 * new_row), written at the end of the statement that moved it, in its
 * (sub)transaction, so that the sealed, anchored trail shows where rows went
 * (docs/audit.md, "Keeping the trail complete").
 *
 * What moved is read from the statement itself, never from a comparison of
 * snapshots (which would take in other sessions' DDL, and miss what this one
 * sees only under its locks): drops from object_access_hook, relation by
 * relation as PostgreSQL deletes them, with what each was a partition of at
 * that moment; ATTACH and DETACH from the ALTER TABLE, judged after it under
 * its locks. A ProcessUtility hook wraps every statement, nested ones
 * included, and also refuses beforehand what would put rows into an audited
 * table unseen by any capture trigger (inheritance children, foreign-table
 * partitions).
 */
#pragma once

namespace tg::audit {

/* From InitAudit (preloading only): chains the ProcessUtility and object access hooks. */
void InitMembershipEvents();

} // namespace tg::audit
