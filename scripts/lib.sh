# Shared helpers for the developer scripts (sourced, not run).
# Everything here must work on a fresh Debian 12 machine, as root (CI) or as a
# normal user with sudo.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
# PG_CONFIG picks the server: Debian's by default, or another build of
# PostgreSQL 15 (the assert-enabled one) whose binaries sit beside it.
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}
PG_BINDIR=$(dirname "$PG_CONFIG")

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# PostgreSQL refuses to run as root, so as root the server runs as the
# "postgres" system user that the postgresql-15 package creates.
as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Build and install the extension (install needs root for the shared dirs).
build_and_install_extension() {
	say "building the extension"
	make -C "$REPO_ROOT" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
	say "installing the extension into PostgreSQL $PG_MAJOR"
	$SUDO make -C "$REPO_ROOT" install PG_CONFIG="$PG_CONFIG" >/dev/null
}

# The pg_regress suites of the source tree $1 (built against PG_CONFIG) on the
# cluster of the environment; prints the diffs when one fails.
run_regress_suites() {
	local tree=$1
	if make -C "$tree" installcheck PG_CONFIG="$PG_CONFIG"; then return 0; fi
	cat "$tree/regression.diffs" 2>/dev/null || true
	return 1
}

# The pgTAP suites, in a database of their own on the cluster of the environment.
run_pgtap_suites() {
	psql -qX -c 'CREATE DATABASE tg_tap' >/dev/null
	(cd "$REPO_ROOT" && pg_prove --dbname tg_tap --ext .sql pgtap/)
}

# Configure and build the CMake part (tenant-lint and unit tests).
build_cmake_tree() {
	say "building tenant-lint and the unit tests"
	cmake -S "$REPO_ROOT" -B "$REPO_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$REPO_ROOT/build" -j"$(nproc)"
}

# Signing keys for signed tenant tokens in every cluster the project starts
# (tests, demo, benchmarks): test-only secrets, two keys as during a rotation.
TG_TEST_SIGNING_KEYS="test1:YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=
test2:YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI="

# install_signing_keys DATADIR [KEYS]: writes KEYS (key_id:base64_secret lines;
# default the test keys) to DATADIR/tenant_guard_keys, owned by the server's OS
# user with mode 0600 (the server refuses anything more open), and points
# tenant_guard.signing_keys_file at it. Takes effect at start or reload.
install_signing_keys() {
	local datadir=$1 keys=${2:-$TG_TEST_SIGNING_KEYS}
	printf '%s\n' "$keys" | as_server_user sh -c 'umask 077; cat >"$1"' sh "$datadir/tenant_guard_keys"
	chmod 0600 "$datadir/tenant_guard_keys"
	echo "tenant_guard.signing_keys_file = 'tenant_guard_keys'" >>"$datadir/postgresql.conf"
}
