#!/usr/bin/env bash
# `make installcheck-citus`: tenant_guard on a real Citus cluster.
#   1. builds Citus from ../shared/citus/citus-13.2.2.tar.gz into the PostgreSQL
#      of PG_CONFIG when it is not installed there (the build tree stays in
#      /var/cache/tenant_guard, so a second build is a no-op);
#   2. starts a coordinator and two workers on 127.0.0.1 with
#      shared_preload_libraries = 'citus,tenant_guard' (a third node is
#      started but only added by the suite, to test placements after a rebalance);
#   3. runs the pg_regress suite tests/citus/ against the coordinator;
#   4. stops every node, also on failure.
# Citus has no Debian 12 package, hence the source build. The extension itself
# must already be installed (scripts/test.sh does that; this script does it too).
source "$(dirname "$0")/lib.sh"

CITUS_VERSION=13.2.2
CITUS_TARBALL=${CITUS_TARBALL:-$REPO_ROOT/../shared/citus/citus-$CITUS_VERSION.tar.gz}
CITUS_CACHE=${CITUS_CACHE:-/var/cache/tenant_guard}
# Coordinator port; the workers take the next three. Beside TG_PORT, which the
# normal suites' cluster uses (it listens on no TCP port, but keep them apart).
CITUS_PORT=${TG_CITUS_PORT:-$((${TG_PORT:-55432} + 2))}

# Packages Citus's configure and build need beyond those of scripts/deps.sh.
CITUS_BUILD_PACKAGES=(
	build-essential autoconf flex bison pkg-config
	liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev libxml2-dev
	libpam0g-dev libssl-dev libreadline-dev zlib1g-dev libicu-dev libldap2-dev
)

PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
SHAREDIR=$("$PG_CONFIG" --sharedir)
SERVER_INCLUDEDIR=$("$PG_CONFIG" --includedir-server)

install_build_packages() {
	local missing=() pkg status
	for pkg in "${CITUS_BUILD_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing the packages Citus needs to build: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

citus_installed() {
	[ -f "$PKGLIBDIR/citus.so" ] &&
		grep -q "^default_version = '13.2-" "$SHAREDIR/extension/citus.control" 2>/dev/null
}

# PostgreSQL 15.14+ headers export have_createdb_privilege(), of which Citus 13
# keeps a static copy for PG < 16: the two declarations clash. Only when the
# server header declares it, use that declaration instead of the copy.
patch_createdb_privilege() {
	local tree=$1 header=$1/src/include/pg_version_compat.h
	grep -q 'have_createdb_privilege' "$SERVER_INCLUDEDIR/commands/dbcommands.h" || return 0
	grep -q '^have_createdb_privilege(void)' "$header" || return 0
	perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n/#include "commands\/dbcommands.h"\n/s' "$header"
	grep -q '^have_createdb_privilege(void)' "$header" && die "could not patch $header"
	echo "patched $header: have_createdb_privilege() comes from commands/dbcommands.h"
}

# One build tree per server (version and pg_config path), kept between runs.
build_citus() {
	local pg_version tree
	pg_version=$("$PG_CONFIG" --version | awk '{print $2}')
	tree=$CITUS_CACHE/citus-$CITUS_VERSION-$pg_version-$(printf '%s' "$PG_CONFIG" | cksum | cut -d' ' -f1)
	[ -f "$CITUS_TARBALL" ] || die "Citus source not found: $CITUS_TARBALL"
	install_build_packages
	if [ ! -f "$tree/config.status" ]; then
		say "configuring Citus $CITUS_VERSION in $tree"
		$SUDO mkdir -p "$CITUS_CACHE"
		$SUDO chown "$(id -u):$(id -g)" "$CITUS_CACHE"
		rm -rf "$tree"
		mkdir -p "$tree"
		tar -xzf "$CITUS_TARBALL" -C "$tree" --strip-components=1
		patch_createdb_privilege "$tree"
		# No libcurl: it only serves Citus's anonymous usage statistics.
		(cd "$tree" && ./configure PG_CONFIG="$PG_CONFIG" --without-libcurl >configure.log) ||
			{ tail -n 30 "$tree/config.log"; die "Citus configure failed"; }
	fi
	say "building Citus $CITUS_VERSION for $PG_CONFIG"
	make -C "$tree" -j2 -s >/dev/null
	$SUDO make -C "$tree" install -s >/dev/null
	citus_installed || die "Citus build finished but citus.so is not in $PKGLIBDIR"
}

NODES=(coordinator worker1 worker2 worker3)
DATABASE=tg_citus

node_port() { echo $((CITUS_PORT + $1)); }

start_node() {
	local dir=$1 port=$2
	as_server_user mkdir -p "$dir"
	as_server_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
	cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus,tenant_guard'
fsync = off
synchronous_commit = off
max_connections = 100
# Shard moves by the rebalancer copy through logical replication.
wal_level = logical
CONF
	# The coordinator verifies set_tenant() tokens; every node gets the test keys
	# the way every cluster of ours does.
	install_signing_keys "$dir/data"
	as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
}

node_sql() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -p "$1" -d "$2" -c "$3"; }

# Coordinator and workers 1-2 form the cluster; worker 3 runs with Citus
# created but joins only when the suite calls citus_add_node.
start_cluster() {
	local root=$1 i
	[ "$(id -u)" -eq 0 ] && chown postgres: "$root"
	for i in "${!NODES[@]}"; do
		start_node "$root/${NODES[$i]}" "$(node_port "$i")"
		node_sql "$(node_port "$i")" postgres "CREATE DATABASE $DATABASE"
		node_sql "$(node_port "$i")" "$DATABASE" "CREATE EXTENSION citus"
	done
	node_sql "$(node_port 0)" "$DATABASE" "SELECT citus_set_coordinator_host('127.0.0.1', $(node_port 0))" >/dev/null
	for i in 1 2; do
		node_sql "$(node_port 0)" "$DATABASE" "SELECT citus_add_node('127.0.0.1', $(node_port "$i"))" >/dev/null
	done
	echo "Citus cluster in $root: coordinator 127.0.0.1:$(node_port 0), workers $(node_port 1) $(node_port 2), spare $(node_port 3)"
}

stop_cluster() {
	local root=$1 node
	for node in "${NODES[@]}"; do
		[ -d "$root/$node/data" ] &&
			as_server_user "$PG_BINDIR/pg_ctl" -D "$root/$node/data" -m fast -w stop >/dev/null || true
	done
	rm -rf "$root"
}

# The suite's files, in the order of the schedule.
run_suite() {
	local regress_dir
	regress_dir=$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress
	export TG_CITUS_WORKER1_PORT=$(node_port 1) TG_CITUS_WORKER2_PORT=$(node_port 2) \
		TG_CITUS_WORKER3_PORT=$(node_port 3)
	rm -rf "$REPO_ROOT/tests/citus/results"
	"$regress_dir/pg_regress" --bindir="$PG_BINDIR" --inputdir="$REPO_ROOT/tests/citus" \
		--outputdir="$REPO_ROOT/tests/citus" --schedule="$REPO_ROOT/tests/citus/schedule" \
		--use-existing --dbname="$DATABASE" --host=127.0.0.1 --port="$(node_port 0)" --user=postgres
}

run() {
	citus_installed || build_citus
	build_and_install_extension
	CLUSTER=$(mktemp -d /tmp/tenant_guard_citus.XXXXXX)
	trap 'stop_cluster "$CLUSTER"' EXIT
	say "starting a Citus cluster (coordinator and two workers)"
	start_cluster "$CLUSTER"
	say "Citus suite (tests/citus)"
	if ! run_suite; then
		cat "$REPO_ROOT/tests/citus/regression.diffs" 2>/dev/null || true
		exit 1
	fi
}

case "${1:-run}" in
	run) run ;;
	build) citus_installed || build_citus ;;
	# For development: a cluster to run the suite against by hand.
	start) start_cluster "${2:?directory}" ;;
	stop) stop_cluster "${2:?directory}" ;;
	suite) run_suite ;;
	*) die "usage: $0 [run|build|start DIR|suite|stop DIR]" ;;
esac
