// SPDX-License-Identifier: MIT
/*
 * Host tests of the PV kernel's page-table building against a model of
 * Xen's rules: tables are reached only from the root, a frame is linked as
 * a table only while no writable mapping of it exists and only when empty,
 * no table is ever mapped writable, a page is written (zeroed) only
 * through a present writable mapping, and update_va_mapping needs an
 * existing L1.  The starting state is what the domain builder leaves: the
 * first 4 MiB mapped, its own tables mapped read-only.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "arch-xen/pagetable.h"
#include "xenpv/os.h"

#define NR_PFNS 2048ul		/* 8 MiB: four L1 tables */
#define NR_MFNS (NR_PFNS + 13)	/* frames the domain does not own too */
#define BOOT_MAPPED 1024ul	/* the builder maps 4 MiB */
#define BOOT_PT_PFN 100ul	/* builder's L4, L3, L2, L1 x2 */

struct model {
	uint64_t mem[NR_MFNS][512];
	unsigned long p2m[NR_PFNS];
	unsigned long m2p[NR_MFNS];
	uint64_t l4;
	unsigned long next_free, free_end;
	unsigned int calls, reqs, violations;
	bool fail_alloc;
};

static struct model *m;

static uint64_t pte_mfn(uint64_t e)
{
	return (e & XPV_PTE_MFN_MASK) >> 12;
}

/* Level of @mfn as a table reachable from the root, 0 if none. */
static int level_in(uint64_t table, int level, uint64_t mfn)
{
	unsigned int i;
	int l;

	if (table == mfn)
		return level;
	if (level == 1)
		return 0;
	for (i = 0; i < 512; i++) {
		uint64_t e = m->mem[table][i];

		if ((e & XPV_PTE_PRESENT) &&
		    (l = level_in(pte_mfn(e), level - 1, mfn)))
			return l;
	}
	return 0;
}

static int table_level(uint64_t mfn)
{
	return level_in(m->l4, 4, mfn);
}

/* Writable mappings of @mfn in every reachable L1. */
static unsigned int writable_maps(uint64_t table, int level, uint64_t mfn)
{
	unsigned int i, n = 0;

	for (i = 0; i < 512; i++) {
		uint64_t e = m->mem[table][i];

		if (!(e & XPV_PTE_PRESENT))
			continue;
		if (level == 1)
			n += pte_mfn(e) == mfn && (e & XPV_PTE_RW);
		else
			n += writable_maps(pte_mfn(e), level - 1, mfn);
	}
	return n;
}

static bool frame_empty(uint64_t mfn)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		if (m->mem[mfn][i])
			return false;
	return true;
}

/* Xen's checks on writing @val into a table of @level. */
static bool entry_ok(int level, uint64_t val)
{
	uint64_t t = pte_mfn(val);

	if (!(val & XPV_PTE_PRESENT))
		return true;
	if (t >= NR_MFNS)
		return false;
	if (level == 1)
		return !((val & XPV_PTE_RW) && table_level(t));
	return !table_level(t) && !writable_maps(m->l4, 4, t) && frame_empty(t);
}

static int m_mmu_update(void *arg, const struct mmu_update *req, unsigned int n)
{
	unsigned int i;

	m->calls++;
	for (i = 0; i < n; i++) {
		uint64_t mfn = req[i].ptr >> 12;
		unsigned int idx = (req[i].ptr & 0xfff) / 8;
		int level = mfn < NR_MFNS ? table_level(mfn) : 0;

		if ((req[i].ptr & 7) != MMU_NORMAL_PT_UPDATE || !level ||
		    !entry_ok(level, req[i].val)) {
			m->violations++;
			return -22;
		}
		m->mem[mfn][idx] = req[i].val;
		m->reqs++;
	}
	return 0;
}

/* The L1 entry slot for @va, or NULL. */
static uint64_t *m_slot(uint64_t va)
{
	uint64_t t = m->l4;
	int level;

	for (level = 4; level > 1; level--) {
		uint64_t e = m->mem[t][(va >> (12 + 9 * (level - 1))) & 511];

		if (!(e & XPV_PTE_PRESENT))
			return NULL;
		t = pte_mfn(e);
	}
	return &m->mem[t][(va >> 12) & 511];
}

static int m_update_va(void *arg, uint64_t va, uint64_t pte)
{
	uint64_t *slot = m_slot(va);

	m->calls++;
	if (!slot || !entry_ok(1, pte)) {
		m->violations++;
		return -22;
	}
	*slot = pte;
	return 0;
}

static uint64_t m_read(void *arg, uint64_t mfn, unsigned int idx)
{
	uint64_t *slot = mfn < NR_MFNS ? m_slot(m->m2p[mfn] << 12) : NULL;

	/* The guest reads a table through its own mapping of it. */
	if (!slot || !(*slot & XPV_PTE_PRESENT) || pte_mfn(*slot) != mfn) {
		m->violations++;
		return 0;
	}
	return m->mem[mfn][idx];
}

static int m_alloc_table(void *arg, unsigned long *pfn)
{
	if (m->fail_alloc || m->next_free >= m->free_end)
		return -12;
	*pfn = m->next_free++;
	return 0;
}

static void m_zero(void *arg, unsigned long pfn)
{
	uint64_t *slot = m_slot((uint64_t)pfn << 12);

	if (!slot || !(*slot & XPV_PTE_RW) || pte_mfn(*slot) != m->p2m[pfn]) {
		m->violations++;
		return;
	}
	memset(m->mem[m->p2m[pfn]], 0, 4096);
}

static const struct xpv_pt_ops model_ops = {
	.read = m_read,
	.mmu_update = m_mmu_update,
	.update_va = m_update_va,
	.alloc_table = m_alloc_table,
	.zero = m_zero,
};

/* What the builder leaves: pfns [0, 1024) mapped, tables read-only. */
static void boot_state(struct xpv_pt *pt)
{
	unsigned long pfn, i;
	uint64_t *l4, *l3, *l2;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < NR_MFNS; i++)
		m->m2p[i] = ~0ul;
	for (pfn = 0; pfn < NR_PFNS; pfn++) {
		m->p2m[pfn] = (pfn * 37 + 5) % NR_MFNS;
		m->m2p[m->p2m[pfn]] = pfn;
		/* Garbage in free frames: tables must be zeroed first. */
		m->mem[m->p2m[pfn]][7] = 0xdeadbeef;
	}
	for (i = 0; i < 5; i++)
		memset(m->mem[m->p2m[BOOT_PT_PFN + i]], 0, 4096);
	m->l4 = m->p2m[BOOT_PT_PFN];
	l4 = m->mem[m->l4];
	l3 = m->mem[m->p2m[BOOT_PT_PFN + 1]];
	l2 = m->mem[m->p2m[BOOT_PT_PFN + 2]];
	l4[0] = (m->p2m[BOOT_PT_PFN + 1] << 12) | XPV_PTE_PROT;
	l3[0] = (m->p2m[BOOT_PT_PFN + 2] << 12) | XPV_PTE_PROT;
	for (i = 0; i < 2; i++)
		l2[i] = (m->p2m[BOOT_PT_PFN + 3 + i] << 12) | XPV_PTE_PROT;
	for (pfn = 0; pfn < BOOT_MAPPED; pfn++) {
		bool table = pfn >= BOOT_PT_PFN && pfn < BOOT_PT_PFN + 5;

		m->mem[m->p2m[BOOT_PT_PFN + 3 + pfn / 512]][pfn % 512] =
			(m->p2m[pfn] << 12) |
			(table ? XPV_PTE_PROT_RO : XPV_PTE_PROT);
	}
	m->next_free = BOOT_PT_PFN + 5;
	m->free_end = NR_PFNS;
	*pt = (struct xpv_pt){ .ops = &model_ops, .p2m = m->p2m,
			       .nr_pfns = NR_PFNS, .l4_mfn = m->l4 };
}

/* Every pfn at pfn << 12, every table frame read-only. */
static void check_all_mapped(void)
{
	unsigned long pfn;

	for (pfn = 0; pfn < NR_PFNS; pfn++) {
		uint64_t *slot = m_slot((uint64_t)pfn << 12);
		bool table = table_level(m->p2m[pfn]) != 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(slot);
		CU_ASSERT_EQUAL(pte_mfn(*slot), m->p2m[pfn]);
		CU_ASSERT_EQUAL(!!(*slot & XPV_PTE_RW), !table);
	}
}

static void test_map_domain(void)
{
	struct xpv_pt pt;

	boot_state(&pt);
	CU_ASSERT_EQUAL(xpv_pt_map_pfns(&pt, 0, NR_PFNS), 0);
	CU_ASSERT_EQUAL(m->violations, 0);
	/* Two more L1s for the upper 4 MiB, from the free frames in order. */
	CU_ASSERT_EQUAL(pt.tables_added, 2);
	CU_ASSERT_EQUAL(m->next_free, BOOT_PT_PFN + 7);
	check_all_mapped();
	/* Batched: far fewer calls than pages. */
	CU_ASSERT(m->calls < (NR_PFNS - BOOT_MAPPED) / 32);
}

static void test_map_again_is_noop(void)
{
	struct xpv_pt pt;
	unsigned int calls;

	boot_state(&pt);
	CU_ASSERT_EQUAL(xpv_pt_map_pfns(&pt, 0, NR_PFNS), 0);
	calls = m->calls;
	CU_ASSERT_EQUAL(xpv_pt_map_pfns(&pt, 0, NR_PFNS), 0);
	CU_ASSERT_EQUAL(m->calls, calls);
	CU_ASSERT_EQUAL(m->violations, 0);
}

/* A frame outside the domain's pfns (a grant frame) at a far address. */
static void test_map_far_frame(void)
{
	uint64_t va = (5ull << 30) + (3ull << 21) + 0x7000;
	uint64_t mfn = NR_MFNS - 1;
	struct xpv_pt pt;

	boot_state(&pt);
	CU_ASSERT_EQUAL(xpv_pt_lookup(&pt, va), 0);
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, va, mfn, XPV_PTE_PROT), 0);
	CU_ASSERT_EQUAL(pt.tables_added, 2); /* an L2 and an L1 */
	CU_ASSERT_EQUAL(pte_mfn(xpv_pt_lookup(&pt, va)), mfn);
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, va + 4096, mfn - 1, XPV_PTE_PROT), 0);
	CU_ASSERT_EQUAL(pt.tables_added, 2);
	CU_ASSERT_EQUAL(m->violations, 0);
}

static void test_refusals(void)
{
	struct xpv_pt pt;
	uint64_t *l2;

	boot_state(&pt);
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, 1ull << 47, 1, XPV_PTE_PROT),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, 0x1234, 1, XPV_PTE_PROT), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_pt_map_pfns(&pt, 0, NR_PFNS + 1), -XPV_EINVAL);
	/* No frame for a table: the error comes back, nothing half-linked. */
	m->fail_alloc = true;
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, 1ull << 39, 1, XPV_PTE_PROT),
			-XPV_ENOMEM);
	CU_ASSERT_EQUAL(m->mem[m->l4][1], 0);
	m->fail_alloc = false;
	/* A large page on the way is not walked through. */
	l2 = m->mem[m->p2m[BOOT_PT_PFN + 2]];
	l2[5] = (1ull << 21) | XPV_PTE_PROT | 0x80;
	CU_ASSERT_EQUAL(xpv_pt_map(&pt, 5ull << 21, 1, XPV_PTE_PROT),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(m->violations, 0);
}

/* The model does catch the mistake the builder must avoid: linking a
 * table frame that is still mapped writable. */
static void test_model_catches_writable_table(void)
{
	struct mmu_update req;
	struct xpv_pt pt;
	uint64_t mfn;

	boot_state(&pt);
	mfn = m->p2m[500];
	memset(m->mem[mfn], 0, 4096);
	req.ptr = ((uint64_t)m->l4 << 12) + 8 * 3;
	req.val = (mfn << 12) | XPV_PTE_PROT;
	CU_ASSERT_NOT_EQUAL(m_mmu_update(NULL, &req, 1), 0);
	CU_ASSERT_EQUAL(m->violations, 1);
}

static int suite_init(void)
{
	m = calloc(1, sizeof(*m));
	return m ? 0 : 1;
}

static int suite_clean(void)
{
	free(m);
	return 0;
}

static CU_TestInfo pt_tests[] = {
	{ "map the whole domain from the builder's tables", test_map_domain },
	{ "mapping again changes nothing", test_map_again_is_noop },
	{ "a frame far away gets its own L2 and L1", test_map_far_frame },
	{ "bad addresses, no frame, large pages", test_refusals },
	{ "the model refuses a writable table", test_model_catches_writable_table },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "pagetable", suite_init, suite_clean, NULL, NULL, pt_tests },
	CU_SUITE_INFO_NULL,
};
