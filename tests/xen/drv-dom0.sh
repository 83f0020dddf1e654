# Sourced by dom0-init.sh once the toolstack is up: xenpv-mcelog.ko in
# dom0, where Linux's built-in xen_mcelog already owns /dev/mcelog and
# VIRQ_MCA.  Ours must load beside it (as /dev/xenpv-mcelog), say why it
# gets no telemetry, and unload cleanly.  Our MCA walker then fetches
# from userspace with the real hypercall (xenpv-mcapeek, never ACKing);
# with DOM0_EXTRA=xt_mce it also looks while xen-mceinj injects a
# corrected error (a race with xen_mcelog, so reported, not counted).
# The domU half is drv-domu.sh.
#
# expect: dom0 xenpv-mcelog loads beside xen_mcelog
# expect: dom0 xenpv-mcelog unloads
# expect: dom0 XEN_MC_fetch from userspace answers
# expect: domU xenpv-balloon loads
# expect: domU xenpv-balloon reads its reservation and target
# expect: domU xenpv-balloon unloads
# expect: domU xenpv-mcelog loads
# expect: domU xenpv-mcelog reads an empty log
# expect: domU xenpv-mcelog unloads

drv_peek_ok() { # rc: 0 seen, 2 nothing (both answers of Xen)
	[ "$1" = 0 ] || [ "$1" = 2 ]
}

drv_mce_inject() {
	local pid rc
	xenpv-mcapeek 10 >/run/mcapeek1.out 2>&1 &
	pid=$!
	sleep 0.5
	xen-mceinj -t 3 >/run/mceinj.out 2>&1
	echo "DOM0 xen-mceinj -t 3: exit $?"
	sed 's/^/DOM0 xen-mceinj: /' /run/mceinj.out
	wait $pid
	rc=$?
	sed 's/^/DOM0 /' /run/mcapeek1.out
	echo "DOM0 mcapeek after the injection: exit $rc"
}

drv_dom0() {
	local rc
	xt "dom0 xenpv-mcelog loads beside xen_mcelog" \
		insmod /opt/xenpv/xenpv-mcelog.ko
	xt "dom0 xenpv-mcelog unloads" rmmod xenpv_mcelog
	xenpv-mcapeek >/run/mcapeek0.out 2>&1
	rc=$?
	sed 's/^/DOM0 /' /run/mcapeek0.out
	xt "dom0 XEN_MC_fetch from userspace answers" drv_peek_ok $rc
	grep -q xt_mce /proc/cmdline && drv_mce_inject
	dmesg | grep -i -e 'mce' -e 'xenpv: mca' | sed 's/^/DOM0 dmesg: /'
}
drv_dom0
