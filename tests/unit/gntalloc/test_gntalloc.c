// SPDX-License-Identifier: MIT
/*
 * Grant reference allocator on the fake host's grant table: exhaustion,
 * all-or-nothing batches, a peer that keeps pages mapped, leaks.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <string.h>

#include "xenpv/gntalloc.h"
#include "tests/unit/core/fake_os.h"

static void setup(void)
{
	fake_os_reset();
	fake_os_log_quiet(true);
}

static void teardown(void)
{
	CU_ASSERT_EQUAL(fake_os_errors(), 0);
}

static unsigned int nr_free(struct xpv_gntalloc *g)
{
	struct xpv_gntalloc_stats st;

	xpv_gntalloc_stats(g, &st);
	return st.nr_free;
}

static void test_basic(void)
{
	struct xpv_gntalloc g;
	struct xpv_gntalloc_stats st;
	grant_ref_t refs[4];
	unsigned int i, j;

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 16), 0);
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 16);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, refs, 4), 0);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_TRUE(refs[i] >= GNTTAB_NR_RESERVED_ENTRIES);
		for (j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(refs[i], refs[j]);
	}
	xpv_gntalloc_stats(&g, &st);
	CU_ASSERT_EQUAL(st.nr_refs, 16);
	CU_ASSERT_EQUAL(st.nr_free, 12);
	CU_ASSERT_EQUAL(st.nr_out, 4);
	CU_ASSERT_EQUAL(xpv_gntalloc_outstanding(&g), 4);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, refs, 4), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_outstanding(&g), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 0);
	CU_ASSERT_EQUAL(fake_os_log_count(XPV_LOG_WARN), 0);
}

static void test_exhaustion(void)
{
	struct xpv_gntalloc g;
	grant_ref_t refs[8], one;

	fake_os_gnttab_limit(8);
	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 16), 0);
	CU_ASSERT_EQUAL(nr_free(&g), 8);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, refs, 8), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &one, 1), -XPV_ENOSPC);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &refs[3], 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &one, 1), 0);
	CU_ASSERT_EQUAL(one, refs[3]);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, refs, 8), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_batch_all_or_nothing(void)
{
	struct xpv_gntalloc g;
	grant_ref_t a[5], b[4];

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 8), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, a, 5), 0);
	memset(b, 0xff, sizeof(b));
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, b, 4), -XPV_ENOSPC);
	CU_ASSERT_EQUAL(b[0], (grant_ref_t)~0u);
	CU_ASSERT_EQUAL(nr_free(&g), 3);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, b, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, b, 0), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, a, 5), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, b, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_init_errors(void)
{
	struct xpv_gntalloc g;

	CU_ASSERT_EQUAL(xpv_gntalloc_init(&g, 0), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_init(&g, XPV_GNTALLOC_MAX_REFS + 1),
			-XPV_EINVAL);
	fake_os_gnttab_claim_error(-XPV_EIO);
	CU_ASSERT_EQUAL(xpv_gntalloc_init(&g, 4), -XPV_EIO);
	fake_os_gnttab_limit(0);
	CU_ASSERT_EQUAL(xpv_gntalloc_init(&g, 4), -XPV_ENOSPC);
	fake_os_gnttab_limit(FAKE_OS_NR_GREFS);
	fake_os_fail_alloc_after(3);
	CU_ASSERT_EQUAL(xpv_gntalloc_init(&g, 4), -XPV_ENOMEM);
	fake_os_fail_alloc_after(-1);
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 0);
	/* Destroying a failed instance is harmless. */
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_grant_and_end(void)
{
	struct xpv_gntalloc g;
	grant_entry_v1_t *e;
	grant_ref_t ref;
	void *page = xpv_os_page_alloc();

	CU_ASSERT_FATAL(page != NULL);
	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 4), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &ref, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant(&g, ref, 7, page, true), 0);
	e = fake_os_gnttab_entry(ref);
	CU_ASSERT_EQUAL(e->flags, GTF_permit_access | GTF_readonly);
	CU_ASSERT_EQUAL(e->domid, 7);
	CU_ASSERT_PTR_EQUAL(fake_os_gfn_to_virt(e->frame), page);
	/* Granted refs cannot be put or granted again. */
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &ref, 1), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant(&g, ref, 7, page, false),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_end(&g, ref), 0);
	CU_ASSERT_EQUAL(e->flags, 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_end(&g, ref), -XPV_EINVAL);
	/* Out again: may be granted anew, writable this time. */
	CU_ASSERT_EQUAL(xpv_gntalloc_grant_gfn(&g, ref, 3, 0x1234, false), 0);
	CU_ASSERT_EQUAL(e->flags, GTF_permit_access);
	CU_ASSERT_EQUAL(e->frame, 0x1234);
	CU_ASSERT_EQUAL(xpv_gntalloc_end_put(&g, ref, NULL), 0);
	CU_ASSERT_EQUAL(nr_free(&g), 4);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
	xpv_os_page_free(page);
}

static void test_end_busy(void)
{
	struct xpv_gntalloc g;
	struct xpv_gntalloc_stats st;
	grant_ref_t ref;

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 4), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &ref, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant_gfn(&g, ref, 1, 99, false), 0);
	fake_os_gnttab_peer_map(ref, true);
	CU_ASSERT_EQUAL(xpv_gntalloc_end(&g, ref), -XPV_EBUSY);
	CU_ASSERT_TRUE(fake_os_gnttab_entry(ref)->flags & GTF_permit_access);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &ref, 1), -XPV_EINVAL);
	xpv_gntalloc_stats(&g, &st);
	CU_ASSERT_EQUAL(st.nr_granted, 1);
	CU_ASSERT_EQUAL(st.nr_busy_ends, 1);
	fake_os_gnttab_peer_unmap(ref);
	CU_ASSERT_EQUAL(xpv_gntalloc_end(&g, ref), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &ref, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

/* A ref the peer still maps is parked, never reused, then recovered. */
static void test_end_put_deferred(void)
{
	struct xpv_gntalloc g;
	struct xpv_gntalloc_stats st;
	grant_ref_t busy, rest[3], one;
	void *page = xpv_os_page_alloc();
	unsigned int live = fake_os_pages_live();

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 4), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &busy, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant(&g, busy, 2, page, true), 0);
	fake_os_gnttab_peer_map(busy, false);
	CU_ASSERT_EQUAL(xpv_gntalloc_end_put(&g, busy, page), -XPV_EBUSY);
	CU_ASSERT_EQUAL(fake_os_pages_live(), live);
	xpv_gntalloc_stats(&g, &st);
	CU_ASSERT_EQUAL(st.nr_deferred, 1);
	CU_ASSERT_EQUAL(st.nr_granted, 0);
	CU_ASSERT_EQUAL(st.nr_free, 3);
	/* Not the caller's any more: end and put refuse it. */
	CU_ASSERT_EQUAL(xpv_gntalloc_end(&g, busy), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &busy, 1), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, rest, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &one, 1), -XPV_ENOSPC);
	CU_ASSERT_EQUAL(xpv_gntalloc_retry_deferred(&g), 1);
	CU_ASSERT_EQUAL(fake_os_pages_live(), live);
	fake_os_gnttab_peer_unmap(busy);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &one, 1), 0);
	CU_ASSERT_EQUAL(one, busy);
	CU_ASSERT_EQUAL(fake_os_pages_live(), live - 1);
	CU_ASSERT_EQUAL(fake_os_gnttab_entry(busy)->flags, 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, rest, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &one, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_end_put_frees_page(void)
{
	struct xpv_gntalloc g;
	grant_ref_t ref;
	void *page = xpv_os_page_alloc();
	unsigned int live = fake_os_pages_live();

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 2), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, &ref, 1), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant(&g, ref, 2, page, false), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_end_put(&g, ref, page), 0);
	CU_ASSERT_EQUAL(fake_os_pages_live(), live - 1);
	CU_ASSERT_EQUAL(xpv_gntalloc_end_put(&g, ref, NULL), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_put_invalid(void)
{
	struct xpv_gntalloc g;
	grant_ref_t refs[3], dup[2], alien = 5000;

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 8), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, refs, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, &alien, 1), -XPV_EINVAL);
	dup[0] = dup[1] = refs[1];
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, dup, 2), -XPV_EINVAL);
	/* A refused batch changes nothing. */
	CU_ASSERT_EQUAL(nr_free(&g), 5);
	dup[0] = refs[0];
	dup[1] = alien;
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, dup, 2), -XPV_EINVAL);
	CU_ASSERT_EQUAL(nr_free(&g), 5);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, refs, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_put(&g, refs, 1), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant_gfn(&g, refs[0], 1, 1, false),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant_gfn(&g, alien, 1, 1, false),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(nr_free(&g), 8);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static void test_destroy_reports_leaks(void)
{
	struct xpv_gntalloc g;
	grant_ref_t refs[3];
	void *page = xpv_os_page_alloc();

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 8), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_get(&g, refs, 3), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant_gfn(&g, refs[1], 1, 10, false), 0);
	CU_ASSERT_EQUAL(xpv_gntalloc_grant(&g, refs[2], 1, page, false), 0);
	fake_os_gnttab_peer_map(refs[2], true);
	CU_ASSERT_EQUAL(xpv_gntalloc_end_put(&g, refs[2], page), -XPV_EBUSY);
	CU_ASSERT_EQUAL(xpv_gntalloc_outstanding(&g), 3);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 3);
	CU_ASSERT_EQUAL(fake_os_log_count(XPV_LOG_WARN), 1);
	/* Only the free refs went back; the peer's page stays allocated. */
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 3);
	CU_ASSERT_PTR_NOT_NULL(fake_os_gfn_to_virt(xpv_os_virt_to_gfn(page)));
}

struct hammer {
	struct xpv_gntalloc *g;
	unsigned int fails;
};

static void *hammer_fn(void *arg)
{
	struct hammer *h = arg;
	grant_ref_t refs[3];
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		if (xpv_gntalloc_get(h->g, refs, 3))
			continue;
		if (xpv_gntalloc_grant_gfn(h->g, refs[0], 1, i, false) ||
		    xpv_gntalloc_end(h->g, refs[0]) ||
		    xpv_gntalloc_put(h->g, refs, 3))
			h->fails++;
	}
	return NULL;
}

static void test_concurrent(void)
{
	struct xpv_gntalloc g;
	struct hammer h[2] = { { &g, 0 }, { &g, 0 } };
	pthread_t t;

	CU_ASSERT_EQUAL_FATAL(xpv_gntalloc_init(&g, 5), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, hammer_fn, &h[0]), 0);
	hammer_fn(&h[1]);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(h[0].fails + h[1].fails, 0);
	CU_ASSERT_EQUAL(nr_free(&g), 5);
	CU_ASSERT_EQUAL(xpv_gntalloc_destroy(&g), 0);
}

static CU_TestInfo gntalloc_tests[] = {
	{ "get/put/destroy", test_basic },
	{ "exhaustion", test_exhaustion },
	{ "batch all or nothing", test_batch_all_or_nothing },
	{ "init errors", test_init_errors },
	{ "grant and end", test_grant_and_end },
	{ "end while mapped", test_end_busy },
	{ "end_put while mapped is deferred", test_end_put_deferred },
	{ "end_put frees the page", test_end_put_frees_page },
	{ "invalid puts and grants", test_put_invalid },
	{ "destroy reports leaks", test_destroy_reports_leaks },
	{ "two threads", test_concurrent },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "gntalloc", NULL, NULL, setup, teardown, gntalloc_tests },
	CU_SUITE_INFO_NULL,
};
