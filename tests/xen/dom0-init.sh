#!/bin/sh
# /init of dom0: bring up Xen's toolstack, check our libxs against the real
# xenstored, start the PV domU with a disk and a vif, serve it (the peer of
# xenpv-selftest.ko, a web server), then dump its console and tell QEMU the
# verdict through isa-debug-exit.
export PATH=/opt/xenpv/bin:$(echo /usr/lib/xen-4.*/bin):/usr/sbin:/usr/bin
. /opt/xenpv/lib.sh
export XT_FAILS=/run/xt-fails
dom0_toolstack
xt "dom0 is the control domain" grep -q control_d /proc/xen/capabilities

xenpv-canary dom0 128 900 >/run/canary.out 2>&1 &
canary=$!
# ---- our libxs against the real xenstored: same transcript as libxenstore
compat() {
	local d=/run/compat
	mkdir -p $d
	timeout 120 xs_script_libxenstore >$d/deb.out 2>&1
	xt "dom0 xs_script on Debian libxenstore" [ $? = 0 ]
	timeout 120 xs_script_xenpv >$d/ours.out 2>&1
	xt "dom0 xs_script on our libxs" [ $? = 0 ]
	LD_LIBRARY_PATH=/opt/xenpv/lib timeout 120 xs_script_libxenstore \
		>$d/dropin.out 2>&1
	xt "dom0 xs_script on our libxenstore.so.4" [ $? = 0 ]
	xt "dom0 transcript is non-trivial" [ "$(wc -l <$d/deb.out)" -ge 100 ]
	xt "dom0 transcripts: our libxs = libxenstore" cmp -s $d/deb.out $d/ours.out
	xt "dom0 transcripts: our .so = libxenstore" cmp -s $d/deb.out $d/dropin.out
	if ! cmp -s $d/deb.out $d/ours.out || ! cmp -s $d/deb.out $d/dropin.out; then
		diff $d/deb.out $d/ours.out | head -40 | sed 's/^/DOM0 diff ours: /'
		diff $d/deb.out $d/dropin.out | head -40 | sed 's/^/DOM0 diff .so: /'
	fi
}
compat

# ---- what the domU gets: a disk on tmpfs through loop, a bridge, a server
dd if=/dev/zero of=/run/disk.img bs=1M count=32 2>/dev/null
losetup /dev/loop0 /run/disk.img
ip link add xenbr0 type bridge
ip addr add 10.99.0.1/24 dev xenbr0
ip link set xenbr0 up
mkdir -p /run/www
dd if=/dev/urandom of=/run/www/blob bs=1M count=16 2>/dev/null
md5sum </run/www/blob | cut -d' ' -f1 >/run/www/blob.md5
# DOM0_EXTRA=xt_fault: a wrong checksum, to see the harness fail loudly.
grep -q xt_fault /proc/cmdline && echo 0 >/run/www/blob.md5
httpd -p 80 -h /run/www
. /opt/xenpv/net-dom0.sh
. /opt/xenpv/blk-dom0.sh
. /opt/xenpv/drv-dom0.sh
# DOM0_EXTRA=xk_only: only our PV kernel (kernel-dom0.sh), to work on it.
if ! grep -q xk_only /proc/cmdline; then
cat >/run/domu.cfg <<CFG
name = "domu1"
type = "pv"
kernel = "/boot/vmlinuz"
ramdisk = "/boot/domu.cpio.gz"
extra = "console=hvc0 rdinit=/init loglevel=4"
memory = 256
vcpus = 1
disk = [ 'phy:/dev/loop0,xvda,w' ]
vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:02' ]
on_poweroff = "destroy"
on_crash = "destroy"
CFG
echo "DOM0_XL_CREATE uptime=$(up)"
t0=$(up)
xl create /run/domu.cfg >/run/xl-create.log 2>&1
xt "dom0 xl create" [ $? = 0 ] ||
	tail -30 /run/xl-create.log | sed 's/^/DOM0 xl: /'
domid=$(xl domid domu1 2>/dev/null)
echo "DOM0 domU is domain ${domid:-none}, created in $(elapsed $t0 $(up)) s"
net_dom0_attach "$domid"
blk_dom0_attach "$domid"
if [ -n "$domid" ]; then
	xenpv-xen-peer "$domid" 60 >/run/peer.out 2>&1 &
	peer=$!
	i=0 gone=0
	# Gone three times running: one xl run in a hundred segfaults here.
	while [ $gone -lt 3 ] && [ $i -lt 600 ]; do
		xl domid domu1 >/dev/null 2>&1 && gone=0 || gone=$((gone + 1))
		sleep 0.5
		i=$((i + 1))
	done
	xt "dom0 domU powered itself off" [ $i -lt 600 ]
	xl destroy domu1 2>/dev/null
	wait $peer
	sed -e 's/^peer ok: /XT ok: dom0 peer: /' \
		-e 's/^peer FAIL: /XT FAIL: dom0 peer: /' /run/peer.out
fi
echo "DOM0_DOMU_GONE uptime=$(up)"
net_dom0_done
blk_dom0_done
sed 's/^/DOMU| /' /var/log/xen/console/guest-domu1.log 2>/dev/null
want=$(sed -n 's/^XT_DISK_MD5 [^ ]*\/linux-blkback //p' \
	/var/log/xen/console/guest-domu1.log |
	tr -d '\r' | tail -n 1)
xt "dom0 sees the disk the domU last read" \
	[ "$(md5sum </run/disk.img | cut -d' ' -f1)" = "$want" ]
else
	# The kernel's round starts its own backends on the same device
	# types: two daemons must not race for one device.
	kill -TERM $NET_BE_PID $BLK_BE_PID
	wait $NET_BE_PID $BLK_BE_PID
fi
# Our own PV kernel as a second domU (kernel-dom0.sh), when run.sh says so.
grep -qw xk /proc/cmdline && . /opt/xenpv/kernel-dom0.sh
kill -TERM $canary
wait $canary
xt "dom0 canary: no foreign writes into fresh memory" [ $? = 0 ]
sed "s/^/DOM0 /" /run/canary.out
echo "DOM0_ALL_DONE uptime=$(up)"

# ---- verdict: isa-debug-exit at 0xf4 makes QEMU exit with (v << 1) | 1
v='\021'
[ -s $XT_FAILS ] || grep -q 'XT FAIL' /var/log/xen/console/guest-domu1.log \
	/run/peer.out 2>/dev/null || v='\020'
grep -q 'rdinit=/init shell' /proc/cmdline && exec /bin/sh
sync
printf "$v" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
sleep 2
reboot -f
