#!/usr/bin/env bash
# `make installcheck-cassert`: the pg_regress and pgTAP suites on PostgreSQL 15
# built with --enable-cassert from Debian's own source package. Such a server
# checks its assertions and overwrites freed memory (CLOBBER_FREED_MEMORY), so
# a use after free in the extension shows as garbage or a crash, not as luck.
#
# The server is built once into TG_CASSERT_PREFIX; a stamp file there records
# the source version and configure options, and a later run with the same ones
# reuses the build. The extension is built from a copy of the sources, so the
# working tree keeps its objects for Debian's server.
source "$(dirname "$0")/lib.sh"

# Run from `make installcheck-cassert`, the inherited MAKELEVEL would tell
# PostgreSQL's build that a top-level make already generated its headers.
unset MAKELEVEL MAKEFLAGS MFLAGS

CACHE=${TG_CASSERT_CACHE:-/var/cache/tenant_guard}
# The name must contain "postgres": Debian's 50-per-version-dirs.patch sends
# every other prefix's modules to the system's /usr/lib/postgresql/15/lib.
PREFIX=${TG_CASSERT_PREFIX:-$CACHE/postgresql-$PG_MAJOR-cassert}
STAMP=$PREFIX/tenant_guard-build.stamp
WORK=$CACHE/work
export TG_PORT=${TG_CASSERT_PORT:-55590}
SOURCE_PACKAGE=postgresql-$PG_MAJOR
CONFIGURE_OPTS=(--enable-cassert --enable-debug --with-openssl --with-icu)
SRC_LIST=/etc/apt/sources.list.d/tenant_guard-deb-src

# deb-src entries for the Debian archives the machine already installs from,
# in both formats apt reads (deb822 *.sources, one-line sources.list), unless
# the source package is known already.
add_deb_src() {
	if [ -n "$(apt-cache showsrc "$SOURCE_PACKAGE" 2>/dev/null)" ]; then return 0; fi
	say "adding deb-src entries for the Debian archives ($SRC_LIST.*)"
	local f deb822="" oneline=""
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$SRC_LIST.sources" ] || continue
		deb822+=$(awk 'BEGIN { RS = ""; FS = "\n" }
			/(^|\n)Types:[^\n]*deb/ && /(^|\n)URIs:[^\n]*debian/ && !/(^|\n)Enabled: *no/ {
				for (i = 1; i <= NF; i++) print ($i ~ /^Types:/ ? "Types: deb-src" : $i)
				print "" }' "$f")$'\n\n'
	done
	[ -f /etc/apt/sources.list ] && oneline=$(sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' /etc/apt/sources.list)
	[ -n "$deb822$oneline" ] || die "no Debian archive in the apt sources to add deb-src entries for"
	[ -z "$deb822" ] || printf '%s\n' "$deb822" | $SUDO tee "$SRC_LIST.sources" >/dev/null
	[ -z "$oneline" ] || printf '%s\n' "$oneline" | $SUDO tee "$SRC_LIST.list" >/dev/null
	$SUDO apt-get update -qq
}

# Source versions to try: the installed server's first, then the others, newest first.
candidate_versions() {
	local installed
	installed=$(dpkg-query -W -f='${Version}' "$SOURCE_PACKAGE" 2>/dev/null || true)
	apt-cache showsrc "$SOURCE_PACKAGE" | sed -n 's/^Version: //p' | sort -u |
		awk -v inst="$installed" '$0 == inst { print "0 " $0; next } { print "1 " $0 }' |
		sort -k1,1n -k2,2rV | cut -d' ' -f2
}

stamp_for() {
	printf 'source %s %s\nconfigure --prefix=%s %s\n' "$SOURCE_PACKAGE" "$1" "$PREFIX" "${CONFIGURE_OPTS[*]}"
}

# Builds the server from the unpacked source in $1 (version $2) into PREFIX.
build_server() {
	local src=$1 version=$2 log=$CACHE/build-postgresql.log
	say "building PostgreSQL $version with ${CONFIGURE_OPTS[*]} (log: $log)"
	rm -rf "$PREFIX"
	if ! (cd "$src" && ./configure --prefix="$PREFIX" "${CONFIGURE_OPTS[@]}" &&
		check_module_dir "$src" && make -j2 && make -C contrib/pgcrypto -j2 &&
		make install && make -C contrib/pgcrypto install) >"$log" 2>&1; then
		tail -n 40 "$log"
		die "building PostgreSQL $version failed (log: $log)"
	fi
	stamp_for "$version" >"$STAMP"
}

# Refuses a configuration whose modules would not land inside PREFIX (see PREFIX).
check_module_dir() {
	local dir
	dir=$(printf 'include Makefile.global\nprint:\n\t@echo $(pkglibdir)\n' |
		make -s -C "$1/src" -f - print subdir=src top_builddir=..)
	case "$dir" in
		"$PREFIX"/*) ;;
		*) echo "modules would go to $dir, outside $PREFIX" >&2; return 1 ;;
	esac
}

# The newest source that downloads, reusing the build of it if the stamp matches.
ensure_server() {
	add_deb_src
	local version dir=$CACHE/source
	for version in $(candidate_versions); do
		if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_for "$version")" ]; then
			echo "reusing PostgreSQL $version with ${CONFIGURE_OPTS[*]} in $PREFIX"
			return 0
		fi
		say "fetching the source of $SOURCE_PACKAGE $version"
		rm -rf "$dir" && mkdir -p "$dir"
		if (cd "$dir" && apt-get source -qq "$SOURCE_PACKAGE=$version" >"$dir/fetch.log" 2>&1); then
			build_server "$(find "$dir" -mindepth 1 -maxdepth 1 -type d)" "$version"
			rm -rf "$dir"
			return 0
		fi
		grep -m1 '^E:' "$dir/fetch.log" || true
		echo "the source of $version does not download; trying an older one"
	done
	die "no source of $SOURCE_PACKAGE downloads"
}

# A copy of the extension's sources, without the working tree's objects (built
# for Debian's server), built and installed for the assert-enabled server.
build_extension_copy() {
	say "building the extension against $PREFIX (in $WORK/src)"
	rm -rf "$WORK" && mkdir -p "$WORK/src"
	local controls
	controls=$(cd "$REPO_ROOT" && echo *.control)
	# shellcheck disable=SC2086 # one word per control file
	tar -C "$REPO_ROOT" --exclude='*.o' --exclude='*.d' --exclude='*.so' --exclude='*.bc' -cf - \
		Makefile $controls tenant_guard.conf extension common sql expected |
		tar -C "$WORK/src" -xf -
	make -C "$WORK/src" -j2 PG_CONFIG="$PG_CONFIG" >"$WORK/build.log" 2>&1 ||
		{ tail -n 40 "$WORK/build.log"; die "building the extension failed (log: $WORK/build.log)"; }
	make -C "$WORK/src" install PG_CONFIG="$PG_CONFIG" >/dev/null
}

# pgTAP is SQL only: Debian's postgresql-15-pgtap files serve any 15 server.
install_pgtap() {
	local ext_dir
	ext_dir=$("$PG_CONFIG" --sharedir)/extension
	dpkg -L "postgresql-$PG_MAJOR-pgtap" | grep -E '/extension/pgtap[^/]*\.(control|sql)$' |
		xargs cp -t "$ext_dir"
}

# The assert-enabled server reports a failed assertion with TRAP and a crash
# with "terminated by signal"; neither may appear in its log.
check_server_log() {
	local log=$1
	if grep -E 'TRAP:|terminated by signal|PANIC:' "$log"; then
		echo "server log: assertion failures or crashes (above; log: $log)"
		return 1
	fi
	echo "server log: no assertion failure, no crash"
}

[ -d "$CACHE" ] || $SUDO mkdir -p "$CACHE"
[ -w "$CACHE" ] || $SUDO chown "$(id -u):$(id -g)" "$CACHE"

"$REPO_ROOT/scripts/deps.sh" cassert
ensure_server
# Only the server changes: the suites run with the same psql as `make test`
# (pg_regress takes the last --bindir, pg_prove the psql on PATH), since psql
# releases differ in output the expected files record (what follows a COPY
# FROM STDIN that fails before copying, for one).
export EXTRA_REGRESS_OPTS="--bindir=$PG_BINDIR"
export PG_CONFIG=$PREFIX/bin/pg_config PG_BINDIR=$PREFIX/bin
build_extension_copy
install_pgtap

CLUSTER=$(mktemp -d /tmp/tenant_guard_cassert.XXXXXX)
trap 'cp "$CLUSTER/server.log" "$WORK/server.log" 2>/dev/null || true
	"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER"
source "$CLUSTER/env"

# Every suite runs even when one fails: the point is to see all that breaks.
say "pg_regress suites (assert-enabled server)"
run_regress_suites "$WORK/src" 2>&1 | tee "$WORK/regress.out" || true
regress_total=$(find "$WORK/src/sql" -maxdepth 1 -name '*.sql' | wc -l)
regress_ok=$(grep -cE ' \.\.\. ok +[0-9]+ ms' "$WORK/regress.out" || true)

say "pgTAP suites (assert-enabled server)"
run_pgtap_suites 2>&1 | tee "$WORK/pgtap.out" || true
pgtap_total=$(find "$REPO_ROOT/pgtap" -name '*.sql' | wc -l)
pgtap_ok=$(grep -cE '^pgtap/[^ ]+\.sql \.+ ok' "$WORK/pgtap.out" || true)

say "server log"
cp "$CLUSTER/server.log" "$WORK/server.log"
log_ok=1
check_server_log "$WORK/server.log" || log_ok=0

passed=$((regress_ok + pgtap_ok + log_ok))
failed=$((regress_total - regress_ok + pgtap_total - pgtap_ok + 1 - log_ok))
say "assert-enabled run: pg_regress $regress_ok/$regress_total, pgTAP $pgtap_ok/$pgtap_total, server log $([ $log_ok = 1 ] && echo clean || echo 'with TRAP or crash')"
echo "cassert: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
