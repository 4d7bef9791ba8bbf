/*
 * citus.h — what the policy generator must know when the database is a Citus
 * coordinator: whether Citus is installed here, and how a table is placed.
 *
 * Citus forwards the generator's DDL (NOT NULL, RLS, policies) to every shard
 * placement, but refuses some of it on the distribution column, and creates a
 * table's shards on the workers before the table's own name exists there.
 * So in a Citus database the generated policies name no relation, and the
 * tenant column gets no default (see docs/scale-out.md).
 */
#pragma once

#include "boundary/spi.h"

#include <optional>
#include <string>

namespace tg {

enum class CitusPlacement {
	Local,		 /* not a Citus table, or no Citus at all */
	Distributed, /* hash-distributed: one shard per range of the distribution column */
	Reference,	 /* one copy on every node */
	Other,		 /* a Citus local or single-shard table */
};

struct CitusTable {
	bool citus_installed = false; /* the citus extension exists in this database */
	CitusPlacement placement = CitusPlacement::Local;
	std::optional<std::string> distribution_column;
};

CitusTable LoadCitusTable(SpiSession &spi, Oid relid);

/* Citus refuses ALTER COLUMN ... DEFAULT and DROP NOT NULL on a distribution column. */
bool IsDistributionColumn(const CitusTable &table, const std::string &column);

/* A table distributed by another column than the tenant's works, but every query fans out. */
void WarnIfNotDistributedByTenant(const std::string &table_name, const CitusTable &table,
								  const std::string &column);

} // namespace tg
