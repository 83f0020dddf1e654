// SPDX-License-Identifier: MIT
/*
 * The machine-check driver against a scripted hypervisor (fake_os's
 * mca_op): the mc_info walker on good and malformed telemetry, the
 * fetch/ACK protocol, the log's back-pressure when it fills, and the page
 * retirement threshold.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "drivers/mca/mca.h"
#include "tests/unit/core/fake_os.h"

/* ---- building telemetry ------------------------------------------------- */

struct builder {
	struct mc_info mi;
	unsigned int off;
};

static void *add(struct builder *b, uint16_t type, uint16_t size)
{
	struct mcinfo_common *c = (void *)((uint8_t *)b->mi.mi_data + b->off);

	c->type = type;
	c->size = size;
	b->off += size;
	b->mi.mi_nentries++;
	return c;
}

static void start(struct builder *b, uint16_t core)
{
	struct mcinfo_global *g;

	memset(b, 0, sizeof(*b));
	g = add(b, MC_TYPE_GLOBAL, sizeof(*g));
	g->mc_coreid = core;
	g->mc_socketid = 1;
	g->mc_apicid = 2 * core;
	g->mc_gstatus = 0x5;
}

static struct mcinfo_bank *bank(struct builder *b, uint16_t nr, uint64_t status,
				uint64_t addr)
{
	struct mcinfo_bank *k = add(b, MC_TYPE_BANK, sizeof(*k));

	k->mc_bank = nr;
	k->mc_status = status;
	k->mc_addr = addr;
	k->mc_misc = 0x77;
	k->mc_tsc = 1000 + nr;
	k->mc_domid = 3;
	return k;
}

#define CE (XPV_MCI_STATUS_VAL | XPV_MCI_STATUS_ADDRV)
#define UE (XPV_MCI_STATUS_VAL | XPV_MCI_STATUS_UC | XPV_MCI_STATUS_ADDRV)

/* ---- the walker -----------------------------------------------------------
 */

static void test_walk_good(void)
{
	struct xpv_mca_parsed p;
	struct mcinfo_extended *e;
	struct mcinfo_recovery *r;
	struct builder b;
	const char *why;

	start(&b, 7);
	bank(&b, 4, CE, 0x12345678);
	e = add(&b, MC_TYPE_EXTENDED, 8 + 2 * 16);
	e->mc_msrs = 2;
	r = add(&b, MC_TYPE_RECOVERY, sizeof(*r));
	r->action_types = MC_ACTION_PAGE_OFFLINE;
	r->action_flags = REC_ACTION_RECOVERED;
	r->action_info.page_retire.mfn = 0x999;
	bank(&b, 9, UE, 0x2000);
	add(&b, 77, 16); /* a type from a newer Xen */
	CU_ASSERT_EQUAL(xpv_mca_walk(&b.mi, &p, &why), 0);
	CU_ASSERT_EQUAL(p.nr_rec, 2);
	CU_ASSERT_EQUAL(p.rec[0].bank, 4);
	CU_ASSERT_EQUAL(p.rec[0].status, CE);
	CU_ASSERT_EQUAL(p.rec[0].addr, 0x12345678);
	CU_ASSERT_EQUAL(p.rec[0].misc, 0x77);
	CU_ASSERT_EQUAL(p.rec[0].tsc, 1004);
	CU_ASSERT_EQUAL(p.rec[0].mcgstatus, 0x5);
	CU_ASSERT_EQUAL(p.rec[0].extcpu, 7);
	CU_ASSERT_EQUAL(p.rec[0].apicid, 14);
	CU_ASSERT_EQUAL(p.rec[0].finished, 1);
	CU_ASSERT_EQUAL(p.rec[1].bank, 9);
	CU_ASSERT_EQUAL(p.rec_domid[1], 3);
	CU_ASSERT_EQUAL(p.nr_extended, 1);
	CU_ASSERT_EQUAL(p.nr_recovery, 1);
	CU_ASSERT_EQUAL(p.nr_offlined, 1);
	CU_ASSERT_EQUAL(p.offlined_mfn[0], 0x999);
	CU_ASSERT_EQUAL(p.nr_unknown, 1);
	CU_ASSERT_EQUAL(xpv_mca_record_len(), 88);
}

static void expect_bad(struct builder *b, const char *reason)
{
	struct xpv_mca_parsed p;
	const char *why = NULL;

	CU_ASSERT_EQUAL(xpv_mca_walk(&b->mi, &p, &why), -XPV_EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(p.nr_rec, 0);
	if (why && !strstr(why, reason)) {
		fprintf(stderr, "\n  got \"%s\", wanted \"%s\"", why, reason);
		CU_FAIL("wrong reason");
	}
}

static void test_walk_malformed(void)
{
	struct mcinfo_extended *e;
	struct builder b;

	start(&b, 0);
	b.mi.mi_nentries = 0;
	expect_bad(&b, "no entries");
	start(&b, 0);
	b.mi.mi_nentries = 96;
	expect_bad(&b, "more entries");
	start(&b, 0);
	add(&b, MC_TYPE_BANK, 0); /* would loop on itself forever */
	expect_bad(&b, "multiple of 8");
	start(&b, 0);
	add(&b, MC_TYPE_BANK, 4);
	expect_bad(&b, "multiple of 8");
	start(&b, 0);
	add(&b, MC_TYPE_BANK, 52);
	expect_bad(&b, "multiple of 8");
	start(&b, 0);
	add(&b, MC_TYPE_EXTENDED, 65528); /* past the end */
	expect_bad(&b, "past mi_data");
	start(&b, 0);
	b.mi.mi_nentries = 3; /* a count beyond the entries: zeros follow */
	expect_bad(&b, "multiple of 8");
	memset(&b, 0, sizeof(b));
	bank(&b, 1, CE, 0);
	expect_bad(&b, "no mcinfo_global");
	start(&b, 0);
	add(&b, MC_TYPE_GLOBAL, sizeof(struct mcinfo_global));
	expect_bad(&b, "two mcinfo_global");
	start(&b, 0);
	add(&b, MC_TYPE_BANK, sizeof(struct mcinfo_bank) + 8);
	expect_bad(&b, "mcinfo_bank of the wrong size");
	start(&b, 0);
	bank(&b, 256, CE, 0);
	expect_bad(&b, "bank number");
	start(&b, 0);
	e = add(&b, MC_TYPE_EXTENDED, 8 + 16);
	e->mc_msrs = 2;
	expect_bad(&b, "MSR count");
	start(&b, 0);
	e = add(&b, MC_TYPE_EXTENDED, sizeof(*e));
	e->mc_msrs = 33;
	expect_bad(&b, "MSR count");
	start(&b, 0);
	add(&b, MC_TYPE_RECOVERY, 16);
	expect_bad(&b, "mcinfo_recovery");
}

/* ---- a scripted hypervisor ------------------------------------------------
 */

#define HV_MAX 64

static struct {
	struct mc_info q[2][HV_MAX];
	unsigned int head[2], count[2];
	uint64_t next_id, ids[2][HV_MAX];
	unsigned int acks, bad_acks, fetches;
	int fail;     /* return this from every call */
	bool endless; /* never say NODATA */
} hv;

static int queue_of(uint32_t flags)
{
	return (flags & XEN_MC_URGENT) ? 0 : 1;
}

static void hv_push(int q, const struct mc_info *mi)
{
	unsigned int slot = (hv.head[q] + hv.count[q]++) % HV_MAX;

	hv.q[q][slot] = *mi;
	hv.ids[q][slot] = ++hv.next_id;
}

static int hv_mca_op(struct xen_mc *mc)
{
	struct xen_mc_fetch *f = &mc->u.mc_fetch;
	int q = queue_of(f->flags);

	if (hv.fail)
		return hv.fail;
	CU_ASSERT_EQUAL(mc->cmd, XEN_MC_fetch);
	CU_ASSERT_EQUAL(mc->interface_version, XEN_MCA_INTERFACE_VERSION);
	if (f->flags & XEN_MC_ACK) {
		if (hv.count[q] && hv.ids[q][hv.head[q]] == f->fetch_id) {
			hv.head[q] = (hv.head[q] + 1) % HV_MAX;
			hv.count[q]--;
			hv.acks++;
		} else {
			hv.bad_acks++;
		}
		return 0;
	}
	hv.fetches++;
	if (!hv.count[q] && !hv.endless) {
		f->flags = XEN_MC_NODATA;
		return 0;
	}
	*f->data.p = hv.q[q][hv.head[q]];
	f->fetch_id = hv.endless ? 0 : hv.ids[q][hv.head[q]];
	f->flags = XEN_MC_OK;
	return 0;
}

static struct {
	uint64_t mfn;
	domid_t owner;
} retired[16];
static unsigned int nr_retired;

static int retire_hook(void *arg, uint64_t mfn, domid_t owner)
{
	if (nr_retired < 16) {
		retired[nr_retired].mfn = mfn;
		retired[nr_retired].owner = owner;
	}
	nr_retired++;
	return 0;
}

static void new_driver(struct xpv_mca *m, unsigned int threshold)
{
	struct xpv_mca_cfg cfg = {.ce_threshold = threshold,
				  .retire = retire_hook};

	fake_os_reset();
	fake_os_log_quiet(true);
	memset(&hv, 0, sizeof(hv));
	nr_retired = 0;
	fake_os_set_hypercalls(NULL, hv_mca_op);
	CU_ASSERT_FATAL(xpv_mca_init(m, &cfg) == 0);
	CU_ASSERT_FATAL(xpv_mca_start(m) == 0);
}

static void push_one(int q, uint16_t bank_nr, uint64_t status, uint64_t addr)
{
	struct builder b;

	start(&b, 1);
	bank(&b, bank_nr, status, addr);
	hv_push(q, &b.mi);
}

/* Urgent first, then non-urgent; each in order; every one ACKed. */
static void test_fetch_order(void)
{
	struct xpv_mce out[40];
	struct xpv_mca m;
	unsigned int i, n;

	new_driver(&m, 0);
	for (i = 0; i < 5; i++)
		push_one(1, i, CE, 0);
	for (i = 0; i < 3; i++)
		push_one(0, 10 + i, UE, 0x1000);
	CU_ASSERT_FATAL(fake_os_evtchn_fire(m.port));
	n = xpv_mca_read(&m, out, 40);
	CU_ASSERT_EQUAL(n, 8);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(out[i].bank, 10 + i);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(out[3 + i].bank, i);
	CU_ASSERT_EQUAL(hv.acks, 8);
	CU_ASSERT_EQUAL(hv.bad_acks, 0);
	CU_ASSERT_EQUAL(m.st.uncorrected, 3);
	CU_ASSERT_EQUAL(m.st.corrected, 5);
	CU_ASSERT_EQUAL(xpv_mca_getclear_flags(&m), 0);
	xpv_mca_destroy(&m);
}

/* The log fills: the rest stays queued in Xen, the flag says so. */
static void test_log_full(void)
{
	struct xpv_mce out[XPV_MCE_LOG_LEN];
	struct xpv_mca m;
	unsigned int i, n, seen = 0;

	new_driver(&m, 0);
	for (i = 0; i < 50; i++)
		push_one(1, i, CE, 0);
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(xpv_mca_pending(&m), XPV_MCE_LOG_LEN);
	CU_ASSERT_EQUAL(hv.count[1], 50 - XPV_MCE_LOG_LEN);
	CU_ASSERT(xpv_mca_getclear_flags(&m) & (1u << XPV_MCE_OVERFLOW));
	CU_ASSERT_EQUAL(xpv_mca_getclear_flags(&m), 0);
	while ((n = xpv_mca_read(&m, out, XPV_MCE_LOG_LEN)) > 0)
		for (i = 0; i < n; i++, seen++)
			CU_ASSERT_EQUAL(out[i].bank, seen);
	CU_ASSERT_EQUAL(seen, 50);
	CU_ASSERT_EQUAL(hv.count[1], 0);
	CU_ASSERT(m.st.held_back >= 1);
	xpv_mca_destroy(&m);
}

/* Malformed telemetry is consumed (ACKed), logged and counted. */
static void test_reject(void)
{
	struct xpv_mce out[4];
	struct xpv_mca m;
	struct builder b;

	new_driver(&m, 0);
	start(&b, 0);
	add(&b, MC_TYPE_BANK, 0);
	hv_push(1, &b.mi);
	push_one(1, 3, CE, 0);
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(m.st.rejected, 1);
	CU_ASSERT_STRING_EQUAL(m.st.last_reject,
			       "entry size not a multiple of 8");
	CU_ASSERT(fake_os_log_count(XPV_LOG_WARN) >= 1);
	CU_ASSERT_EQUAL(hv.acks, 2);
	CU_ASSERT_EQUAL(xpv_mca_read(&m, out, 4), 1);
	CU_ASSERT_EQUAL(out[0].bank, 3);
	xpv_mca_destroy(&m);
}

/* A hypervisor that never runs dry, or fails: the poll still ends. */
static void test_hostile_hypervisor(void)
{
	struct xpv_mca m;
	struct builder b;

	new_driver(&m, 0);
	start(&b, 0);
	b.mi.mi_nentries = 1000;
	hv_push(0, &b.mi);
	hv_push(1, &b.mi);
	hv.endless = true;
	xpv_mca_poll(&m);
	CU_ASSERT(m.st.rejected >= 256 && m.st.rejected <= 1024);
	hv.endless = false;
	hv.fail = -XPV_EINVAL;
	xpv_mca_poll(&m);
	CU_ASSERT(m.st.fetch_errors >= 1);
	xpv_mca_destroy(&m);
}

/* The threshold-th CE on a page retires it, once; UEs and other pages don't. */
static void test_retire_threshold(void)
{
	struct xpv_mce out[XPV_MCE_LOG_LEN];
	uint64_t mfns[4];
	struct xpv_mca m;
	unsigned int i;

	new_driver(&m, 3);
	push_one(1, 1, CE, 0x5000 + 8);
	push_one(1, 1, CE, 0x5000 + 16);
	push_one(1, 1, CE, 0x6000);
	push_one(0, 1, UE, 0x7000);
	push_one(1, 1, XPV_MCI_STATUS_VAL, 0x5000); /* no ADDRV */
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(nr_retired, 0);
	push_one(1, 1, CE, 0x5fff);
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(nr_retired, 1);
	CU_ASSERT_EQUAL(retired[0].mfn, 5);
	CU_ASSERT_EQUAL(retired[0].owner, 3);
	for (i = 0; i < 4; i++)
		push_one(1, 1, CE, 0x5000);
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(nr_retired, 1);
	CU_ASSERT_EQUAL(xpv_mca_retired(&m, mfns, 4), 1);
	CU_ASSERT_EQUAL(mfns[0], 5);
	CU_ASSERT_EQUAL(m.st.retired, 1);
	CU_ASSERT_EQUAL(m.st.uncorrected, 1);
	xpv_mca_read(&m, out, XPV_MCE_LOG_LEN);
	xpv_mca_destroy(&m);
}

/* More troubled pages than the table holds: a quiet one makes room. */
static void test_retire_many_pages(void)
{
	struct xpv_mce out[XPV_MCE_LOG_LEN];
	struct xpv_mca m;
	unsigned int i;

	new_driver(&m, 2);
	for (i = 0; i < 3 * XPV_MCA_TRACKED_PAGES; i++) {
		push_one(1, 1, CE, (uint64_t)(i + 1) << 12);
		fake_os_evtchn_fire(m.port);
		xpv_mca_read(&m, out, XPV_MCE_LOG_LEN);
	}
	CU_ASSERT_EQUAL(nr_retired, 0);
	push_one(1, 1, CE, 0x1000ull * 3 * XPV_MCA_TRACKED_PAGES);
	fake_os_evtchn_fire(m.port);
	CU_ASSERT_EQUAL(nr_retired, 1);
	xpv_mca_destroy(&m);
}

static CU_TestInfo mca_tests[] = {
	{"walk: global, banks, extended, recovery", test_walk_good},
	{"walk: malformed lists rejected with a reason", test_walk_malformed},
	{"fetch: urgent first, in order, ACKed", test_fetch_order},
	{"log full: held in Xen, overflow flag, none lost", test_log_full},
	{"malformed telemetry consumed and logged", test_reject},
	{"endless or failing hypervisor: poll ends", test_hostile_hypervisor},
	{"page retired at the CE threshold", test_retire_threshold},
	{"page table eviction keeps counting", test_retire_many_pages},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"mca", NULL, NULL, NULL, NULL, mca_tests},
	CU_SUITE_INFO_NULL,
};
