// SPDX-License-Identifier: MIT
/* Page-table building for the PV kernel; see pagetable.h. */
#include "arch-xen/pagetable.h"
#include "xenpv/os.h"

#define PT_ENTRIES 512u
#define PT_PSE 0x080ull
#define PT_BATCH 64u
/* Lower half only: the top half holds Xen and is not ours to map. */
#define PT_VA_LIMIT (1ull << 47)
#define PT_INVALID_MFN (~0ul)

static unsigned int pt_index(uint64_t va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

static uint64_t entry_addr(uint64_t table_mfn, unsigned int idx)
{
	return (table_mfn << XPV_PAGE_SHIFT) + idx * sizeof(uint64_t);
}

/* A new empty table, read-only everywhere, linked at @idx of @parent. */
static int pt_new_table(struct xpv_pt *pt, uint64_t parent, unsigned int idx,
			uint64_t *mfn)
{
	struct mmu_update link;
	unsigned long pfn;
	int err;

	err = pt->ops->alloc_table(pt->arg, &pfn);
	if (err)
		return err;
	if (pfn >= pt->nr_pfns || pt->p2m[pfn] == PT_INVALID_MFN)
		return -XPV_EINVAL;
	*mfn = pt->p2m[pfn];
	pt->ops->zero(pt->arg, pfn);
	err = pt->ops->update_va(pt->arg, (uint64_t)pfn << XPV_PAGE_SHIFT,
				 (*mfn << XPV_PAGE_SHIFT) | XPV_PTE_PROT_RO);
	if (err)
		return err;
	link.ptr = entry_addr(parent, idx) | MMU_NORMAL_PT_UPDATE;
	link.val = (*mfn << XPV_PAGE_SHIFT) | XPV_PTE_PROT;
	err = pt->ops->mmu_update(pt->arg, &link, 1);
	if (!err)
		pt->tables_added++;
	return err;
}

/*
 * The L1 table covering @va: its mfn in *l1.  With @create, missing tables
 * are added; without, a missing one is -XPV_ENOENT.
 */
static int pt_walk(struct xpv_pt *pt, uint64_t va, bool create, uint64_t *l1)
{
	uint64_t table = pt->l4_mfn, e;
	unsigned int level, idx;
	int err;

	if (va >= PT_VA_LIMIT || (va & (XPV_PAGE_SIZE - 1)))
		return -XPV_EINVAL;
	for (level = 4; level > 1; level--) {
		idx = pt_index(va, level);
		e = pt->ops->read(pt->arg, table, idx);
		if (e & XPV_PTE_PRESENT) {
			if (e & PT_PSE)
				return -XPV_EINVAL;
			table = (e & XPV_PTE_MFN_MASK) >> XPV_PAGE_SHIFT;
			continue;
		}
		if (!create)
			return -XPV_ENOENT;
		err = pt_new_table(pt, table, idx, &table);
		if (err)
			return err;
	}
	*l1 = table;
	return 0;
}

int xpv_pt_map(struct xpv_pt *pt, uint64_t va, uint64_t mfn, uint64_t prot)
{
	struct mmu_update req;
	uint64_t l1;
	int err = pt_walk(pt, va, true, &l1);

	if (err)
		return err;
	req.ptr = entry_addr(l1, pt_index(va, 1)) | MMU_NORMAL_PT_UPDATE;
	req.val = (mfn << XPV_PAGE_SHIFT) | prot;
	return pt->ops->mmu_update(pt->arg, &req, 1);
}

uint64_t xpv_pt_lookup(const struct xpv_pt *pt, uint64_t va)
{
	uint64_t l1;

	if (pt_walk((struct xpv_pt *)pt, va, false, &l1))
		return 0;
	return pt->ops->read(pt->arg, l1, pt_index(va, 1));
}

struct pt_batch {
	struct mmu_update req[PT_BATCH];
	unsigned int n;
};

static int pt_flush(struct xpv_pt *pt, struct pt_batch *b)
{
	int err = b->n ? pt->ops->mmu_update(pt->arg, b->req, b->n) : 0;

	b->n = 0;
	return err;
}

/* Queues the mapping of @pfn; the queue is flushed before a table is made,
 * since the table's frame may be one of the pages still queued. */
static int pt_queue_pfn(struct xpv_pt *pt, struct pt_batch *b,
			unsigned long pfn)
{
	uint64_t va = (uint64_t)pfn << XPV_PAGE_SHIFT, l1;
	unsigned int idx = pt_index(va, 1);
	int err = pt_walk(pt, va, false, &l1);

	if (err == -XPV_ENOENT) {
		err = pt_flush(pt, b);
		if (!err)
			err = pt_walk(pt, va, true, &l1);
	}
	if (err)
		return err;
	if (pt->ops->read(pt->arg, l1, idx) & XPV_PTE_PRESENT)
		return 0;
	b->req[b->n].ptr = entry_addr(l1, idx) | MMU_NORMAL_PT_UPDATE;
	b->req[b->n].val = ((uint64_t)pt->p2m[pfn] << XPV_PAGE_SHIFT) |
			   XPV_PTE_PROT;
	if (++b->n == PT_BATCH)
		return pt_flush(pt, b);
	return 0;
}

int xpv_pt_map_pfns(struct xpv_pt *pt, unsigned long first, unsigned long end)
{
	struct pt_batch b = { .n = 0 };
	unsigned long pfn;
	int err = 0;

	if (end > pt->nr_pfns || first > end)
		return -XPV_EINVAL;
	for (pfn = first; pfn < end && !err; pfn++)
		if (pt->p2m[pfn] != PT_INVALID_MFN)
			err = pt_queue_pfn(pt, &b, pfn);
	if (!err)
		err = pt_flush(pt, &b);
	return err;
}
