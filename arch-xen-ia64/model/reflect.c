// SPDX-License-Identifier: MIT
/*
 * Reflection (after faults.c): Xen saves the interrupted state in the
 * hyper-registers, switches the guest to bank 0 with virtual psr.ic and
 * psr.i off, and resumes it at iva + vector or at the event callback.
 * Also the ways events and external interrupts reach the vCPU.
 */
#include "arch-xen-ia64/model/model.h"

#define XIA64M_EINVAL 22

/* The real psr bits every delivery sets and clears (cpl becomes PL2). */
#define XIA64M_DELIVER_SET                                                     \
	(IA64_PSR(IC) | IA64_PSR(I) | IA64_PSR(DT) | IA64_PSR(RT) |            \
	 IA64_PSR(IT) | IA64_PSR(BN) |                                         \
	 (XIA64M_KERNEL_CPL << IA64_PSR_CPL0_BIT))
#define XIA64M_DELIVER_CLR                                                     \
	(IA64_PSR(AC) | IA64_PSR(DFL) | IA64_PSR(DFH) | IA64_PSR(SP) |         \
	 IA64_PSR(DI) | IA64_PSR(SI) | IA64_PSR(DB) | IA64_PSR(LP) |           \
	 IA64_PSR(TB) | IA64_PSR_CPL | IA64_PSR(MC) | IA64_PSR(IS) |           \
	 IA64_PSR(ID) | IA64_PSR(DA) | IA64_PSR(DD) | IA64_PSR(SS) |           \
	 IA64_PSR_RI | IA64_PSR(ED) | IA64_PSR(IA))
#define XIA64M_DCR_BE (1UL << 1)

/* Run the guest from @ip until it returns through rfi. */
static void run_guest(struct xia64m *m, uint64_t ip)
{
	int rc = -XIA64M_EINVAL;

	m->depth++;
	if (m->enter)
		rc = m->enter(m->enter_ctx, ip);
	m->depth--;
	if (rc)
		m->st.crashes++;
}

/* Save the interrupted state and point the CPU at @ip. */
static void save_and_deliver(struct xia64m *m, uint64_t isr, uint64_t ip)
{
	struct xen_ia64_mapped_regs *mr = m->mr;

	mr->precover_ifs = m->cr_ifs;
	mr->ipsr = xia64m_ipsr_int_state(m, m->cr_ipsr);
	xia64m_bsw0(m);
	mr->isr = isr;
	mr->iip = m->cr_iip;
	mr->ifs = 0;
	m->cr_iip = ip;
	m->cr_ipsr = (m->cr_ipsr & ~XIA64M_DELIVER_CLR) | XIA64M_DELIVER_SET;
	if (mr->dcr & XIA64M_DCR_BE)
		m->cr_ipsr |= IA64_PSR(BE);
	if (mr->hpsr_dfh)
		m->cr_ipsr |= IA64_PSR(DFH);
	mr->vpsr_dfh = 0;
	m->vi->evtchn_upcall_mask = 1;
	mr->interrupt_collection_enabled = 0;
}

/* A nested fault with psr.ic off is only survivable for a data TLB miss. */
static int nested_ok(const struct xia64m *m, uint64_t vector)
{
	vector &= ~0xfUL;
	if (!(m->mr->ipsr & IA64_PSR(DT)))
		return 0;
	return vector == IA64_DATA_TLB_VECTOR ||
	       vector == IA64_ALT_DATA_TLB_VECTOR ||
	       vector == IA64_VHPT_TRANS_VECTOR;
}

void xia64m_reflect_interruption(struct xia64m *m, uint64_t isr,
				 uint64_t vector)
{
	if (!m->mr->interrupt_collection_enabled && !nested_ok(m, vector)) {
		/* Xen's panic_domain(): the guest is gone, Xen lives on. */
		m->st.crashes++;
		return;
	}
	if (m->depth >= XIA64M_MAX_DEPTH) {
		m->st.crashes++;
		return;
	}
	m->st.reflections++;
	save_and_deliver(m, isr, (m->iva + vector) & ~0xffUL);
	run_guest(m, m->cr_iip);
}

static int event_pending(const struct xia64m *m)
{
	return m->vi->evtchn_upcall_pending && !m->vi->evtchn_upcall_mask;
}

void xia64m_reflect_event(struct xia64m *m)
{
	if (!event_pending(m) || !m->event_callback_ip)
		return;
	if (m->depth >= XIA64M_MAX_DEPTH) {
		m->st.crashes++;
		return;
	}
	m->st.event_reflections++;
	save_and_deliver(m, m->cr_ipsr & IA64_PSR_RI, m->event_callback_ip);
	run_guest(m, m->cr_iip);
}

static void reflect_extint(struct xia64m *m)
{
	if (m->depth >= XIA64M_MAX_DEPTH) {
		m->st.crashes++;
		return;
	}
	m->mr->itir = 0;
	m->st.reflections++;
	save_and_deliver(m, m->cr_ipsr & IA64_PSR_RI,
			 (m->iva + IA64_EXTINT_VECTOR) & ~0xffUL);
	run_guest(m, m->cr_iip);
}

/*
 * On every return to the guest: events first (callback), then external
 * interrupts through cr.ivr, each only while virtual psr.i is on.
 */
void xia64m_vmm_exit(struct xia64m *m)
{
	if (event_pending(m) && m->event_callback_ip)
		xia64m_reflect_event(m);
	if (!m->vi->evtchn_upcall_mask &&
	    xia64m_check_pending(m) != IA64_SPURIOUS_VECTOR)
		reflect_extint(m);
}

static void count_external(struct xia64m *m)
{
	m->st.entries++;
	m->st.external++;
	m->st.bucket[m->bucket]++;
	m->machine_itc += m->itc_step;
}

int xia64m_send_event(struct xia64m *m, unsigned int port)
{
	unsigned int w = port / 64;
	uint64_t bit = 1ULL << (port % 64);

	if (port >= XIA64M_NR_PORTS)
		return -XIA64M_EINVAL;
	if (__atomic_fetch_or(&m->si->evtchn_pending[w], bit,
			      __ATOMIC_ACQ_REL) &
	    bit)
		return 0;
	if (__atomic_load_n(&m->si->evtchn_mask[w], __ATOMIC_ACQUIRE) & bit)
		return 0;
	__atomic_fetch_or(&m->vi->evtchn_pending_sel, 1ULL << w,
			  __ATOMIC_ACQ_REL);
	__atomic_store_n(&m->vi->evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
	count_external(m);
	xia64m_vmm_exit(m);
	return 0;
}

int xia64m_pend_vector(struct xia64m *m, unsigned int vec)
{
	if (vec < 16 || vec > 255)
		return -XIA64M_EINVAL;
	m->irr[vec >> 6] |= 1ULL << (vec & 63);
	m->mr->pending_interruption = 1;
	count_external(m);
	xia64m_vmm_exit(m);
	return 0;
}

int xia64m_raise_fault(struct xia64m *m, uint64_t vector, uint64_t isr,
		       uint64_t ifa)
{
	uint64_t rr;

	if (vector >= IA64_IVA_ALIGN || (vector & 0xff))
		return -XIA64M_EINVAL;
	m->st.entries++;
	m->st.bucket[m->bucket]++;
	rr = m->mr->rrs[ifa >> 61];
	m->mr->ifa = ifa;
	/* itir as on a miss: the region's page size and rid */
	m->mr->itir = rr & 0xfffffffcUL;
	m->mr->iha = xia64m_thash(m, ifa);
	xia64m_reflect_interruption(m, isr, vector);
	xia64m_vmm_exit(m);
	return 0;
}
