#!/usr/bin/env bash
# libxs against Debian's libxenstore, both talking to the loopback xenstored:
#  - tests/compat/xs_script.c linked with our xenpvxs and with -lxenstore
#    must print the same transcript;
#  - the -lxenstore build run on our libxenstore.so.4 (LD_LIBRARY_PATH) too;
#  - Debian's xenstore-* tools give the same output on either library;
#  - our .so exports exactly Debian's symbols under the same version node.
# Each run gets a fresh daemon; only daemons started here are stopped.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
bin=$build/rel/bin
ourlib=$build/rel/lib
deblib=/usr/lib/x86_64-linux-gnu/libxenstore.so.4
work=$(mktemp -d /tmp/libxs-compat.XXXXXX)
passed=0 failed=0 daemon=

stop_daemon() {
	if [ -n "$daemon" ]; then
		kill "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
		daemon=
	fi
}
trap 'stop_daemon; rm -rf "$work"' EXIT

check() { # name, command...
	local name=$1
	shift
	if "$@"; then
		echo "ok: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
}

start_daemon() { # socket
	local i
	"$bin/xenpv-xenstored" --socket "$1" --foreground \
		>"$work/daemon.log" 2>&1 &
	daemon=$!
	for i in $(seq 1 200); do
		[ -S "$1" ] && return 0
		kill -0 "$daemon" 2>/dev/null || break
		sleep 0.05
	done
	echo "xenpv-xenstored did not come up:"
	cat "$work/daemon.log"
	return 1
}

run_script() { # name, command... : transcript in $work/name.out
	local name=$1 sock=$work/$1.sock rc
	shift
	start_daemon "$sock" || return 1
	XENSTORED_PATH=$sock timeout 120 "$@" >"$work/$name.out" 2>&1
	rc=$?
	stop_daemon
	[ "$rc" -eq 0 ] || { echo "$name exited $rc"; tail -n 5 "$work/$name.out"; }
	[ -z "${SHOW:-}" ] || cat "$work/$name.out"
	return "$rc"
}

same() { # a, b
	diff -u "$work/$1.out" "$work/$2.out" && return 0
	return 1
}

nontrivial() { # name: a long transcript that ran to the end
	[ "$(wc -l <"$work/$1.out")" -ge 100 ] &&
		[ "$(tail -n 1 "$work/$1.out")" = done ] &&
		grep -q 'directory /xpvtest/many: 600 entries' "$work/$1.out" &&
		grep -q 'conflict: try 1 failed EAGAIN' "$work/$1.out"
}

# A fixed sequence of Debian's xenstore tools.
tools_session() {
	xenstore-write /t/a hello /t/b/c world /t/d ""
	xenstore-read /t/a /t/b/c
	xenstore-exists /t/b && echo exists
	xenstore-exists /t/nope || echo "not there"
	xenstore-list /t
	xenstore-chmod /t/a n0 r3
	xenstore-ls -p /t
	xenstore-watch -n 2 /t/b &
	local w=$! i
	# It fires once at registration; a write after that is the second
	# event.  Writing until it exits needs no guess of when it is ready.
	for i in $(seq 1 100); do
		kill -0 $w 2>/dev/null || break
		xenstore-write /t/b/e x
		sleep 0.1
	done
	wait $w
	echo "watch exit $?"
	xenstore-rm /t/b
	xenstore-ls /t
	xenstore-read /t/b/c || echo "read failed"
}

symbols() { # lib: exported names with their version
	objdump -T "$1" | awk '$2 == "g" && $4 != "*UND*" { print $(NF-1), $NF }' |
		sort
}

for f in xenpv-xenstored xs_script_xenpv xs_script_libxenstore; do
	[ -x "$bin/$f" ] || { echo "missing $bin/$f (make all)"; failed=$((failed + 1)); }
done
[ -f "$ourlib/libxenstore.so.4" ] || { echo "missing $ourlib/libxenstore.so.4"; failed=$((failed + 1)); }
if [ "$failed" -ne 0 ]; then
	echo "$passed passed, $failed failed"
	exit 1
fi

check "script, Debian libxenstore" run_script deb "$bin/xs_script_libxenstore"
check "script, xenpvxs" run_script ours "$bin/xs_script_xenpv"
check "script, Debian build on our .so" run_script dropin \
	env LD_LIBRARY_PATH="$ourlib" "$bin/xs_script_libxenstore"
check "the drop-in run resolves our .so" \
	grep -q "$ourlib/libxenstore.so.4" \
	<(LD_LIBRARY_PATH="$ourlib" ldd "$bin/xs_script_libxenstore")
check "transcript is non-trivial" nontrivial deb
check "transcripts: xenpvxs = libxenstore" same deb ours
check "transcripts: our .so = libxenstore" same deb dropin

if command -v xenstore-ls >/dev/null; then
	check "tools on Debian libxenstore" run_script tools_deb \
		bash -c "$(declare -f tools_session); tools_session"
	check "tools on our .so" run_script tools_ours \
		env LD_LIBRARY_PATH="$ourlib" \
		bash -c "$(declare -f tools_session); tools_session"
	check "tools: same output" same tools_deb tools_ours
	check "tools output is non-trivial" grep -q 'watch exit 0' \
		"$work/tools_deb.out"
fi

if [ -f "$deblib" ]; then
	symbols "$deblib" >"$work/syms_deb.out"
	symbols "$ourlib/libxenstore.so.4" >"$work/syms_ours.out"
	check "exported symbols and versions match Debian's" same syms_deb syms_ours
	check "soname libxenstore.so.4" grep -q 'SONAME *libxenstore.so.4' \
		<(objdump -p "$ourlib/libxenstore.so.4")
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
