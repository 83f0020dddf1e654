/* SPDX-License-Identifier: MIT */
/*
 * A host-side reference model of Xen/ia64 for one paravirtualized vCPU,
 * written from Xen's documented behaviour (vcpu.c, faults.c, privop.c,
 * hyperprivop.S of the last Xen/ia64) and independently of the guest code.
 *
 * It owns what the hypervisor owns: the shared area (shared_info and the
 * mapped_regs page), the interrupted guest context (cr.ipsr, cr.iip, cr.ifs
 * and r1-r31, as Xen's pt_regs), iva, the event callback, irr/insvc, tpr,
 * a one-entry TLB per side and a machine ITC.  Every way into the VMM
 * (privileged-operation fault, break, external interrupt) is counted.
 *
 * "Running the guest" means calling the enter hook with the ip the CPU
 * would jump to; the guest returns from it through rfi.
 */
#ifndef XENPV_IA64_MODEL_H
#define XENPV_IA64_MODEL_H

#include "arch-xen-ia64/pv.h"

/* Xen's CONFIG_CPL0_EMUL: the guest kernel runs at PL2. */
#define XIA64M_KERNEL_CPL 2UL
#define XIA64M_MAX_DEPTH 8
#define XIA64M_BUCKETS 16
#define XIA64M_NR_PORTS 4096u

enum xia64m_path { XIA64M_FAST, XIA64M_SLOW };

struct xia64m_stats {
	unsigned long entries;	    /* every VMM entry */
	unsigned long privop_traps; /* privileged operation faults */
	unsigned long hyperprivops; /* break 0x1..0x1a */
	unsigned long hp_fast, hp_slow;
	unsigned long hypercalls;  /* break 0x1000 */
	unsigned long external;	   /* interrupts carrying events/irqs */
	unsigned long reflections; /* reflect_interruption + extint */
	unsigned long event_reflections;
	unsigned long faults;  /* guest errors answered with a fault */
	unsigned long crashes; /* domain would be crashed */
	unsigned long hp[HYPERPRIVOP_MAX + 1];
	unsigned long privop[XPV_IA64_OP_NR];
	unsigned long bucket[XIA64M_BUCKETS];
};

struct xia64m_tlb {
	uint64_t pte, itir, ifa;
	int valid;
};

struct xia64m {
	uint8_t *xsi; /* XSI_AREA_SIZE bytes */
	struct xen_ia64_shared_info *si;
	struct xen_ia64_mapped_regs *mr;
	struct xen_ia64_vcpu_info *vi;
	/* the interrupted context (Xen's pt_regs) */
	struct xpv_ia64_gregs regs;
	uint64_t cr_ipsr, cr_iip, cr_ifs;
	uint64_t iva; /* PSCBX(iva): not guest-writable memory */
	uint64_t event_callback_ip;
	uint64_t irr[4], insvc[4];
	uint64_t domain_itm;
	uint64_t machine_itc, itc_step;
	uint64_t krs_set; /* kr writes seen */
	struct xia64m_tlb dtlb, itlb;
	unsigned long tlb_inserts, tlb_purges;
	int (*enter)(void *ctx, uint64_t ip);
	void *enter_ctx;
	/* called at guest instruction boundaries: may raise events */
	void (*inject)(struct xia64m *m, void *ctx);
	void *inject_ctx;
	int in_inject;
	unsigned int depth;
	unsigned int bucket;
	struct xia64m_stats st;
};

/* Allocate the shared area and put the vCPU in Xen's initial state. */
int xia64m_init(struct xia64m *m);
void xia64m_fini(struct xia64m *m);
/* The seam the guest layer calls where hardware would trap. */
extern const struct xpv_ia64_trap_ops xia64m_trap_ops;

/* ---- entries into the VMM ---- */
/* break @iim from the guest (r2, r8-r11, r14-r18 taken from m->regs). */
void xia64m_break(struct xia64m *m, uint64_t iim);
/* A privileged instruction at PL2: priv_emulate. */
uint64_t xia64m_privop(struct xia64m *m, enum xpv_ia64_privop op, uint64_t a,
		       uint64_t b);
/* An event on @port (from another domain); reflected if unmasked. */
int xia64m_send_event(struct xia64m *m, unsigned int port);
/* An external interrupt @vec pended in irr (timer, IPI). */
int xia64m_pend_vector(struct xia64m *m, unsigned int vec);
/* A fault the guest must see at iva + @vector (tlb miss etc.). */
int xia64m_raise_fault(struct xia64m *m, uint64_t vector, uint64_t isr,
		       uint64_t ifa);

/* ---- Xen's vcpu operations (vcpu.c), exported for tests ---- */
uint64_t xia64m_get_psr(const struct xia64m *m);
uint64_t xia64m_ipsr_int_state(const struct xia64m *m, uint64_t prevpsr);
void xia64m_set_psr(struct xia64m *m, uint64_t vpsr);
void xia64m_rfi(struct xia64m *m);
void xia64m_cover(struct xia64m *m);
void xia64m_bsw0(struct xia64m *m);
void xia64m_bsw1(struct xia64m *m);
uint64_t xia64m_check_pending(const struct xia64m *m);
uint64_t xia64m_get_ivr(struct xia64m *m);
int xia64m_set_tpr(struct xia64m *m, uint64_t v);
void xia64m_eoi(struct xia64m *m);
uint64_t xia64m_thash(const struct xia64m *m, uint64_t va);
uint64_t xia64m_virtual_itc(struct xia64m *m);
void xia64m_reflect_interruption(struct xia64m *m, uint64_t isr,
				 uint64_t vector);
void xia64m_reflect_event(struct xia64m *m);
/* Deliver what is pending and deliverable, as on every return to guest. */
void xia64m_vmm_exit(struct xia64m *m);
/* Xen moves the vCPU: the machine ITC jumps and itc_offset follows. */
void xia64m_migrate(struct xia64m *m, uint64_t new_machine_itc,
		    uint64_t new_offset);
/* Start counting VMM entries into @bucket; returns the previous one. */
unsigned int xia64m_set_bucket(struct xia64m *m, unsigned int bucket);

/* Fast or slow Xen path for hyperprivop @nr in the current state. */
enum xia64m_path xia64m_hp_path(const struct xia64m *m, unsigned int nr);
/* Arguments and result of each hyperprivop, as the stubs pass them. */
unsigned int xia64m_hp_nargs(unsigned int nr);
int xia64m_hp_has_result(unsigned int nr);

#endif
