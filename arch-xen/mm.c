// SPDX-License-Identifier: MIT
/*
 * Memory: frame-number translation through the p2m list the builder gave
 * us and Xen's read-only machine-to-phys table; the rest of the domain's
 * pages mapped at pfn << 12 with page tables built through mmu_update
 * (pagetable.c); and a page allocator over every page past what the
 * builder used.  Table frames come from the start of the free pages.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "arch-xen/pagetable.h"

#define MAX_POOL_PAGES 65536u	/* 256 MiB: the bitmap is in the image */
#define MM_BALLOON_BATCH 1024u	/* XPV_BALLOON_BATCH_MAX */

static uint8_t *pool;
static unsigned int pool_pages;
static uint64_t pool_used[MAX_POOL_PAGES / 64];
static struct spinlock pool_lock;
static unsigned long frontier;	/* next free pfn for a table */
static struct xpv_pt kpt;
extern char _end[];

unsigned long mfn_to_pfn(uint64_t mfn)
{
	return ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

uint64_t virt_to_mfn(const void *va)
{
	const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

	return p2m[(uintptr_t)va >> XPV_PAGE_SHIFT];
}

/* ---- ballooning: the p2m and the mapping follow the reservation ---- */

#define INVALID_P2M (~0ul)
/* Present, writable, accessed, dirty: as the pool pages were mapped. */
#define POOL_PROT 0x67ull

static unsigned long *p2m_rw(void)
{
	return (unsigned long *)start_info->mfn_list;
}

/* A pool page of ours whose frame is @mfn, or 0. */
static unsigned long pool_pfn_of(uint64_t mfn)
{
	unsigned long pfn, first = (uintptr_t)pool >> XPV_PAGE_SHIFT;

	if (mfn == INVALID_P2M || mfn >> 40)
		return 0;
	pfn = mfn_to_pfn(mfn);
	if (pfn < first || pfn >= first + pool_pages || p2m_rw()[pfn] != mfn)
		return 0;
	return pfn;
}

static int map_pfn(unsigned long pfn, uint64_t mfn)
{
	p2m_rw()[pfn] = mfn;
	return (int)hyp_update_va_mapping(pfn << XPV_PAGE_SHIFT,
					  (mfn << XPV_PAGE_SHIFT) | POOL_PROT,
					  UVMF_INVLPG);
}

/*
 * XENMEM_decrease_reservation of pool pages: each is unmapped and its p2m
 * entry invalidated first (Xen must find no mapping of a frame it takes
 * back); frames Xen did not take are mapped again.
 */
static long mm_decrease(struct xen_memory_reservation *r)
{
	xen_pfn_t *f = r->extent_start.p;
	unsigned long pfn[MM_BALLOON_BATCH];
	unsigned int i, n = r->nr_extents;
	long done;

	if (n > MM_BALLOON_BATCH || r->extent_order || r->domid != DOMID_SELF)
		return -XPV_EINVAL;
	for (i = 0; i < n; i++)
		if (!(pfn[i] = pool_pfn_of(f[i])))
			return -XPV_EINVAL;
	for (i = 0; i < n; i++) {
		hyp_update_va_mapping(pfn[i] << XPV_PAGE_SHIFT, 0, UVMF_INVLPG);
		p2m_rw()[pfn[i]] = INVALID_P2M;
	}
	done = hyp_memory_op(XENMEM_decrease_reservation, r);
	for (i = done < 0 ? 0 : (unsigned int)done; i < n; i++)
		map_pfn(pfn[i], f[i]);
	return done;
}

/*
 * XENMEM_populate_physmap for ballooned pool pages: a PV guest names the
 * pfn and Xen writes the new frame back (and sets its M2P entry), which
 * goes into the p2m and the mapping.
 */
static long mm_populate(struct xen_memory_reservation *r)
{
	xen_pfn_t *f = r->extent_start.p;
	unsigned long first = (uintptr_t)pool >> XPV_PAGE_SHIFT;
	unsigned long pfn[MM_BALLOON_BATCH];
	unsigned int i, n = r->nr_extents;
	long done;

	if (n > MM_BALLOON_BATCH || r->extent_order || r->domid != DOMID_SELF)
		return -XPV_EINVAL;
	for (i = 0; i < n; i++) {
		pfn[i] = f[i];
		if (pfn[i] < first || pfn[i] >= first + pool_pages ||
		    p2m_rw()[pfn[i]] != INVALID_P2M)
			return -XPV_EINVAL;
	}
	done = hyp_memory_op(XENMEM_populate_physmap, r);
	for (i = 0; done > 0 && i < (unsigned int)done; i++)
		if (map_pfn(pfn[i], f[i]))
			panic("populated pfn %lu not mapped", pfn[i]);
	return done;
}

long mm_memory_op(unsigned int cmd, void *arg)
{
	if (cmd == XENMEM_decrease_reservation)
		return mm_decrease(arg);
	if (cmd == XENMEM_populate_physmap)
		return mm_populate(arg);
	return hyp_memory_op(cmd, arg);
}

/* A ballooned page has no frame: its gfn is then its pfn, which is what
 * populate_physmap takes from a PV guest. */
uint64_t page_gfn(const void *va)
{
	uint64_t mfn = virt_to_mfn(va);

	return mfn == INVALID_P2M ? (uintptr_t)va >> XPV_PAGE_SHIFT : mfn;
}

/* ---- the page-table ops on real Xen --------------------------------- */

static uint64_t k_read(void *arg, uint64_t mfn, unsigned int idx)
{
	return ((const uint64_t *)(mfn_to_pfn(mfn) << XPV_PAGE_SHIFT))[idx];
}

static int k_mmu_update(void *arg, const struct mmu_update *req,
			unsigned int n)
{
	unsigned int done = 0;
	long err = hyp_mmu_update((struct mmu_update *)req, n, &done,
				  DOMID_SELF);

	return err ? (int)err : (done == n ? 0 : -XPV_EIO);
}

static int k_update_va(void *arg, uint64_t va, uint64_t pte)
{
	return (int)hyp_update_va_mapping(va, pte, UVMF_INVLPG);
}

static int k_alloc_table(void *arg, unsigned long *pfn)
{
	if (frontier >= start_info->nr_pages)
		return -XPV_ENOMEM;
	*pfn = frontier++;
	return 0;
}

static void k_zero(void *arg, unsigned long pfn)
{
	memset((void *)(pfn << XPV_PAGE_SHIFT), 0, XPV_PAGE_SIZE);
}

static const struct xpv_pt_ops kernel_pt_ops = {
	.read = k_read,
	.mmu_update = k_mmu_update,
	.update_va = k_update_va,
	.alloc_table = k_alloc_table,
	.zero = k_zero,
};

static unsigned long pfn_up(unsigned long va)
{
	return (va + XPV_PAGE_SIZE - 1) >> XPV_PAGE_SHIFT;
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

/* The first pfn nothing of the builder's lives in. */
static unsigned long first_free_pfn(void)
{
	start_info_t *si = start_info;
	unsigned long pfn = pfn_up(si->pt_base) + si->nr_pt_frames;

	pfn = max_ul(pfn, pfn_up((unsigned long)_end));
	pfn = max_ul(pfn, pfn_up(si->mfn_list + si->nr_pages * 8));
	pfn = max_ul(pfn, ((unsigned long)si >> XPV_PAGE_SHIFT) + 1);
	pfn = max_ul(pfn, mfn_to_pfn(si->store_mfn) + 1);
	return max_ul(pfn, mfn_to_pfn(si->console.domU.mfn) + 1);
}

/* Map a frame (a grant-table frame) at @va, outside the domain's pfns. */
int mm_map_frame(uint64_t va, uint64_t mfn)
{
	return xpv_pt_map(&kpt, va, mfn, XPV_PTE_PROT);
}

/* Maps every page of the domain; the pool is what no table took. */
void mm_init(void)
{
	unsigned long nr = start_info->nr_pages, first = first_free_pfn();
	int err;

	frontier = first;
	kpt = (struct xpv_pt){
		.ops = &kernel_pt_ops,
		.p2m = (const unsigned long *)start_info->mfn_list,
		.nr_pfns = nr,
		.l4_mfn = virt_to_mfn((const void *)start_info->pt_base),
	};
	err = xpv_pt_map_pfns(&kpt, first, nr);
	if (err)
		panic("mapping pfns %lu-%lu: %d", first, nr, err);
	printk("xenpv: mm: pfns %lu-%lu mapped, %u new tables\n", first, nr,
	       kpt.tables_added);
}

/* After the last table is made: the pool starts past the frontier. */
void mm_pool_init(void)
{
	unsigned long n = start_info->nr_pages - frontier;

	pool = (uint8_t *)(frontier << XPV_PAGE_SHIFT);
	pool_pages = n > MAX_POOL_PAGES ? MAX_POOL_PAGES : (unsigned int)n;
	frontier = start_info->nr_pages;
	printk("xenpv: mm: %u pages in the pool at pfn %lu\n", pool_pages,
	       (unsigned long)((uintptr_t)pool >> XPV_PAGE_SHIFT));
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
	unsigned long flags = spin_lock_irqsave(&pool_lock);
	unsigned int first, i;
	void *pages = NULL;

	for (first = 0; n && first + n <= pool_pages; first++) {
		if (!run_free(first, n))
			continue;
		for (i = first; i < first + n; i++)
			pool_used[i / 64] |= 1ull << (i % 64);
		pages = pool + (size_t)first * XPV_PAGE_SIZE;
		break;
	}
	spin_unlock_irqrestore(&pool_lock, flags);
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
	unsigned long i = ((uint8_t *)page - pool) / XPV_PAGE_SIZE;
	unsigned long flags;

	if ((uint8_t *)page < pool || i >= pool_pages)
		return;
	flags = spin_lock_irqsave(&pool_lock);
	pool_used[i / 64] &= ~(1ull << (i % 64));
	spin_unlock_irqrestore(&pool_lock, flags);
}

/* Pages of the pool in use (the boot check prints it). */
unsigned int mm_pool_used(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < pool_pages; i++)
		n += (pool_used[i / 64] >> (i % 64)) & 1;
	return n;
}
