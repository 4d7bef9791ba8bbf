#!/usr/bin/env bash
# Scheduling test (part of make test): a real pg_cron job closes an audit day.
# A cluster of its own preloads pg_cron and tenant_guard (as docs/tenant-audit.md
# says), audits a table, and schedules close_audit_day() every minute twice:
# as a scheduler role granted EXECUTE (must succeed and record the head) and as
# a role without the grant (must fail: the function is not open to PUBLIC).
# The installed pg_cron (1.4) has no seconds syntax, so the test waits for the
# next minute boundary: at most about 70 s.
# Days: like scripts/anchor_test.sh, the server runs under libfaketime two
# days ahead, so that the job's default day (yesterday, UTC) is over and holds
# the events sealed today.
#   scripts/cron_test.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || die "libfaketime is missing (scripts/deps.sh installs it)"
[ -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ] ||
	die "pg_cron is missing from $("$PG_CONFIG" --pkglibdir) (scripts/deps.sh installs postgresql-15-cron)"
CLUSTER=$(mktemp -d /tmp/tenant_guard_cron.XXXXXX)
trap '[ -n "${TG_KEEP:-}" ] || "$REPO_ROOT/scripts/cluster.sh" stop "$CLUSTER"' EXIT
# pg_cron runs each job through a libpq connection to cron.host: the cluster's
# socket directory, since the test cluster listens on no TCP port.
TG_PORT=$((${TG_PORT:-55432} + 4)) TG_CLUSTER_CONF="shared_preload_libraries = 'pg_cron,tenant_guard'
cron.database_name = 'postgres'
cron.host = '$CLUSTER'" "$REPO_ROOT/scripts/cluster.sh" start "$CLUSTER" >/dev/null
source "$CLUSTER/env"
as_server_user "$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null
as_server_user env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="+2d" \
	"$PG_BINDIR/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w start >/dev/null


say "scheduling test: pg_cron closes the audit day"
q >/dev/null <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION tenant_guard;
CREATE TABLE ledger (id int PRIMARY KEY, tenant_id text NOT NULL, amount numeric);
SELECT tenant_guard.audit('ledger');
INSERT INTO ledger SELECT g, 't' || (g % 3), g * 1.5 FROM generate_series(1, 12) g;
UPDATE ledger SET amount = amount + 1 WHERE id % 4 = 0;
CREATE ROLE tg_scheduler LOGIN;
CREATE ROLE tg_nobody LOGIN;
GRANT USAGE ON SCHEMA cron TO tg_scheduler, tg_nobody;
GRANT EXECUTE ON FUNCTION tenant_guard.close_audit_day(date) TO tg_scheduler;
SQL
for _ in $(seq 200); do
	[ "$(q -c "SELECT count(*) FROM tenant_guard.audit_events e WHERE NOT EXISTS
		(SELECT FROM tenant_guard.audit_blocks b WHERE e.seq = ANY (b.event_seqs))")" = 0 ] && break
	sleep 0.05
done
DAY=$(q -c "SELECT (now() AT TIME ZONE 'UTC')::date - 1")
[ "$(q -c "SELECT '$DAY'::date >= (SELECT max(sealed_at) AT TIME ZONE 'UTC' FROM tenant_guard.audit_passes)::date")" = t ] ||
	die "libfaketime: the sessions' yesterday ($DAY) must not be before the sealing day"

# The documented job, scheduled by the role it runs as.
job=$(PGUSER=tg_scheduler q -c "SELECT cron.schedule('tenant_guard close day', '* * * * *',
	\$\$SELECT tenant_guard.close_audit_day()\$\$)")
denied=$(PGUSER=tg_nobody q -c "SELECT cron.schedule('close day without the grant', '* * * * *',
	\$\$SELECT tenant_guard.close_audit_day()\$\$)")
status() { q -c "SELECT string_agg(status, ',' ORDER BY runid) FROM cron.job_run_details WHERE jobid = $1"; }
deadline=$((SECONDS + 75))
while [ $SECONDS -lt $deadline ]; do
	case "$(status "$job")" in *succeeded*) [ -n "$(status "$denied")" ] &&
		[ "$(status "$denied")" != running ] && [ "$(status "$denied")" != starting ] && break ;; esac
	sleep 1
done

check "the job ran and succeeded" "succeeded" "$(status "$job" | cut -d, -f1)"
check "it ran as the scheduler role" "tg_scheduler" "$(q -c "SELECT username FROM cron.job WHERE jobid = $job")"
check "the day's head is recorded, over every event sealed" "$DAY|15" \
	"$(q -c "SELECT day, tree_size FROM tenant_guard.audit_anchors")"
check "the recorded head is the tree head of the day" "t" \
	"$(q -c "SELECT tree_head = tenant_guard.audit_root('$DAY') FROM tenant_guard.audit_anchors WHERE day = '$DAY'")"
check "a role without EXECUTE cannot close the day" "failed|permission denied for function close_audit_day" \
	"$(q -c "SELECT status, substring(return_message from 'permission denied for function close_audit_day')
		FROM cron.job_run_details WHERE jobid = $denied ORDER BY runid LIMIT 1")"
check "unschedule" "t|t" "$(PGUSER=tg_scheduler q -c "SELECT cron.unschedule($job)")|$(PGUSER=tg_nobody q -c "SELECT cron.unschedule($denied)")"
[ "$failed" -eq 0 ] || q -c "SELECT * FROM cron.job_run_details" >&2
checks_done
