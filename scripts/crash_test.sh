#!/usr/bin/env bash
# Crash test (part of make test): a backend killed with SIGKILL in the middle
# of protect(), and one killed while holding a tenant, make the postmaster
# restart every session and replay WAL. Afterwards nothing may be
# half-applied, the registry must agree with the catalogs, and new sessions
# must start with no tenant.
#   scripts/crash_test.sh CLUSTER_DIR
source "$(dirname "$0")/lib.sh"

CLUSTER=${1:?cluster directory}
source "$CLUSTER/env"
# The test cluster runs with synchronous_commit = off; here a commit must survive the crash.
export PGOPTIONS="-c client_min_messages=warning -c synchronous_commit=on"

say "crash test: SIGKILL during protect() and during a tenant's transaction"
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DROP DATABASE IF EXISTS tg_crash;
CREATE DATABASE tg_crash;
\c tg_crash
CREATE EXTENSION tenant_guard;
CREATE TABLE half (id int, tenant_id int) PARTITION BY RANGE (id);
CREATE TABLE half_1 PARTITION OF half FOR VALUES FROM (0) TO (100);
CREATE TABLE half_2 PARTITION OF half FOR VALUES FROM (100) TO (200);
INSERT INTO half SELECT g, g % 3 FROM generate_series(0, 199) g;
CREATE TABLE whole (id int, tenant_id int);
SELECT tenant_guard.protect('whole', create_index => true);
SQL

# protect() has run but its transaction is still open when the backend dies.
psql -qX -d tg_crash -c "BEGIN" -c "SELECT tenant_guard.protect('half', create_index => true)" \
	-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
# A tenant's transaction with a session that dies mid-way.
psql -qX -d tg_crash -c "BEGIN" -c "SET LOCAL app.tenant_id = '1'" -c "INSERT INTO whole VALUES (1, 1)" \
	-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
for _ in $(seq 100); do
	busy=$(psql -qXAt -d tg_crash -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'")
	[ "$busy" = 2 ] && break
	sleep 0.1
done
[ "$busy" = 2 ] || die "the sessions to kill did not start"
victim=$(psql -qXAt -d tg_crash -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' LIMIT 1")
$SUDO kill -KILL "$victim"
wait || true

# The postmaster restarts after a backend crash; wait until it accepts again.
for _ in $(seq 100); do
	psql -qXAt -d tg_crash -c "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.2
done

result=$(psql -qXAt -d tg_crash <<'SQL'
SELECT 'half registered: ' || count(*) FROM tenant_guard.protection WHERE table_oid::text LIKE 'half%';
SELECT 'half policies: ' || count(*) FROM pg_policy WHERE polrelid::regclass::text LIKE 'half%';
SELECT 'half rls: ' || bool_or(relrowsecurity) FROM pg_class WHERE relname LIKE 'half%';
SELECT 'whole rows: ' || count(*) FROM whole;
SELECT 'whole registered: ' || count(*) FROM tenant_guard.protection WHERE table_oid = 'whole'::regclass;
SELECT 'fresh session tenant: ' || coalesce(tenant_guard.current_tenant(), 'none');
SELECT 'check errors: ' || count(*) FROM tenant_guard.check() WHERE severity = 'error';
SQL
)
echo "$result"
expected="half registered: 0
half policies: 0
half rls: false
whole rows: 0
whole registered: 1
fresh session tenant: none
check errors: 1"
# The one error: table half has a tenant column and is not protected.
if [ "$result" != "$expected" ]; then
	echo "crash test: state after the crash is not what it must be" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# protect() works again after the crash.
psql -qX -v ON_ERROR_STOP=1 -d tg_crash -c "SELECT tenant_guard.protect('half', create_index => true)" >/dev/null
echo "1 passed, 0 failed"
