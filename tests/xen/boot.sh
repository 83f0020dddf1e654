# Sourced by the host-side harnesses (run.sh, hvm/run.sh): one boot of
# Xen 4.17 + a PV dom0 in QEMU with TCG, the serial console timestamped
# into a log.  The Xen command line carries what TCG needs:
#
# smap=0: under QEMU 7.2 TCG a PV dom0 faults in Xen's bounce frame code
#   when Xen uses SMAP.
# spec-ctrl=eager-fpu: with Xen's default lazy FPU switching (CR0.TS and
#   #NM, the default on AMD, which TCG's CPU is) the SSE registers of PV
#   guest processes are now and then wrong after a switch under TCG:
#   glibc's string and memory routines then corrupt memory, and random
#   processes in dom0 and in PV domUs die (a TLS pointer read as 0 at
#   start-up, "malloc(): corrupted top size").  With eager FPU switching
#   157 checks passed in a row where lazy switching failed 10 boots of 10.
#
# env: XEN_SMP (2), XEN_MEM (MiB, 3072), XEN_TIMEOUT (s, 1800: a loaded
# machine has taken 750 s for the HVM boot), XEN_EXTRA
# (more Xen words), XEN_CPU (QEMU -cpu, max), XEN_TCG_THREAD (multi).

xen_cmdline() {
	local c="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M"
	c+=" dom0_max_vcpus=${XEN_SMP:-2} loglvl=all guest_loglvl=all"
	c+=" smap=0 spec-ctrl=eager-fpu ${XEN_EXTRA:-}"
	echo "$c"
}

# xen_boot XEN KERNEL DOM0_CMDLINE INITRD LOG: QEMU's exit status (the
# guest's verdict through isa-debug-exit, 124 on timeout).
xen_boot() {
	local xen=$1 kernel=$2 cmd=$3 initrd=$4 log=$5 start d rc
	start=${EPOCHREALTIME/./}
	timeout "${XEN_TIMEOUT:-1800}" qemu-system-x86_64 -machine q35 \
		-accel "tcg,thread=${XEN_TCG_THREAD:-multi}" \
		-cpu "${XEN_CPU:-max}" \
		-m "${XEN_MEM:-3072}" -smp "${XEN_SMP:-2}" \
		-display none -serial stdio -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$xen" -append "$(xen_cmdline)" \
		-initrd "$kernel $cmd,$initrd" </dev/null 2>&1 |
		while IFS= read -r line; do
			d=$((${EPOCHREALTIME/./} - start))
			printf '[%4d.%03d] %s\n' $((d / 1000000)) \
				$((d / 1000 % 1000)) "${line%$'\r'}"
		done >"$log"
	rc=${PIPESTATUS[0]}
	return "$rc"
}

# xen_judge NAME LOG RC CHECK...: after a boot, sets xt_passed and
# xt_failed from the log's "XT ok/FAIL" lines, counts as failures each
# CHECK that never printed (a guest died, a step hung) and a QEMU exit
# other than the guest's PASS, sets xt_verdict, and prints the whole log
# and its failures when anything failed.
xen_judge() {
	local name=$1 log=$2 rc=$3 e
	shift 3
	xt_passed=$(grep -c 'XT ok: ' "$log")
	xt_failed=$(grep -c 'XT FAIL: ' "$log")
	for e in "$@"; do
		grep -qF "XT ok: $e" "$log" || grep -qF "XT FAIL: $e" "$log" || {
			echo "$name: check never ran: $e"
			xt_failed=$((xt_failed + 1))
		}
	done
	case $rc in
	33) xt_verdict=PASS ;;
	35) xt_verdict=FAIL ;;
	124) xt_verdict=TIMEOUT ;;
	*) xt_verdict="no verdict (exit $rc)" ;;
	esac
	[ "$xt_verdict" = PASS ] || xt_failed=$((xt_failed + 1))
	[ "$xt_failed" -eq 0 ] && return
	echo "$name: ---- console log ----"
	cat "$log"
	echo "$name: ---- failures ----"
	grep 'XT FAIL: ' "$log"
}
