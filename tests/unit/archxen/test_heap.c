// SPDX-License-Identifier: MIT
/* The kernel heap (arch-xen/heap.c): alignment, reuse, split, merge. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch-xen/heap.h"

#define REGION 65536u

static uint8_t region[REGION] __attribute__((aligned(16)));
static struct kheap h;

static void fresh(void)
{
	memset(region, 0xa5, sizeof(region));
	kheap_init(&h, region, sizeof(region));
}

static void test_alignment_and_bounds(void)
{
	void *a, *b;

	fresh();
	a = kheap_alloc(&h, 1);
	b = kheap_alloc(&h, 33);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL((uintptr_t)a % KHEAP_ALIGN, 0);
	CU_ASSERT_EQUAL((uintptr_t)b % KHEAP_ALIGN, 0);
	CU_ASSERT((uint8_t *)b >= (uint8_t *)a + 1);
	CU_ASSERT_PTR_NULL(kheap_alloc(&h, REGION));
	CU_ASSERT_PTR_NULL(kheap_alloc(&h, SIZE_MAX));
	kheap_free(&h, NULL);
}

/* Freeing everything, in any order, gives the whole region back. */
static void test_everything_comes_back(void)
{
	enum { N = 64 };
	void *p[N];
	unsigned int i, order[N];

	fresh();
	for (i = 0; i < N; i++) {
		p[i] = kheap_alloc(&h, 16 + (i * 37) % 500);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		memset(p[i], (int)i, 16);
		order[i] = i;
	}
	srand(7);
	for (i = N - 1; i > 0; i--) {
		unsigned int j = (unsigned int)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < N; i++)
		kheap_free(&h, p[order[i]]);
	CU_ASSERT_EQUAL(kheap_free_bytes(&h), REGION);
	CU_ASSERT_EQUAL(kheap_free_blocks(&h), 0);
	CU_ASSERT_EQUAL(h.top, 0);
}

/* A big block freed serves several small ones, then merges back whole. */
static void test_split_and_merge(void)
{
	void *big, *guard, *s[4];
	unsigned int i;

	fresh();
	big = kheap_alloc(&h, 4096);
	guard = kheap_alloc(&h, 16);	/* keeps big off the top */
	kheap_free(&h, big);
	CU_ASSERT_EQUAL(kheap_free_blocks(&h), 1);
	for (i = 0; i < 4; i++) {
		s[i] = kheap_alloc(&h, 512);
		/* Carved out of the freed block, not from the top. */
		CU_ASSERT((uint8_t *)s[i] >= (uint8_t *)big &&
			  (uint8_t *)s[i] < (uint8_t *)guard);
	}
	kheap_free(&h, s[1]);
	kheap_free(&h, s[3]);
	kheap_free(&h, s[0]);
	kheap_free(&h, s[2]);
	/* One block again, as big as before. */
	CU_ASSERT_EQUAL(kheap_free_blocks(&h), 1);
	CU_ASSERT_PTR_EQUAL(kheap_alloc(&h, 4096), big);
}

/* Blocks that stay in use keep what lies between them apart. */
static void test_no_merge_across_used(void)
{
	void *a, *b, *c, *d;

	fresh();
	a = kheap_alloc(&h, 64);
	b = kheap_alloc(&h, 64);
	c = kheap_alloc(&h, 64);
	d = kheap_alloc(&h, 64);
	kheap_free(&h, a);
	kheap_free(&h, c);
	CU_ASSERT_EQUAL(kheap_free_blocks(&h), 2);
	/* Writing a whole freed block must not reach its neighbours. */
	memset(kheap_alloc(&h, 64), 0, 64);
	memset(b, 1, 64);
	memset(d, 2, 64);
	CU_ASSERT_EQUAL(((uint8_t *)b)[0], 1);
	CU_ASSERT_EQUAL(((uint8_t *)d)[63], 2);
}

/* Churn: a long mix of sizes never loses memory or overlaps blocks. */
static void test_churn(void)
{
	enum { SLOTS = 128, ROUNDS = 20000 };
	void *p[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	unsigned int r, i, k;

	fresh();
	srand(11);
	for (r = 0; r < ROUNDS; r++) {
		i = (unsigned int)rand() % SLOTS;
		if (p[i]) {
			for (k = 0; k < len[i]; k++)
				if (((uint8_t *)p[i])[k] != (uint8_t)i)
					break;
			CU_ASSERT_EQUAL_FATAL(k, len[i]);
			kheap_free(&h, p[i]);
			p[i] = NULL;
			continue;
		}
		len[i] = 1 + (size_t)rand() % 700;
		p[i] = kheap_alloc(&h, len[i]);
		if (p[i])
			memset(p[i], (int)i, len[i]);
	}
	for (i = 0; i < SLOTS; i++)
		kheap_free(&h, p[i]);
	CU_ASSERT_EQUAL(kheap_free_bytes(&h), REGION);
	CU_ASSERT_EQUAL(h.top, 0);
}

static CU_TestInfo heap_tests[] = {
	{ "alignment and bounds", test_alignment_and_bounds },
	{ "everything comes back, any order", test_everything_comes_back },
	{ "a freed block is split, then merged", test_split_and_merge },
	{ "no merge across a block in use", test_no_merge_across_used },
	{ "20000 rounds of churn", test_churn },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "kheap", NULL, NULL, NULL, NULL, heap_tests },
	CU_SUITE_INFO_NULL,
};
