#!/usr/bin/env bash
# `make demo`: install what is missing, build, start a throwaway cluster with
# tenant_guard preloaded, and walk through the main job end to end.
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/deps.sh"
build_and_install_extension
build_cmake_tree >/dev/null

CLUSTER=$(mktemp -d /tmp/tenant_guard_demo.XXXXXX)
trap '"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER"
source "$CLUSTER/env"

say "protecting a tenant table and querying it as two tenants"
psql -X --echo-all -v ON_ERROR_STOP=0 -f "$REPO_ROOT/scripts/demo.sql" 2>&1
say "tenant-lint over a sample application (examples/saas): the queries CI would stop"
(cd "$REPO_ROOT" && build/tenant-lint --no-config --schema examples/saas/migrations \
	examples/saas/queries examples/saas/migrations) || true

say "tenant-lint over a sqlc project (examples/sqlc): @name, sqlc.arg, :name and ? parameters, three tenant columns, RLS of its own; only true violations are reported"
(cd "$REPO_ROOT/examples/sqlc" && "$REPO_ROOT/build/tenant-lint" --print-schema && \
	"$REPO_ROOT/build/tenant-lint" queries) || true

say "demo finished; the cluster is removed again"
