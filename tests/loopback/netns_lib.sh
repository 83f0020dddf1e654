# SPDX-License-Identifier: MIT
# Sourced by the namespace tests and the net benchmark.  The caller sets
# dir (its temporary directory), nsa and nsb (the namespaces it makes) and
# pids=() (what it starts); on exit everything it started is killed, by PID,
# and the namespaces and the directory go away (KEEP_LOGS=1 keeps the logs).
passed=0 failed=0

ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { # description, command...
	local what=$1
	shift
	if "$@" >>"$dir/cmd.log" 2>&1; then ok "$what"; else bad "$what"; fi
}

netns_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$nsa" 2>/dev/null
	ip netns del "$nsb" 2>/dev/null
	[ -n "${KEEP_LOGS:-}" ] || rm -rf "$dir"
}
trap netns_cleanup EXIT

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# need TOOL...: root, /dev/net/tun and every tool, or the test fails here.
need() {
	if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
		echo "needs root and /dev/net/tun"
		bad "prerequisites"
		finish
	fi
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { bad "missing $t"; finish; }
	done
}

wait_for() { # tries (x 0.05 s), command...
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
