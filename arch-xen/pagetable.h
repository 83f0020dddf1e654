/* SPDX-License-Identifier: MIT */
/*
 * Building x86-64 PV page tables.  A PV guest never writes its page tables:
 * it asks Xen (mmu_update, update_va_mapping), and Xen refuses a frame as a
 * table while any writable mapping of it exists.  So a new table frame is
 * zeroed through its own mapping, remapped read-only, and only then linked
 * into its parent.  Portable: the frame access and hypercalls are ops, so
 * the host tests run the same code against a model of Xen's checks.
 */
#ifndef XENPV_ARCH_XEN_PAGETABLE_H
#define XENPV_ARCH_XEN_PAGETABLE_H

#include "xenpv/xen.h"

#define XPV_PTE_PRESENT 0x001ull
#define XPV_PTE_RW 0x002ull
#define XPV_PTE_USER 0x004ull
#define XPV_PTE_ACCESSED 0x020ull
#define XPV_PTE_DIRTY 0x040ull
#define XPV_PTE_NX (1ull << 63)
#define XPV_PTE_MFN_MASK 0x000ffffffffff000ull
/* Data pages and table links alike: a 64-bit PV kernel runs in ring 3. */
#define XPV_PTE_PROT (XPV_PTE_PRESENT | XPV_PTE_RW | XPV_PTE_USER | \
		      XPV_PTE_ACCESSED | XPV_PTE_DIRTY)
#define XPV_PTE_PROT_RO (XPV_PTE_PROT & ~XPV_PTE_RW)

struct xpv_pt_ops {
	/* Entry @idx of the table in machine frame @mfn (mapped readable). */
	uint64_t (*read)(void *arg, uint64_t mfn, unsigned int idx);
	/* HYPERVISOR_mmu_update: 0 or -errno; all or nothing here. */
	int (*mmu_update)(void *arg, const struct mmu_update *req,
			  unsigned int n);
	/* HYPERVISOR_update_va_mapping of @va to @pte: 0 or -errno. */
	int (*update_va)(void *arg, uint64_t va, uint64_t pte);
	/* A free frame for a new table, mapped writable at pfn << 12. */
	int (*alloc_table)(void *arg, unsigned long *pfn);
	/* Zero the page at pfn << 12. */
	void (*zero)(void *arg, unsigned long pfn);
};

struct xpv_pt {
	const struct xpv_pt_ops *ops;
	void *arg;
	const unsigned long *p2m; /* pfn -> mfn, nr_pfns entries */
	unsigned long nr_pfns;
	uint64_t l4_mfn;
	unsigned int tables_added;
};

/*
 * Map machine frame @mfn at @va with @prot, adding the missing L3/L2/L1
 * tables.  Returns 0, or -XPV_EINVAL (non-canonical or Xen's own range,
 * a large page on the way), -XPV_ENOMEM (no frame for a table), or the
 * hypercall's error.
 */
int xpv_pt_map(struct xpv_pt *pt, uint64_t va, uint64_t mfn, uint64_t prot);
/* Map pfns [first, end) at pfn << 12 (as the builder maps the image), in
 * batches; pfns already mapped are left as they are. */
int xpv_pt_map_pfns(struct xpv_pt *pt, unsigned long first, unsigned long end);
/* The L1 entry now mapping @va, or 0 if a level is missing. */
uint64_t xpv_pt_lookup(const struct xpv_pt *pt, uint64_t va);

#endif
