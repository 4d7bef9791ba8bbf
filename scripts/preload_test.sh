#!/usr/bin/env bash
# Preload test (part of make test): on a server without tenant_guard in
# shared_preload_libraries, CREATE EXTENSION and LOAD must be refused with an
# ERROR whose hint names shared_preload_libraries, and the session must
# survive (it used to die with FATAL: cannot create PGC_POSTMASTER variables
# after startup).
#   scripts/preload_test.sh
source "$(dirname "$0")/lib.sh"

CLUSTER=$(mktemp -d /tmp/tenant_guard_nopreload.XXXXXX)
trap '"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
TG_PRELOAD=no TG_PORT=$((${TG_PORT:-55432} + 2)) "$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"

say "preload test: without shared_preload_libraries the library refuses to load"
out=$(psql -X -v VERBOSITY=default 2>&1 <<'SQL'
CREATE EXTENSION tenant_guard;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT 'alive after CREATE EXTENSION' AS probe;
LOAD 'tenant_guard';
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT 'alive after LOAD' AS probe;
CREATE EXTENSION tenant_guard;
SELECT 'alive after a second CREATE EXTENSION' AS probe;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'tenant_guard';
SQL
)
passed=0
failed=0
expect() {
	if grep -qF -- "$2" <<<"$out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "preload test: $1: expected \"$2\"" >&2
	fi
}
expect "refused with an ERROR" "ERROR:  tenant_guard must be loaded through shared_preload_libraries"
expect "the hint names the setting" "HINT:  Add tenant_guard to shared_preload_libraries in postgresql.conf"
expect "SQLSTATE 55000" "sqlstate 55000"
expect "the session survives CREATE EXTENSION" "alive after CREATE EXTENSION"
expect "the session survives LOAD" "alive after LOAD"
expect "a second attempt is refused again" "alive after a second CREATE EXTENSION"
expect "nothing was installed" "         0"
[ "$(grep -c 'must be loaded through shared_preload_libraries' <<<"$out")" = 3 ] && passed=$((passed + 1)) ||
	{ failed=$((failed + 1)); echo "preload test: each of the three attempts must be refused" >&2; }
if grep -q FATAL <<<"$out"; then failed=$((failed + 1)); echo "preload test: a FATAL error ended the session" >&2; fi
[ "$failed" -eq 0 ] || echo "$out" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
