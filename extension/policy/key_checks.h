/*
 * key_checks.h — what protect() checks on a table's keys and tenant column
 * before it changes anything, because row-level security cannot fix them:
 *
 *   - a tenant column with a nondeterministic collation: under it 'acme' and
 *     'ACME' are equal, so one tenant's policy matches another's rows;
 *   - unique constraints and indexes without the tenant column: a duplicate
 *     key error (23505), or ON CONFLICT DO NOTHING inserting nothing, tells
 *     one tenant that another already has that key.
 */
#pragma once

#include "boundary/spi.h"
#include "policy/catalog.h"

#include <string>
#include <vector>

namespace tg {

/* Refuses (0A000) a tenant column whose collation is nondeterministic. */
void RequireDeterministicCollation(SpiSession &spi, const TableInfo &table,
								   const ColumnInfo &column);

/*
 * Warns about each unique key without the tenant column, or refuses (42P10)
 * when tenant_guard.unique_without_tenant = error.
 */
void CheckUniqueKeys(SpiSession &spi, const TableInfo &table, const ColumnInfo &column);

} // namespace tg
