/* SPDX-License-Identifier: MIT */
/*
 * The Xen/ia64 paravirtual guest ABI, written down here because Xen and Linux
 * removed it from their trees.  Values follow the last Xen/ia64 public
 * header (arch-ia64.h) and Linux's arch/ia64/include/asm/xen/{interface,
 * privop}.h.  Every offset is pinned by a static assert below; the .S stubs
 * include this file with __ASSEMBLY__ defined.
 *
 * The shared area sits at XSI_BASE in the guest's virtual space: shared_info
 * at offset 0 (XSI_SIZE bytes reserved), then the mapped_regs page (the
 * "hyper-registers") at XMAPPEDREGS_OFS.
 */
#ifndef XENPV_XEN_IA64_ABI_H
#define XENPV_XEN_IA64_ABI_H

/* At 1 MB below the top, so an addl can reach it from r0. */
#define XSI_BASE 0xfffffffffff00000
#define XSI_SHIFT 14
#define XSI_SIZE (1 << XSI_SHIFT)
#define XMAPPEDREGS_SHIFT 12
#define XMAPPEDREGS_SIZE (1 << XMAPPEDREGS_SHIFT)
#define XMAPPEDREGS_OFS XSI_SIZE
/* The whole shared area: shared_info slot plus the mapped_regs page. */
#define XSI_AREA_SIZE (XSI_SIZE + XMAPPEDREGS_SIZE)

/* Hyperprivops: "break <nr>" at PL2; args in r8-r11 (r14 fifth), result r8. */
#define HYPERPRIVOP_START 0x1
#define HYPERPRIVOP_RFI 0x1
#define HYPERPRIVOP_RSM_DT 0x2
#define HYPERPRIVOP_SSM_DT 0x3
#define HYPERPRIVOP_COVER 0x4
#define HYPERPRIVOP_ITC_D 0x5
#define HYPERPRIVOP_ITC_I 0x6
#define HYPERPRIVOP_SSM_I 0x7
#define HYPERPRIVOP_GET_IVR 0x8
#define HYPERPRIVOP_GET_TPR 0x9
#define HYPERPRIVOP_SET_TPR 0xa
#define HYPERPRIVOP_EOI 0xb
#define HYPERPRIVOP_SET_ITM 0xc
#define HYPERPRIVOP_THASH 0xd
#define HYPERPRIVOP_PTC_GA 0xe
#define HYPERPRIVOP_ITR_D 0xf
#define HYPERPRIVOP_GET_RR 0x10
#define HYPERPRIVOP_SET_RR 0x11
#define HYPERPRIVOP_SET_KR 0x12
#define HYPERPRIVOP_FC 0x13
#define HYPERPRIVOP_GET_CPUID 0x14
#define HYPERPRIVOP_GET_PMD 0x15
#define HYPERPRIVOP_GET_EFLAG 0x16
#define HYPERPRIVOP_SET_EFLAG 0x17
#define HYPERPRIVOP_RSM_BE 0x18
#define HYPERPRIVOP_GET_PSR 0x19
#define HYPERPRIVOP_SET_RR0_TO_RR4 0x1a
/* Xen accepts (iim - START) < MAX, so MAX is also the last number. */
#define HYPERPRIVOP_MAX 0x1a

/* Hypercalls: "break 0x1000", command in r2, args r14-r18, result in r8. */
#define XEN_IA64_HYPERCALL_BREAK 0x1000

/* Offsets from XSI_BASE of the fields the guest touches directly. */
#define XSI_MR(o) (XMAPPEDREGS_OFS + (o))
#define XSI_BANK1_R16_OFS XSI_MR(0x400)
#define XSI_BANK0_R16_OFS XSI_MR(0x480)
#define XSI_B1NATS_OFS XSI_MR(0x500)
#define XSI_B0NATS_OFS XSI_MR(0x508)
#define XSI_VPSR_OFS XSI_MR(0x590)
#define XSI_DCR_OFS XSI_MR(0x800)
#define XSI_ITM_OFS XSI_MR(0x808)
#define XSI_IVA_OFS XSI_MR(0x810)
#define XSI_PTA_OFS XSI_MR(0x840)
#define XSI_IPSR_OFS XSI_MR(0x880)
#define XSI_ISR_OFS XSI_MR(0x888)
#define XSI_IIP_OFS XSI_MR(0x898)
#define XSI_IFA_OFS XSI_MR(0x8a0)
#define XSI_ITIR_OFS XSI_MR(0x8a8)
#define XSI_IIPA_OFS XSI_MR(0x8b0)
#define XSI_IFS_OFS XSI_MR(0x8b8)
#define XSI_IIM_OFS XSI_MR(0x8c0)
#define XSI_IHA_OFS XSI_MR(0x8c8)
#define XSI_TPR_OFS XSI_MR(0xa10)
#define XSI_ITV_OFS XSI_MR(0xa40)
#define XSI_PRECOVER_IFS_OFS XSI_MR(0xc00)
#define XSI_UNAT_OFS XSI_MR(0xc08)
#define XSI_PSR_IC_OFS XSI_MR(0xc10)
#define XSI_PSR_I_ADDR_OFS XSI_MR(0xc18)
#define XSI_PEND_OFS XSI_MR(0xc20)
#define XSI_VPSR_PP_OFS XSI_MR(0xc24)
#define XSI_VPSR_DFH_OFS XSI_MR(0xc25)
#define XSI_HPSR_DFH_OFS XSI_MR(0xc26)
#define XSI_METAPHYS_OFS XSI_MR(0xc48)
#define XSI_BANKNUM_OFS XSI_MR(0xc4c)
#define XSI_RR0_OFS XSI_MR(0xc50)
#define XSI_KR0_OFS XSI_MR(0xc90)
#define XSI_TMP0_OFS XSI_MR(0xcd0)
#define XSI_ITC_OFFSET_OFS XSI_MR(0xd50)
#define XSI_ITC_LAST_OFS XSI_MR(0xd58)

/* Processor status register bits (SDM vol 2, 3.3.2). */
#define IA64_PSR_BE_BIT 1
#define IA64_PSR_UP_BIT 2
#define IA64_PSR_AC_BIT 3
#define IA64_PSR_MFL_BIT 4
#define IA64_PSR_MFH_BIT 5
#define IA64_PSR_IC_BIT 13
#define IA64_PSR_I_BIT 14
#define IA64_PSR_PK_BIT 15
#define IA64_PSR_DT_BIT 17
#define IA64_PSR_DFL_BIT 18
#define IA64_PSR_DFH_BIT 19
#define IA64_PSR_SP_BIT 20
#define IA64_PSR_PP_BIT 21
#define IA64_PSR_DI_BIT 22
#define IA64_PSR_SI_BIT 23
#define IA64_PSR_DB_BIT 24
#define IA64_PSR_LP_BIT 25
#define IA64_PSR_TB_BIT 26
#define IA64_PSR_RT_BIT 27
#define IA64_PSR_CPL0_BIT 32
#define IA64_PSR_IS_BIT 34
#define IA64_PSR_MC_BIT 35
#define IA64_PSR_IT_BIT 36
#define IA64_PSR_ID_BIT 37
#define IA64_PSR_DA_BIT 38
#define IA64_PSR_DD_BIT 39
#define IA64_PSR_SS_BIT 40
#define IA64_PSR_RI_BIT 41
#define IA64_PSR_ED_BIT 43
#define IA64_PSR_BN_BIT 44
#define IA64_PSR_IA_BIT 45

#define IA64_PSR(b) (1UL << IA64_PSR_##b##_BIT)
#define IA64_PSR_CPL (3UL << IA64_PSR_CPL0_BIT)
#define IA64_PSR_RI (3UL << IA64_PSR_RI_BIT)
#define IA64_IFS_V (1UL << 63)

/* Interruption vector offsets from cr.iva (SDM vol 2, 5.7). */
#define IA64_VHPT_TRANS_VECTOR 0x0000
#define IA64_INST_TLB_VECTOR 0x0400
#define IA64_DATA_TLB_VECTOR 0x0800
#define IA64_ALT_INST_TLB_VECTOR 0x0c00
#define IA64_ALT_DATA_TLB_VECTOR 0x1000
#define IA64_BREAK_VECTOR 0x2c00
#define IA64_EXTINT_VECTOR 0x3000
#define IA64_PAGE_NOT_PRESENT_VECTOR 0x5000
#define IA64_GENEX_VECTOR 0x5400
/* cr.iva is 32 KB aligned; every entry point is 256-byte aligned. */
#define IA64_IVA_ALIGN 0x8000UL

/* cr.ivr when nothing deliverable is pending. */
#define IA64_SPURIOUS_VECTOR 15
#define IA64_TPR_MMI (1UL << 16)
#define IA64_TPR_MIC 0xf0UL

/* Control register numbers for mov to/from cr. */
#define IA64_CR_DCR 0
#define IA64_CR_ITM 1
#define IA64_CR_IVA 2
#define IA64_CR_PTA 8
#define IA64_CR_IPSR 16
#define IA64_CR_ISR 17
#define IA64_CR_IIP 19
#define IA64_CR_IFA 20
#define IA64_CR_ITIR 21
#define IA64_CR_IIPA 22
#define IA64_CR_IFS 23
#define IA64_CR_IIM 24
#define IA64_CR_IHA 25
#define IA64_CR_LID 64
#define IA64_CR_IVR 65
#define IA64_CR_TPR 66
#define IA64_CR_EOI 67
#define IA64_CR_ITV 72

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

/* 64 vCPUs, as Xen/ia64's MAX_VIRT_CPUS; shared_info then exceeds 4 KB. */
#define XEN_IA64_MAX_VIRT_CPUS 64

struct xen_ia64_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	int8_t pad1[3];
};

/* arch_vcpu_info is empty on ia64, so the time info follows directly. */
struct xen_ia64_vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel;
	struct xen_ia64_vcpu_time_info time;
};

struct xen_ia64_shared_info {
	struct xen_ia64_vcpu_info vcpu_info[XEN_IA64_MAX_VIRT_CPUS];
	uint64_t evtchn_pending[64];
	uint64_t evtchn_mask[64];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t pad0;
	struct {
		uint64_t start_info_pfn;
		int32_t evtchn_vector;
		uint32_t memmap_info_num_pages;
		uint64_t memmap_info_pfn;
		uint64_t pad[31];
	} arch;
};

/* The hyper-register page; one per vCPU, mapped at XSI_BASE+XMAPPEDREGS_OFS. */
struct xen_ia64_mapped_regs {
	uint64_t vac;
	uint64_t vdc;
	uint64_t virt_env_vaddr;
	uint64_t reserved1[29];
	uint64_t vhpi;
	uint64_t reserved2[95];
	/* bank1 r16-r31 while bank 0 is active */
	uint64_t bank1_regs[16];
	/* bank0 r16-r31 while bank 1 is active */
	uint64_t bank0_regs[16];
	uint64_t vnat;
	uint64_t vbnat;
	uint64_t vcpuid[5];
	uint64_t reserved3[11];
	uint64_t vpsr;
	uint64_t vpr;
	uint64_t reserved4[76];
	union {
		uint64_t vcr[128];
		struct {
			uint64_t dcr, itm, iva, rsv1[5];
			uint64_t pta, rsv2[7];
			uint64_t ipsr, isr, rsv3, iip, ifa, itir, iipa, ifs;
			uint64_t iim, iha, rsv4[38];
			uint64_t lid, ivr, tpr, eoi, irr[4];
			uint64_t itv, pmv, cmcv, rsv5[5];
			uint64_t lrr0, lrr1, rsv6[46];
		};
	};
	union {
		uint64_t reserved5[128];
		struct {
			uint64_t precover_ifs;
			uint64_t unat;
			int32_t interrupt_collection_enabled;
			int32_t pad_ic;
			/* address of this vCPU's evtchn_upcall_mask (psr.i) */
			uint8_t *interrupt_mask_addr;
			int32_t pending_interruption;
			uint8_t vpsr_pp;
			uint8_t vpsr_dfh;
			uint8_t hpsr_dfh;
			uint8_t hpsr_mfh;
			uint64_t reserved5_1[4];
			int32_t metaphysical_mode;
			int32_t banknum;
			uint64_t rrs[8];
			uint64_t krs[8];
			uint64_t tmp[16];
			/* vAR.ITC = mAR.ITC + itc_offset; itc_last: last value
			 * handed to the guest, so it never goes backwards */
			uint64_t itc_offset;
			uint64_t itc_last;
		};
	};
};

#define XEN_IA64_MR_OFS(f)                                                     \
	(XMAPPEDREGS_OFS + offsetof(struct xen_ia64_mapped_regs, f))

_Static_assert(sizeof(void *) == 8, "the ABI has 64-bit pointers");
_Static_assert(sizeof(struct xen_ia64_mapped_regs) == XMAPPEDREGS_SIZE,
	       "mapped_regs is one 4 KB page");
_Static_assert(sizeof(struct xen_ia64_vcpu_info) == 48, "vcpu_info");
_Static_assert(offsetof(struct xen_ia64_shared_info, evtchn_pending) == 3072,
	       "evtchn_pending");
_Static_assert(offsetof(struct xen_ia64_shared_info, wc_version) == 4096,
	       "wc_version");
_Static_assert(sizeof(struct xen_ia64_shared_info) <= XSI_SIZE,
	       "shared_info fits its XSI slot");
_Static_assert(XEN_IA64_MR_OFS(bank1_regs) == XSI_BANK1_R16_OFS, "bank1");
_Static_assert(XEN_IA64_MR_OFS(bank0_regs) == XSI_BANK0_R16_OFS, "bank0");
_Static_assert(XEN_IA64_MR_OFS(vnat) == XSI_B1NATS_OFS, "vnat");
_Static_assert(XEN_IA64_MR_OFS(vbnat) == XSI_B0NATS_OFS, "vbnat");
_Static_assert(XEN_IA64_MR_OFS(vpsr) == XSI_VPSR_OFS, "vpsr");
_Static_assert(XEN_IA64_MR_OFS(dcr) == XSI_DCR_OFS, "dcr");
_Static_assert(XEN_IA64_MR_OFS(itm) == XSI_ITM_OFS, "itm");
_Static_assert(XEN_IA64_MR_OFS(iva) == XSI_IVA_OFS, "iva");
_Static_assert(XEN_IA64_MR_OFS(pta) == XSI_PTA_OFS, "pta");
_Static_assert(XEN_IA64_MR_OFS(ipsr) == XSI_IPSR_OFS, "ipsr");
_Static_assert(XEN_IA64_MR_OFS(isr) == XSI_ISR_OFS, "isr");
_Static_assert(XEN_IA64_MR_OFS(iip) == XSI_IIP_OFS, "iip");
_Static_assert(XEN_IA64_MR_OFS(ifa) == XSI_IFA_OFS, "ifa");
_Static_assert(XEN_IA64_MR_OFS(itir) == XSI_ITIR_OFS, "itir");
_Static_assert(XEN_IA64_MR_OFS(iipa) == XSI_IIPA_OFS, "iipa");
_Static_assert(XEN_IA64_MR_OFS(ifs) == XSI_IFS_OFS, "ifs");
_Static_assert(XEN_IA64_MR_OFS(iim) == XSI_IIM_OFS, "iim");
_Static_assert(XEN_IA64_MR_OFS(iha) == XSI_IHA_OFS, "iha");
_Static_assert(XEN_IA64_MR_OFS(tpr) == XSI_TPR_OFS, "tpr");
_Static_assert(XEN_IA64_MR_OFS(itv) == XSI_ITV_OFS, "itv");
_Static_assert(XEN_IA64_MR_OFS(precover_ifs) == XSI_PRECOVER_IFS_OFS, "pifs");
_Static_assert(XEN_IA64_MR_OFS(unat) == XSI_UNAT_OFS, "unat");
_Static_assert(XEN_IA64_MR_OFS(interrupt_collection_enabled) == XSI_PSR_IC_OFS,
	       "psr.ic");
_Static_assert(XEN_IA64_MR_OFS(interrupt_mask_addr) == XSI_PSR_I_ADDR_OFS,
	       "psr.i address");
_Static_assert(XEN_IA64_MR_OFS(pending_interruption) == XSI_PEND_OFS, "pend");
_Static_assert(XEN_IA64_MR_OFS(vpsr_pp) == XSI_VPSR_PP_OFS, "vpsr_pp");
_Static_assert(XEN_IA64_MR_OFS(vpsr_dfh) == XSI_VPSR_DFH_OFS, "vpsr_dfh");
_Static_assert(XEN_IA64_MR_OFS(hpsr_dfh) == XSI_HPSR_DFH_OFS, "hpsr_dfh");
_Static_assert(XEN_IA64_MR_OFS(metaphysical_mode) == XSI_METAPHYS_OFS,
	       "metaphysical");
_Static_assert(XEN_IA64_MR_OFS(banknum) == XSI_BANKNUM_OFS, "banknum");
_Static_assert(XEN_IA64_MR_OFS(rrs) == XSI_RR0_OFS, "rr0");
_Static_assert(XEN_IA64_MR_OFS(krs) == XSI_KR0_OFS, "kr0");
_Static_assert(XEN_IA64_MR_OFS(tmp) == XSI_TMP0_OFS, "tmp0");
_Static_assert(XEN_IA64_MR_OFS(itc_offset) == XSI_ITC_OFFSET_OFS, "itc_off");
_Static_assert(XEN_IA64_MR_OFS(itc_last) == XSI_ITC_LAST_OFS, "itc_last");
/* The figures quoted from the Xen/ia64 sources, spelled out once more. */
_Static_assert(XSI_IPSR_OFS == 0x4880 && XSI_IIP_OFS == 0x4898 &&
		       XSI_IFS_OFS == 0x48b8 && XSI_PSR_IC_OFS == 0x4c10 &&
		       XSI_PSR_I_ADDR_OFS == 0x4c18 &&
		       XSI_BANKNUM_OFS == 0x4c4c && XSI_RR0_OFS == 0x4c50 &&
		       XSI_KR0_OFS == 0x4c90 && XSI_ITC_OFFSET_OFS == 0x4d50 &&
		       XSI_BANK1_R16_OFS == 0x4400 &&
		       XSI_BANK0_R16_OFS == 0x4480,
	       "published XSI offsets");

/*
 * Hypercall numbers and the callback registration argument are the same on
 * every Xen architecture (public/xen.h, callback.h); the model checks them
 * against the host's copy of those headers.
 */
#define XEN_IA64_HC_XEN_VERSION 17
#define XEN_IA64_HC_CALLBACK_OP 30
#define XEN_IA64_HC_EVENT_CHANNEL_OP 32
#define XEN_IA64_CALLBACKOP_REGISTER 0
#define XEN_IA64_CALLBACKTYPE_EVENT 0
#define XEN_IA64_EVTCHNOP_SEND 4

struct xen_ia64_callback_register {
	uint16_t type;
	uint16_t flags;
	uint32_t pad;
	uint64_t ip;
};
_Static_assert(sizeof(struct xen_ia64_callback_register) == 16, "callback");

/* The evtchn_upcall_mask of vCPU @cpu, as an offset from XSI_BASE. */
#define XSI_PSR_I_OFS(cpu)                                                     \
	(offsetof(struct xen_ia64_shared_info, vcpu_info) +                    \
	 (cpu) * sizeof(struct xen_ia64_vcpu_info) +                           \
	 offsetof(struct xen_ia64_vcpu_info, evtchn_upcall_mask))

#endif /* !__ASSEMBLY__ */
#endif
