// SPDX-License-Identifier: MIT
/*
 * Host tests of the PV kernel's portable pieces: pvclock arithmetic and the
 * version protocol, and the event-mask ops against a model vcpu_info whose
 * "hypervisor" raises events at random points and delivers them only when
 * unmasked.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "arch-xen/irqflags.h"
#include "arch-xen/pvclock.h"

/* ---- pvclock ---------------------------------------------------------- */

static uint64_t ref_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	unsigned __int128 d = delta;

	d = shift < 0 ? d >> -shift : d << shift;
	return (uint64_t)((d * mul) >> 32);
}

static void test_scale(void)
{
	CU_ASSERT_EQUAL(xpv_pvclock_scale(1000, 0x80000000u, 1), 1000);
	CU_ASSERT_EQUAL(xpv_pvclock_scale(1000, 0x80000000u, -1), 250);
	/* 3 GHz: mul = 2^32 / 3 with shift 0. */
	CU_ASSERT_EQUAL(xpv_pvclock_scale(3000000000ull, 0x55555555u, 0),
			999999999ull);
	/* A product that needs all 96 bits. */
	CU_ASSERT_EQUAL(xpv_pvclock_scale(1ull << 40, 0xffffffffu, 4),
			ref_scale(1ull << 40, 0xffffffffu, 4));
	CU_ASSERT_EQUAL(xpv_pvclock_scale(~0ull, 0xffffffffu, -3),
			ref_scale(~0ull, 0xffffffffu, -3));
}

static void test_tsc_wrap(void)
{
	struct xpv_pvclock_snap s = { .tsc_timestamp = ~0ull - 99,
				      .system_time = 5000,
				      .tsc_to_system_mul = 0x80000000u,
				      .tsc_shift = 1 };

	/* The TSC wrapped past zero: 200 cycles went by. */
	CU_ASSERT_EQUAL(xpv_pvclock_ns(&s, 100), 5200);
	/* A TSC a little behind the stamp is the stamp's own time. */
	s.tsc_timestamp = 1000;
	CU_ASSERT_EQUAL(xpv_pvclock_ns(&s, 995), 5000);
	CU_ASSERT_EQUAL(xpv_pvclock_ns(&s, 1010), 5010);
}

struct updater {
	volatile struct vcpu_time_info *t;
	int calls;
};

/* Xen updates the record under the reader: odd version, new fields, even. */
static void update_mid_read(void *arg)
{
	struct updater *u = arg;

	if (u->calls++ == 0) {
		u->t->version++;
		u->t->system_time = 777;
		u->t->tsc_timestamp = 42;
	} else if (u->calls == 2) {
		u->t->version++;
	}
}

static void test_version_protocol(void)
{
	struct vcpu_time_info t = { .version = 2, .system_time = 1,
				    .tsc_timestamp = 1,
				    .tsc_to_system_mul = 0x80000000u,
				    .tsc_shift = 1 };
	struct updater u = { .t = &t };
	struct xpv_pvclock_snap s;

	xpv_pvclock_snapshot(&t, &s, update_mid_read, &u);
	CU_ASSERT_EQUAL(s.system_time, 777);
	CU_ASSERT_EQUAL(s.tsc_timestamp, 42);
	CU_ASSERT(u.calls >= 3); /* two torn reads, then a clean one */
	CU_ASSERT_EQUAL(t.version, 4);
}

static void test_monotonic_across_vcpus(void)
{
	/* Two vCPUs whose records disagree by 3 us: reading them by turns
	 * must never go backwards. */
	struct xpv_pvclock_snap a = { .tsc_timestamp = 0, .system_time = 3000,
				      .tsc_to_system_mul = 0x80000000u,
				      .tsc_shift = 1 };
	struct xpv_pvclock_snap b = a;
	struct xpv_pvclock_mono m = { 0 };
	uint64_t last = 0, tsc, now;

	b.system_time = 0;
	for (tsc = 0; tsc < 100000; tsc += 7) {
		now = xpv_pvclock_monotonic(&m, xpv_pvclock_ns(tsc & 8 ? &a : &b,
							       tsc));
		CU_ASSERT_FATAL(now >= last);
		last = now;
	}
	CU_ASSERT(last >= 100000 - 7);
}

/* ---- event mask against a model vcpu_info ---------------------------- */

struct model {
	struct vcpu_info vi;
	unsigned int raised, delivered;
	int guest_masked_depth;	/* sections the guest believes are masked */
	bool violation;
};

/* Xen's delivery: only when unmasked; masks for the handler, iret unmasks. */
static void model_deliver(void *arg)
{
	struct model *m = arg;

	if (m->vi.evtchn_upcall_mask || !m->vi.evtchn_upcall_pending)
		return;
	if (m->guest_masked_depth)
		m->violation = true;
	m->vi.evtchn_upcall_mask = 1;
	m->vi.evtchn_upcall_pending = 0;
	m->delivered = m->raised;
	m->vi.evtchn_upcall_mask = 0;
}

static void model_raise(struct model *m)
{
	m->raised++;
	m->vi.evtchn_upcall_pending = 1;
	model_deliver(m); /* an interrupt: immediate if unmasked */
}

static void test_irq_ops_random(void)
{
	struct model m = { 0 };
	struct xpv_irq_vcpu v = { .vi = &m.vi, .force_upcall = model_deliver,
				  .arg = &m };
	unsigned long saved[64];
	int depth = 0, i;

	srand(1234);
	for (i = 0; i < 200000; i++) {
		int op = rand() % 5;

		if (op == 0) {
			model_raise(&m);
		} else if (op <= 2 && depth < 64) {
			saved[depth++] = xpv_irq_save(&v);
			m.guest_masked_depth = depth;
		} else if (op <= 4 && depth > 0) {
			m.guest_masked_depth = --depth;
			xpv_irq_restore(&v, saved[depth]);
		}
		/* With events enabled, nothing raised is left undelivered. */
		if (depth == 0)
			CU_ASSERT_FATAL(m.delivered == m.raised);
	}
	CU_ASSERT_FALSE(m.violation);
	while (depth > 0) {
		m.guest_masked_depth = --depth;
		xpv_irq_restore(&v, saved[depth]);
	}
	CU_ASSERT_EQUAL(m.delivered, m.raised);
}

static unsigned int forced;

static void count_force(void *arg)
{
	forced++;
}

static void test_enable_forces_only_when_pending(void)
{
	struct vcpu_info vi = { .evtchn_upcall_mask = 1 };
	struct xpv_irq_vcpu v = { .vi = &vi, .force_upcall = count_force };

	forced = 0;
	xpv_irq_enable(&v);
	CU_ASSERT_EQUAL(forced, 0);
	CU_ASSERT_FALSE(xpv_irq_disabled(&v));
	xpv_irq_disable(&v);
	vi.evtchn_upcall_pending = 1; /* arrived while masked */
	xpv_irq_enable(&v);
	CU_ASSERT_EQUAL(forced, 1);
	/* restore(masked) never asks for an upcall. */
	xpv_irq_restore(&v, 1);
	CU_ASSERT_EQUAL(forced, 1);
	CU_ASSERT(xpv_irq_disabled(&v));
}

static CU_TestInfo pvclock_tests[] = {
	{ "scale with 128-bit product and shifts", test_scale },
	{ "TSC wrap and a TSC behind the stamp", test_tsc_wrap },
	{ "version changes mid-read", test_version_protocol },
	{ "monotonic across vCPUs", test_monotonic_across_vcpus },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo irq_tests[] = {
	{ "random interleavings: none lost, none while masked",
	  test_irq_ops_random },
	{ "enable asks for an upcall only when pending",
	  test_enable_forces_only_when_pending },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "pvclock", NULL, NULL, NULL, NULL, pvclock_tests },
	{ "irqflags", NULL, NULL, NULL, NULL, irq_tests },
	CU_SUITE_INFO_NULL,
};
