// SPDX-License-Identifier: MIT
/*
 * Memory: frame-number translation through the p2m list the builder gave us
 * and Xen's read-only machine-to-phys table, and a page allocator.  The pool
 * is a region of the kernel image, which the builder maps for us; growing
 * into the rest of the domain's frames needs page tables built with
 * mmu_update, which this kernel does not do yet.
 */
#include "arch-xen/kernel.h"

#define POOL_PAGES 1024

static uint8_t pool[POOL_PAGES][XPV_PAGE_SIZE] __attribute__((aligned(4096)));
static uint64_t pool_used[POOL_PAGES / 64];

unsigned long mfn_to_pfn(uint64_t mfn)
{
	return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

uint64_t virt_to_mfn(const void *va)
{
	const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

	return p2m[(uintptr_t)va >> XPV_PAGE_SHIFT];
}

void mm_init(void)
{
	memset(pool_used, 0, sizeof(pool_used));
}

static bool run_free(unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		if (pool_used[i / 64] & (1ull << (i % 64)))
			return false;
	return true;
}

/* @n consecutive pages, each freed on its own with page_free. */
void *pages_alloc(unsigned int n)
{
	unsigned long flags = pv_irq_ops.save_fl();
	unsigned int first, i;
	void *pages = NULL;

	for (first = 0; n && first + n <= POOL_PAGES; first++) {
		if (!run_free(first, n))
			continue;
		for (i = first; i < first + n; i++)
			pool_used[i / 64] |= 1ull << (i % 64);
		pages = pool[first];
		break;
	}
	pv_irq_ops.restore_fl(flags);
	if (pages)
		memset(pages, 0, (size_t)n * XPV_PAGE_SIZE);
	return pages;
}

void *page_alloc(void)
{
	return pages_alloc(1);
}

void page_free(void *page)
{
	unsigned long i = ((uint8_t *)page - pool[0]) / XPV_PAGE_SIZE;
	unsigned long flags;

	if (i >= POOL_PAGES)
		return;
	flags = pv_irq_ops.save_fl();
	pool_used[i / 64] &= ~(1ull << (i % 64));
	pv_irq_ops.restore_fl(flags);
}
