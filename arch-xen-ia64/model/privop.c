// SPDX-License-Identifier: MIT
/*
 * Privileged-operation faults (priv_emulate): the classic guest's every
 * privileged instruction lands here, and so do the hyperprivop guest's
 * operations that have no hyperprivop.  Then the model's init and the
 * host implementation of the guest's trap seam.
 */
#include <stdlib.h>
#include <string.h>

#include "arch-xen-ia64/model/model.h"

#define XIA64M_ISR_ILLOP 0x00UL
#define XIA64M_ISR_RSVD 0x30UL
/* psr bits rsm/ssm may name at PL2 (vcpu_{re,}set_psr_sm) */
#define XIA64M_SM_OK                                                           \
	(IA64_PSR(BE) | IA64_PSR(PP) | IA64_PSR(UP) | IA64_PSR(SP) |           \
	 IA64_PSR(I) | IA64_PSR(IC) | IA64_PSR(DT) | IA64_PSR(DFL) |           \
	 IA64_PSR(DFH) | IA64_PSR(PK) | IA64_PSR(AC) | IA64_PSR(MFL) |         \
	 IA64_PSR(MFH))

static int psr_sm(struct xia64m *m, uint64_t imm, int set)
{
	if (imm & ~XIA64M_SM_OK)
		return -1;
	if (imm & IA64_PSR(I))
		m->vi->evtchn_upcall_mask = !set;
	if (imm & IA64_PSR(IC))
		m->mr->interrupt_collection_enabled = set;
	if (imm & IA64_PSR(DT))
		m->mr->metaphysical_mode = !set;
	if (imm & IA64_PSR(DFH))
		m->mr->vpsr_dfh = set;
	if (imm & IA64_PSR(PP))
		m->mr->vpsr_pp = set;
	if (imm & IA64_PSR(BE))
		m->cr_ipsr = set ? m->cr_ipsr | IA64_PSR(BE)
				 : m->cr_ipsr & ~IA64_PSR(BE);
	return 0;
}

static int get_cr(struct xia64m *m, uint64_t cr, uint64_t *v)
{
	switch (cr) {
	case IA64_CR_IVA:
		*v = m->iva;
		return 0;
	case IA64_CR_ITM:
		*v = m->domain_itm;
		return 0;
	case IA64_CR_IVR:
		*v = xia64m_get_ivr(m);
		return 0;
	case IA64_CR_EOI:
		*v = 0;
		return 0;
	case IA64_CR_LID:
		*v = 0;
		return 0;
	case IA64_CR_DCR:
	case IA64_CR_PTA:
	case IA64_CR_IPSR:
	case IA64_CR_ISR:
	case IA64_CR_IIP:
	case IA64_CR_IFA:
	case IA64_CR_ITIR:
	case IA64_CR_IIPA:
	case IA64_CR_IFS:
	case IA64_CR_IIM:
	case IA64_CR_IHA:
	case IA64_CR_TPR:
	case IA64_CR_ITV:
	case 68:
	case 69:
	case 70:
	case 71:
		*v = cr >= 68 && cr <= 71 ? m->irr[cr - 68] : m->mr->vcr[cr];
		return 0;
	default:
		return -1;
	}
}

static int set_cr(struct xia64m *m, uint64_t cr, uint64_t v)
{
	switch (cr) {
	case IA64_CR_IVA:
		m->iva = v & ~(IA64_IVA_ALIGN - 1);
		return 0;
	case IA64_CR_ITM:
		m->domain_itm = v;
		return 0;
	case IA64_CR_TPR:
		return xia64m_set_tpr(m, v);
	case IA64_CR_EOI:
		xia64m_eoi(m);
		return 0;
	case IA64_CR_PTA:
		/* long format VHPT and reserved fields are refused */
		if (v & ((1UL << 8) | (0x3fUL << 9) | 2))
			return -1;
		m->mr->pta = v;
		return 0;
	case IA64_CR_ITV:
		if (v & 0xef00)
			return -1;
		m->mr->itv = v;
		return 0;
	case IA64_CR_DCR:
	case IA64_CR_IPSR:
	case IA64_CR_ISR:
	case IA64_CR_IIP:
	case IA64_CR_IFA:
	case IA64_CR_ITIR:
	case IA64_CR_IIPA:
	case IA64_CR_IFS:
	case IA64_CR_IIM:
	case IA64_CR_IHA:
		m->mr->vcr[cr] = v;
		return 0;
	default:
		return -1;
	}
}

static void tlb_put(struct xia64m *m, struct xia64m_tlb *t, uint64_t pte)
{
	t->pte = pte;
	t->itir = m->mr->itir;
	t->ifa = m->mr->ifa;
	t->valid = 1;
	m->tlb_inserts++;
}

/* One emulated instruction; -1 means the guest gets a fault instead. */
static int emulate(struct xia64m *m, enum xpv_ia64_privop op, uint64_t a,
		   uint64_t b, uint64_t *res)
{
	switch (op) {
	case XPV_IA64_OP_RSM:
		return psr_sm(m, a, 0);
	case XPV_IA64_OP_SSM:
		return psr_sm(m, a, 1);
	case XPV_IA64_OP_MOV_FROM_PSR:
		*res = xia64m_get_psr(m) & (0xffffffffUL | (3UL << 35));
		return 0;
	case XPV_IA64_OP_MOV_FROM_CR:
		return get_cr(m, a, res);
	case XPV_IA64_OP_MOV_TO_CR:
		return set_cr(m, a, b);
	case XPV_IA64_OP_COVER:
		xia64m_cover(m);
		return 0;
	case XPV_IA64_OP_BSW0:
		xia64m_bsw0(m);
		return 0;
	case XPV_IA64_OP_BSW1:
		xia64m_bsw1(m);
		return 0;
	case XPV_IA64_OP_ITC_D:
		tlb_put(m, &m->dtlb, a);
		return 0;
	case XPV_IA64_OP_ITC_I:
		tlb_put(m, &m->itlb, a);
		return 0;
	case XPV_IA64_OP_PTC_GA:
		m->dtlb.valid = m->itlb.valid = 0;
		m->tlb_purges++;
		return 0;
	case XPV_IA64_OP_THASH:
		*res = xia64m_thash(m, a);
		return 0;
	case XPV_IA64_OP_MOV_TO_RR:
		m->mr->rrs[a >> 61] = b;
		return 0;
	case XPV_IA64_OP_MOV_FROM_RR:
		*res = m->mr->rrs[a >> 61];
		return 0;
	case XPV_IA64_OP_MOV_TO_KR:
		if (a >= 8)
			return -1;
		m->mr->krs[a] = b;
		m->krs_set++;
		return 0;
	case XPV_IA64_OP_MOV_FROM_ITC:
		*res = xia64m_virtual_itc(m);
		return 0;
	case XPV_IA64_OP_MOV_TO_ITC:
		m->mr->itc_offset = a - m->machine_itc;
		m->mr->itc_last = a;
		return 0;
	default:
		return -1;
	}
}

uint64_t xia64m_privop(struct xia64m *m, enum xpv_ia64_privop op, uint64_t a,
		       uint64_t b)
{
	uint64_t res = 0;
	unsigned int idx = (unsigned int)op;

	m->st.entries++;
	m->st.privop_traps++;
	m->st.bucket[m->bucket]++;
	m->machine_itc += m->itc_step;
	if (idx < XPV_IA64_OP_NR)
		m->st.privop[idx]++;
	if (op == XPV_IA64_OP_RFI) {
		xia64m_rfi(m);
	} else if (idx >= XPV_IA64_OP_NR || emulate(m, op, a, b, &res)) {
		m->st.faults++;
		xia64m_reflect_interruption(m, XIA64M_ISR_ILLOP,
					    IA64_GENEX_VECTOR);
	} else {
		/* vcpu_increment_iip */
		uint64_t ri = (m->cr_ipsr & IA64_PSR_RI) >> IA64_PSR_RI_BIT;

		ri = ri >= 2 ? 0 : ri + 1;
		if (!ri)
			m->cr_iip += 16;
		m->cr_ipsr =
			(m->cr_ipsr & ~IA64_PSR_RI) | (ri << IA64_PSR_RI_BIT);
	}
	xia64m_vmm_exit(m);
	return res;
}

int xia64m_init(struct xia64m *m)
{
	memset(m, 0, sizeof(*m));
	m->xsi = aligned_alloc(2 * XSI_SIZE, 2 * XSI_SIZE);
	if (!m->xsi)
		return -12;
	memset(m->xsi, 0, 2 * XSI_SIZE);
	m->si = (struct xen_ia64_shared_info *)m->xsi;
	m->mr = (struct xen_ia64_mapped_regs *)(m->xsi + XMAPPEDREGS_OFS);
	m->vi = &m->si->vcpu_info[0];
	/* vcpu_init_regs for a paravirtualized domain */
	m->mr->interrupt_mask_addr = m->xsi + XSI_PSR_I_OFS(0);
	m->mr->banknum = 1;
	m->mr->interrupt_collection_enabled = 1;
	m->mr->itv = 1UL << 16;
	m->mr->pta = 15 << 2;
	m->vi->evtchn_upcall_mask = 1;
	m->cr_ipsr = IA64_PSR(IC) | IA64_PSR(I) | IA64_PSR(DT) | IA64_PSR(RT) |
		     IA64_PSR(IT) | IA64_PSR(BN) | IA64_PSR(DI) | IA64_PSR(PP) |
		     (XIA64M_KERNEL_CPL << IA64_PSR_CPL0_BIT);
	m->cr_ifs = IA64_IFS_V;
	m->itc_step = 1;
	m->machine_itc = 1000;
	return 0;
}

void xia64m_fini(struct xia64m *m)
{
	free(m->xsi);
	m->xsi = NULL;
}

/* ---- the trap seam on the host ---- */

static uint64_t tr_privop(void *ctx, enum xpv_ia64_privop op, uint64_t a,
			  uint64_t b)
{
	return xia64m_privop(ctx, op, a, b);
}

/* As the .S stubs do: args into r8-r11, r14, then break; result in r8. */
static uint64_t tr_hyperprivop(void *ctx, unsigned int nr,
			       const uint64_t args[5])
{
	static const unsigned int reg[5] = {8, 9, 10, 11, 14};
	struct xia64m *m = ctx;
	unsigned int i, n = xia64m_hp_nargs(nr);
	uint64_t saved8 = m->regs.gr[8];

	for (i = 0; i < n; i++)
		m->regs.gr[reg[i]] = args[i];
	xia64m_break(m, nr);
	return xia64m_hp_has_result(nr) ? m->regs.gr[8] : saved8;
}

static long tr_hypercall(void *ctx, unsigned long cmd,
			 const unsigned long args[5])
{
	struct xia64m *m = ctx;
	unsigned int i;

	m->regs.gr[2] = cmd;
	for (i = 0; i < 5; i++)
		m->regs.gr[14 + i] = args[i];
	xia64m_break(m, XEN_IA64_HYPERCALL_BREAK);
	return (long)m->regs.gr[8];
}

static uint64_t tr_read_itc(void *ctx)
{
	struct xia64m *m = ctx;

	m->machine_itc += m->itc_step;
	return m->machine_itc;
}

static struct xpv_ia64_gregs *tr_regs(void *ctx)
{
	return &((struct xia64m *)ctx)->regs;
}

static void tr_tick(void *ctx)
{
	struct xia64m *m = ctx;

	if (!m->inject || m->in_inject)
		return;
	m->in_inject = 1;
	m->inject(m, m->inject_ctx);
	m->in_inject = 0;
}

const struct xpv_ia64_trap_ops xia64m_trap_ops = {
	.privop = tr_privop,
	.hyperprivop = tr_hyperprivop,
	.hypercall = tr_hypercall,
	.read_itc = tr_read_itc,
	.regs = tr_regs,
	.tick = tr_tick,
};
