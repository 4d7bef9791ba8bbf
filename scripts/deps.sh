#!/usr/bin/env bash
# Installs the Debian 12 packages tenant_guard needs, only those missing.
#   scripts/deps.sh           what building and `make test` need
#   scripts/deps.sh cassert   and what building PostgreSQL from Debian's source
#                             package needs (scripts/cassert_test.sh)
source "$(dirname "$0")/lib.sh"

PACKAGES=(
	make g++ cmake
	postgresql-15 postgresql-server-dev-15
	libssl-dev libpq-dev
	libpg-query-dev libprotobuf-c-dev
	libboost-test-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
	postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	pgbouncer
	libpq-dev libcurl4-openssl-dev
	# PostgreSQL's server headers (libpq/libpq-be.h) include <gssapi/gssapi.h>.
	libkrb5-dev
	libfaketime postgresql-15-cron
)

# Building PostgreSQL from Debian's source package with the options of
# scripts/cassert_test.sh: the compiler, bison and flex, pkg-config (configure
# finds ICU with it), the headers of readline, zlib, OpenSSL and ICU, and
# dpkg-dev, with which `apt-get source` unpacks the package.
CASSERT_PACKAGES=(
	dpkg-dev build-essential bison flex pkg-config
	libreadline-dev zlib1g-dev libssl-dev libicu-dev
)

case "${1:-}" in
	"") ;;
	cassert) PACKAGES+=("${CASSERT_PACKAGES[@]}") ;;
	*) die "usage: $0 [cassert]" ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "all ${#PACKAGES[@]} Debian packages already installed"
	exit 0
fi

say "installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty apt lists: update first.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
