// SPDX-License-Identifier: MIT
/*
 * xenops on the loopback, against a granting domain in the same process:
 * buffers in the backend's own memory, grant copies that cross a page on
 * our side (split, still no map), runs of grants mapped in one piece, and
 * a batch with a bad grant in the middle leaving no pin behind.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/xenops.h"
#include "loopback/daemon.h"
#include "loopback/internal.h"

#define G_PAGES 16

static char dir[64];
static struct lb_daemon *dm;
static pthread_t dm_tid;
static struct lb_dom *granter;
static struct xpv_xenops *x;

static void *daemon_thread(void *arg)
{
	lb_daemon_run(dm);
	return NULL;
}

static int setup(void)
{
	int err;

	snprintf(dir, sizeof(dir), "/tmp/xenpv-xoptest-%d", getpid());
	dm = lb_daemon_new(dir, &err);
	if (!dm || pthread_create(&dm_tid, NULL, daemon_thread, NULL))
		return 1;
	granter = lb_dom_join(dir, -1, G_PAGES);
	x = xpv_xenops_open("loopback", dir, 0, &err);
	return granter && x ? 0 : 1;
}

static int teardown(void)
{
	xpv_xenops_close(x);
	lb_dom_leave(granter);
	lb_daemon_stop(dm);
	pthread_join(dm_tid, NULL);
	lb_daemon_free(dm);
	rmdir(dir);
	return 0;
}

/* Grant @ref for page @gfn of the granter to dom0, filled with @fill. */
static void grant(grant_ref_t ref, unsigned int gfn, bool ro, int fill)
{
	grant_entry_v1_t *e = &lb_dom_gnttab(granter)[ref];

	memset((uint8_t *)lb_dom_mem(granter) + gfn * XPV_PAGE_SIZE, fill,
	       XPV_PAGE_SIZE);
	e->frame = gfn;
	e->domid = 0;
	__atomic_store_n(&e->flags,
			 GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}

static struct lb_stats *dom0_stats(void)
{
	return &lb_dom_hv(granter)->doms[0].stats;
}

static void test_buf_alloc(void)
{
	uint8_t *a = xpv_xenops_buf_alloc(x, 3), *b = xpv_xenops_buf_alloc(x, 1);
	struct lb_hv *hv = lb_dom_hv(granter);
	uint8_t *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL((uintptr_t)a % XPV_PAGE_SIZE, 0);
	CU_ASSERT_TRUE(b >= a + 3 * XPV_PAGE_SIZE || b + XPV_PAGE_SIZE <= a);
	memset(a, 1, 3 * XPV_PAGE_SIZE);
	CU_ASSERT_PTR_NULL(xpv_xenops_buf_alloc(x, 0));
	CU_ASSERT_PTR_NULL(xpv_xenops_buf_alloc(x, hv->doms[0].nr_pages + 1));
	xpv_xenops_buf_free(x, a, 3);
	c = xpv_xenops_buf_alloc(x, 2);
	CU_ASSERT_PTR_EQUAL(c, a);
	/* Freed pages went back to the host: they read as zeros. */
	CU_ASSERT_EQUAL(c[0], 0);
	xpv_xenops_buf_free(x, c, 2);
	xpv_xenops_buf_free(x, b, 1);
}

static void test_copy_crossing(void)
{
	uint8_t *buf = xpv_xenops_buf_alloc(x, 2), want[4000];
	struct xpv_xenops_copy c = { 0 };
	uint64_t maps = dom0_stats()->maps, copies = dom0_stats()->copies;
	uint8_t *gpage = (uint8_t *)lb_dom_mem(granter) + 2 * XPV_PAGE_SIZE;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	grant(20, 2, true, 0x33);
	gpage[96] = 0x44;
	gpage[4095] = 0x55;
	/* In: from the grant at offset 96, to 50 bytes before our page end. */
	c.source.foreign.ref = 20;
	c.source.foreign.offset = 96;
	c.source.foreign.domid = lb_dom_id(granter);
	c.dest.virt = buf + XPV_PAGE_SIZE - 50;
	c.len = 4000;
	c.flags = GNTCOPY_source_gref;
	CU_ASSERT_EQUAL(xpv_xenops_copy(x, &c, 1), 0);
	CU_ASSERT_EQUAL(c.status, GNTST_okay);
	memcpy(want, gpage + 96, sizeof(want));
	CU_ASSERT_EQUAL(memcmp(c.dest.virt, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(dom0_stats()->copies - copies, 2);
	CU_ASSERT_EQUAL(dom0_stats()->maps, maps);
	/* Out, to a read-only grant: refused, and nothing written. */
	memset(buf, 0x77, 2 * XPV_PAGE_SIZE);
	c = (struct xpv_xenops_copy){ .len = 4000, .flags = GNTCOPY_dest_gref };
	c.source.virt = buf + XPV_PAGE_SIZE - 50;
	c.dest.foreign.ref = 20;
	c.dest.foreign.offset = 96;
	c.dest.foreign.domid = lb_dom_id(granter);
	CU_ASSERT_EQUAL(xpv_xenops_copy(x, &c, 1), 0);
	CU_ASSERT_NOT_EQUAL(c.status, GNTST_okay);
	CU_ASSERT_EQUAL(gpage[96], 0x44);
	/* Out, to a writable grant, crossing our page. */
	grant(21, 3, false, 0);
	c.dest.foreign.ref = 21;
	CU_ASSERT_EQUAL(xpv_xenops_copy(x, &c, 1), 0);
	CU_ASSERT_EQUAL(c.status, GNTST_okay);
	gpage += XPV_PAGE_SIZE;
	CU_ASSERT_EQUAL(gpage[95], 0);
	CU_ASSERT_EQUAL(gpage[96], 0x77);
	CU_ASSERT_EQUAL(gpage[4095], 0x77);
	CU_ASSERT_EQUAL(dom0_stats()->maps, maps);
	CU_ASSERT_EQUAL(lb_dom_gnttab(granter)[21].flags, GTF_permit_access);
	xpv_xenops_buf_free(x, buf, 2);
}

static void test_map_runs(void)
{
	grant_ref_t refs[5] = { 30, 31, 32, 33, 34 };
	grant_entry_v1_t *gt = lb_dom_gnttab(granter);
	unsigned int i;
	uint8_t *m;
	int err;

	for (i = 0; i < 5; i++)
		grant(refs[i], 8 + i, false, 0x10 + i);
	m = xpv_xenops_map(x, lb_dom_id(granter), 5, refs, true, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(m[i * XPV_PAGE_SIZE + 7], 0x10 + i);
		CU_ASSERT_TRUE(gt[refs[i]].flags & GTF_writing);
	}
	m[4 * XPV_PAGE_SIZE] = 0x99;
	CU_ASSERT_EQUAL(((uint8_t *)lb_dom_mem(granter))[12 * XPV_PAGE_SIZE],
			0x99);
	CU_ASSERT_EQUAL(xpv_xenops_unmap(x, m, 5), 0);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(gt[refs[i]].flags, GTF_permit_access);
	/* A revoked grant in the middle: all or nothing, no pin left. */
	gt[32].flags = 0;
	CU_ASSERT_PTR_NULL(xpv_xenops_map(x, lb_dom_id(granter), 5, refs,
					  true, &err));
	CU_ASSERT_NOT_EQUAL(err, 0);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(gt[refs[i]].flags & (GTF_reading | GTF_writing),
				0);
		CU_ASSERT_EQUAL(lb_dom_hv(granter)->doms[lb_dom_id(granter)]
					.pins[refs[i]], 0);
	}
	CU_ASSERT_EQUAL(xpv_xenops_mapped(x), 0);
	CU_ASSERT_EQUAL(lb_dom_hv(granter)->doms[0].maptrack_used, 0);
}

static CU_TestInfo xenops_tests[] = {
	{ "buffers in the backend's own memory", test_buf_alloc },
	{ "grant copy across our page: split, no map", test_copy_crossing },
	{ "a run of grants maps in one piece, all or nothing", test_map_runs },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "xenops_loopback", setup, teardown, NULL, NULL, xenops_tests },
	CU_SUITE_INFO_NULL,
};
