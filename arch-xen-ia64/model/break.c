// SPDX-License-Identifier: MIT
/*
 * Entries the guest makes on purpose or by trapping: break (hyperprivops,
 * hypercalls, plain breaks reflected back) and privileged-operation faults
 * (priv_emulate).  Everything the guest passes is checked; a bad value gets
 * the fault real hardware would raise, reflected to the guest.
 */
#include "xenpv/xen.h"
#include "arch-xen-ia64/model/model.h"

_Static_assert(XEN_IA64_HC_XEN_VERSION == __HYPERVISOR_xen_version, "nr");
_Static_assert(XEN_IA64_HC_CALLBACK_OP == __HYPERVISOR_callback_op, "nr");
_Static_assert(XEN_IA64_EVTCHNOP_SEND == EVTCHNOP_send, "nr");

#define XIA64M_ENOSYS 38
#define XIA64M_EINVAL 22
#define XIA64M_EFAULT 14
#define XIA64M_ISR_RSVD 0x30UL

struct xia64m_hp_desc {
	unsigned char nargs;
	unsigned char result;
	unsigned char fast; /* has a hyperprivop.S fast path */
};

/*
 * Arguments (r8, r9, r10, r11, r14) and result (r8) per hyperprivop, and
 * which ones hyperprivop.S handles without C.  ITC_D/ITC_I have no fast
 * path (FAST_ITC off) and PTC_GA has none on SMP builds.
 */
static const struct xia64m_hp_desc hp_desc[HYPERPRIVOP_MAX + 1] = {
	[HYPERPRIVOP_RFI] = {0, 0, 1},
	[HYPERPRIVOP_RSM_DT] = {0, 0, 1},
	[HYPERPRIVOP_SSM_DT] = {0, 0, 1},
	[HYPERPRIVOP_COVER] = {0, 0, 1},
	[HYPERPRIVOP_ITC_D] = {1, 0, 0},
	[HYPERPRIVOP_ITC_I] = {1, 0, 0},
	[HYPERPRIVOP_SSM_I] = {0, 0, 1},
	[HYPERPRIVOP_GET_IVR] = {0, 1, 0},
	[HYPERPRIVOP_GET_TPR] = {0, 1, 0},
	[HYPERPRIVOP_SET_TPR] = {1, 0, 0},
	[HYPERPRIVOP_EOI] = {1, 0, 0},
	[HYPERPRIVOP_SET_ITM] = {1, 0, 1},
	[HYPERPRIVOP_THASH] = {1, 1, 1},
	[HYPERPRIVOP_PTC_GA] = {2, 0, 0},
	[HYPERPRIVOP_ITR_D] = {2, 0, 0},
	[HYPERPRIVOP_GET_RR] = {1, 1, 1},
	[HYPERPRIVOP_SET_RR] = {2, 0, 1},
	[HYPERPRIVOP_SET_KR] = {2, 0, 1},
	[HYPERPRIVOP_FC] = {1, 0, 0},
	[HYPERPRIVOP_GET_CPUID] = {1, 1, 0},
	[HYPERPRIVOP_GET_PMD] = {1, 1, 0},
	[HYPERPRIVOP_GET_EFLAG] = {0, 1, 0},
	[HYPERPRIVOP_SET_EFLAG] = {1, 0, 0},
	[HYPERPRIVOP_RSM_BE] = {0, 0, 0},
	[HYPERPRIVOP_GET_PSR] = {0, 1, 1},
	[HYPERPRIVOP_SET_RR0_TO_RR4] = {5, 0, 1},
};

static int hp_valid(unsigned int nr)
{
	return nr >= HYPERPRIVOP_START && nr <= HYPERPRIVOP_MAX;
}

unsigned int xia64m_hp_nargs(unsigned int nr)
{
	return hp_valid(nr) ? hp_desc[nr].nargs : 0;
}

int xia64m_hp_has_result(unsigned int nr)
{
	return hp_valid(nr) && hp_desc[nr].result;
}

enum xia64m_path xia64m_hp_path(const struct xia64m *m, unsigned int nr)
{
	int pending = m->vi->evtchn_upcall_pending;
	uint64_t vpsr = m->mr->ipsr;
	uint64_t tr = IA64_PSR(DT) | IA64_PSR(RT) | IA64_PSR(IT);

	if (nr == HYPERPRIVOP_SSM_I)
		return XIA64M_FAST;
	if (nr == HYPERPRIVOP_RFI) {
		if ((pending && (vpsr & IA64_PSR(I))) ||
		    (vpsr & IA64_PSR(BE)) || (vpsr & tr) != tr ||
		    m->mr->metaphysical_mode)
			return XIA64M_SLOW;
		return XIA64M_FAST;
	}
	if (pending && !m->vi->evtchn_upcall_mask)
		return XIA64M_SLOW;
	return hp_valid(nr) && hp_desc[nr].fast ? XIA64M_FAST : XIA64M_SLOW;
}

/* Next instruction slot (vcpu_increment_iip). */
static void next_slot(struct xia64m *m)
{
	uint64_t ri = (m->cr_ipsr & IA64_PSR_RI) >> IA64_PSR_RI_BIT;

	if (ri >= 2) {
		ri = 0;
		m->cr_iip += 16;
	} else {
		ri++;
	}
	m->cr_ipsr = (m->cr_ipsr & ~IA64_PSR_RI) | (ri << IA64_PSR_RI_BIT);
}

/* A general exception (isr code @code) reflected to the guest. */
static void genex(struct xia64m *m, uint64_t code)
{
	m->st.faults++;
	xia64m_reflect_interruption(m, code, IA64_GENEX_VECTOR);
}

static void tlb_insert(struct xia64m *m, struct xia64m_tlb *t, uint64_t pte)
{
	t->pte = pte;
	t->itir = m->mr->itir;
	t->ifa = m->mr->ifa;
	t->valid = 1;
	m->tlb_inserts++;
}

static void tlb_purge(struct xia64m *m, uint64_t va, uint64_t logsz)
{
	uint64_t size = logsz >= 63 ? ~0UL : (1UL << logsz);

	if (m->dtlb.valid && m->dtlb.ifa - (va & ~(size - 1)) < size)
		m->dtlb.valid = 0;
	if (m->itlb.valid && m->itlb.ifa - (va & ~(size - 1)) < size)
		m->itlb.valid = 0;
	m->tlb_purges++;
}

/* Translation and region hyperprivops: 1 done, 0 faulted, -1 not ours. */
static int hp_exec_mmu(struct xia64m *m, unsigned int nr)
{
	uint64_t *r = m->regs.gr;
	unsigned int i;

	switch (nr) {
	case HYPERPRIVOP_ITC_D:
		tlb_insert(m, &m->dtlb, r[8]);
		return 1;
	case HYPERPRIVOP_ITC_I:
		tlb_insert(m, &m->itlb, r[8]);
		return 1;
	case HYPERPRIVOP_THASH:
		r[8] = xia64m_thash(m, r[8]);
		return 1;
	case HYPERPRIVOP_PTC_GA:
		tlb_purge(m, r[8], (r[9] & 0xfc) >> 2);
		return 1;
	case HYPERPRIVOP_ITR_D:
		if (r[8] >= 8)
			return 0;
		tlb_insert(m, &m->dtlb, r[9]);
		return 1;
	case HYPERPRIVOP_GET_RR:
		r[8] = m->mr->rrs[r[8] >> 61];
		return 1;
	case HYPERPRIVOP_SET_RR:
		m->mr->rrs[r[8] >> 61] = r[9];
		return 1;
	case HYPERPRIVOP_SET_RR0_TO_RR4:
		for (i = 0; i < 4; i++)
			m->mr->rrs[i] = r[8 + i];
		m->mr->rrs[4] = r[14];
		return 1;
	default:
		return -1;
	}
}

/* Interrupt and psr hyperprivops: 1 done, 0 faulted. */
static int hp_exec_cpu(struct xia64m *m, unsigned int nr)
{
	uint64_t *r = m->regs.gr;

	switch (nr) {
	case HYPERPRIVOP_RSM_DT:
	case HYPERPRIVOP_SSM_DT:
		m->mr->metaphysical_mode = nr == HYPERPRIVOP_RSM_DT;
		return 1;
	case HYPERPRIVOP_COVER:
		xia64m_cover(m);
		return 1;
	case HYPERPRIVOP_SSM_I:
		m->vi->evtchn_upcall_mask = 0;
		m->mr->interrupt_collection_enabled = 1;
		return 1;
	case HYPERPRIVOP_GET_IVR:
		r[8] = xia64m_get_ivr(m);
		return 1;
	case HYPERPRIVOP_GET_TPR:
		r[8] = m->mr->tpr;
		return 1;
	case HYPERPRIVOP_SET_TPR:
		return xia64m_set_tpr(m, r[8]) ? 0 : 1;
	case HYPERPRIVOP_EOI:
		xia64m_eoi(m);
		return 1;
	case HYPERPRIVOP_SET_ITM:
		m->domain_itm = r[8];
		return 1;
	case HYPERPRIVOP_SET_KR:
		if (r[8] >= 8)
			return 0;
		m->mr->krs[r[8]] = r[9];
		m->krs_set++;
		return 1;
	case HYPERPRIVOP_GET_PSR:
		r[8] = xia64m_get_psr(m) & (0xffffffffUL | (3UL << 35));
		return 1;
	case HYPERPRIVOP_RSM_BE:
		m->cr_ipsr &= ~IA64_PSR(BE);
		return 1;
	default: /* FC, GET_CPUID, GET_PMD, EFLAG: nothing to model */
		if (hp_desc[nr].result)
			r[8] = 0;
		return 1;
	}
}

/* The C side of one hyperprivop (ia64_hyperprivop); 0 if faulted. */
static int hp_exec(struct xia64m *m, unsigned int nr)
{
	int rc;

	if (nr == HYPERPRIVOP_RFI) {
		xia64m_rfi(m); /* rfi goes to vIIP: no slot increment */
		return 1;
	}
	rc = hp_exec_mmu(m, nr);
	if (rc < 0)
		rc = hp_exec_cpu(m, nr);
	if (rc)
		next_slot(m);
	return rc;
}

static void hypercall(struct xia64m *m)
{
	uint64_t *r = m->regs.gr;
	struct xen_ia64_callback_register *cb;

	m->st.hypercalls++;
	switch (r[2]) {
	case XEN_IA64_HC_XEN_VERSION:
		r[8] = (4UL << 16) | 0;
		break;
	case XEN_IA64_HC_CALLBACK_OP:
		/* guest memory is host memory here; still check the shape */
		cb = (struct xen_ia64_callback_register *)(uintptr_t)r[15];
		if (r[14] != XEN_IA64_CALLBACKOP_REGISTER || !cb ||
		    (r[15] & 7)) {
			r[8] = (uint64_t)-XIA64M_EFAULT;
			break;
		}
		if (cb->type != XEN_IA64_CALLBACKTYPE_EVENT) {
			r[8] = (uint64_t)-XIA64M_EINVAL;
			break;
		}
		m->event_callback_ip = cb->ip;
		r[8] = 0;
		break;
	case XEN_IA64_HC_EVENT_CHANNEL_OP:
		/* EVTCHNOP_send to a port bound back to ourselves */
		if (r[14] != XEN_IA64_EVTCHNOP_SEND || !r[15] || (r[15] & 3)) {
			r[8] = (uint64_t)-XIA64M_ENOSYS;
			break;
		}
		r[8] = (uint64_t)(int64_t)xia64m_send_event(
			m, *(const uint32_t *)(uintptr_t)r[15]);
		break;
	default:
		r[8] = (uint64_t)-XIA64M_ENOSYS;
		break;
	}
	next_slot(m);
}

static void count_entry(struct xia64m *m)
{
	m->st.entries++;
	m->st.bucket[m->bucket]++;
	m->machine_itc += m->itc_step;
}

void xia64m_break(struct xia64m *m, uint64_t iim)
{
	unsigned int nr = (unsigned int)iim;
	uint64_t cpl = (m->cr_ipsr & IA64_PSR_CPL) >> IA64_PSR_CPL0_BIT;

	count_entry(m);
	if (iim == XEN_IA64_HYPERCALL_BREAK && cpl == XIA64M_KERNEL_CPL) {
		hypercall(m);
	} else if (iim - HYPERPRIVOP_START < HYPERPRIVOP_MAX &&
		   cpl == XIA64M_KERNEL_CPL) {
		m->st.hyperprivops++;
		m->st.hp[nr]++;
		if (xia64m_hp_path(m, nr) == XIA64M_FAST)
			m->st.hp_fast++;
		else
			m->st.hp_slow++;
		if (!hp_exec(m, nr))
			genex(m, XIA64M_ISR_RSVD);
	} else {
		/* not for Xen: the guest's own break handler gets it */
		m->mr->iim = iim;
		xia64m_reflect_interruption(m, 0, IA64_BREAK_VECTOR);
	}
	xia64m_vmm_exit(m);
}
