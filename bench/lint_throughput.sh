#!/usr/bin/env bash
# tenant-lint end to end (read, split, parse, analyse, JSON report) against
# libpg_query's raw parser alone, on the same 60k-statement corpus in one run.
#
#   bench/lint_throughput.sh [STATEMENTS] [FILES]   (default 60000 in 60 files)
# Needs the CMake build (make test or cmake --build build). Writes
# docs/benchmarks/lint_throughput.md.
source "$(dirname "$0")/../scripts/lib.sh"

STATEMENTS=${1:-60000}
FILES=${2:-60}
BUILD="$REPO_ROOT/build"
OUT="$REPO_ROOT/docs/benchmarks/lint_throughput.md"
[ -x "$BUILD/tenant-lint" ] && [ -x "$BUILD/tlint_bench_raw_parse" ] || build_cmake_tree >/dev/null

corpus=$(mktemp -d /tmp/tenant_lint_corpus.XXXXXX)
trap 'rm -rf "$corpus"' EXIT
python3 "$REPO_ROOT/bench/gen_corpus.py" "$corpus" "$STATEMENTS" "$FILES"

say "raw parse baseline (one statement per call, one thread)"
read -r count raw_rate < <("$BUILD/tlint_bench_raw_parse" "$corpus/queries")
echo "  $count statements, $raw_rate statements/s"

# Best of three wall-clock runs of the whole command.
lint_rate() {
	local jobs=$1 best=0
	for _ in 1 2 3; do
		local start end rate
		start=$(date +%s.%N)
		"$BUILD/tenant-lint" --no-config -j "$jobs" --format json --schema "$corpus/schema.sql" \
			"$corpus/queries" >"$corpus/report.json" || [ $? -eq 1 ]
		end=$(date +%s.%N)
		rate=$(awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN {printf "%.0f", n / (e - s)}')
		[ "$rate" -gt "$best" ] && best=$rate
	done
	echo "$best"
}

say "tenant-lint end to end"
one=$(lint_rate 1)
echo "  1 thread:  $one statements/s"
jobs=$(nproc)
many=$(lint_rate "$jobs")
echo "  $jobs threads: $many statements/s"
findings=$(grep -c '"rule"' "$corpus/report.json")
ratio_one=$(awk -v a="$one" -v b="$raw_rate" 'BEGIN {printf "%.2f", a / b}')
ratio_many=$(awk -v a="$many" -v b="$raw_rate" 'BEGIN {printf "%.2f", a / b}')
echo "  ratio to raw parse: $ratio_one (1 thread), $ratio_many ($jobs threads); $findings findings"

mkdir -p "$(dirname "$OUT")"
cat >"$OUT" <<MD
# Benchmark: tenant-lint throughput

Produced by \`bench/lint_throughput.sh $STATEMENTS $FILES\` on $(date -u +%Y-%m-%d) ($(nproc) cores).
Corpus: $count generated application statements (SELECT with joins, sub-queries and
CTEs, INSERT ... ON CONFLICT, UPDATE, DELETE) in $FILES files, about 5% missing the
tenant predicate ($findings findings). Baseline: \`bench/raw_parse.cpp\`, libpg_query's
raw parser alone, one statement per call, no analysis, in the same run.
tenant-lint is timed end to end as a command: read, split, parse, analyse, JSON report.
Best of three runs each.

| what | statements/s | ratio to raw parse |
|---|---:|---:|
| raw parse (baseline, 1 thread) | $raw_rate | 1.00 |
| tenant-lint, 1 thread | $one | **$ratio_one** |
| tenant-lint, $jobs threads (\`-j $jobs\`) | $many | **$ratio_many** |

The target is at least 0.50 of raw parse throughput end to end. tenant-lint runs one
thread per core by default (\`-j\` changes it), parsing files in parallel; on one thread
about half of its time is libpg_query's parser and the rest is reading, lexing (psql
meta-commands, comments, statement splitting), analysis and the report.
MD
echo "wrote $OUT"
