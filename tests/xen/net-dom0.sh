# Sourced by dom0-init.sh before `xl create`: our xenpv-netback on xenops
# "xen", serving backend/xenpv-vif (dom0's own xen-netback takes every
# device under backend/vif, so ours live under another type name), and the
# upload sink of the domU's tx checks.  net_dom0_attach gives the new domU
# vif 1 on that backend, its TAP on xenbr0; net_dom0_done stops the daemon
# once the domU is gone and checks that it let go of everything.
#
# expect: dom0 xenpv-netback runs
# expect: dom0 xenpv-attach vif
# expect: dom0 our vif's TAP on the bridge
# expect: dom0 xenpv-netback exits cleanly
# expect: dom0 xenpv-netback: no mapping or port left

NET_BE_TYPE=xenpv-vif
NET_VIF_ID=1
NET_VIF_MAC=00:16:3e:00:00:03

# POST a body, get its md5 back: the checksummed transfer domU -> dom0.
mkdir -p /run/www/cgi-bin
cat >/run/www/cgi-bin/md5 <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
head -c "$CONTENT_LENGTH" | md5sum | cut -d' ' -f1
CGI
chmod +x /run/www/cgi-bin/md5

modprobe tun || echo "XT FAIL: dom0 modprobe tun"
XENPV_XENOPS=xen xenpv-netback --backend-type $NET_BE_TYPE \
	--tap-prefix xpv >/run/netback.log 2>&1 &
NET_BE_PID=$!
xt "dom0 xenpv-netback runs" \
	wait_for 100 grep -q '^netback: serving' /run/netback.log

net_dom0_bridge() { # tap
	wait_for 100 [ -e "/sys/class/net/$1" ] &&
		ip link set "$1" master xenbr0 && ip link set "$1" up
}

net_dom0_attach() { # domid
	[ -n "$1" ] || return
	xt "dom0 xenpv-attach vif" xenpv-attach vif --domid "$1" \
		--id $NET_VIF_ID --mac $NET_VIF_MAC --backend-domid 0 \
		--backend-type $NET_BE_TYPE
	xt "dom0 our vif's TAP on the bridge" \
		net_dom0_bridge "xpv$1.$NET_VIF_ID"
}

net_dom0_done() {
	local rc
	kill -TERM $NET_BE_PID
	wait $NET_BE_PID
	rc=$?
	xt "dom0 xenpv-netback exits cleanly" [ $rc = 0 ]
	xt "dom0 xenpv-netback: no mapping or port left" \
		grep -q 'leak check: mapped 0 ports 0$' /run/netback.log
	tail -n 40 /run/netback.log | sed 's/^/DOM0 netback: /'
}
