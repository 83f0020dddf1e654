// SPDX-License-Identifier: MIT
/*
 * Property tests of the guest layer against the model, over reproducible
 * random streams: reflection + rfi restores the interrupted state; the saved
 * ipsr is the interrupted virtual psr; events are never lost nor delivered
 * while masked; SSM_I only when masked with an event pending; the ITC never
 * goes backwards; cr.ivr/eoi follow priority and tpr.
 */
#include <string.h>

#include "tests/unit/ia64/ia64_test.h"

#define ROUNDS 400
#define NPORTS 128

static const enum xpv_ia64_pv_mode all_modes[] = {
	XPV_IA64_PV_NATIVE,
	XPV_IA64_PV_HPRIV,
	XPV_IA64_PV_XEN,
};

static struct ia64_rig rig;

/* ---- reflection + rfi ---- */

/* psr bits a guest may hold and see back, with i/ic/bn/cpl handled apart */
#define GUEST_BITS                                                             \
	(IA64_PSR(BE) | IA64_PSR(UP) | IA64_PSR(AC) | IA64_PSR(MFL) |          \
	 IA64_PSR(MFH) | IA64_PSR(DFL) | IA64_PSR(SP) | IA64_PSR(DB) |         \
	 IA64_PSR(LP) | IA64_PSR(TB) | IA64_PSR(ID) | IA64_PSR(DA) |           \
	 IA64_PSR(DD) | IA64_PSR(SS) | IA64_PSR(ED) | IA64_PSR(IA))
#define CHECK_BITS                                                             \
	(GUEST_BITS | IA64_PSR(I) | IA64_PSR(IC) | IA64_PSR(BN) |              \
	 IA64_PSR(DT) | IA64_PSR(RT) | IA64_PSR(IT) | IA64_PSR(DFH) |          \
	 IA64_PSR_CPL | IA64_PSR_RI)

struct snap {
	struct xpv_ia64_gregs regs;
	uint64_t cr_ipsr, cr_iip, cr_ifs;
	int mask, ic, bn, meta, dfh;
};

static void take(struct snap *s, const struct xia64m *m)
{
	memset(s, 0, sizeof(*s));
	s->regs = m->regs;
	s->cr_ipsr = m->cr_ipsr;
	s->cr_iip = m->cr_iip;
	s->cr_ifs = m->cr_ifs;
	s->mask = m->vi->evtchn_upcall_mask;
	s->ic = m->mr->interrupt_collection_enabled;
	s->bn = m->mr->banknum;
	s->meta = m->mr->metaphysical_mode;
	s->dfh = m->mr->vpsr_dfh;
}

/* A random interrupted guest state; returns the virtual psr it has. */
static uint64_t random_state(struct xia64m *m, uint64_t *seed)
{
	uint64_t r = ia64_rand(seed), vpsr;
	unsigned int i;

	vpsr = (r & GUEST_BITS) | IA64_PSR(IC) | IA64_PSR(DT) | IA64_PSR(RT) |
	       IA64_PSR(IT);
	vpsr |= (r >> 50) % 3 << IA64_PSR_RI_BIT;
	if (r & (1UL << 60))
		vpsr |= 3UL << IA64_PSR_CPL0_BIT; /* user mode */
	if (r & (1UL << 61))
		vpsr |= IA64_PSR(I);
	if (r & (1UL << 62))
		vpsr |= IA64_PSR(DFH);
	if (!(r & (1UL << 63)) || !(r & 7))
		vpsr |= IA64_PSR(BN);
	for (i = 1; i < 32; i++)
		m->regs.gr[i] = ia64_rand(seed);
	for (i = 0; i < 16; i++) {
		m->mr->bank0_regs[i] = ia64_rand(seed);
		m->mr->bank1_regs[i] = ia64_rand(seed);
	}
	xia64m_set_psr(m, vpsr);
	m->cr_iip = ia64_rand(seed) & ~0xfUL;
	m->cr_ifs = IA64_IFS_V | (ia64_rand(seed) & 0x3fffffffffUL);
	return vpsr;
}

static uint64_t prop_seed;
static uint64_t expect_vpsr;
static uint64_t saved_ipsr;
static unsigned long handler_runs;

/* The handler checks the saved psr, then scribbles over every register. */
static void scribble_intr(struct xpv_ia64_cpu *c, struct xpv_ia64_intr_frame *f,
			  void *arg)
{
	struct xpv_ia64_gregs *r = c->trap->regs(c->trap_ctx);
	unsigned int i;

	handler_runs++;
	saved_ipsr = f->ipsr;
	for (i = 1; i < 32; i++)
		r->gr[i] = ia64_rand(&prop_seed);
}

static const uint64_t fault_vectors[] = {
	IA64_INST_TLB_VECTOR,	  IA64_DATA_TLB_VECTOR,
	IA64_ALT_DATA_TLB_VECTOR, IA64_PAGE_NOT_PRESENT_VECTOR,
	IA64_GENEX_VECTOR,	  IA64_BREAK_VECTOR,
};

static void reflect_rounds(enum xpv_ia64_pv_mode mode, uint64_t seed)
{
	struct snap before, after;
	uint64_t v;
	unsigned int n;
	int bad_restore = 0, bad_ipsr = 0;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	rig.c.intr_fn = scribble_intr;
	prop_seed = seed ^ 0x5555;
	handler_runs = 0;
	for (n = 0; n < ROUNDS; n++) {
		expect_vpsr = random_state(&rig.m, &seed);
		take(&before, &rig.m);
		CU_ASSERT_EQUAL(xia64m_get_psr(&rig.m) & CHECK_BITS,
				expect_vpsr & CHECK_BITS);
		v = fault_vectors[ia64_rand(&seed) % 6];
		if (v == IA64_BREAK_VECTOR)
			xia64m_break(&rig.m, 0x100000 + n);
		else
			xia64m_raise_fault(&rig.m, v, ia64_rand(&seed) & 0xff,
					   ia64_rand(&seed));
		take(&after, &rig.m);
		bad_restore += memcmp(&before, &after, sizeof(before)) != 0;
		bad_ipsr +=
			(saved_ipsr & CHECK_BITS) != (expect_vpsr & CHECK_BITS);
	}
	CU_ASSERT_EQUAL(handler_runs, ROUNDS);
	CU_ASSERT_EQUAL(bad_restore, 0);
	CU_ASSERT_EQUAL(bad_ipsr, 0);
	CU_ASSERT_EQUAL(rig.m.st.crashes, 0);
	ia64_rig_down(&rig);
}

static void prop_reflect_rfi_restores(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		reflect_rounds(all_modes[i], 0x1234567 + i);
}

/* ---- events against irq disable/enable ---- */

struct ev_world {
	uint64_t seed;
	unsigned long seq;
	unsigned long raised_at[NPORTS]; /* 0: never */
	unsigned long handled_at[NPORTS];
	int strictly_masked; /* between a disable and the next enable */
	unsigned int rate;   /* 1 in rate ticks raises an event */
	int inject_on;
	unsigned long bad_delivery, handled;
};

static struct ev_world ev;

static void ev_inject(struct xia64m *m, void *ctx)
{
	unsigned int port;

	if (!ev.inject_on || ia64_rand(&ev.seed) % ev.rate)
		return;
	port = (unsigned int)(ia64_rand(&ev.seed) % NPORTS);
	ev.raised_at[port] = ++ev.seq;
	xia64m_send_event(m, port);
}

static void ev_port(struct xpv_ia64_cpu *c, unsigned int port, void *arg)
{
	ev.handled++;
	/* Xen's saved psr: the interrupted code had psr.i on */
	if (!(rig.m.mr->ipsr & IA64_PSR(I)) || ev.strictly_masked)
		ev.bad_delivery++;
	if (port < NPORTS)
		ev.handled_at[port] = ++ev.seq;
}

static void ev_program(struct xpv_ia64_cpu *c, unsigned int steps)
{
	unsigned long stack[8];
	unsigned int sp = 0, i;
	uint64_t r;

	for (i = 0; i < steps; i++) {
		r = ia64_rand(&ev.seed) % 6;
		xpv_ia64_tick(c);
		if (r == 0 && sp < 8) {
			stack[sp++] = xpv_ia64_irq_save(c);
			ev.strictly_masked = 1;
		} else if (r == 1 && sp > 0) {
			ev.strictly_masked = 0;
			c->ops->irq_restore(c, stack[--sp]);
			ev.strictly_masked = !c->ops->save_fl(c);
		} else if (r == 2 && sp == 0) {
			c->ops->irq_disable(c);
			ev.strictly_masked = 1;
		} else if (r == 3 && sp == 0) {
			ev.strictly_masked = 0;
			c->ops->irq_enable(c);
		}
	}
	while (sp > 0) {
		ev.strictly_masked = 0;
		c->ops->irq_restore(c, stack[--sp]);
	}
	ev.strictly_masked = 0;
	c->ops->irq_enable(c);
}

static void event_rounds(enum xpv_ia64_pv_mode mode, uint64_t seed,
			 unsigned int rate)
{
	unsigned int p, lost = 0;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	memset(&ev, 0, sizeof(ev));
	ev.seed = seed;
	ev.rate = rate;
	rig.m.inject = ev_inject;
	rig.c.port_fn = ev_port;
	ev.inject_on = 1;
	ev_program(&rig.c, 3000);
	ev.inject_on = 0;
	for (p = 0; p < NPORTS; p++)
		lost += ev.raised_at[p] && ev.handled_at[p] < ev.raised_at[p];
	CU_ASSERT(ev.handled > 0);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT_EQUAL(ev.bad_delivery, 0);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_pending, 0);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_pending_sel, 0);
	CU_ASSERT_EQUAL(rig.m.st.crashes, 0);
	ia64_rig_down(&rig);
}

static void prop_events_never_lost_nor_masked(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		event_rounds(all_modes[i], 0xabcdef + i, 3);
		event_rounds(all_modes[i], 0x777 + i, 17);
	}
}

/* ---- SSM_I only when masked with an event pending ---- */

static const struct xpv_ia64_trap_ops *real_trap;
static int enable_was_masked;
static unsigned long ssm_i_bad, ssm_i_seen;

static uint64_t spy_hyperprivop(void *ctx, unsigned int nr,
				const uint64_t args[5])
{
	struct xia64m *m = ctx;

	if (nr == HYPERPRIVOP_SSM_I) {
		ssm_i_seen++;
		if (!enable_was_masked || !m->vi->evtchn_upcall_pending)
			ssm_i_bad++;
	}
	return real_trap->hyperprivop(ctx, nr, args);
}

static void prop_ssm_i_only_when_needed(void)
{
	struct xpv_ia64_trap_ops spy;
	uint64_t seed = 0x9e3779b9;
	unsigned long before, missing = 0, extra = 0;
	unsigned int n;
	int pend, masked;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, XPV_IA64_PV_XEN) == 0);
	real_trap = rig.c.trap;
	spy = *real_trap;
	spy.hyperprivop = spy_hyperprivop;
	rig.c.trap = &spy;
	ssm_i_bad = ssm_i_seen = 0;
	for (n = 0; n < 4 * ROUNDS; n++) {
		if (ia64_rand(&seed) & 1)
			rig.c.ops->irq_disable(&rig.c);
		if (ia64_rand(&seed) % 3 == 0)
			xia64m_send_event(&rig.m, ia64_rand(&seed) % NPORTS);
		masked = *rig.c.psr_i;
		pend = rig.m.vi->evtchn_upcall_pending;
		enable_was_masked = masked;
		before = ssm_i_seen;
		if (ia64_rand(&seed) & 1)
			rig.c.ops->irq_enable(&rig.c);
		else
			rig.c.ops->irq_restore(&rig.c, 1);
		missing += masked && pend && ssm_i_seen == before;
		extra += !(masked && pend) && ssm_i_seen != before;
	}
	CU_ASSERT(ssm_i_seen > 0);
	CU_ASSERT_EQUAL(ssm_i_bad, 0);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(extra, 0);
	CU_ASSERT_EQUAL(rig.m.vi->evtchn_upcall_pending, 0);
	ia64_rig_down(&rig);
}

/* ---- ITC ---- */

static void itc_rounds(enum xpv_ia64_pv_mode mode, uint64_t seed)
{
	uint64_t prev, now, r, jumps = 0;
	unsigned int n, backwards = 0;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	prev = rig.c.ops->get_itc(&rig.c);
	for (n = 0; n < 4 * ROUNDS; n++) {
		r = ia64_rand(&seed);
		if (r % 5 == 0) {
			/* another CPU: its ITC and Xen's new offset, either
			 * way off by up to 2^20 ticks of virtual time */
			uint64_t mitc = ia64_rand(&seed) >> 4;
			uint64_t virt = prev + (r >> 44) - (1UL << 19);

			xia64m_migrate(&rig.m, mitc, virt - mitc);
			jumps++;
		}
		now = rig.c.ops->get_itc(&rig.c);
		backwards += (int64_t)(now - prev) <= 0;
		prev = now;
	}
	CU_ASSERT(jumps > 0);
	CU_ASSERT_EQUAL(backwards, 0);
	ia64_rig_down(&rig);
}

static void prop_itc_monotonic(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		itc_rounds(all_modes[i], 0x31337 + i);
}

/* ---- cr.ivr / eoi against an oracle ---- */

struct ivr_oracle {
	unsigned char irr[256], insvc[256];
	uint64_t tpr;
};

static int top(const unsigned char *set)
{
	int v;

	for (v = 255; v >= 0; v--)
		if (set[v])
			return v;
	return -1;
}

static uint64_t oracle_ivr(struct ivr_oracle *o)
{
	int p = top(o->irr), s = top(o->insvc);

	if (p < 0 || s >= p || (o->tpr & IA64_TPR_MMI) ||
	    (int)((o->tpr & IA64_TPR_MIC) + 15) >= p)
		return IA64_SPURIOUS_VECTOR;
	o->irr[p] = 0;
	o->insvc[p] = 1;
	return (uint64_t)p;
}

static void oracle_eoi(struct ivr_oracle *o)
{
	int s = top(o->insvc);

	if (s >= 0)
		o->insvc[s] = 0;
}

static void ivr_rounds(enum xpv_ia64_pv_mode mode, uint64_t seed)
{
	struct ivr_oracle o;
	uint64_t r, got, want;
	unsigned int n, vec, wrong = 0, delivered = 0;

	CU_ASSERT_FATAL(ia64_rig_up(&rig, mode) == 0);
	memset(&o, 0, sizeof(o));
	/* psr.i stays off: vectors pile up in irr, read through cr.ivr */
	for (n = 0; n < 6 * ROUNDS; n++) {
		r = ia64_rand(&seed);
		switch (r % 5) {
		case 0:
		case 1:
			vec = 16 + (unsigned int)((r >> 8) % 240);
			o.irr[vec] = 1;
			CU_ASSERT_EQUAL(xia64m_pend_vector(&rig.m, vec), 0);
			break;
		case 2:
			o.tpr = ((r >> 8) & IA64_TPR_MIC) |
				((r >> 20) % 7 == 0 ? IA64_TPR_MMI : 0);
			rig.c.ops->set_tpr(&rig.c, o.tpr);
			break;
		case 3:
			want = oracle_ivr(&o);
			got = rig.c.ops->get_ivr(&rig.c);
			wrong += got != want;
			delivered += want != IA64_SPURIOUS_VECTOR;
			break;
		default:
			oracle_eoi(&o);
			rig.c.ops->eoi(&rig.c);
			break;
		}
	}
	CU_ASSERT(delivered > 20);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(rig.c.ops->get_tpr(&rig.c), o.tpr);
	ia64_rig_down(&rig);
}

static void prop_ivr_eoi_priority_tpr(void)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		ivr_rounds(all_modes[i], 0xfeed + i);
}

CU_TestInfo ia64_prop_tests[] = {
	{"reflection + rfi restores state, saved ipsr = vpsr",
	 prop_reflect_rfi_restores},
	{"events never lost, never delivered masked",
	 prop_events_never_lost_nor_masked},
	{"SSM_I only when masked and pending", prop_ssm_i_only_when_needed},
	{"ITC monotonic across offset changes", prop_itc_monotonic},
	{"GET_IVR/EOI respect priority and tpr", prop_ivr_eoi_priority_tpr},
	CU_TEST_INFO_NULL,
};
