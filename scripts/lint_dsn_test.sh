#!/usr/bin/env bash
# tenant-lint --dsn against the running test cluster (run by scripts/test.sh after
# the pg_regress suites, with the cluster's environment): tables, tenant columns,
# tenant_guard's registry and a table's own RLS are read from the database.
source "$(dirname "$0")/lib.sh"

say "tenant-lint --dsn against the test cluster"
LINT="$REPO_ROOT/build/tenant-lint"
DB=tg_lint_dsn
export PGOPTIONS="-c client_min_messages=error"
psql -qX -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
psql -qX -d "$DB" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
CREATE TABLE orders (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);
SELECT tenant_guard.protect('orders');
CREATE TABLE audit (id bigint, tenant_id uuid NOT NULL, line text);
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit FORCE ROW LEVEL SECURITY;
CREATE POLICY iso ON audit USING (tenant_id = current_setting('app.tenant_id')::uuid);
CREATE TABLE notes (id bigint, tenant_id uuid, body text);
CREATE TABLE plans (code text, price numeric);
SQL
dsn="dbname=$DB"
work=$(mktemp -d /tmp/tenant_lint_dsn.XXXXXX)
trap 'rm -rf "$work"; psql -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT

fail() { echo "lint --dsn test failed: $*" >&2; exit 1; }

"$LINT" --no-config --dsn "$dsn" --print-schema >"$work/schema.txt"
cat >"$work/expected.txt" <<TXT
public.audit: tenant column tenant_id (database $DB); row-level security of its own (database $DB (row-level security policy iso))
public.notes: tenant column tenant_id (database $DB); not protected
public.orders: tenant column tenant_id (database $DB (tenant_guard.protection)); protected by tenant_guard (database $DB (tenant_guard.protection))
public.plans: no tenant column (database $DB)
TXT
diff -u "$work/expected.txt" "$work/schema.txt" || fail "--print-schema differs"

printf '%s\n' "SELECT * FROM orders WHERE tenant_id = \$1;" "SELECT * FROM plans;" >"$work/ok.sql"
"$LINT" --no-config --dsn "$dsn" "$work/ok.sql" >/dev/null || fail "a clean file did not exit 0"

printf '%s\n' "SELECT * FROM notes;" "SELECT * FROM audit;" "SELECT * FROM orders;" >"$work/bad.sql"
status=0
"$LINT" --no-config --dsn "$dsn" --format json "$work/bad.sql" >"$work/bad.json" || status=$?
[ "$status" -eq 1 ] || fail "three violations exited $status, not 1"
[ "$(grep -c '"severity": "error"' "$work/bad.json")" -eq 3 ] || fail "expected three errors"

# --trust-rls: the protected table and the one with its own RLS become info.
status=0
"$LINT" --no-config --dsn "$dsn" --trust-rls --format json "$work/bad.sql" >"$work/trust.json" || status=$?
[ "$status" -eq 1 ] || fail "--trust-rls exited $status, not 1 (notes is unprotected)"
[ "$(grep -c '"severity": "info"' "$work/trust.json")" -eq 2 ] || fail "expected two info findings"

status=0
"$LINT" --no-config --dsn "dbname=no_such_db_here" "$work/ok.sql" 2>"$work/err.txt" || status=$?
[ "$status" -eq 2 ] || fail "an unreachable database exited $status, not 2"
grep -q "cannot connect to the database" "$work/err.txt" || fail "no connection error message"
echo "  tenant-lint --dsn: 6 checks passed"
