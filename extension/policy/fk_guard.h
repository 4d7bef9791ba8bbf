/*
 * fk_guard.h — tenant-safe foreign keys.
 *
 * PostgreSQL checks foreign keys as the referenced table's owner with RLS
 * off, so a row of tenant A may reference, and so probe for, a key of tenant
 * B. For each foreign key between two protected tables whose columns do not
 * pair the tenant columns, protect() adds a BEFORE INSERT OR UPDATE trigger
 * (tenant_guard.fk_tenant_check) on the referencing table that demands the
 * referenced row belong to the new row's tenant. It fails exactly as for a
 * key that exists nowhere, so the error reveals nothing.
 */
#pragma once

#include "boundary/spi.h"

namespace tg {

/* Adds missing guards for foreign keys where relid is either side. Returns whether any was added. */
bool EnsureForeignKeyGuards(SpiSession &spi, Oid relid);

/* Drops guards on relid whose foreign key is gone (renamed or dropped): they check nothing. */
bool DropOrphanedForeignKeyGuards(SpiSession &spi, Oid relid);

/* Drops the guards on relid and the guards of foreign keys that reference relid. */
void DropForeignKeyGuards(SpiSession &spi, Oid relid);

} // namespace tg
