#!/bin/sh
# /init of dom0 for the HVM harness: the toolstack, three disks and three
# bridges, a web server with a download and an upload sink, then an HVM
# guest (hvmloader, SeaBIOS, qemu-system-xen as its device model) whose
# serial console is relayed here line by line ("HVM| ").  While it runs,
# dom0 answers the guest's requests in its xenstore data/ (guest-init.sh):
# start and stop xentrace, serve our userspace backends.  At the end: the
# backing disks against what the guest last read, and the verdict through
# isa-debug-exit.
export PATH=/opt/xenpv/bin:$(echo /usr/lib/xen-4.*/bin):/usr/sbin:/usr/bin
. /opt/xenpv/lib.sh
export XT_FAILS=/run/xt-fails
arg() { echo " $(cat /proc/cmdline) " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
dom0_toolstack tun
mkdir -p /dev/net
[ -e /dev/net/tun ] || mknod /dev/net/tun c 10 200

# ---- disks on tmpfs through loop: hda (emulated), xvdg (blkback), and
# the one our blkback serves (loop supports O_DIRECT, tmpfs does not)
for n in 0 1 2; do
	dd if=/dev/zero of=/run/disk$n.img bs=1M count=32 2>/dev/null
	losetup /dev/loop$n /run/disk$n.img
done
# ---- bridges: 10.99.0 emulated NIC, 10.99.1 netback, 10.99.2 our netback
for n in 0 1 2; do
	ip link add xenbr$n type bridge
	ip addr add 10.99.$n.1/24 dev xenbr$n
	ip link set xenbr$n up
done
netmb=$(arg xt_netmb)
netmb=${netmb:-32}
mkdir -p /run/www/cgi-bin
# Text: the guest posts it back, and busybox wget posts a string.  The
# emulated NIC gets an eighth of it.
head -c $((netmb * 786432 + 4096)) /dev/urandom | base64 |
	head -c $((netmb << 20)) >/run/www/blob
head -c $((netmb << 17)) /run/www/blob >/run/www/blob-small
for b in blob blob-small; do
	md5sum </run/www/$b | cut -d' ' -f1 >/run/www/$b.md5
	wc -c </run/www/$b >/run/www/$b.size
done
# The upload sink answers with the checksum of what it received.
cat >/run/www/cgi-bin/sink <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
head -c "${CONTENT_LENGTH:-0}" | md5sum | cut -d' ' -f1
CGI
chmod +x /run/www/cgi-bin/sink
httpd -p 80 -h /run/www

# ---- the HVM guest.  tsc_mode native: QEMU's TCG reports RDTSCP as an
# RDTSC exit without NRIPS, which Xen's TSC emulation cannot decode.
# xen_emul_unplug=unnecessary keeps hda emulated and the PV drivers on.
# xvdg: libxl also emulates xvda..xvdd as IDE.
guestcmd="console=ttyS0,115200 rdinit=/init xen_emul_unplug=unnecessary"
guestcmd="$guestcmd loglevel=4 xt_secs=$(arg xt_secs) xt_netmb=$netmb"
guestcmd="$guestcmd xt_oursnet=$(arg xt_oursnet)"
cat >/run/hvm1.cfg <<CFG
name = "hvm1"
type = "hvm"
memory = 512
vcpus = 1
kernel = "/boot/vmlinuz"
ramdisk = "/boot/hvm.cpio.gz"
cmdline = "$guestcmd"
serial = "file:/var/log/xen/hvm1-serial.log"
vga = "none"
vnc = 0
sdl = 0
nographic = 1
tsc_mode = "native"
device_model_version = "qemu-xen"
disk = [ 'format=raw,vdev=hda,access=rw,target=/dev/loop0',
	 'format=raw,vdev=xvdg,access=rw,target=/dev/loop1' ]
vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:10,type=ioemu,model=e1000',
	'bridge=xenbr1,mac=00:16:3e:00:00:11,type=vif' ]
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
CFG
serial=/var/log/xen/hvm1-serial.log
: >$serial
cr=$(printf '\r')
tail -f $serial | while IFS= read -r l; do echo "HVM| ${l%$cr}"; done &
relay=$!
export LIBXL_DEVICE_MODEL_START_TIMEOUT=600
echo "DOM0_XL_CREATE uptime=$(up)"
t0=$(up)
xl create /run/hvm1.cfg >/run/xl-create.log 2>&1
xt "dom0 xl create hvm" [ $? = 0 ] ||
	tail -30 /run/xl-create.log | sed 's/^/DOM0 xl: /'
domid=$(xl domid hvm1 2>/dev/null)
echo "DOM0 HVM guest is domain ${domid:-none}," \
	"created in $(elapsed $t0 $(up)) s"

# ---- our userspace backends on xenops "xen", beside Linux's: they serve
# backend/xenpv-vbd and backend/xenpv-vif (as QEMU's qdisk has a type name
# of its own), so that xen-blkback and xen-netback leave those alone.
# The guest gets vbd 51824 (xvdh) and vif 2 on them while it boots.
ours_attach() {
	command -v xenpv-blkback >/dev/null && command -v xenpv-netback \
		>/dev/null && command -v xenpv-attach >/dev/null || return 1
	xenpv-blkback --xenops xen --type xenpv-vbd >/run/blkback.out \
		2>/run/blkback.log &
	xt "dom0 xenpv-blkback runs" \
		wait_for 300 grep -q 'xenpv-blkback ready' /run/blkback.out
	xt "dom0 xenpv-attach block" xenpv-attach block --domid $domid \
		--vdev 51824 --target /dev/loop2 --backend-domid 0 \
		--backend-type xenpv-vbd
	XENPV_XENOPS=xen xenpv-netback --backend-type xenpv-vif \
		--tap-prefix xpv >/run/netback.log 2>&1 &
	xt "dom0 xenpv-netback runs" \
		wait_for 300 grep -q '^netback: serving' /run/netback.log
	xt "dom0 xenpv-attach vif" xenpv-attach vif --domid $domid --id 2 \
		--mac 00:16:3e:00:00:12 --backend-domid 0 --backend-type xenpv-vif
	xt "dom0 our vif's TAP on the bridge" wait_for 300 eval \
		"ip link set xpv$domid.2 master xenbr2 2>/dev/null" &&
		ip link set xpv$domid.2 up
}
[ -n "$domid" ] && [ -n "$(arg xt_ours)" ] && ours_attach

# ---- what the guest asks for
xtpid=
trace_start() {
	xentrace -D -S 512 -e 0x00083000 /run/trace.bin >/run/xentrace.log 2>&1 &
	xtpid=$!
	sleep 1
	kill -0 $xtpid 2>/dev/null || { cat /run/xentrace.log; return 1; }
}

trace_stop() {
	[ -n "$xtpid" ] || return 1
	kill -INT $xtpid
	wait $xtpid
	xtpid=
	echo "DOM0 trace: $(stat -c %s /run/trace.bin) bytes"
	xenpv-xtcount /run/trace.bin
}


answer() { # "SEQ request"
	local r=fail
	case ${1#* } in
	trace-start) trace_start && r=ok ;;
	trace-stop) trace_stop && r=ok ;;
	esac
	echo "DOM0 guest asked '$1': $r"
	xenstore-write /local/domain/$domid/data/xt-ack "${1%% *} $r"
}

wait_guest() {
	local last= req gone=0 i=0 max=$(($(arg xt_wait) + 0))
	[ $max -gt 0 ] || max=900
	while [ $gone -lt 3 ] && [ $i -lt $max ]; do
		# xl once segfaulted here under TCG: three misses in a row.
		if xl domid hvm1 >/dev/null 2>&1; then gone=0; else gone=$((gone + 1)); fi
		req=$(xenstore-read /local/domain/$domid/data/xt-req 2>/dev/null)
		[ -n "$req" ] && [ "$req" != "$last" ] && answer "$req" && last=$req
		grep -q XT_GUEST_DONE $serial && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

if [ -n "$domid" ]; then
	xt "dom0 HVM guest finished" wait_guest
	i=0
	while xl domid hvm1 >/dev/null 2>&1 && [ $i -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	xl destroy hvm1 2>/dev/null
fi
[ -n "$xtpid" ] && trace_stop
echo "DOM0_HVM_GONE uptime=$(up)"
sleep 1
kill $relay 2>/dev/null
for p in xenpv-blkback xenpv-netback; do
	pid=$(pidof $p) && kill $pid
done

# ---- the backing disks hold what the guest last read from each
sync
echo 3 >/proc/sys/vm/drop_caches
disk_seen() { # loop-device key
	local want
	want=$(sed -n "s/^XT_DISK_MD5 $2 //p" $serial | tr -d '\r' | tail -n 1)
	[ -n "$want" ] && [ "$(dd if=$1 bs=1M iflag=direct 2>/dev/null |
		md5sum | cut -d' ' -f1)" = "$want" ]
}
xt "dom0 sees the emulated disk the guest last read" disk_seen /dev/loop0 hda
xt "dom0 sees the PV disk the guest last read" disk_seen /dev/loop1 51808
grep -q '^XT_DISK_MD5 51824 ' $serial &&
	xt "dom0 sees our backend's disk the guest last read" \
		disk_seen /dev/loop2 51824
if [ -s $XT_FAILS ] || grep -q 'XT FAIL' $serial ||
	! grep -q XT_GUEST_DONE $serial; then
	tail -40 /var/log/xen/qemu-dm-hvm1.log 2>/dev/null | sed 's/^/DOM0 qemu-dm: /'
	xl dmesg | tail -40 | sed 's/^/DOM0 xl dmesg: /'
	tail -20 /var/log/xen/xen-hotplug.log 2>/dev/null | sed 's/^/DOM0 hotplug: /'
	for f in /run/blkback.log /run/netback.log /run/xentrace.log; do
		[ -s $f ] && sed "s|^|DOM0 $f: |" $f | tail -20
	done
	v='\021'
else
	v='\020'
fi
echo "DOM0_ALL_DONE uptime=$(up)"
grep -q 'rdinit=/init shell' /proc/cmdline && exec /bin/sh
sync
printf "$v" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
sleep 2
reboot -f
