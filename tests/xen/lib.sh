# Shell helpers shared by the dom0 and domU /init scripts (busybox sh).
# Every check prints one "XT ok: NAME" or "XT FAIL: NAME" line; the host
# (tests/xen/run.sh) counts them from the console log.

up() { cut -d' ' -f1 /proc/uptime; }

xt() { # name command...: the command's status
	local name=$1
	shift
	if "$@"; then
		echo "XT ok: $name"
		return 0
	fi
	echo "XT FAIL: $name"
	[ -z "${XT_FAILS:-}" ] || echo "$name" >>"$XT_FAILS"
	return 1
}

logged() { dmesg | grep -q "$1"; }

# Seconds between two uptimes, as a decimal.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# Field N of /sys/block/DEV/stat (12: discards done, 16: flushes done).
blkstat() { awk -v n="$2" '{ print $n }' "/sys/block/$1/stat"; }

wait_for() { # tries command...: poll every 0.2 s
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# Each bound xenbus device holds a reference on its driver's module:
# unbinding them first is what lets the module go.
xenbus_unbind() { # driver kind (vbd, vif)
	local d dir=/sys/bus/xen/drivers/$1
	for d in "$dir"/"$2"-*; do
		[ -e "$d" ] || continue
		echo "${d##*/}" >"$dir/unbind" || return 1
	done
}
