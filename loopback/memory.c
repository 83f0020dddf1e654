// SPDX-License-Identifier: MIT
/*
 * Memory reservation on the loopback: XENMEM_decrease_reservation,
 * XENMEM_populate_physmap and the reservation queries, with Xen's
 * accounting (tot_pages against max_pages, a host free pool) and Xen's
 * partial success (the return value is the number of extents done; the
 * first extent that fails ends the call).
 *
 * A released page really goes back to the host: its range of the domain's
 * memfd is hole-punched, so the memory use of the host drops, and the
 * domain's own mapping of it becomes PROT_NONE, as a gfn with no frame
 * behind it faults.  Populate allocates the backing again (fallocate), so
 * the host's memory use rises with the reservation, as in Xen.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/stat.h>

#include "loopback/internal.h"

/* Largest extent the loopback takes: 2 MiB, a superpage. */
#define LB_MEM_MAX_ORDER 9

void lb_mem_domain_reset(struct lb_domain *dom, unsigned int nr_pages)
{
	dom->tot_pages = nr_pages;
	dom->max_pages = nr_pages;
	dom->mem_released = 0;
	dom->mem_populated = 0;
	memset(dom->unpopulated, 0, sizeof(dom->unpopulated));
}

void lb_mem_pool_set(struct lb_hv *hv, uint64_t free_pages)
{
	__atomic_store_n(&hv->mem_pool_free, free_pages, __ATOMIC_RELEASE);
}

uint64_t lb_mem_pool_free(struct lb_hv *hv)
{
	return __atomic_load_n(&hv->mem_pool_free, __ATOMIC_ACQUIRE);
}

/* Takes @n pages from the host pool, all or none. */
static bool pool_take(struct lb_hv *hv, uint64_t n)
{
	uint64_t f = __atomic_load_n(&hv->mem_pool_free, __ATOMIC_ACQUIRE);

	do {
		if (f < n)
			return false;
	} while (!__atomic_compare_exchange_n(&hv->mem_pool_free, &f, f - n,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

static void pool_give(struct lb_hv *hv, uint64_t n)
{
	__atomic_fetch_add(&hv->mem_pool_free, n, __ATOMIC_ACQ_REL);
}

int lb_mem_set_max(struct lb_hv *hv, unsigned int domid, uint32_t max_pages)
{
	struct lb_domain *dom = lb_domain_get(hv, domid);

	if (!dom)
		return -ESRCH;
	/* As XEN_DOMCTL_max_mem: lowering below tot_pages takes nothing away.
	 */
	__atomic_store_n(&dom->max_pages, max_pages, __ATOMIC_RELEASE);
	return 0;
}

int lb_mem_reservation(struct lb_hv *hv, unsigned int domid, uint32_t *tot,
		       uint32_t *max)
{
	struct lb_domain *dom = lb_domain_get(hv, domid);

	if (!dom)
		return -ESRCH;
	*tot = __atomic_load_n(&dom->tot_pages, __ATOMIC_ACQUIRE);
	*max = __atomic_load_n(&dom->max_pages, __ATOMIC_ACQUIRE);
	return 0;
}

int64_t lb_dom_mem_resident(const struct lb_dom *d)
{
	struct stat st;

	if (fstat(d->mem_fd, &st) < 0)
		return -errno;
	return (int64_t)st.st_blocks * 512;
}

static bool gfn_unpopulated(const struct lb_domain *dom, uint64_t gfn)
{
	return dom->unpopulated[gfn / 64] & (1ull << (gfn % 64));
}

static void gfn_mark(struct lb_domain *dom, uint64_t gfn, bool unpopulated)
{
	if (unpopulated)
		dom->unpopulated[gfn / 64] |= 1ull << (gfn % 64);
	else
		dom->unpopulated[gfn / 64] &= ~(1ull << (gfn % 64));
}

/* The extent [gfn, gfn + n) lies in the physmap and every page is in @want. */
static bool extent_is(struct lb_dom *d, uint64_t gfn, uint64_t n,
		      bool want_unpopulated)
{
	uint64_t i;

	if (gfn >= d->nr_pages || n > d->nr_pages - gfn || (gfn & (n - 1)))
		return false;
	for (i = 0; i < n; i++)
		if (gfn_unpopulated(d->self, gfn + i) != want_unpopulated)
			return false;
	return true;
}

/* Returns the extent to the host: punch the hole, then fault on access. */
static int release_extent(struct lb_dom *d, uint64_t gfn, uint64_t n)
{
	off_t off = (off_t)gfn * XPV_PAGE_SIZE, len = (off_t)n * XPV_PAGE_SIZE;
	uint64_t i;

	if (fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      off, len) < 0)
		return -errno;
	mprotect(d->mem + off, len, PROT_NONE);
	for (i = 0; i < n; i++)
		gfn_mark(d->self, gfn + i, true);
	d->self->tot_pages -= n;
	d->self->mem_released += n;
	return 0;
}

static int populate_extent(struct lb_dom *d, uint64_t gfn, uint64_t n)
{
	off_t off = (off_t)gfn * XPV_PAGE_SIZE, len = (off_t)n * XPV_PAGE_SIZE;
	struct lb_domain *self = d->self;
	uint64_t i;

	/* Xen's assign_pages refuses to go over max_pages. */
	if ((uint64_t)self->tot_pages + n > self->max_pages)
		return -ENOMEM;
	if (!pool_take(d->hv, n))
		return -ENOMEM;
	if (fallocate(d->mem_fd, 0, off, len) < 0 ||
	    mprotect(d->mem + off, len, PROT_READ | PROT_WRITE) < 0) {
		int err = -errno;

		fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  off, len);
		pool_give(d->hv, n);
		return err;
	}
	for (i = 0; i < n; i++)
		gfn_mark(self, gfn + i, false);
	self->tot_pages += n;
	self->mem_populated += n;
	return 0;
}

static long reservation_op(struct lb_dom *d, unsigned int cmd,
			   struct xen_memory_reservation *r)
{
	xen_pfn_t *list = r->extent_start.p;
	uint64_t n = 1ull << r->extent_order;
	bool release = cmd == XENMEM_decrease_reservation;
	xen_ulong_t done;

	if (r->domid != DOMID_SELF && r->domid != d->id)
		return -EPERM;
	/* Xen does no extent at all for these, and says so with 0. */
	if (r->extent_order > LB_MEM_MAX_ORDER || (!list && r->nr_extents))
		return 0;
	lb_lock(d->self);
	for (done = 0; done < r->nr_extents; done++) {
		uint64_t gfn = list[done];

		if (!extent_is(d, gfn, n, !release))
			break;
		if (release ? release_extent(d, gfn, n)
			    : populate_extent(d, gfn, n))
			break;
		if (release)
			pool_give(d->hv, n);
		else
			list[done] = gfn; /* the gmfn: gfns are frames here */
	}
	lb_unlock(d->self);
	return done;
}

static long query_op(struct lb_dom *d, unsigned int cmd, const domid_t *domid)
{
	if (!domid)
		return -EFAULT;
	if (*domid != DOMID_SELF && *domid != d->id)
		return -EPERM;
	if (cmd == XENMEM_current_reservation)
		return __atomic_load_n(&d->self->tot_pages, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&d->self->max_pages, __ATOMIC_ACQUIRE);
}

long lb_memory_op(struct lb_dom *d, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		if (!arg)
			return -EFAULT;
		return reservation_op(d, cmd, arg);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return query_op(d, cmd, arg);
	default:
		return -ENOSYS;
	}
}
