#!/usr/bin/env bash
# The PgBouncer soak test (part of make test): a real PgBouncer on loopback in
# transaction mode with 2 server connections, 8 clients over 2 tenants mixing
# careful per-transaction tenants (half of them set by a signed token minted
# per transaction) with sloppy session-level ones and replays of used tokens.
#   scripts/pooling_soak.sh CLUSTER_DIR [CLIENTS] [TRANSACTIONS_PER_CLIENT]
# Needs the cluster from scripts/cluster.sh (its env file) and the CMake build.
source "$(dirname "$0")/lib.sh"

CLUSTER=${1:?cluster directory}
CLIENTS=${2:-8}
TRANSACTIONS=${3:-500}
source "$CLUSTER/env"
PORT=${TG_POOLER_PORT:-56432}

say "PgBouncer soak: $CLIENTS clients x $TRANSACTIONS transactions, 2 server connections"
PGOPTIONS="-c client_min_messages=warning" psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DROP DATABASE IF EXISTS tg_soak;
CREATE DATABASE tg_soak;
SQL
PGOPTIONS="-c client_min_messages=warning" psql -qX -v ON_ERROR_STOP=1 -d tg_soak >/dev/null <<'SQL'
CREATE EXTENSION tenant_guard;
DO $$ BEGIN CREATE ROLE tg_soak_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE TABLE soak_items (id bigserial PRIMARY KEY, tenant_id text NOT NULL, payload text);
SELECT tenant_guard.protect('soak_items', create_index => true);
GRANT SELECT, INSERT ON soak_items TO tg_soak_app;
GRANT USAGE ON SEQUENCE soak_items_id_seq TO tg_soak_app;
BEGIN;
SET LOCAL app.tenant_id = 'tenant-a';
INSERT INTO soak_items (payload) SELECT 'seed' FROM generate_series(1, 20);
SET LOCAL app.tenant_id = 'tenant-b';
INSERT INTO soak_items (payload) SELECT 'seed' FROM generate_series(1, 20);
COMMIT;
SQL

bouncer="$CLUSTER/pgbouncer"
mkdir -p "$bouncer"
echo '"tg_soak_app" ""' >"$bouncer/userlist.txt"
cat >"$bouncer/pgbouncer.ini" <<INI
[databases]
tg_soak = host=$PGHOST port=$PGPORT dbname=tg_soak
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $bouncer/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 50
logfile = $bouncer/pgbouncer.log
pidfile = $bouncer/pgbouncer.pid
INI
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$bouncer"
# PgBouncer refuses to run as root, like PostgreSQL.
# Debian installs it in /usr/sbin, which is not on a normal user's PATH.
as_server_user "${PGBOUNCER:-/usr/sbin/pgbouncer}" -d "$bouncer/pgbouncer.ini"
stop_bouncer() { kill "$(cat "$bouncer/pgbouncer.pid" 2>/dev/null)" 2>/dev/null || true; }
trap stop_bouncer EXIT
for _ in $(seq 50); do
	psql -qXAt "host=127.0.0.1 port=$PORT dbname=tg_soak user=tg_soak_app" -c 'SELECT 1' >/dev/null 2>&1 && break
	sleep 0.1
done

# The client signs with the cluster's first key (install_signing_keys in lib.sh).
TG_SOAK_SIGNING_KEY=$(grep -m1 -v '^#' "$CLUSTER/data/tenant_guard_keys")
export TG_SOAK_SIGNING_KEY
status=0
"$REPO_ROOT/build/tlint_pooler_soak" "host=127.0.0.1 port=$PORT dbname=tg_soak user=tg_soak_app" \
	"$CLIENTS" "$TRANSACTIONS" 2>"$bouncer/soak.err" || status=$?
if [ "$status" -ne 0 ]; then
	head -20 "$bouncer/soak.err"
	exit "$status"
fi
