#!/usr/bin/env bash
# Debian's own xenstore tools (libxenstore) against xenpv-xenstored on a temp
# socket: exact outputs of write, read, ls, list, exists, rm, chmod, watch.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${XENPV_BUILD:-$top/build}
daemon=$build/rel/bin/xenpv-xenstored
passed=0 failed=0
work=$(mktemp -d)
pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# name, expected output, command...: stdout and exit status 0 must match.
check() {
	local name=$1 want=$2 got
	shift 2
	if got=$("$@" 2>"$work/stderr") && [ "$got" == "$want" ]; then
		ok "$name"
	else
		bad "$name"
		echo "  want: $(printf '%q' "$want")"
		echo "  got:  $(printf '%q' "$got") $(cat "$work/stderr")"
	fi
}

# name, command...: must exit non-zero.
check_fails() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "$name"; else ok "$name"; fi
}

for t in xenstore-write xenstore-read xenstore-ls xenstore-list \
	xenstore-exists xenstore-rm xenstore-chmod xenstore-watch; do
	if ! command -v "$t" >/dev/null; then
		echo "missing $t (xenstore-utils)"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
if [ ! -x "$daemon" ]; then
	echo "missing $daemon (make $daemon)"
	echo "0 passed, 1 failed"
	exit 1
fi

sock=$work/sock
"$daemon" --socket "$sock" --foreground >"$work/daemon.out" 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ -S "$sock" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.05
done
check "daemon prints its socket" "$sock" head -n 1 "$work/daemon.out"
# libxenstore takes the socket from XENSTORED_PATH.
export XENSTORED_PATH=$sock

check "initial tree" 'local = ""
 domain = ""
tool = ""
 xenstored = ""' xenstore-ls /
check "write several" "" xenstore-write /c/a 1 /c/b "two words" /c/d/e ""
check "read" "1" xenstore-read /c/a
check "read several" "1
two words" xenstore-read /c/a /c/b
check "read empty" "" xenstore-read /c/d/e
check_fails "read missing" xenstore-read /c/nope
check_fails "read bad path" xenstore-read /c//a
check "ls" 'a = "1"
b = "two words"
d = ""
 e = ""' xenstore-ls /c
check "ls -f" '/c/a = "1"
/c/b = "two words"
/c/d = ""
/c/d/e = ""' xenstore-ls -f /c
check "list" "a
b
d" xenstore-list /c
check "exists" "" xenstore-exists /c/d/e
check_fails "exists missing" xenstore-exists /c/zz
check "chmod -r" "" xenstore-chmod -r /c b0 r3
check "ls -p" 'b = "two words"  . . . . . . . . . . . . . . . . . . . . . .  (b0,r3)' \
	bash -c "xenstore-ls -p /c | grep '^b '"
check "chmod one" "" xenstore-chmod /c/a n0 w7
check "ls -p after chmod" 'a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,w7)' \
	bash -c "xenstore-ls -p /c | grep '^a '"
check "rm -t" "" xenstore-rm -t /c/d/e
check "rm -t tidied the parent" "a
b" xenstore-list /c
check "rm" "" xenstore-rm /c/b
check_fails "rm'd node gone" xenstore-read /c/b

# libxenstore falls back to DIRECTORY_PART for lists over 4096 bytes.
names=$(for i in $(seq -w 1 80); do printf 'n%s%060d ' "$i" "$((10#$i))"; done)
args=()
for n in $names; do args+=("/big/$n" "v"); done
check "write 80 long names" "" xenstore-write "${args[@]}"
check "list past one payload" "$(tr ' ' '\n' <<<"$names" | sed '/^$/d')" \
	xenstore-list /big
check "rm big" "" xenstore-rm /big

# Watches: the initial event, then one per change below the path.
timeout 20 xenstore-watch -n 4 /w >"$work/watch.out" 2>&1 &
wpid=$!
for _ in $(seq 200); do
	[ -s "$work/watch.out" ] && break
	sleep 0.05
done
xenstore-write /w/x 1 && xenstore-write /other 2 && xenstore-write /w/y/z 3 \
	&& xenstore-rm /w/x
wait "$wpid"
check "watch -n 4" "/w
/w/x
/w/y/z
/w/x" cat "$work/watch.out"

check "daemon survived" "yes" bash -c 'xenstore-write /alive yes && xenstore-read /alive'
kill "$pid" && wait "$pid"
check "daemon exits on SIGTERM" "" true
[ -S "$sock" ] && bad "socket removed" || ok "socket removed"
pid=

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
