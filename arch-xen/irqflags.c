// SPDX-License-Identifier: MIT
/* Event masking on vcpu_info; see irqflags.h. */
#include "arch-xen/irqflags.h"
#include "xenpv/compiler.h"

static void mask_store(struct vcpu_info *vi, uint8_t mask)
{
	__atomic_store_n(&vi->evtchn_upcall_mask, mask, __ATOMIC_RELEASE);
}

/* After unmasking: an upcall that came while masked must be asked for. */
static void recheck_pending(struct xpv_irq_vcpu *v)
{
	/* The unmask store must be visible before we read pending (a
	 * store-load order: only a full fence gives it). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))
		v->force_upcall(v->arg);
}

unsigned long xpv_irq_save(struct xpv_irq_vcpu *v)
{
	unsigned long old = XPV_READ_ONCE(v->vi->evtchn_upcall_mask);

	mask_store(v->vi, 1);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return old;
}

void xpv_irq_restore(struct xpv_irq_vcpu *v, unsigned long flags)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	mask_store(v->vi, flags ? 1 : 0);
	if (!flags)
		recheck_pending(v);
}

void xpv_irq_disable(struct xpv_irq_vcpu *v)
{
	mask_store(v->vi, 1);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void xpv_irq_enable(struct xpv_irq_vcpu *v)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	mask_store(v->vi, 0);
	recheck_pending(v);
}

bool xpv_irq_disabled(const struct xpv_irq_vcpu *v)
{
	return XPV_READ_ONCE(v->vi->evtchn_upcall_mask) != 0;
}
