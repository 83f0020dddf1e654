// SPDX-License-Identifier: MIT
/*
 * Grant reference allocator: a per-instance pool of refs claimed from the
 * host, with a deferred list for refs the other end still maps.
 */
#include "xenpv/gntalloc.h"
#include "xenpv/compiler.h"

enum xpv_gnt_state {
	XPV_GNT_FREE,
	XPV_GNT_OUT,
	XPV_GNT_GRANTED,
	XPV_GNT_DEFERRED,
	XPV_GNT_MARKED,	/* transient, while validating a put */
};

static void xpv_gnt_sort(grant_ref_t *a, unsigned int n)
{
	unsigned int gap, i, j;
	grant_ref_t v;

	for (gap = n / 2; gap > 0; gap /= 2) {
		for (i = gap; i < n; i++) {
			v = a[i];
			for (j = i; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

/* Index of @ref in the sorted pool, or -1 if it is not ours. */
static int xpv_gnt_index(const struct xpv_gntalloc *g, grant_ref_t ref)
{
	unsigned int lo = 0, hi = g->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (g->refs[mid] == ref)
			return (int)mid;
		if (g->refs[mid] < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void xpv_gnt_free_arrays(struct xpv_gntalloc *g)
{
	xpv_os_free(g->refs);
	xpv_os_free(g->state);
	xpv_os_free(g->readonly);
	xpv_os_free(g->pages);
	xpv_os_free(g->free);
	if (g->lock)
		xpv_os_lock_free(g->lock);
	xpv_memset(g, 0, sizeof(*g));
}

static int xpv_gnt_alloc_arrays(struct xpv_gntalloc *g, unsigned int nr)
{
	g->lock = xpv_os_lock_new();
	g->refs = xpv_os_malloc(nr * sizeof(*g->refs));
	g->state = xpv_os_zalloc(nr);
	g->readonly = xpv_os_zalloc(nr);
	g->pages = xpv_os_zalloc(nr * sizeof(*g->pages));
	g->free = xpv_os_malloc(nr * sizeof(*g->free));
	if (!g->lock || !g->refs || !g->state || !g->readonly || !g->pages ||
	    !g->free) {
		xpv_gnt_free_arrays(g);
		return -XPV_ENOMEM;
	}
	return 0;
}

/* Sort and drop repeats, so a ref always maps to exactly one index. */
static unsigned int xpv_gnt_unique(grant_ref_t *refs, unsigned int n)
{
	unsigned int i, out = 0;

	xpv_gnt_sort(refs, n);
	for (i = 0; i < n; i++)
		if (out == 0 || refs[out - 1] != refs[i])
			refs[out++] = refs[i];
	return out;
}

int xpv_gntalloc_init(struct xpv_gntalloc *g, unsigned int nr)
{
	unsigned int i;
	int got, err;

	xpv_memset(g, 0, sizeof(*g));
	if (nr == 0 || nr > XPV_GNTALLOC_MAX_REFS)
		return -XPV_EINVAL;
	err = xpv_gnt_alloc_arrays(g, nr);
	if (err)
		return err;
	got = xpv_os_gnttab_claim(g->refs, nr);
	if (got <= 0 || (unsigned int)got > nr) {
		if (got > 0)
			xpv_os_gnttab_release(g->refs, nr);
		xpv_gnt_free_arrays(g);
		return got < 0 ? got : -XPV_ENOSPC;
	}
	g->nr = xpv_gnt_unique(g->refs, (unsigned int)got);
	/* Pop low refs first: the stack's top is the last element. */
	for (i = 0; i < g->nr; i++)
		g->free[i] = g->nr - 1 - i;
	g->nr_free = g->nr;
	return 0;
}

static void xpv_gnt_make_free(struct xpv_gntalloc *g, unsigned int idx)
{
	g->state[idx] = XPV_GNT_FREE;
	g->free[g->nr_free++] = idx;
}

static unsigned int xpv_gnt_retry_locked(struct xpv_gntalloc *g)
{
	unsigned int i;

	for (i = 0; i < g->nr && g->nr_deferred; i++) {
		if (g->state[i] != XPV_GNT_DEFERRED)
			continue;
		if (xpv_os_gnttab_end(g->refs[i], g->readonly[i]) != 0)
			continue;
		if (g->pages[i])
			xpv_os_page_free(g->pages[i]);
		g->pages[i] = NULL;
		g->nr_deferred--;
		xpv_gnt_make_free(g, i);
	}
	return g->nr_deferred;
}

unsigned int xpv_gntalloc_retry_deferred(struct xpv_gntalloc *g)
{
	unsigned int left;

	xpv_os_lock(g->lock);
	left = xpv_gnt_retry_locked(g);
	xpv_os_unlock(g->lock);
	return left;
}

unsigned int xpv_gntalloc_destroy(struct xpv_gntalloc *g)
{
	unsigned int i, n = 0, leaked;

	if (!g->lock)
		return 0;
	xpv_os_lock(g->lock);
	xpv_gnt_retry_locked(g);
	/* Compact the free refs to the front (n <= i) to hand them back. */
	for (i = 0; i < g->nr; i++)
		if (g->state[i] == XPV_GNT_FREE)
			g->refs[n++] = g->refs[i];
	leaked = g->nr - g->nr_free;
	xpv_os_unlock(g->lock);
	if (n)
		xpv_os_gnttab_release(g->refs, n);
	if (leaked)
		xpv_warn("gntalloc: %u grant refs leaked (%u granted, %u still "
			 "mapped by the peer)\n",
			 leaked, g->nr_granted, g->nr_deferred);
	xpv_gnt_free_arrays(g);
	return leaked;
}

int xpv_gntalloc_get(struct xpv_gntalloc *g, grant_ref_t *refs, unsigned int n)
{
	unsigned int i, idx;

	xpv_os_lock(g->lock);
	if (g->nr_free < n && g->nr_deferred)
		xpv_gnt_retry_locked(g);
	if (g->nr_free < n) {
		xpv_os_unlock(g->lock);
		return -XPV_ENOSPC;
	}
	for (i = 0; i < n; i++) {
		idx = g->free[--g->nr_free];
		g->state[idx] = XPV_GNT_OUT;
		refs[i] = g->refs[idx];
	}
	xpv_os_unlock(g->lock);
	return 0;
}

/* Marks every ref as being put; undoes the marks if one is not out. */
static int xpv_gnt_mark_put(struct xpv_gntalloc *g, const grant_ref_t *refs,
			    unsigned int n)
{
	unsigned int i;
	int idx;

	for (i = 0; i < n; i++) {
		idx = xpv_gnt_index(g, refs[i]);
		if (idx < 0 || g->state[idx] != XPV_GNT_OUT)
			break;
		g->state[idx] = XPV_GNT_MARKED;
	}
	if (i == n)
		return 0;
	while (i-- > 0)
		g->state[xpv_gnt_index(g, refs[i])] = XPV_GNT_OUT;
	return -XPV_EINVAL;
}

int xpv_gntalloc_put(struct xpv_gntalloc *g, const grant_ref_t *refs,
		     unsigned int n)
{
	unsigned int i;
	int err;

	xpv_os_lock(g->lock);
	err = xpv_gnt_mark_put(g, refs, n);
	for (i = 0; !err && i < n; i++)
		xpv_gnt_make_free(g, (unsigned int)xpv_gnt_index(g, refs[i]));
	xpv_os_unlock(g->lock);
	return err;
}

int xpv_gntalloc_grant_gfn(struct xpv_gntalloc *g, grant_ref_t ref,
			   domid_t domid, uint64_t gfn, bool readonly)
{
	int idx, err = 0;

	xpv_os_lock(g->lock);
	idx = xpv_gnt_index(g, ref);
	if (idx < 0 || g->state[idx] != XPV_GNT_OUT) {
		err = -XPV_EINVAL;
	} else {
		g->state[idx] = XPV_GNT_GRANTED;
		g->readonly[idx] = readonly;
		g->nr_granted++;
		xpv_os_gnttab_grant(ref, domid, gfn, readonly);
	}
	xpv_os_unlock(g->lock);
	return err;
}

int xpv_gntalloc_grant(struct xpv_gntalloc *g, grant_ref_t ref, domid_t domid,
		       const void *page, bool readonly)
{
	return xpv_gntalloc_grant_gfn(g, ref, domid, xpv_os_virt_to_gfn(page),
				      readonly);
}

/* Revoke the entry of granted index @idx: 0 or -XPV_EBUSY. */
static int xpv_gnt_revoke(struct xpv_gntalloc *g, unsigned int idx)
{
	/* Anything but a clean end means the peer may still reach the page. */
	if (xpv_os_gnttab_end(g->refs[idx], g->readonly[idx]) != 0) {
		g->nr_busy_ends++;
		return -XPV_EBUSY;
	}
	g->nr_granted--;
	g->state[idx] = XPV_GNT_OUT;
	return 0;
}

int xpv_gntalloc_end(struct xpv_gntalloc *g, grant_ref_t ref)
{
	int idx, err;

	xpv_os_lock(g->lock);
	idx = xpv_gnt_index(g, ref);
	if (idx < 0 || g->state[idx] != XPV_GNT_GRANTED)
		err = -XPV_EINVAL;
	else
		err = xpv_gnt_revoke(g, (unsigned int)idx);
	xpv_os_unlock(g->lock);
	return err;
}

int xpv_gntalloc_end_put(struct xpv_gntalloc *g, grant_ref_t ref, void *page)
{
	int idx, err;

	xpv_os_lock(g->lock);
	idx = xpv_gnt_index(g, ref);
	if (idx < 0 || g->state[idx] != XPV_GNT_GRANTED) {
		xpv_os_unlock(g->lock);
		return -XPV_EINVAL;
	}
	err = xpv_gnt_revoke(g, (unsigned int)idx);
	if (err) {
		g->nr_granted--;
		g->state[idx] = XPV_GNT_DEFERRED;
		g->pages[idx] = page;
		g->nr_deferred++;
	} else {
		xpv_gnt_make_free(g, (unsigned int)idx);
	}
	xpv_os_unlock(g->lock);
	if (!err && page)
		xpv_os_page_free(page);
	return err;
}

void xpv_gntalloc_stats(struct xpv_gntalloc *g, struct xpv_gntalloc_stats *st)
{
	xpv_os_lock(g->lock);
	st->nr_refs = g->nr;
	st->nr_free = g->nr_free;
	st->nr_deferred = g->nr_deferred;
	st->nr_granted = g->nr_granted;
	st->nr_out = g->nr - g->nr_free - g->nr_deferred;
	st->nr_busy_ends = g->nr_busy_ends;
	xpv_os_unlock(g->lock);
}

unsigned int xpv_gntalloc_outstanding(struct xpv_gntalloc *g)
{
	unsigned int n;

	xpv_os_lock(g->lock);
	n = g->nr - g->nr_free;
	xpv_os_unlock(g->lock);
	return n;
}
