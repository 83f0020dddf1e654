// SPDX-License-Identifier: MIT
/*
 * Machine checks end to end on the loopback: a consumer domain (dom0)
 * runs the PV MCA driver on os/user; this process joins as another domain
 * and plays the hardware with the injector (lb_mca_inject, and the
 * xenpv-mceinj tool).  Records must arrive complete and in order, nothing
 * may be lost when the queues fill, malformed telemetry must be rejected
 * with its reason, and a page must be offlined at the CE threshold.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/mca/mca_user.h"
#include "loopback/hv.h"
#include "os/user/user.h"
#include "tests/loopback/lb_host.h"
#include "tests/loopback/procs.h"

#define CONSUMER 0
#define THRESHOLD 4
#define MAX_RECS 160
#define WAIT_NS 10000000000ull

static const char *dir;
static struct lb_dom *hw; /* this process, as the injector's domain */
static int chan[2];
static struct lb_guest consumer;

struct cmd {
	char op; /* r: read n records, s: stats, q: quit */
	uint32_t n;
};

struct reply {
	uint32_t n, flags, nr_retired;
	struct xpv_mca_stats st;
	char last_reject[64];
	uint64_t retired[8];
	struct xpv_mce rec[MAX_RECS];
};

/* ---- the consumer domain ------------------------------------------------- */

static void consumer_reply(struct xpv_mca *m, struct reply *r)
{
	/* Flags first: a flag set after this shows with the next stats. */
	r->flags = xpv_mca_getclear_flags(m);
	xpv_mca_stats(m, &r->st);
	snprintf(r->last_reject, sizeof(r->last_reject), "%s",
		 r->st.last_reject ? r->st.last_reject : "");
	r->st.last_reject = NULL;
	r->nr_retired = xpv_mca_retired(m, r->retired, 8);
	CHECK(write(chan[1], r, sizeof(*r)) == sizeof(*r));
}

/* Reads until @n records came (or 10 s without one). */
static void consumer_read(struct xpv_mca *m, struct reply *r, uint32_t n)
{
	r->n = 0;
	while (r->n < n && r->n < MAX_RECS) {
		if (xpv_mca_wait(m, 1, WAIT_NS))
			break;
		r->n += xpv_mca_read(m, r->rec + r->n, n - r->n);
	}
}

static void consumer_main(void)
{
	static struct reply r;
	struct xpv_mca *m;
	struct cmd c;
	int err;

	CHECK(xpv_user_init(dir, CONSUMER, 64) == 0);
	m = xpv_mca_user_start(THRESHOLD, &err);
	CHECK(m != NULL);
	CHECK(write(chan[1], "r", 1) == 1);
	while (read(chan[1], &c, sizeof(c)) == sizeof(c) && c.op != 'q') {
		memset(&r, 0, sizeof(r));
		if (c.op == 'r')
			consumer_read(m, &r, c.n);
		consumer_reply(m, &r);
	}
	xpv_mca_user_stop(m);
	xpv_user_exit();
}

/* ---- the harness ------------------------------------------------------------
 */

static void consumer_fn(int fd)
{
	chan[1] = fd;
	consumer_main();
}

static int setup(void)
{
	char c;

	dir = lb_host_dir("mca");
	if (lb_guest_prefork(&consumer, consumer_fn) || lb_host_start())
		return 1;
	chan[0] = consumer.fd;
	lb_guest_go(&consumer);
	if (read(chan[0], &c, 1) != 1)
		return 1;
	hw = lb_dom_join(dir, -1, 64);
	return hw ? 0 : 1;
}

static int teardown(void)
{
	struct cmd q = {.op = 'q'};
	int rc;

	if (write(chan[0], &q, sizeof(q)) != sizeof(q))
		perror("quit");
	rc = wait_exit(consumer.pid);
	lb_dom_leave(hw);
	lb_host_stop();
	return rc;
}

static void send_cmd(char op, uint32_t n)
{
	struct cmd c = {.op = op, .n = n};

	CU_ASSERT_FATAL(write(chan[0], &c, sizeof(c)) == sizeof(c));
}

static struct reply *get_reply(void)
{
	static struct reply r;

	CU_ASSERT_FATAL(read(chan[0], &r, sizeof(r)) == sizeof(r));
	return &r;
}

static struct reply *ask(char op, uint32_t n)
{
	send_cmd(op, n);
	return get_reply();
}

static struct lb_mce_spec spec(bool ue, uint16_t bank, uint64_t addr,
			       uint64_t seq)
{
	return (struct lb_mce_spec){.uncorrected = ue,
				    .bank = bank,
				    .addr = addr,
				    .misc = seq,
				    .cpu = 1,
				    .domid = lb_dom_id(hw)};
}

static int inject(const struct lb_mce_spec *s)
{
	struct mc_info mi;

	lb_mca_build(&mi, s);
	return lb_mca_inject(hw, CONSUMER,
			     s->uncorrected ? LB_MCA_URGENT : LB_MCA_NONURGENT,
			     &mi);
}

/* Retries while the queue is full, as xenpv-mceinj --wait does. */
static void inject_wait(const struct lb_mce_spec *s)
{
	int err, tries = 0;

	while ((err = inject(s)) == -ENOSPC && tries++ < 10000)
		usleep(1000);
	CU_ASSERT_EQUAL(err, 0);
}

/* ---- the tests -------------------------------------------------------------
 */

/* CE and UE, mixed: every field arrives, each class in injection order. */
static void test_complete_in_order(void)
{
	struct lb_mce_spec s[24];
	struct reply *r;
	unsigned int i, ce = 0, ue = 0, k;

	for (i = 0; i < 24; i++) {
		s[i] = spec(i % 3 == 0, i % 7, ((100ull + i) << 12) + i * 8, i);
		CU_ASSERT_EQUAL(inject(&s[i]), 0);
	}
	r = ask('r', 24);
	CU_ASSERT_EQUAL_FATAL(r->n, 24);
	for (k = 0; k < 24; k++) {
		const struct xpv_mce *m = &r->rec[k];
		bool is_ue = m->status & XPV_MCI_STATUS_UC;

		/* The next of its class, in order. */
		for (i = is_ue ? ue : ce; i < 24 && (i % 3 == 0) != is_ue; i++)
			;
		CU_ASSERT_FATAL(i < 24);
		CU_ASSERT_EQUAL(m->misc, s[i].misc);
		CU_ASSERT_EQUAL(m->addr, s[i].addr);
		CU_ASSERT_EQUAL(m->bank, s[i].bank);
		CU_ASSERT_EQUAL(m->extcpu, 1);
		CU_ASSERT_EQUAL(m->finished, 1);
		CU_ASSERT(!!(m->status & XPV_MCI_STATUS_VAL));
		*(is_ue ? &ue : &ce) = i + 1;
	}
	CU_ASSERT_EQUAL(r->st.uncorrected, 8);
	CU_ASSERT_EQUAL(r->st.corrected, 16);
	CU_ASSERT_EQUAL(r->flags, 0);
}

static unsigned int queued(unsigned int which)
{
	struct lb_mca_qstat q = {0};

	CU_ASSERT_EQUAL(lb_mca_stat(lb_dom_hv(hw), CONSUMER, which, &q), 0);
	return q.queued;
}

/* Until the consumer has taken everything Xen holds for it. */
static void wait_drained(void)
{
	int i;

	for (i = 0; i < 10000 && queued(LB_MCA_NONURGENT); i++)
		usleep(1000);
	CU_ASSERT_EQUAL(queued(LB_MCA_NONURGENT), 0);
}

static struct lb_mce_spec fill_spec(unsigned int seq)
{
	/* Pages outside anything the consumer would retire here. */
	return spec(false, 2, (uint64_t)(1000 + seq) << 12, seq);
}

/* Fill the log and the queue; the rest waits; none is lost. */
static void test_queues_fill(void)
{
	struct lb_mca_qstat q;
	struct lb_mce_spec s;
	struct reply *r;
	unsigned int i, seq, flags = 0;

	for (seq = 0; seq < XPV_MCE_LOG_LEN; seq++) {
		s = fill_spec(seq);
		CU_ASSERT_EQUAL(inject(&s), 0);
		wait_drained();
	}
	/* The driver's log is full: these stay in Xen's non-urgent queue. */
	for (; seq < XPV_MCE_LOG_LEN + 20; seq++) {
		s = fill_spec(seq);
		CU_ASSERT_EQUAL(inject(&s), 0);
	}
	s = fill_spec(seq);
	CU_ASSERT_EQUAL(inject(&s), -ENOSPC);
	CU_ASSERT_EQUAL(
		lb_mca_stat(lb_dom_hv(hw), CONSUMER, LB_MCA_NONURGENT, &q), 0);
	CU_ASSERT_EQUAL(q.overflow, 1);
	CU_ASSERT_EQUAL(q.refused, 1);
	CU_ASSERT_EQUAL(q.queued, 20);
	/* The driver saw the log full and said so. */
	for (i = 0; i < 1000; i++) {
		r = ask('s', 0);
		flags |= r->flags;
		if (r->st.held_back)
			break;
		usleep(1000);
	}
	CU_ASSERT(flags & (1u << XPV_MCE_OVERFLOW));
	r = ask('r', seq);
	CU_ASSERT_EQUAL(r->n, seq);
	for (i = 0; i < r->n; i++)
		CU_ASSERT_EQUAL(r->rec[i].misc, i);
	/* The refused one and more, retried while the reader reads. */
	send_cmd('r', 150 - seq);
	for (i = seq; i < 150; i++) {
		s = fill_spec(i);
		inject_wait(&s);
	}
	r = get_reply();
	CU_ASSERT_EQUAL(r->n, 150 - seq);
	for (i = 0; i < r->n; i++)
		CU_ASSERT_EQUAL(r->rec[i].misc, seq + i);
}

/* Malformed telemetry: rejected with its reason, what follows still comes. */
static void test_malformed(void)
{
	struct lb_mce_spec s = spec(false, 5, 0x2000 << 12, 77);
	struct mcinfo_common *c;
	struct mc_info mi;
	struct reply *r;

	lb_mca_build(&mi, &s);
	c = (struct mcinfo_common *)mi.mi_data;
	c->size = 0; /* a list that would loop on its first entry */
	CU_ASSERT_EQUAL(lb_mca_inject(hw, CONSUMER, LB_MCA_NONURGENT, &mi), 0);
	lb_mca_build(&mi, &s);
	mi.mi_nentries = 200;
	CU_ASSERT_EQUAL(lb_mca_inject(hw, CONSUMER, LB_MCA_URGENT, &mi), 0);
	CU_ASSERT_EQUAL(inject(&s), 0);
	r = ask('r', 1);
	CU_ASSERT_EQUAL(r->n, 1);
	CU_ASSERT_EQUAL(r->rec[0].misc, 77);
	CU_ASSERT_EQUAL(r->st.rejected, 2);
	/* Which of the two came last depends on when the VIRQs were served. */
	CU_ASSERT(strstr(r->last_reject, "multiple of 8") ||
		  strstr(r->last_reject, "more entries"));
}

/* The THRESHOLD-th corrected error on a page offlines it, once. */
static void test_page_retirement(void)
{
	uint64_t mfns[4];
	struct lb_mce_spec s;
	struct reply *r;
	unsigned int i;

	for (i = 0; i < THRESHOLD - 1; i++) {
		s = spec(false, 1, (5 << 12) + i * 64, i);
		CU_ASSERT_EQUAL(inject(&s), 0);
	}
	s = spec(false, 1, 9 << 12, 9); /* another page */
	CU_ASSERT_EQUAL(inject(&s), 0);
	r = ask('r', THRESHOLD);
	CU_ASSERT_EQUAL(r->nr_retired, 0);
	CU_ASSERT_EQUAL(lb_mca_offlined(lb_dom_hv(hw), lb_dom_id(hw), mfns, 4),
			0);
	for (i = 0; i < 3; i++) {
		s = spec(false, 1, (5 << 12) + 8, 10 + i);
		CU_ASSERT_EQUAL(inject(&s), 0);
	}
	r = ask('r', 3);
	CU_ASSERT_EQUAL(r->nr_retired, 1);
	CU_ASSERT_EQUAL(r->retired[0], 5);
	CU_ASSERT_EQUAL(r->st.retired, 1);
	CU_ASSERT_EQUAL(lb_mca_offlined(lb_dom_hv(hw), lb_dom_id(hw), mfns, 4),
			1);
	CU_ASSERT_EQUAL(mfns[0], 5);
}

/* The tool: three UEs on bank 3, through the urgent queue. */
static void test_tool(void)
{
	const char *build = getenv("XENPV_BUILD");
	char cmd[512];
	struct reply *r;
	unsigned int i;

	snprintf(cmd, sizeof(cmd),
		 "%s/san/bin/xenpv-mceinj --dir %s --to %d --ue --bank 3 "
		 "--addr 0x3000 --domain %d --count 3 --wait",
		 build ? build : "build", dir, CONSUMER, lb_dom_id(hw));
	CU_ASSERT_EQUAL(system(cmd), 0);
	r = ask('r', 3);
	CU_ASSERT_EQUAL_FATAL(r->n, 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(r->rec[i].bank, 3);
		CU_ASSERT_EQUAL(r->rec[i].addr, 0x3000);
		CU_ASSERT_EQUAL(r->rec[i].misc, i);
		CU_ASSERT(!!(r->rec[i].status & XPV_MCI_STATUS_UC));
	}
}

static CU_TestInfo mca_tests[] = {
	{"CE and UE arrive complete and in order", test_complete_in_order},
	{"full queues: overflow reported, nothing lost", test_queues_fill},
	{"malformed telemetry rejected with a reason", test_malformed},
	{"page offlined at the CE threshold", test_page_retirement},
	{"xenpv-mceinj injects through the urgent queue", test_tool},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"mca", setup, teardown, NULL, NULL, mca_tests},
	CU_SUITE_INFO_NULL,
};
