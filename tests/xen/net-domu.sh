# Sourced by domu-init.sh: every network frontend x backend pair in one
# boot.  vif 0 is served by dom0's xen-netback (xl), vif 1 by our
# xenpv-netback (tests/xen/net-dom0.sh).  Linux's xen-netfront takes both
# first, the reference pair included; then our xenpv-netfront.ko takes
# both.  Every pair runs the same checks: ping, a checksummed 16 MiB
# download (net_checks) and a checksummed 4 MiB upload (net_put), with
# their times.
#
# expect: domU xen-netfront hands its vifs back
# expect: linux-netfront/linux-netback TCP upload checksum
# expect: linux-netfront/xenpv-netback TCP data checksum
# expect: linux-netfront/xenpv-netback TCP upload checksum
# expect: domU xenpv-netfront loads
# expect: xenpv-netfront/linux-netback TCP data checksum
# expect: xenpv-netfront/linux-netback TCP upload checksum
# expect: xenpv-netfront/xenpv-netback TCP data checksum
# expect: xenpv-netfront/xenpv-netback TCP upload checksum
# expect: domU xenpv-netfront hands its vifs back
# expect: domU xenpv-netfront unloads
# expect: domU xenpv-netfront: no grant leaked

net_if() { # devid: the interface of device/vif/<devid>
	local d
	for d in /sys/class/net/*; do
		case $(readlink "$d/device" 2>/dev/null) in
		*/vif-$1)
			echo "${d##*/}"
			return 0
			;;
		esac
	done
	return 1
}

# The driver bound to device/vif/<devid>.
net_driver() { basename "$(readlink "/sys/bus/xen/devices/vif-$1/driver")"; }

net_carrier() { [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]; }

# A checksummed 4 MiB upload to dom0 (text: busybox wget posts a string).
net_put() { # ifname label
	local l=$2 t0 t1 got
	if [ ! -s /tmp/up.md5 ]; then
		head -c 3200000 /dev/urandom | base64 | head -c 4194304 >/tmp/up
		md5sum </tmp/up | cut -d' ' -f1 >/tmp/up.md5
	fi
	t0=$(up)
	got=$(timeout 120 wget -q -O - --post-file=/tmp/up \
		http://10.99.0.1/cgi-bin/md5)
	t1=$(up)
	echo "XT_TIME $l tcp-put 4MiB $(elapsed $t0 $t1)"
	xt "$l TCP upload checksum" [ "$got" = "$(cat /tmp/up.md5)" ]
}

net_pair() { # devid driver label
	local id=$1 l=$3 i
	xt "$l: $2 has vif $id" [ "$(net_driver "$id")" = "$2" ] || return
	i=$(net_if "$id") || {
		xt "$l interface appears" false
		return
	}
	echo "DOMU $l: $i on vif $id, $(cat "/sys/class/net/$i/address")"
	ip link set "$i" up
	if ! xt "$l carrier" wait_for 100 net_carrier "$i"; then
		dmesg | tail -n 20 | sed 's/^/DOMU dmesg: /'
		return
	fi
	net_checks "$i" "$l"
	net_put "$i" "$l"
	ip addr flush dev "$i"
	ip link set "$i" down
}

net_rounds() {
	local ko=/opt/xenpv/xenpv-netfront.ko
	xt "domU vif 1 attached by dom0" \
		wait_for 300 [ -e /sys/bus/xen/devices/vif-1 ]
	# Loading waits until every vif it takes is connected.
	xt "domU xen-netfront loads" modprobe xen-netfront
	net_pair 0 vif "linux-netfront/linux-netback"
	net_pair 1 vif "linux-netfront/xenpv-netback"
	xt "domU xen-netfront hands its vifs back" xenbus_unbind vif vif
	xt "domU xen-netfront unloads" rmmod xen-netfront
	xt "domU xenpv-netfront loads" insmod $ko
	net_pair 0 xenpv-vif "xenpv-netfront/linux-netback"
	net_pair 1 xenpv-vif "xenpv-netfront/xenpv-netback"
	xt "domU xenpv-netfront hands its vifs back" xenbus_unbind xenpv-vif vif
	xt "domU xenpv-netfront unloads" rmmod xenpv_netfront
	dmesg | grep -e xenpv-vif -e 'xenpv: netfront' |
		sed 's/^/DOMU dmesg: /'
	xt "domU xenpv-netfront: no grant leaked" [ "$(dmesg |
		grep -c 'xenpv-netfront: 0 grant(s) leaked')" = 2 ]
	xt "domU xenpv-netfront: no protocol error" [ "$(dmesg |
		grep -c 'xenpv-netfront: closed: .*protocol errors 0,')" = 2 ]
	rm -f /tmp/up /tmp/up.md5
}
net_rounds
