/* SPDX-License-Identifier: MIT */
/*
 * Hyperprivop and hypercall stubs for a real ia64 guest kernel.  Each is a
 * leaf called with its arguments in r32 upwards (no alloc, so the caller's
 * outputs are our r32...); Xen wants them in r8-r11 and r14, runs the
 * operation on "break N" (N = HYPERPRIVOP_*) and leaves any result in r8.
 * Hypercalls are "break 0x1000" with the command in r2.
 *
 * Not built for the host: tests/unit/ia64 assembles and disassembles this
 * file with binutils-ia64-linux-gnu and checks every immediate and register.
 */
#define __ASSEMBLY__
#include "arch-xen-ia64/xen_ia64_abi.h"

#define ENTRY(n) .global n; .proc n; n:
#define END(n) .endp n

#define HP0(n, nr) ENTRY(n) break nr;; br.ret.sptk.many b0;; END(n)
#define HP1(n, nr) ENTRY(n) mov r8=r32;; break nr;; br.ret.sptk.many b0;; \
	END(n)
#define HP2(n, nr) ENTRY(n) mov r8=r32; mov r9=r33;; break nr;; \
	br.ret.sptk.many b0;; END(n)

	.text
	.explicit
	.align 32
HP0(xpv_ia64_hp_rfi, HYPERPRIVOP_RFI)
HP0(xpv_ia64_hp_rsm_dt, HYPERPRIVOP_RSM_DT)
HP0(xpv_ia64_hp_ssm_dt, HYPERPRIVOP_SSM_DT)
HP0(xpv_ia64_hp_cover, HYPERPRIVOP_COVER)
HP1(xpv_ia64_hp_itc_d, HYPERPRIVOP_ITC_D)
HP1(xpv_ia64_hp_itc_i, HYPERPRIVOP_ITC_I)
HP0(xpv_ia64_hp_ssm_i, HYPERPRIVOP_SSM_I)
HP0(xpv_ia64_hp_get_ivr, HYPERPRIVOP_GET_IVR)
HP0(xpv_ia64_hp_get_tpr, HYPERPRIVOP_GET_TPR)
HP1(xpv_ia64_hp_set_tpr, HYPERPRIVOP_SET_TPR)
HP1(xpv_ia64_hp_eoi, HYPERPRIVOP_EOI)
HP1(xpv_ia64_hp_set_itm, HYPERPRIVOP_SET_ITM)
HP1(xpv_ia64_hp_thash, HYPERPRIVOP_THASH)
HP2(xpv_ia64_hp_ptc_ga, HYPERPRIVOP_PTC_GA)
HP2(xpv_ia64_hp_itr_d, HYPERPRIVOP_ITR_D)
HP1(xpv_ia64_hp_get_rr, HYPERPRIVOP_GET_RR)
HP2(xpv_ia64_hp_set_rr, HYPERPRIVOP_SET_RR)
HP2(xpv_ia64_hp_set_kr, HYPERPRIVOP_SET_KR)
HP1(xpv_ia64_hp_fc, HYPERPRIVOP_FC)
HP1(xpv_ia64_hp_get_cpuid, HYPERPRIVOP_GET_CPUID)
HP1(xpv_ia64_hp_get_pmd, HYPERPRIVOP_GET_PMD)
HP0(xpv_ia64_hp_get_eflag, HYPERPRIVOP_GET_EFLAG)
HP1(xpv_ia64_hp_set_eflag, HYPERPRIVOP_SET_EFLAG)
HP0(xpv_ia64_hp_rsm_be, HYPERPRIVOP_RSM_BE)
HP0(xpv_ia64_hp_get_psr, HYPERPRIVOP_GET_PSR)

/* Five region registers in one entry: r8-r11 and then r14. */
ENTRY(xpv_ia64_hp_set_rr0_to_rr4)
	mov r8=r32
	mov r9=r33
	mov r10=r34
	mov r11=r35
	mov r14=r36
	;;
	break HYPERPRIVOP_SET_RR0_TO_RR4
	;;
	br.ret.sptk.many b0
	;;
END(xpv_ia64_hp_set_rr0_to_rr4)

/*
 * long xpv_ia64_hypercall(a1, a2, a3, a4, a5, cmd): the arguments stay in
 * r32-r36 as Linux's __hypercall left them, and are copied to r14-r18 where
 * Xen's xen_hypercall() reads them.
 */
ENTRY(xpv_ia64_hypercall)
	mov r2=r37
	mov r14=r32
	mov r15=r33
	mov r16=r34
	mov r17=r35
	mov r18=r36
	;;
	break XEN_IA64_HYPERCALL_BREAK
	;;
	br.ret.sptk.many b0
	;;
END(xpv_ia64_hypercall)
