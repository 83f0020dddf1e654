/* SPDX-License-Identifier: MIT */
/*
 * Interrupt flags of an x86-64 PV guest: "interrupts" are event upcalls,
 * masked by a byte in the vCPU's vcpu_info, not by EFLAGS.IF (the kernel runs
 * in ring 3 and cli/sti would fault).  Masking is a store; unmasking is a
 * store and a re-check of evtchn_upcall_pending, because Xen does not
 * re-deliver an upcall that arrived while masked: the guest must ask for it
 * (any hypercall will do, Xen delivers pending events on the way back).
 */
#ifndef XENPV_ARCH_XEN_IRQFLAGS_H
#define XENPV_ARCH_XEN_IRQFLAGS_H

#include "xenpv/xen.h"

/* How this vCPU asks Xen to deliver a pending upcall now. */
struct xpv_irq_vcpu {
	struct vcpu_info *vi;
	void (*force_upcall)(void *arg);
	void *arg;
};

/* Returns the previous state: 0 = events enabled, 1 = masked. */
unsigned long xpv_irq_save(struct xpv_irq_vcpu *v);
void xpv_irq_restore(struct xpv_irq_vcpu *v, unsigned long flags);
void xpv_irq_disable(struct xpv_irq_vcpu *v);
void xpv_irq_enable(struct xpv_irq_vcpu *v);
bool xpv_irq_disabled(const struct xpv_irq_vcpu *v);

/*
 * The pv-ops table: native defaults (cli/sti/hlt on bare x86) replaced once
 * at boot by the Xen versions, then sealed.
 */
struct xpv_pv_irq_ops {
	unsigned long (*save_fl)(void);
	void (*restore_fl)(unsigned long flags);
	void (*irq_disable)(void);
	void (*irq_enable)(void);
	/* Enable events and sleep until one comes, atomically. */
	void (*safe_halt)(void);
};

#endif
