// SPDX-License-Identifier: MIT
/*
 * The three cpu ops tables.  native: each privileged operation is the
 * instruction itself, which traps at PL2.  hpriv: the operations that have a
 * hyperprivop use it ("break N"), the rest still trap.  xen: hyper-registers
 * (loads and stores to the mapped_regs page and the psr.i byte) where Xen
 * allows it, hyperprivops for the rest, as Linux/ia64 on Xen did.
 */
#include "arch-xen-ia64/pv.h"

#define XPV_IA64_BARRIER() __asm__ __volatile__("" ::: "memory")
/* evtchn_upcall_pending is the byte just before the psr.i (mask) byte. */
#define XPV_IA64_READ_PENDING(c) (*((c)->psr_i - 1))

static uint64_t priv(struct xpv_ia64_cpu *c, enum xpv_ia64_privop op,
		     uint64_t a, uint64_t b)
{
	return c->trap->privop(c->trap_ctx, op, a, b);
}

static uint64_t hp(struct xpv_ia64_cpu *c, unsigned int nr, uint64_t a0,
		   uint64_t a1)
{
	uint64_t args[5] = {a0, a1, 0, 0, 0};

	return c->trap->hyperprivop(c->trap_ctx, nr, args);
}

/* ---- native: the instructions themselves ---------------------------- */

static uint64_t nat_get_psr(struct xpv_ia64_cpu *c)
{
	return priv(c, XPV_IA64_OP_MOV_FROM_PSR, 0, 0);
}

static unsigned long nat_save_fl(struct xpv_ia64_cpu *c)
{
	return (nat_get_psr(c) >> IA64_PSR_I_BIT) & 1;
}

static void nat_irq_disable(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_RSM, IA64_PSR(I), 0);
}

static void nat_irq_enable(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_SSM, IA64_PSR(I), 0);
}

static void nat_irq_restore(struct xpv_ia64_cpu *c, unsigned long fl)
{
	priv(c, fl ? XPV_IA64_OP_SSM : XPV_IA64_OP_RSM, IA64_PSR(I), 0);
}

static void nat_set_ic(struct xpv_ia64_cpu *c, bool on)
{
	priv(c, on ? XPV_IA64_OP_SSM : XPV_IA64_OP_RSM, IA64_PSR(IC), 0);
}

static uint64_t nat_get_cr(struct xpv_ia64_cpu *c, unsigned int cr)
{
	return priv(c, XPV_IA64_OP_MOV_FROM_CR, cr, 0);
}

static void nat_set_cr(struct xpv_ia64_cpu *c, unsigned int cr, uint64_t v)
{
	priv(c, XPV_IA64_OP_MOV_TO_CR, cr, v);
}

static uint64_t nat_get_ivr(struct xpv_ia64_cpu *c)
{
	return nat_get_cr(c, IA64_CR_IVR);
}

static void nat_eoi(struct xpv_ia64_cpu *c)
{
	nat_set_cr(c, IA64_CR_EOI, 0);
}

static uint64_t nat_get_tpr(struct xpv_ia64_cpu *c)
{
	return nat_get_cr(c, IA64_CR_TPR);
}

static void nat_set_tpr(struct xpv_ia64_cpu *c, uint64_t v)
{
	nat_set_cr(c, IA64_CR_TPR, v);
}

static void nat_cover(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_COVER, 0, 0);
}

static void nat_rfi(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_RFI, 0, 0);
}

static void nat_bsw0(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_BSW0, 0, 0);
}

static void nat_bsw1(struct xpv_ia64_cpu *c)
{
	priv(c, XPV_IA64_OP_BSW1, 0, 0);
}

static void nat_itc_d(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	nat_set_cr(c, IA64_CR_IFA, ifa);
	nat_set_cr(c, IA64_CR_ITIR, itir);
	priv(c, XPV_IA64_OP_ITC_D, pte, 0);
}

static void nat_itc_i(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	nat_set_cr(c, IA64_CR_IFA, ifa);
	nat_set_cr(c, IA64_CR_ITIR, itir);
	priv(c, XPV_IA64_OP_ITC_I, pte, 0);
}

static void nat_ptcga(struct xpv_ia64_cpu *c, uint64_t va, uint64_t logsz)
{
	priv(c, XPV_IA64_OP_PTC_GA, va, logsz << 2);
}

static uint64_t nat_thash(struct xpv_ia64_cpu *c, uint64_t va)
{
	return priv(c, XPV_IA64_OP_THASH, va, 0);
}

static uint64_t nat_get_rr(struct xpv_ia64_cpu *c, uint64_t va)
{
	return priv(c, XPV_IA64_OP_MOV_FROM_RR, va, 0);
}

static void nat_set_rr(struct xpv_ia64_cpu *c, uint64_t va, uint64_t v)
{
	priv(c, XPV_IA64_OP_MOV_TO_RR, va, v);
}

static void nat_set_rr0_to_rr4(struct xpv_ia64_cpu *c, const uint64_t v[5])
{
	unsigned int i;

	for (i = 0; i < 5; i++)
		nat_set_rr(c, (uint64_t)i << 61, v[i]);
}

static void nat_set_kr(struct xpv_ia64_cpu *c, unsigned int k, uint64_t v)
{
	priv(c, XPV_IA64_OP_MOV_TO_KR, k, v);
}

/* psr.si=1: a VMM that offsets the ITC has to trap the reads. */
static uint64_t nat_get_itc(struct xpv_ia64_cpu *c)
{
	return priv(c, XPV_IA64_OP_MOV_FROM_ITC, 0, 0);
}

static void nat_set_itc(struct xpv_ia64_cpu *c, uint64_t v)
{
	priv(c, XPV_IA64_OP_MOV_TO_ITC, v, 0);
}

const struct xpv_ia64_cpu_ops xpv_ia64_native_ops = {
	.name = "classic",
	.save_fl = nat_save_fl,
	.irq_disable = nat_irq_disable,
	.irq_enable = nat_irq_enable,
	.irq_restore = nat_irq_restore,
	.set_ic = nat_set_ic,
	.get_psr = nat_get_psr,
	.get_cr = nat_get_cr,
	.set_cr = nat_set_cr,
	.get_ivr = nat_get_ivr,
	.eoi = nat_eoi,
	.get_tpr = nat_get_tpr,
	.set_tpr = nat_set_tpr,
	.cover = nat_cover,
	.rfi = nat_rfi,
	.bsw0 = nat_bsw0,
	.bsw1 = nat_bsw1,
	.itc_d = nat_itc_d,
	.itc_i = nat_itc_i,
	.ptcga = nat_ptcga,
	.thash = nat_thash,
	.get_rr = nat_get_rr,
	.set_rr = nat_set_rr,
	.set_rr0_to_rr4 = nat_set_rr0_to_rr4,
	.set_kr = nat_set_kr,
	.get_itc = nat_get_itc,
	.set_itc = nat_set_itc,
};

/* ---- hyperprivops, no hyper-registers -------------------------------- */

static uint64_t hpv_get_psr(struct xpv_ia64_cpu *c)
{
	return hp(c, HYPERPRIVOP_GET_PSR, 0, 0);
}

static unsigned long hpv_save_fl(struct xpv_ia64_cpu *c)
{
	return (hpv_get_psr(c) >> IA64_PSR_I_BIT) & 1;
}

/* There is no RSM_I hyperprivop: without the psr.i byte, rsm traps. */
static void hpv_irq_enable(struct xpv_ia64_cpu *c)
{
	hp(c, HYPERPRIVOP_SSM_I, 0, 0);
}

static void hpv_irq_restore(struct xpv_ia64_cpu *c, unsigned long fl)
{
	if (fl)
		hpv_irq_enable(c);
	else
		nat_irq_disable(c);
}

static uint64_t hpv_get_cr(struct xpv_ia64_cpu *c, unsigned int cr)
{
	if (cr == IA64_CR_IVR)
		return hp(c, HYPERPRIVOP_GET_IVR, 0, 0);
	if (cr == IA64_CR_TPR)
		return hp(c, HYPERPRIVOP_GET_TPR, 0, 0);
	return nat_get_cr(c, cr);
}

static void hpv_set_cr(struct xpv_ia64_cpu *c, unsigned int cr, uint64_t v)
{
	if (cr == IA64_CR_TPR)
		hp(c, HYPERPRIVOP_SET_TPR, v, 0);
	else if (cr == IA64_CR_EOI)
		hp(c, HYPERPRIVOP_EOI, v, 0);
	else if (cr == IA64_CR_ITM)
		hp(c, HYPERPRIVOP_SET_ITM, v, 0);
	else
		nat_set_cr(c, cr, v);
}

static uint64_t hpv_get_ivr(struct xpv_ia64_cpu *c)
{
	return hp(c, HYPERPRIVOP_GET_IVR, 0, 0);
}

static void hpv_eoi(struct xpv_ia64_cpu *c)
{
	hp(c, HYPERPRIVOP_EOI, 0, 0);
}

static uint64_t hpv_get_tpr(struct xpv_ia64_cpu *c)
{
	return hp(c, HYPERPRIVOP_GET_TPR, 0, 0);
}

static void hpv_set_tpr(struct xpv_ia64_cpu *c, uint64_t v)
{
	hp(c, HYPERPRIVOP_SET_TPR, v, 0);
}

static void hpv_cover(struct xpv_ia64_cpu *c)
{
	hp(c, HYPERPRIVOP_COVER, 0, 0);
}

static void hpv_rfi(struct xpv_ia64_cpu *c)
{
	hp(c, HYPERPRIVOP_RFI, 0, 0);
}

/* ITC_D takes only the pte; ifa and itir must already be in cr. */
static void hpv_itc_d(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	nat_set_cr(c, IA64_CR_IFA, ifa);
	nat_set_cr(c, IA64_CR_ITIR, itir);
	hp(c, HYPERPRIVOP_ITC_D, pte, 0);
}

static void hpv_itc_i(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	nat_set_cr(c, IA64_CR_IFA, ifa);
	nat_set_cr(c, IA64_CR_ITIR, itir);
	hp(c, HYPERPRIVOP_ITC_I, pte, 0);
}

static void hpv_ptcga(struct xpv_ia64_cpu *c, uint64_t va, uint64_t logsz)
{
	hp(c, HYPERPRIVOP_PTC_GA, va, logsz << 2);
}

static uint64_t hpv_thash(struct xpv_ia64_cpu *c, uint64_t va)
{
	return hp(c, HYPERPRIVOP_THASH, va, 0);
}

static uint64_t hpv_get_rr(struct xpv_ia64_cpu *c, uint64_t va)
{
	return hp(c, HYPERPRIVOP_GET_RR, va, 0);
}

static void hpv_set_rr(struct xpv_ia64_cpu *c, uint64_t va, uint64_t v)
{
	hp(c, HYPERPRIVOP_SET_RR, va, v);
}

static void hpv_set_rr0_to_rr4(struct xpv_ia64_cpu *c, const uint64_t v[5])
{
	uint64_t args[5] = {v[0], v[1], v[2], v[3], v[4]};

	c->trap->hyperprivop(c->trap_ctx, HYPERPRIVOP_SET_RR0_TO_RR4, args);
}

static void hpv_set_kr(struct xpv_ia64_cpu *c, unsigned int k, uint64_t v)
{
	hp(c, HYPERPRIVOP_SET_KR, k, v);
}

const struct xpv_ia64_cpu_ops xpv_ia64_hpriv_ops = {
	.name = "hyperprivops",
	.save_fl = hpv_save_fl,
	.irq_disable = nat_irq_disable,
	.irq_enable = hpv_irq_enable,
	.irq_restore = hpv_irq_restore,
	.set_ic = nat_set_ic,
	.get_psr = hpv_get_psr,
	.get_cr = hpv_get_cr,
	.set_cr = hpv_set_cr,
	.get_ivr = hpv_get_ivr,
	.eoi = hpv_eoi,
	.get_tpr = hpv_get_tpr,
	.set_tpr = hpv_set_tpr,
	.cover = hpv_cover,
	.rfi = hpv_rfi,
	.bsw0 = nat_bsw0,
	.bsw1 = nat_bsw1,
	.itc_d = hpv_itc_d,
	.itc_i = hpv_itc_i,
	.ptcga = hpv_ptcga,
	.thash = hpv_thash,
	.get_rr = hpv_get_rr,
	.set_rr = hpv_set_rr,
	.set_rr0_to_rr4 = hpv_set_rr0_to_rr4,
	.set_kr = hpv_set_kr,
	.get_itc = nat_get_itc,
	.set_itc = nat_set_itc,
};

/* ---- hyper-registers + hyperprivops ----------------------------------- */

static unsigned long xen_save_fl(struct xpv_ia64_cpu *c)
{
	return !*c->psr_i;
}

static void xen_irq_disable(struct xpv_ia64_cpu *c)
{
	*c->psr_i = 1;
	XPV_IA64_BARRIER();
}

/*
 * Unmask first, then look at pending: an event that lands after the store
 * is delivered by Xen itself, one that landed before is caught here.
 */
static void xen_irq_enable(struct xpv_ia64_cpu *c)
{
	uint8_t was_masked = *c->psr_i;

	*c->psr_i = 0;
	XPV_IA64_BARRIER();
	xpv_ia64_tick(c);
	if (was_masked && XPV_IA64_READ_PENDING(c))
		hp(c, HYPERPRIVOP_SSM_I, 0, 0);
}

static void xen_irq_restore(struct xpv_ia64_cpu *c, unsigned long fl)
{
	if (fl)
		xen_irq_enable(c);
	else
		xen_irq_disable(c);
}

static void xen_set_ic(struct xpv_ia64_cpu *c, bool on)
{
	*(volatile int32_t *)&c->mr->interrupt_collection_enabled = on;
	XPV_IA64_BARRIER();
}

/* The interruption registers Xen keeps in the mapped_regs page. */
static volatile uint64_t *xen_cr_slot(struct xpv_ia64_cpu *c, unsigned int cr)
{
	switch (cr) {
	case IA64_CR_IPSR:
	case IA64_CR_ISR:
	case IA64_CR_IIP:
	case IA64_CR_IFA:
	case IA64_CR_ITIR:
	case IA64_CR_IIPA:
	case IA64_CR_IFS:
	case IA64_CR_IIM:
	case IA64_CR_IHA:
		return &c->mr->vcr[cr];
	default:
		return NULL;
	}
}

static uint64_t xen_get_cr(struct xpv_ia64_cpu *c, unsigned int cr)
{
	volatile uint64_t *slot = xen_cr_slot(c, cr);

	return slot ? *slot : hpv_get_cr(c, cr);
}

static void xen_set_cr(struct xpv_ia64_cpu *c, unsigned int cr, uint64_t v)
{
	volatile uint64_t *slot = xen_cr_slot(c, cr);

	if (slot)
		*slot = v;
	else
		hpv_set_cr(c, cr, v);
}

/* Bank switches move r16-r31 through the two XSI bank areas. */
static void xen_bsw0(struct xpv_ia64_cpu *c)
{
	struct xpv_ia64_gregs *r = c->trap->regs(c->trap_ctx);
	unsigned int i;

	for (i = 0; i < 16; i++) {
		c->mr->bank1_regs[i] = r->gr[16 + i];
		r->gr[16 + i] = c->mr->bank0_regs[i];
	}
	c->mr->banknum = 0;
}

static void xen_bsw1(struct xpv_ia64_cpu *c)
{
	struct xpv_ia64_gregs *r = c->trap->regs(c->trap_ctx);
	unsigned int i;

	for (i = 0; i < 16; i++) {
		c->mr->bank0_regs[i] = r->gr[16 + i];
		r->gr[16 + i] = c->mr->bank1_regs[i];
	}
	c->mr->banknum = 1;
}

static void xen_itc_d(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	c->mr->ifa = ifa;
	c->mr->itir = itir;
	hp(c, HYPERPRIVOP_ITC_D, pte, 0);
}

static void xen_itc_i(struct xpv_ia64_cpu *c, uint64_t ifa, uint64_t pte,
		      uint64_t itir)
{
	c->mr->ifa = ifa;
	c->mr->itir = itir;
	hp(c, HYPERPRIVOP_ITC_I, pte, 0);
}

/*
 * vAR.ITC = mAR.ITC + itc_offset, and never below what was handed out
 * before: Xen moves itc_offset when the vCPU changes physical CPU.
 */
static uint64_t xen_get_itc(struct xpv_ia64_cpu *c)
{
	uint64_t offset = __atomic_load_n(&c->mr->itc_offset, __ATOMIC_ACQUIRE);
	uint64_t last, res;

	do {
		last = __atomic_load_n(&c->mr->itc_last, __ATOMIC_ACQUIRE);
		res = c->trap->read_itc(c->trap_ctx) + offset;
		if ((int64_t)(res - last) <= 0)
			res = last + 1;
	} while (!__atomic_compare_exchange_n(&c->mr->itc_last, &last, res,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return res;
}

static void xen_set_itc(struct xpv_ia64_cpu *c, uint64_t v)
{
	uint64_t m = c->trap->read_itc(c->trap_ctx);

	__atomic_store_n(&c->mr->itc_offset, v - m, __ATOMIC_RELEASE);
	__atomic_store_n(&c->mr->itc_last, v, __ATOMIC_RELEASE);
}

const struct xpv_ia64_cpu_ops xpv_ia64_xen_ops = {
	.name = "hyperregs+hyperprivops",
	.save_fl = xen_save_fl,
	.irq_disable = xen_irq_disable,
	.irq_enable = xen_irq_enable,
	.irq_restore = xen_irq_restore,
	.set_ic = xen_set_ic,
	.get_psr = hpv_get_psr,
	.get_cr = xen_get_cr,
	.set_cr = xen_set_cr,
	.get_ivr = hpv_get_ivr,
	.eoi = hpv_eoi,
	.get_tpr = hpv_get_tpr,
	.set_tpr = hpv_set_tpr,
	.cover = hpv_cover,
	.rfi = hpv_rfi,
	.bsw0 = xen_bsw0,
	.bsw1 = xen_bsw1,
	.itc_d = xen_itc_d,
	.itc_i = xen_itc_i,
	.ptcga = hpv_ptcga,
	.thash = hpv_thash,
	.get_rr = hpv_get_rr,
	.set_rr = hpv_set_rr,
	.set_rr0_to_rr4 = hpv_set_rr0_to_rr4,
	.set_kr = hpv_set_kr,
	.get_itc = xen_get_itc,
	.set_itc = xen_set_itc,
};
