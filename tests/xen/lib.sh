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

# dom0's start, both harnesses: filesystems, the links udev would make,
# Xen's modules (and the extra ones given), xenstored and xenconsoled.
dom0_toolstack() { # extra modules...
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /run
	mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xen \
		/var/log/xen/console
	# Xen's hotplug locking spins forever without these.
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	echo "DOM0_INIT uptime=$(up)"
	for m in xen-privcmd xen-evtchn xenfs xen-gntdev xen-gntalloc \
		xen-blkback xen-netback loop bridge "$@"; do
		modprobe $m || echo "XT FAIL: dom0 modprobe $m"
	done
	mount -t xenfs xenfs /proc/xen
	xenstored --pid-file /run/xen/xenstored.pid
	xen-init-dom0 >/dev/null
	xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest \
		--log-dir=/var/log/xen/console
	xt "dom0 toolstack up" xl list
	echo "DOM0_TOOLSTACK_UP uptime=$(up)"
}
