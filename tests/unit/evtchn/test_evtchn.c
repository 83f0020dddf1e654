// SPDX-License-Identifier: MIT
/*
 * 2-level event channels on a real struct shared_info: the hypervisor's
 * set_pending, mask/unmask, the demultiplexer's fairness, and no lost
 * events while another thread raises them.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv/compiler.h"
#include "xenpv/evtchn.h"
#include "tests/unit/core/fake_os.h"

#define BITS XPV_EVTCHN_BITS_PER_WORD
#define NR_PORTS 4096u
#define MAX_LOG 256
#define NR_2L XPV_EVTCHN_2L_NR_PORTS

static struct shared_info *s;
static struct xpv_evtchn_demux d;
static evtchn_port_t order_log[MAX_LOG];
static unsigned int nr_log;
static unsigned int rearm[NR_PORTS];	/* times a handler re-raises */

static void setup(void)
{
	fake_os_reset();
	s = calloc(1, sizeof(*s));
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_EQUAL_FATAL(xpv_evtchn_demux_init(&d, s, NR_PORTS), 0);
	nr_log = 0;
	memset(rearm, 0, sizeof(rearm));
}

static void teardown(void)
{
	xpv_evtchn_demux_destroy(&d);
	free(s);
}

static bool pending_bit(evtchn_port_t p)
{
	return (s->evtchn_pending[p / BITS] >> (p % BITS)) & 1;
}

/* Logs the call; checks the bit was cleared first; may re-raise itself. */
static void log_handler(evtchn_port_t port, void *arg)
{
	CU_ASSERT_PTR_EQUAL(arg, &order_log[port % MAX_LOG]);
	CU_ASSERT_FALSE(pending_bit(port));
	if (nr_log < MAX_LOG)
		order_log[nr_log++] = port;
	if (port < NR_PORTS && rearm[port]) {
		rearm[port]--;
		xpv_evtchn_2l_set_pending(s, 0, port);
	}
}

static void bind(evtchn_port_t port)
{
	void *arg = &order_log[port % MAX_LOG];
	int err = xpv_evtchn_demux_set_handler(&d, port, log_handler, arg);

	CU_ASSERT_EQUAL(err, 0);
}

static void test_init_errors(void)
{
	struct xpv_evtchn_demux x;

	CU_ASSERT_EQUAL(xpv_evtchn_demux_init(&x, NULL, 8), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_init(&x, s, 0), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_init(&x, s, NR_2L + 1), -XPV_EINVAL);
	fake_os_fail_alloc_after(0);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_init(&x, s, 8), -XPV_ENOMEM);
	fake_os_fail_alloc_after(-1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_init(&x, s, NR_2L), 0);
	xpv_evtchn_demux_destroy(&x);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&x, 0), 0);
}

static void test_set_pending(void)
{
	struct vcpu_info *v = &s->vcpu_info[0];

	CU_ASSERT_TRUE(xpv_evtchn_2l_set_pending(s, 0, 5));
	CU_ASSERT_TRUE(pending_bit(5));
	CU_ASSERT_EQUAL(v->evtchn_pending_sel, 1);
	CU_ASSERT_EQUAL(v->evtchn_upcall_pending, 1);
	/* Already pending: nothing new. */
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, 5));
	/* Same word: the selector bit is already set. */
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, 6));
	CU_ASSERT_TRUE(pending_bit(6));
	/* New word, upcall already pending: selector only. */
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, BITS + 3));
	CU_ASSERT_EQUAL(v->evtchn_pending_sel, 3);
	/* Masked: pending, but no selector bit and no upcall. */
	xpv_evtchn_2l_mask(s, 3 * BITS);
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, 3 * BITS));
	CU_ASSERT_TRUE(pending_bit(3 * BITS));
	CU_ASSERT_EQUAL(v->evtchn_pending_sel, 3);
	/* Out of range: ignored. */
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, NR_2L));
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, XPV_EVTCHN_MAX_VCPUS, 9));
	CU_ASSERT_FALSE(pending_bit(9));
	/* Another vCPU has its own selector and upcall flag. */
	CU_ASSERT_TRUE(xpv_evtchn_2l_set_pending(s, 1, 2 * BITS));
	CU_ASSERT_EQUAL(s->vcpu_info[1].evtchn_pending_sel, 4);
}

static void test_demux_basic(void)
{
	struct vcpu_info *v = &s->vcpu_info[0];

	bind(5);
	bind(6);
	bind(BITS + 3);
	xpv_evtchn_2l_set_pending(s, 0, 6);
	xpv_evtchn_2l_set_pending(s, 0, BITS + 3);
	xpv_evtchn_2l_set_pending(s, 0, 5);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 3);
	CU_ASSERT_EQUAL_FATAL(nr_log, 3);
	CU_ASSERT_EQUAL(order_log[0], 5);
	CU_ASSERT_EQUAL(order_log[1], 6);
	CU_ASSERT_EQUAL(order_log[2], BITS + 3);
	CU_ASSERT_EQUAL(v->evtchn_upcall_pending, 0);
	CU_ASSERT_EQUAL(v->evtchn_pending_sel, 0);
	CU_ASSERT_FALSE(pending_bit(5) || pending_bit(6));
	CU_ASSERT_FALSE(pending_bit(BITS + 3));
	CU_ASSERT_EQUAL(d.nr_handled, 3);
	CU_ASSERT_EQUAL(d.nr_spurious, 0);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 0);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, XPV_EVTCHN_MAX_VCPUS), 0);
}

static void test_spurious(void)
{
	struct xpv_evtchn_demux small;

	xpv_evtchn_2l_set_pending(s, 0, 77);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL(d.nr_spurious, 1);
	CU_ASSERT_FALSE(pending_bit(77));
	CU_ASSERT_EQUAL(nr_log, 0);
	/* A port beyond the table (the page is the peer's to scribble on). */
	CU_ASSERT_EQUAL_FATAL(xpv_evtchn_demux_init(&small, s, 16), 0);
	xpv_evtchn_2l_set_pending(s, 0, 1000);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&small, 0), 1);
	CU_ASSERT_EQUAL(small.nr_spurious, 1);
	CU_ASSERT_FALSE(pending_bit(1000));
	xpv_evtchn_demux_destroy(&small);
}

/*
 * Ports of one selector word bound to different vCPUs: each vCPU's upcall
 * serves its own only, and leaves the other's pending for its upcall.
 */
static void test_per_vcpu_ports(void)
{
	bind(3);		/* vCPU 0's device */
	bind(4);		/* vCPU 1's timer, same word */
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_vcpu(&d, 4, 1), 0);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_vcpu(&d, NR_PORTS, 1),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_vcpu(&d, 4, XPV_EVTCHN_MAX_VCPUS),
			-XPV_EINVAL);
	xpv_evtchn_2l_set_pending(s, 1, 4);
	xpv_evtchn_2l_set_pending(s, 0, 3);
	/* vCPU 0 scans word 0 for port 3 and sees port 4 pending too. */
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL_FATAL(nr_log, 1);
	CU_ASSERT_EQUAL(order_log[0], 3);
	CU_ASSERT_TRUE(pending_bit(4));
	CU_ASSERT_EQUAL(s->vcpu_info[1].evtchn_upcall_pending, 1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 1), 1);
	CU_ASSERT_EQUAL_FATAL(nr_log, 2);
	CU_ASSERT_EQUAL(order_log[1], 4);
	CU_ASSERT_FALSE(pending_bit(4));
	/* A cleared port's number comes back bound to vCPU 0. */
	xpv_evtchn_demux_clear_handler(&d, 4);
	bind(4);
	xpv_evtchn_2l_set_pending(s, 0, 4);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL(order_log[2], 4);
}

static void test_handlers(void)
{
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, NR_PORTS, log_handler,
						     NULL),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, 3, NULL, NULL),
			-XPV_EINVAL);
	bind(3);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, 3, log_handler, NULL),
			-XPV_EBUSY);
	xpv_evtchn_demux_clear_handler(&d, 3);
	xpv_evtchn_demux_clear_handler(&d, NR_PORTS + 5);
	xpv_evtchn_2l_set_pending(s, 0, 3);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL(nr_log, 0);
	CU_ASSERT_EQUAL(d.nr_spurious, 1);
	bind(3);
	xpv_evtchn_2l_set_pending(s, 0, 3);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL(nr_log, 1);
}

static void test_mask_unmask(void)
{
	struct vcpu_info *v = &s->vcpu_info[0];

	bind(10);
	xpv_evtchn_2l_mask(s, 10);
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, 10));
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 0);
	CU_ASSERT_TRUE(xpv_evtchn_2l_is_pending(s, 10));
	/* The edge lost while masked comes back on unmask. */
	CU_ASSERT_TRUE(xpv_evtchn_2l_unmask(s, 0, 10));
	CU_ASSERT_EQUAL(v->evtchn_upcall_pending, 1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	CU_ASSERT_EQUAL(nr_log, 1);
	/* Unmasking an unmasked or idle port raises nothing. */
	CU_ASSERT_FALSE(xpv_evtchn_2l_unmask(s, 0, 10));
	xpv_evtchn_2l_mask(s, 10);
	CU_ASSERT_FALSE(xpv_evtchn_2l_unmask(s, 0, 10));
	/* Upcall already pending: selector set, no second kick. */
	xpv_evtchn_2l_mask(s, 10);
	xpv_evtchn_2l_set_pending(s, 0, 10);
	xpv_evtchn_2l_set_pending(s, 0, 200);
	CU_ASSERT_FALSE(xpv_evtchn_2l_unmask(s, 0, 10));
	CU_ASSERT_TRUE(v->evtchn_pending_sel & 1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 2);
	xpv_evtchn_2l_clear_pending(s, 10);
	CU_ASSERT_FALSE(xpv_evtchn_2l_is_pending(s, 10));
	CU_ASSERT_FALSE(xpv_evtchn_2l_unmask(s, 0, XPV_EVTCHN_2L_NR_PORTS));
	xpv_evtchn_2l_mask_all(s);
	CU_ASSERT_FALSE(xpv_evtchn_2l_set_pending(s, 0, 4095));
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 0);
}

static void raise_all(const evtchn_port_t *p, unsigned int n)
{
	while (n--)
		xpv_evtchn_2l_set_pending(s, 0, *p++);
}

/* The next upcall resumes just after the last port served. */
static void test_fair_cursor(void)
{
	static const evtchn_port_t a[] = { 1, 2, 130 }, b[] = { 1, 131 };
	static const evtchn_port_t c[] = { 2 }, e[] = { 1, 2, 3, 4 };
	static const evtchn_port_t want[] = {
		1, 2, 130, 131, 1, 2, 3, 4, 1, 2,
	};
	unsigned int i;

	for (i = 0; i < 4; i++)
		bind(e[i]);
	bind(130);
	bind(131);
	raise_all(a, 3);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 3);
	raise_all(b, 2);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 2);
	raise_all(c, 1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 1);
	raise_all(e, 4);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 4);
	CU_ASSERT_EQUAL_FATAL(nr_log, XPV_ARRAY_SIZE(want));
	for (i = 0; i < nr_log; i++)
		CU_ASSERT_EQUAL(order_log[i], want[i]);
}

/* Busy ports that re-raise themselves are served in turn, none starved. */
static void test_fair_busy(void)
{
	static const evtchn_port_t p[] = { 1, 2, 130, 4095 };
	unsigned int i, served[4] = { 0 };

	for (i = 0; i < 4; i++) {
		bind(p[i]);
		rearm[p[i]] = 20;
	}
	raise_all(p, 4);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 84);
	CU_ASSERT_EQUAL_FATAL(nr_log, 84);
	/* Round robin: the log is the four ports over and over. */
	for (i = 0; i < nr_log; i++) {
		CU_ASSERT_EQUAL(order_log[i], p[i % 4]);
		served[i % 4]++;
	}
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(served[i], 21);
}

/* A busy port mid-word does not keep the rest of its word waiting. */
static void test_fair_mid_word(void)
{
	static const evtchn_port_t first[] = { 5 }, next[] = { 1, 5, 9 };
	static const evtchn_port_t want[] = { 9, 1, 5, 9, 1, 5 };
	unsigned int i;

	bind(1);
	bind(5);
	bind(9);
	raise_all(first, 1);
	xpv_evtchn_demux_run(&d, 0);
	rearm[5] = 1;
	rearm[9] = 1;
	rearm[1] = 1;
	raise_all(next, 3);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_run(&d, 0), 6);
	CU_ASSERT_EQUAL_FATAL(nr_log, 1 + XPV_ARRAY_SIZE(want));
	for (i = 0; i < XPV_ARRAY_SIZE(want); i++)
		CU_ASSERT_EQUAL(order_log[i + 1], want[i]);
}

/* ---- concurrency ---------------------------------------------------- */

#define HAMMER_EVENTS 40000u
#define HAMMER_WATCHDOG_NS (20ull * 1000000000ull)

static const evtchn_port_t hports[] = { 3, 63, 64, 65, 130, 511, 1000, 4095 };
static unsigned int inflight[NR_PORTS];
static unsigned int delivered[NR_PORTS];
static sem_t kick;
static unsigned int producer_done, producer_stuck;

static void count_handler(evtchn_port_t port, void *arg)
{
	__atomic_fetch_add(&delivered[port], 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&inflight[port], 0, __ATOMIC_SEQ_CST);
}

/* Raises each port again once its last event was delivered. */
static void *producer(void *arg)
{
	uint64_t deadline = xpv_os_now_ns() + HAMMER_WATCHDOG_NS;
	unsigned int i;
	evtchn_port_t p;

	for (i = 0; i < HAMMER_EVENTS && !producer_stuck; i++) {
		p = hports[i % XPV_ARRAY_SIZE(hports)];
		while (__atomic_load_n(&inflight[p], __ATOMIC_SEQ_CST)) {
			/* Only a lost event keeps a port in flight forever. */
			if (xpv_os_now_ns() > deadline) {
				producer_stuck = 1;
				break;
			}
			sched_yield();
		}
		__atomic_store_n(&inflight[p], 1, __ATOMIC_SEQ_CST);
		if (xpv_evtchn_2l_set_pending(s, 0, p))
			sem_post(&kick);
	}
	__atomic_store_n(&producer_done, 1, __ATOMIC_SEQ_CST);
	sem_post(&kick);
	return NULL;
}

static void test_no_lost_events(void)
{
	unsigned long long total = 0;
	pthread_t t;
	unsigned int i;

	memset(inflight, 0, sizeof(inflight));
	memset(delivered, 0, sizeof(delivered));
	producer_done = producer_stuck = 0;
	for (i = 0; i < XPV_ARRAY_SIZE(hports); i++)
		CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, hports[i],
							     count_handler,
							     NULL),
				0);
	CU_ASSERT_EQUAL_FATAL(sem_init(&kick, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, producer, NULL), 0);
	while (!__atomic_load_n(&producer_done, __ATOMIC_SEQ_CST)) {
		sem_wait(&kick);
		xpv_evtchn_demux_run(&d, 0);
	}
	pthread_join(t, NULL);
	xpv_evtchn_demux_run(&d, 0);
	sem_destroy(&kick);
	CU_ASSERT_EQUAL(producer_stuck, 0);
	for (i = 0; i < XPV_ARRAY_SIZE(hports); i++)
		total += delivered[hports[i]];
	CU_ASSERT_EQUAL(total, HAMMER_EVENTS);
	CU_ASSERT_EQUAL(d.nr_handled, HAMMER_EVENTS);
	CU_ASSERT_EQUAL(d.nr_spurious, 0);
}

static unsigned int gate_entered, gate_release, clear_returned;

static void gate_handler(evtchn_port_t port, void *arg)
{
	__atomic_store_n(&gate_entered, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&gate_release, __ATOMIC_SEQ_CST))
		sched_yield();
}

static void *run_thread(void *arg)
{
	xpv_evtchn_demux_run(&d, 0);
	return NULL;
}

static void *clear_thread(void *arg)
{
	xpv_evtchn_demux_clear_handler(&d, 7);
	__atomic_store_n(&clear_returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* clear_handler returns only once a call in progress has finished. */
static void test_clear_waits(void)
{
	pthread_t r, c;
	int i;

	gate_entered = gate_release = clear_returned = 0;
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, 7, gate_handler, NULL),
			0);
	xpv_evtchn_2l_set_pending(s, 0, 7);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&r, NULL, run_thread, NULL), 0);
	while (!__atomic_load_n(&gate_entered, __ATOMIC_SEQ_CST))
		sched_yield();
	CU_ASSERT_EQUAL_FATAL(pthread_create(&c, NULL, clear_thread, NULL), 0);
	for (i = 0; i < 1000; i++)
		sched_yield();
	CU_ASSERT_EQUAL(__atomic_load_n(&clear_returned, __ATOMIC_SEQ_CST), 0);
	__atomic_store_n(&gate_release, 1, __ATOMIC_SEQ_CST);
	pthread_join(r, NULL);
	pthread_join(c, NULL);
	CU_ASSERT_EQUAL(clear_returned, 1);
	CU_ASSERT_EQUAL(xpv_evtchn_demux_set_handler(&d, 7, gate_handler, NULL),
			0);
}

static CU_TestInfo evtchn_tests[] = {
	{ "init errors", test_init_errors },
	{ "set_pending", test_set_pending },
	{ "demux basic", test_demux_basic },
	{ "spurious", test_spurious },
	{ "ports served by their own vCPU", test_per_vcpu_ports },
	{ "set and clear handlers", test_handlers },
	{ "mask and unmask", test_mask_unmask },
	{ "fair: cursor", test_fair_cursor },
	{ "fair: busy ports", test_fair_busy },
	{ "fair: mid-word", test_fair_mid_word },
	{ "no lost events", test_no_lost_events },
	{ "clear waits for the handler", test_clear_waits },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "evtchn", NULL, NULL, setup, teardown, evtchn_tests },
	CU_SUITE_INFO_NULL,
};
