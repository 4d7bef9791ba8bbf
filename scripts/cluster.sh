#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster with tenant_guard preloaded.
#   scripts/cluster.sh start DIR   initdb in DIR, start, write DIR/env
#   scripts/cluster.sh stop DIR    stop and remove DIR
# TG_CLUSTER_CONF may hold extra postgresql.conf lines (the benchmarks use it);
# TG_PRELOAD=no leaves tenant_guard out of shared_preload_libraries.
# Every cluster gets signing keys the same way (install_signing_keys in lib.sh):
# TG_SIGNING_KEYS, or the test keys when it is unset.
# Clients connect through a Unix socket inside DIR, so the cluster never
# collides with another server on this machine, and nothing listens on TCP.
source "$(dirname "$0")/lib.sh"

PORT=${TG_PORT:-55432}

start_cluster() {
	local dir=$1
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
	as_server_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
	[ "${TG_PRELOAD:-yes}" = no ] || cat "$REPO_ROOT/tenant_guard.conf" >>"$dir/data/postgresql.conf"
	cat >>"$dir/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
max_connections = 60
# Small, so that sql/guard_signed_tenant.sql fills the single-use ledger of
# tokens in a fraction of a second (the default is 65536).
tenant_guard.token_ledger_size = 4096
${TG_CLUSTER_CONF:-}
CONF
	install_signing_keys "$dir/data" "${TG_SIGNING_KEYS:-}"
	as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
	cat >"$dir/env" <<ENV
export PGHOST='$dir' PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
export TG_CLUSTER_DIR='$dir'
ENV
	echo "PostgreSQL $PG_MAJOR running in $dir (socket), port $PORT, tenant_guard preload: ${TG_PRELOAD:-yes}"
}

stop_cluster() {
	local dir=$1
	[ -d "$dir/data" ] || return 0
	as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
	rm -rf "$dir"
}

case "${1:-}" in
	start) start_cluster "${2:?directory}" ;;
	stop) stop_cluster "${2:?directory}" ;;
	*) die "usage: $0 start|stop DIR" ;;
esac
