#!/usr/bin/env bash
# `make test`: install what is missing, build, then run every suite against a
# throwaway cluster: Boost.Test (ctest), pg_regress, pgTAP, the PgBouncer soak,
# and the crash test (the cluster is restarted by it; it runs last).
source "$(dirname "$0")/lib.sh"

"$REPO_ROOT/scripts/deps.sh"
build_and_install_extension
build_cmake_tree

say "unit tests (Boost.Test through ctest)"
(cd "$REPO_ROOT/build" && ctest --output-on-failure)

CLUSTER=$(mktemp -d /tmp/tenant_guard_test.XXXXXX)
# The cluster gets the test signing keys (test1, test2) in a key file, as every
# cluster scripts/cluster.sh starts does (install_signing_keys in scripts/lib.sh).
trap '"$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
"$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER"
source "$CLUSTER/env"

say "pg_regress suites"
run_regress_suites "$REPO_ROOT" || exit 1

"$REPO_ROOT/scripts/lint_dsn_test.sh"

say "pgTAP suites"
run_pgtap_suites

"$REPO_ROOT/scripts/upgrade_test.sh" "$CLUSTER"
"$REPO_ROOT/scripts/preload_test.sh"
"$REPO_ROOT/scripts/anchor_test.sh"
"$REPO_ROOT/scripts/cron_test.sh"
"$REPO_ROOT/scripts/retention_test.sh"
"$REPO_ROOT/scripts/pooling_soak.sh" "$CLUSTER" 8 500
"$REPO_ROOT/scripts/audit_test.sh"
"$REPO_ROOT/scripts/sealer_test.sh"
"$REPO_ROOT/scripts/sealer_race_test.sh"
"$REPO_ROOT/scripts/crash_test.sh" "$CLUSTER"

say "all suites passed"
