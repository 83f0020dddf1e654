# Sourced by domu-init.sh: xenpv-balloon.ko and xenpv-mcelog.ko in a PV
# domU.  Both load and unload cleanly; what they can do here is limited by
# the guest (see drivers/balloon/README.md and drivers/mca/README.md): the
# balloon follows and reports the target but may not move a PV guest's
# reservation, and a domU gets no machine-check telemetry.  Checks named in
# drv-dom0.sh.

drv_mcelog_dev() {
	local d
	for d in /dev/mcelog /dev/xenpv-mcelog; do
		[ -c $d ] && grep -q "xenpv-mcelog: $d," /tmp/drv.dmesg &&
			echo $d && return 0
	done
	return 1
}

drv_rounds() {
	local dev n
	xt "domU xenpv-balloon loads" insmod /opt/xenpv/xenpv-balloon.ko
	xt "domU xenpv-balloon reads its reservation and target" logged \
		'xenpv-balloon: loaded: current [1-9][0-9]* KiB, target [1-9]'
	xt "domU xenpv-balloon unloads" rmmod xenpv_balloon
	xt "domU xenpv-balloon unload logged" logged 'xenpv-balloon: unloaded'
	xt "domU xenpv-mcelog loads" insmod /opt/xenpv/xenpv-mcelog.ko
	dmesg >/tmp/drv.dmesg
	dev=$(drv_mcelog_dev)
	xt "domU xenpv-mcelog device" [ -n "$dev" ]
	# mcelog's rule: a read must take the whole log (32 records of 88).
	n=$(dd if="$dev" bs=2816 count=1 2>/dev/null | wc -c)
	xt "domU xenpv-mcelog reads an empty log" [ "$n" = 0 ]
	xt "domU xenpv-mcelog refuses a short read" \
		sh -c "! dd if=$dev bs=88 count=1 2>/dev/null"
	xt "domU xenpv-mcelog unloads" rmmod xenpv_mcelog
	xt "domU xenpv-mcelog unload logged" logged 'xenpv-mcelog: unloaded'
	dmesg | grep -e 'xenpv-balloon' -e 'xenpv-mcelog' -e 'xenpv: mca' |
		sed 's/^/DOMU dmesg: /'
	rm -f /tmp/drv.dmesg
}
drv_rounds
