#!/usr/bin/env bash
# Upgrade test (part of make test): ALTER EXTENSION tenant_guard UPDATE from
# every earlier version, on a database with protected tables, must yield the
# same objects as a fresh install of the default version. Objects are compared
# by their definitions (functions, views, tables and columns, indexes,
# policies, triggers, event triggers, grants), not by name only.
#   scripts/upgrade_test.sh CLUSTER_DIR
source "$(dirname "$0")/lib.sh"

CLUSTER=${1:?cluster directory}
source "$CLUSTER/env"
export PGOPTIONS="-c client_min_messages=warning"
latest=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO_ROOT/tenant_guard.control")

# The same schema and protect() calls in both databases.
fixture() {
	cat <<'SQL'
CREATE TABLE up_customers (id int, tenant_id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE up_orders (id int, tenant_id uuid, customer_id int,
	FOREIGN KEY (tenant_id, customer_id) REFERENCES up_customers) PARTITION BY HASH (tenant_id);
CREATE TABLE up_orders_0 PARTITION OF up_orders FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE up_orders_1 PARTITION OF up_orders FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SELECT tenant_guard.protect('up_customers');
SELECT tenant_guard.protect('up_orders', create_index => true);
SQL
}

# Audited tables (1.1): after the update in the upgraded database.
audit_fixture() {
	cat <<'SQL'
CREATE TABLE up_ledger (id int, tenant_id uuid NOT NULL, secret text, PRIMARY KEY (tenant_id, id));
SELECT tenant_guard.protect('up_ledger');
SELECT tenant_guard.audit('up_ledger', exclude_columns => '{secret}');
SELECT tenant_guard.audit('up_orders', chain => 'global');
SQL
}

# One line per object of the extension and per object protect() made, with its definition.
describe() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
WITH ext AS (
	SELECT d.classid, d.objid FROM pg_depend d
	  JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
	 WHERE e.extname = 'tenant_guard' AND d.deptype = 'e'
)
SELECT 'function ' || p.oid::regprocedure || ': ' || pg_get_functiondef(p.oid)
       || ' acl=' || coalesce(p.proacl::text, '-')
  FROM ext JOIN pg_proc p ON ext.classid = 'pg_proc'::regclass AND p.oid = ext.objid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind=' || c.relkind::text || ' acl=' || coalesce(c.relacl::text, '-')
       || coalesce(' view=' || pg_get_viewdef(c.oid), '')
       || ' columns=' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                                            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                            || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), ''),
                                            ', ' ORDER BY a.attnum)
                            FROM pg_attribute a
                            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
       || ' constraints=' || coalesce((SELECT string_agg(pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
                                         FROM pg_constraint k WHERE k.conrelid = c.oid), '-')
  FROM ext JOIN pg_class c ON ext.classid = 'pg_class'::regclass AND c.oid = ext.objid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
  FROM ext JOIN pg_index i ON ext.classid = 'pg_class'::regclass AND i.indrelid = ext.objid
UNION ALL
SELECT 'event trigger ' || t.evtname || ' on ' || t.evtevent || ' tags=' || coalesce(t.evttags::text, '-')
       || ' function=' || t.evtfoid::regprocedure || ' enabled=' || t.evtenabled::text
  FROM ext JOIN pg_event_trigger t ON ext.classid = 'pg_event_trigger'::regclass AND t.oid = ext.objid
UNION ALL
SELECT 'type ' || t.oid::regtype
  FROM ext JOIN pg_type t ON ext.classid = 'pg_type'::regclass AND t.oid = ext.objid
UNION ALL
SELECT 'schema acl ' || coalesce(n.nspacl::text, '-') FROM pg_namespace n WHERE n.nspname = 'tenant_guard'
UNION ALL
SELECT 'policy ' || pol.polname || ' on ' || pol.polrelid::regclass || ' cmd=' || pol.polcmd::text
       || ' permissive=' || pol.polpermissive || ' roles=' || pol.polroles::text
       || ' using=' || coalesce(pg_get_expr(pol.polqual, pol.polrelid), '-')
       || ' check=' || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '-')
  FROM pg_policy pol
UNION ALL
SELECT 'trigger ' || tg.tgname || ' on ' || tg.tgrelid::regclass || ': ' || pg_get_triggerdef(tg.oid)
       || ' enabled=' || tg.tgenabled::text
  FROM pg_trigger tg WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'registry ' || table_oid::text || ' ' || tenant_column || ' ' || tenant_type::text
       || ' parent=' || coalesce(parent::text, '-')
  FROM tenant_guard.protection
UNION ALL
SELECT 'audited ' || table_oid::text || ' chain=' || chain || ' tenant=' || coalesce(tenant_column::text, '-')
       || ' exclude=' || exclude_columns::text
  FROM tenant_guard.audited_tables
UNION ALL
SELECT 'role ' || rolname || ' login=' || rolcanlogin FROM pg_roles WHERE rolname = 'tenant_guard_auditor'
ORDER BY 1
SQL
}

say "upgrade test: ALTER EXTENSION tenant_guard UPDATE against a fresh $latest install"
failed=0
passed=0
for script in "$REPO_ROOT"/extension/sql/tenant_guard--[0-9]*.sql; do
	from=$(basename "$script" .sql | sed -n 's/^tenant_guard--\([0-9.]*\)$/\1/p')
	[ -n "$from" ] && [ "$from" != "$latest" ] || continue
	psql -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
DROP DATABASE IF EXISTS tg_upgrade_old WITH (FORCE);
DROP DATABASE IF EXISTS tg_upgrade_new WITH (FORCE);
CREATE DATABASE tg_upgrade_old;
CREATE DATABASE tg_upgrade_new;
SQL
	{ echo "CREATE EXTENSION tenant_guard VERSION '$from';"; fixture
	  echo "ALTER EXTENSION tenant_guard UPDATE;"; audit_fixture; } |
		psql -qX -v ON_ERROR_STOP=1 -d tg_upgrade_old >/dev/null
	{ echo "CREATE EXTENSION tenant_guard;"; fixture; audit_fixture; } |
		psql -qX -v ON_ERROR_STOP=1 -d tg_upgrade_new >/dev/null
	describe tg_upgrade_old >"$CLUSTER/upgrade.old"
	describe tg_upgrade_new >"$CLUSTER/upgrade.new"
	if diff "$CLUSTER/upgrade.old" "$CLUSTER/upgrade.new" >"$CLUSTER/upgrade.diff"; then
		echo "upgrade $from -> $latest: same objects as a fresh install ($(wc -l <"$CLUSTER/upgrade.new") compared)"
		passed=$((passed + 1))
	else
		echo "upgrade $from -> $latest differs from a fresh install (< upgraded, > fresh):" >&2
		head -40 "$CLUSTER/upgrade.diff" >&2
		failed=$((failed + 1))
	fi
done
# FORCE: the databases' audit sealers are connected to them.
psql -qX -c 'DROP DATABASE tg_upgrade_old WITH (FORCE)' -c 'DROP DATABASE tg_upgrade_new WITH (FORCE)' >/dev/null
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
