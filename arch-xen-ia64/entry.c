// SPDX-License-Identifier: MIT
/*
 * Hyper-reflection, guest side.  Xen reflects an interruption by saving the
 * interrupted state in the hyper-registers (ipsr, iip, isr, ifa...), turning
 * virtual psr.ic off, masking events, switching to bank 0 and jumping to
 * iva + vector, or to the event callback.  The entry below reads that state
 * back, runs the handler with the interrupted registers saved in a frame,
 * and returns through rfi.  Everything goes through c->ops, so the same code
 * serves the classic, hyperprivop and hyper-register guests.
 */
#include "arch-xen-ia64/pv.h"

#define XPV_IA64_EINVAL 22
/* Rounds of the callback loop before leaving the rest to the next exit. */
#define XPV_IA64_CALLBACK_ROUNDS 64
/* cr.ivr reads per external interrupt entry (256 vectors at most). */
#define XPV_IA64_IVR_ROUNDS 256

int xpv_ia64_setup(struct xpv_ia64_cpu *c, enum xpv_ia64_pv_mode mode,
		   const struct xpv_ia64_trap_ops *trap, void *trap_ctx,
		   void *xsi, unsigned int vcpu)
{
	struct xen_ia64_mapped_regs *mr;
	uint8_t *want;

	if (!c || !trap || !xsi || vcpu >= XEN_IA64_MAX_VIRT_CPUS)
		return -XPV_IA64_EINVAL;
	mr = (struct xen_ia64_mapped_regs *)((uint8_t *)xsi + XMAPPEDREGS_OFS);
	want = (uint8_t *)xsi + XSI_PSR_I_OFS(vcpu);
	/* The one pointer Xen hands us: it must name our own mask byte. */
	if (mr->interrupt_mask_addr != want)
		return -XPV_IA64_EINVAL;
	__builtin_memset(c, 0, sizeof(*c));
	c->trap = trap;
	c->trap_ctx = trap_ctx;
	c->xsi = xsi;
	c->mr = mr;
	c->si = xsi;
	c->vcpu = vcpu;
	c->vi = &c->si->vcpu_info[vcpu];
	c->psr_i = want;
	switch (mode) {
	case XPV_IA64_PV_HPRIV:
		c->ops = &xpv_ia64_hpriv_ops;
		break;
	case XPV_IA64_PV_XEN:
		c->ops = &xpv_ia64_xen_ops;
		break;
	default:
		c->ops = &xpv_ia64_native_ops;
		break;
	}
	return 0;
}

void xpv_ia64_set_entries(struct xpv_ia64_cpu *c, uint64_t iva,
			  uint64_t callback_ip)
{
	c->iva = iva & ~(IA64_IVA_ALIGN - 1);
	c->callback_ip = callback_ip;
}

/* SAVE_MIN/SAVE_REST: the interrupted state into @f, back on bank 1. */
static void entry_save(struct xpv_ia64_cpu *c, struct xpv_ia64_intr_frame *f,
		       bool fault)
{
	struct xpv_ia64_gregs *r = c->trap->regs(c->trap_ctx);
	unsigned int i;

	for (i = 1; i < 16; i++)
		f->gr[i] = r->gr[i];
	/* psr.ic is 0 here, so cover moves cr.ifs into the virtual ifs. */
	c->ops->cover(c);
	f->ipsr = c->ops->get_cr(c, IA64_CR_IPSR);
	f->iip = c->ops->get_cr(c, IA64_CR_IIP);
	f->ifs = c->ops->get_cr(c, IA64_CR_IFS);
	f->isr = c->ops->get_cr(c, IA64_CR_ISR);
	if (fault) {
		f->ifa = c->ops->get_cr(c, IA64_CR_IFA);
		f->iim = c->ops->get_cr(c, IA64_CR_IIM);
		f->itir = c->ops->get_cr(c, IA64_CR_ITIR);
		f->iha = c->ops->get_cr(c, IA64_CR_IHA);
	}
	c->ops->bsw1(c);
	for (i = 16; i < 32; i++)
		f->gr[i] = r->gr[i];
	c->ops->set_ic(c, true);
}

/* RESTORE + rfi: write the (possibly edited) state back and return. */
static void entry_restore(struct xpv_ia64_cpu *c,
			  const struct xpv_ia64_intr_frame *f)
{
	struct xpv_ia64_gregs *r = c->trap->regs(c->trap_ctx);
	unsigned int i;

	c->ops->set_ic(c, false);
	for (i = 16; i < 32; i++)
		r->gr[i] = f->gr[i];
	c->ops->set_cr(c, IA64_CR_IPSR, f->ipsr);
	c->ops->set_cr(c, IA64_CR_IIP, f->iip);
	c->ops->set_cr(c, IA64_CR_IFS, f->ifs);
	c->ops->bsw0(c);
	for (i = 1; i < 16; i++)
		r->gr[i] = f->gr[i];
	c->ops->rfi(c);
}

/* One pass over the 2-level pending bitmaps; events stay masked meanwhile. */
static void callback_scan(struct xpv_ia64_cpu *c)
{
	uint64_t sel, bits;
	unsigned int w, b, port;

	sel = __atomic_exchange_n(&c->vi->evtchn_pending_sel, 0,
				  __ATOMIC_ACQ_REL);
	while (sel) {
		w = (unsigned int)__builtin_ctzll(sel);
		sel &= sel - 1;
		bits = __atomic_load_n(&c->si->evtchn_pending[w],
				       __ATOMIC_ACQUIRE) &
		       ~__atomic_load_n(&c->si->evtchn_mask[w],
					__ATOMIC_ACQUIRE);
		while (bits) {
			b = (unsigned int)__builtin_ctzll(bits);
			bits &= bits - 1;
			port = w * 64 + b;
			__atomic_fetch_and(&c->si->evtchn_pending[w],
					   ~(1ULL << b), __ATOMIC_ACQ_REL);
			c->events_handled++;
			if (c->port_fn)
				c->port_fn(c, port, c->port_arg);
			xpv_ia64_tick(c);
		}
	}
}

static int event_entry(struct xpv_ia64_cpu *c)
{
	struct xpv_ia64_intr_frame f = {.vector = 0};
	unsigned int round = 0;

	entry_save(c, &f, false);
	do {
		c->callback_loops++;
		__atomic_store_n(&c->vi->evtchn_upcall_pending, 0,
				 __ATOMIC_RELEASE);
		callback_scan(c);
		xpv_ia64_tick(c);
	} while (__atomic_load_n(&c->vi->evtchn_upcall_pending,
				 __ATOMIC_ACQUIRE) &&
		 ++round < XPV_IA64_CALLBACK_ROUNDS);
	entry_restore(c, &f);
	return 0;
}

static void extint_loop(struct xpv_ia64_cpu *c)
{
	unsigned int n;
	uint64_t vec;

	for (n = 0; n < XPV_IA64_IVR_ROUNDS; n++) {
		vec = c->ops->get_ivr(c);
		if (vec == IA64_SPURIOUS_VECTOR || vec > 255)
			break;
		if (c->irq_fn)
			c->irq_fn(c, (unsigned int)vec, c->irq_arg);
		c->ops->eoi(c);
	}
}

static int intr_entry(struct xpv_ia64_cpu *c, uint64_t vector)
{
	struct xpv_ia64_intr_frame f = {.vector = vector};

	entry_save(c, &f, vector != IA64_EXTINT_VECTOR);
	if (vector == IA64_EXTINT_VECTOR)
		extint_loop(c);
	else if (c->intr_fn)
		c->intr_fn(c, &f, c->intr_arg);
	entry_restore(c, &f);
	return 0;
}

int xpv_ia64_enter(struct xpv_ia64_cpu *c, uint64_t ip)
{
	if (c->callback_ip && ip == c->callback_ip)
		return event_entry(c);
	if (c->iva && ip - c->iva < IA64_IVA_ALIGN && !(ip & 0xff))
		return intr_entry(c, ip - c->iva);
	c->bad_entries++;
	return -XPV_IA64_EINVAL;
}

int xpv_ia64_boot(struct xpv_ia64_cpu *c, uint64_t iva, uint64_t callback_ip)
{
	struct xen_ia64_callback_register cb = {
		.type = XEN_IA64_CALLBACKTYPE_EVENT,
		.ip = callback_ip,
	};
	unsigned long args[5] = {XEN_IA64_CALLBACKOP_REGISTER,
				 (unsigned long)(uintptr_t)&cb, 0, 0, 0};
	long rc;

	if ((iva & (IA64_IVA_ALIGN - 1)) || callback_ip - iva < IA64_IVA_ALIGN)
		return -XPV_IA64_EINVAL;
	c->ops->set_cr(c, IA64_CR_IVA, iva);
	rc = c->trap->hypercall(c->trap_ctx, XEN_IA64_HC_CALLBACK_OP, args);
	if (rc)
		return (int)rc;
	xpv_ia64_set_entries(c, iva, callback_ip);
	return 0;
}
