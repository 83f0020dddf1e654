// SPDX-License-Identifier: MIT
/*
 * Xen/ia64's virtual CPU state (after vcpu.c): the virtual psr is split
 * between the real cr.ipsr of the guest context, the psr.i byte
 * (evtchn_upcall_mask), the hyper-register psr.ic, banknum, vpsr_dfh,
 * vpsr_pp and metaphysical_mode.
 */
#include "arch-xen-ia64/model/model.h"

/* Bits of the guest's psr that go straight to the real psr. */
#define XIA64M_NON_VIRT                                                        \
	(IA64_PSR(BE) | IA64_PSR(UP) | IA64_PSR(AC) | IA64_PSR(MFL) |          \
	 IA64_PSR(MFH) | IA64_PSR(PK) | IA64_PSR(DFL) | IA64_PSR(SP) |         \
	 IA64_PSR(DB) | IA64_PSR(LP) | IA64_PSR(TB) | IA64_PSR(ID) |           \
	 IA64_PSR(DA) | IA64_PSR(DD) | IA64_PSR(SS) | IA64_PSR_RI |            \
	 IA64_PSR(ED) | IA64_PSR(IA))
#define XIA64M_DCR_PP (1UL << 0)

static uint64_t setbit(uint64_t v, uint64_t bit, int on)
{
	return on ? (v | bit) : (v & ~bit);
}

uint64_t xia64m_get_psr(const struct xia64m *m)
{
	uint64_t psr = (m->cr_ipsr & XIA64M_NON_VIRT) | IA64_PSR(DI);
	uint64_t cpl = (m->cr_ipsr & IA64_PSR_CPL) >> IA64_PSR_CPL0_BIT;

	psr = setbit(psr, IA64_PSR(IC), m->mr->interrupt_collection_enabled);
	psr = setbit(psr, IA64_PSR(I), !m->vi->evtchn_upcall_mask);
	if (!m->mr->metaphysical_mode)
		psr |= IA64_PSR(DT) | IA64_PSR(RT) | IA64_PSR(IT);
	psr = setbit(psr, IA64_PSR(DFH), m->mr->vpsr_dfh);
	psr = setbit(psr, IA64_PSR(PP), m->mr->vpsr_pp);
	/* the kernel at PL2 is told it runs at PL0 */
	if (cpl <= XIA64M_KERNEL_CPL)
		cpl = 0;
	psr |= cpl << IA64_PSR_CPL0_BIT;
	psr = setbit(psr, IA64_PSR(BN), m->mr->banknum);
	return psr;
}

/* The ipsr a reflection saves (vcpu_get_ipsr_int_state). */
uint64_t xia64m_ipsr_int_state(const struct xia64m *m, uint64_t prevpsr)
{
	uint64_t psr = prevpsr;

	psr = setbit(psr, IA64_PSR(PP), m->mr->dcr & XIA64M_DCR_PP);
	psr = setbit(psr, IA64_PSR(IC), m->mr->interrupt_collection_enabled);
	psr = setbit(psr, IA64_PSR(I), !m->vi->evtchn_upcall_mask);
	psr = setbit(psr, IA64_PSR(BN), m->mr->banknum);
	psr = setbit(psr, IA64_PSR(DFH), m->mr->vpsr_dfh);
	psr |= IA64_PSR(DT) | IA64_PSR(IT) | IA64_PSR(RT);
	if (((psr & IA64_PSR_CPL) >> IA64_PSR_CPL0_BIT) == XIA64M_KERNEL_CPL)
		psr &= ~IA64_PSR_CPL;
	return psr;
}

/* The guest's whole psr, as rfi installs it (vcpu_set_psr). */
void xia64m_set_psr(struct xia64m *m, uint64_t vpsr)
{
	uint64_t npsr = (vpsr & XIA64M_NON_VIRT) | IA64_PSR(DI);
	uint64_t cpl = (vpsr & IA64_PSR_CPL) >> IA64_PSR_CPL0_BIT;
	int bn = !!(vpsr & IA64_PSR(BN));

	npsr |= IA64_PSR(I) | IA64_PSR(IC) | IA64_PSR(DT) | IA64_PSR(RT) |
		IA64_PSR(IT) | IA64_PSR(BN) | IA64_PSR(PP);
	m->mr->vpsr_dfh = !!(vpsr & IA64_PSR(DFH));
	npsr = setbit(npsr, IA64_PSR(DFH), m->mr->vpsr_dfh || m->mr->hpsr_dfh);
	m->mr->vpsr_pp = !!(vpsr & IA64_PSR(PP));
	if (vpsr & IA64_PSR(I)) {
		m->vi->evtchn_upcall_mask = 0;
		if (xia64m_check_pending(m) != IA64_SPURIOUS_VECTOR)
			m->mr->pending_interruption = 1;
	} else {
		m->vi->evtchn_upcall_mask = 1;
	}
	m->mr->interrupt_collection_enabled = !!(vpsr & IA64_PSR(IC));
	m->mr->metaphysical_mode =
		!((vpsr & IA64_PSR(DT)) && (vpsr & IA64_PSR(RT)) &&
		  (vpsr & IA64_PSR(IT)));
	/* Never below PL2: the guest cannot rfi itself into PL0. */
	if (cpl < XIA64M_KERNEL_CPL)
		cpl = XIA64M_KERNEL_CPL;
	npsr |= cpl << IA64_PSR_CPL0_BIT;
	if (m->mr->banknum != bn) {
		if (bn)
			xia64m_bsw1(m);
		else
			xia64m_bsw0(m);
	}
	m->cr_ipsr = npsr;
}

void xia64m_rfi(struct xia64m *m)
{
	uint64_t ifs = m->mr->ifs;

	xia64m_set_psr(m, m->mr->ipsr);
	if (ifs & IA64_IFS_V)
		m->cr_ifs = ifs;
	m->cr_iip = m->mr->iip;
}

void xia64m_cover(struct xia64m *m)
{
	if (!m->mr->interrupt_collection_enabled)
		m->mr->ifs = m->cr_ifs;
	m->cr_ifs = 0;
}

void xia64m_bsw0(struct xia64m *m)
{
	unsigned int i;

	if (!m->mr->banknum)
		return;
	for (i = 0; i < 16; i++) {
		m->mr->bank1_regs[i] = m->regs.gr[16 + i];
		m->regs.gr[16 + i] = m->mr->bank0_regs[i];
	}
	m->mr->banknum = 0;
}

void xia64m_bsw1(struct xia64m *m)
{
	unsigned int i;

	if (m->mr->banknum)
		return;
	for (i = 0; i < 16; i++) {
		m->mr->bank0_regs[i] = m->regs.gr[16 + i];
		m->regs.gr[16 + i] = m->mr->bank1_regs[i];
	}
	m->mr->banknum = 1;
}

static int fls64(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

/*
 * The highest pending vector if deliverable, else SPURIOUS: a vector is
 * masked by an equal-or-higher one in service, by tpr.mmi, and by tpr.mic
 * (classes up to mic*16+15).  psr.i is not looked at, as for cr.ivr.
 */
uint64_t xia64m_check_pending(const struct xia64m *m)
{
	int i;
	uint64_t vec, bit;

	for (i = 3;; i--) {
		if (m->irr[i])
			break;
		if (m->insvc[i] || i == 0)
			return IA64_SPURIOUS_VECTOR;
	}
	bit = (uint64_t)fls64(m->irr[i]);
	vec = bit + 64 * (uint64_t)i;
	if (m->insvc[i] >= (1ULL << bit))
		return IA64_SPURIOUS_VECTOR;
	if (m->mr->tpr & IA64_TPR_MMI)
		return IA64_SPURIOUS_VECTOR;
	if ((m->mr->tpr & IA64_TPR_MIC) + 15 >= vec)
		return IA64_SPURIOUS_VECTOR;
	return vec;
}

uint64_t xia64m_get_ivr(struct xia64m *m)
{
	uint64_t vec = xia64m_check_pending(m);

	if (vec == IA64_SPURIOUS_VECTOR) {
		m->mr->pending_interruption = 0;
		return vec;
	}
	m->insvc[vec >> 6] |= 1ULL << (vec & 63);
	m->irr[vec >> 6] &= ~(1ULL << (vec & 63));
	return vec;
}

int xia64m_set_tpr(struct xia64m *m, uint64_t v)
{
	if (v & 0xff00)
		return -1;
	m->mr->tpr = v;
	if (xia64m_check_pending(m) != IA64_SPURIOUS_VECTOR)
		m->mr->pending_interruption = 1;
	return 0;
}

/* Ends the highest vector in service; a stray eoi does nothing. */
void xia64m_eoi(struct xia64m *m)
{
	int i;

	for (i = 3; i >= 0 && !m->insvc[i]; i--)
		;
	if (i < 0)
		return;
	m->insvc[i] &= ~(1ULL << fls64(m->insvc[i]));
	if (xia64m_check_pending(m) != IA64_SPURIOUS_VECTOR)
		m->mr->pending_interruption = 1;
}

/* Short-format VHPT hash (SDM vol 2, thash). */
uint64_t xia64m_thash(const struct xia64m *m, uint64_t va)
{
	uint64_t pta = m->mr->pta;
	uint64_t size = (pta >> 2) & 0x3f;
	uint64_t base = pta & ~((1UL << 15) - 1);
	uint64_t ps = (m->mr->rrs[va >> 61] >> 2) & 0x3f;
	uint64_t mask = size >= 64 ? ~0UL : (1UL << size) - 1;
	uint64_t off = (va >> ps) << 3;
	uint64_t m6015 = (mask >> 15) & 0x3fffffffffffUL;
	uint64_t hi = (((base >> 15) & 0x3fffffffffffUL) & ~m6015) |
		      (((off >> 15) & 0x3fffffffffffUL) & m6015);

	return (va & 0xe000000000000000UL) | (hi << 15) | (off & 0x7fff);
}

/* Xen's own view of the guest ITC, also kept from going backwards. */
uint64_t xia64m_virtual_itc(struct xia64m *m)
{
	uint64_t v = m->machine_itc + m->mr->itc_offset;

	if ((int64_t)(v - m->mr->itc_last) <= 0)
		v = m->mr->itc_last + 1;
	m->mr->itc_last = v;
	return v;
}

void xia64m_migrate(struct xia64m *m, uint64_t new_machine_itc,
		    uint64_t new_offset)
{
	m->machine_itc = new_machine_itc;
	__atomic_store_n(&m->mr->itc_offset, new_offset, __ATOMIC_RELEASE);
}

unsigned int xia64m_set_bucket(struct xia64m *m, unsigned int bucket)
{
	unsigned int old = m->bucket;

	m->bucket = bucket < XIA64M_BUCKETS ? bucket : 0;
	return old;
}
