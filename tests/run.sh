#!/usr/bin/env bash
# Runs every test: the CUnit binaries (ASan+UBSan), the shell tests and a
# short run of each fuzz target.  Each prints "N passed, N failed" last; this
# adds them up and ends with the same line for the whole suite.
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export XENPV_BUILD=$top/$build
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logdir=$top/$build/test-logs
mkdir -p "$logdir"
passed=0 failed=0 broken=()

run_one() { # name, command...
	local name=$1 log=$logdir/$1.log line p f
	shift
	printf '%-40s ' "$name"
	"$@" >"$log" 2>&1
	local rc=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		p=0 f=1
	else
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		broken+=("$name")
		echo "FAIL ($p passed, $f failed, exit $rc; log $log)"
		tail -n 30 "$log" | sed 's/^/    /'
	else
		echo "ok ($p passed)"
	fi
}

for t in "$build"/san/tests/*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in $(find tests -name 'test_*.sh' | sort); do
	run_one "$(basename "$t" .sh)" bash "$t"
done
if [ -d "$build/fuzz" ]; then
	run_one fuzz-smoke bash tests/fuzz/run.sh "$build" "${FUZZ_SMOKE_SECONDS:-10}"
fi

[ ${#broken[@]} -ne 0 ] && echo "failing: ${broken[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
