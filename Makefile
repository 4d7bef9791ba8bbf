# tenant_guard: PGXS build of the extension and its pg_regress suites.
#   make demo    install missing packages, build, show the main job end to end
#   make test    install missing packages, build, run every suite
#   make installcheck-cassert
#                the pg_regress and pgTAP suites on PostgreSQL 15 built with
#                assertions from Debian's source package (scripts/cassert_test.sh)
#   make installcheck-citus   the Citus suite (tests/citus) on a 3-node Citus cluster
# All of them use a throwaway cluster of their own (scripts/cluster.sh).

# tenant_guard_tap: the pgTAP wrapper of simulate(), apart so that tenant_guard needs no pgTAP.
EXTENSION = tenant_guard tenant_guard_tap
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" tenant_guard.control)

MODULE_big = tenant_guard
OBJS = \
	extension/tenant_guard.o \
	extension/guc.o \
	extension/boundary/pg_boundary.o \
	extension/boundary/citus_presence.o \
	extension/boundary/internal_ddl.o \
	extension/boundary/extension_owner.o \
	extension/boundary/spi.o \
	extension/boundary/sql_text.o \
	extension/boundary/selftest.o \
	extension/boundary/sql_args.o \
	extension/boundary/trigger_call.o \
	extension/boundary/utility_call.o \
	extension/tenant/exemption.o \
	extension/guard/hooks.o \
	extension/guard/protected_relations.o \
	extension/guard/drift_guard.o \
	extension/guard/row_escapes.o \
	extension/guard/temp_shadow.o \
	extension/tenant/signed_tenant.o \
	extension/tenant/signing_keys.o \
	extension/tenant/token_ledger.o \
	extension/tenant/tenant_setting.o \
	extension/tenant/current_tenant.o \
	extension/outbox/outbox_guard.o \
	common/tenant_token.o \
	common/tenant_value.o \
	common/text_list.o \
	extension/policy/catalog.o \
	extension/policy/citus.o \
	extension/policy/registry.o \
	extension/policy/generator.o \
	extension/policy/fk_guard.o \
	extension/policy/key_checks.o \
	extension/policy/object_names.o \
	extension/policy/partition_sync.o \
	extension/policy/global_relation.o \
	extension/policy/app_role.o \
	extension/policy/simulate_runner.o \
	common/audit_chain.o \
	common/block_roots.o \
	common/merkle_proof.o \
	common/rfc3161.o \
	extension/audit/audit_catalog.o \
	extension/audit/audit_functions.o \
	extension/audit/audit_shared.o \
	extension/audit/capture_plan.o \
	extension/audit/capture_trigger.o \
	extension/audit/capture_triggers.o \
	extension/audit/event_partition.o \
	extension/audit/membership_events.o \
	extension/audit/retention.o \
	extension/audit/row_image.o \
	extension/audit/sealer.o \
	extension/audit/verify.o \
	extension/audit/verify_scan.o \
	extension/audit/anchor_log.o \
	extension/audit/anchor_functions.o

DATA = $(wildcard extension/sql/tenant_guard--*.sql extension/sql/tenant_guard_tap--*.sql)

# pg_regress: sql/<area>_<topic>.sql against expected/<area>_<topic>.out,
# run by `make installcheck` against the cluster that scripts/test.sh starts.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=.

# -MMD -MP: each object records the headers it includes (extension/x.d beside
# extension/x.o), so that changing a header rebuilds what uses it.
PG_CXXFLAGS = -std=c++17 -Iextension -I. -Wno-register -Wno-missing-field-initializers -MMD -MP
SHLIB_LINK = -lstdc++ -lcrypto

# LLVM bitcode is disabled on purpose: our entry points are C++ with exception
# handling around every PostgreSQL call, and inlining them into JIT-compiled
# expressions would put C++ unwinding inside LLVM-generated code for no
# measurable gain (they are a handful of instructions). JIT itself still works;
# it calls our functions instead of inlining them.
override with_llvm = no

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# On a fresh machine PGXS is not installed yet; `make demo` and `make test`
# install it first, so only they may run without it.
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
-include $(wildcard $(OBJS:.o=.d))
EXTRA_CLEAN += $(OBJS:.o=.d)
else ifeq ($(filter demo test deps installcheck-cassert installcheck-citus,$(MAKECMDGOALS)),)
$(error PGXS not found (postgresql-server-dev-15 missing): run `make test` or `make demo`, which install it)
endif

.PHONY: demo test deps installcheck-cassert installcheck-citus
demo:
	scripts/demo.sh
test:
	scripts/test.sh
installcheck-cassert:
	scripts/cassert_test.sh

# Builds Citus from ../shared/citus when missing; see docs/scale-out.md.
installcheck-citus:
	scripts/citus_test.sh
deps:
	scripts/deps.sh
