#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time, starting from its seed
# corpus in tests/fuzz/corpus/<name>.  One test per target.
set -uo pipefail
build=${1:-build}
secs=${2:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
for f in "$top/$build"/fuzz/*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	seeds=$top/tests/fuzz/corpus/$name
	work=$top/$build/fuzz-corpus/$name
	mkdir -p "$work"
	echo "fuzz $name for ${secs}s"
	if "$f" -max_total_time="$secs" -max_len=8192 -rss_limit_mb=1024 \
		-print_final_stats=1 "$work" $( [ -d "$seeds" ] && echo "$seeds" ) \
		>"$top/$build/fuzz-$name.log" 2>&1; then
		passed=$((passed + 1))
		grep -E 'stat::number_of_executed_units' "$top/$build/fuzz-$name.log"
	else
		failed=$((failed + 1))
		tail -n 40 "$top/$build/fuzz-$name.log"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
