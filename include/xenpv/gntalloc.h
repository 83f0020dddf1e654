/* SPDX-License-Identifier: MIT */
/*
 * Grant reference allocator for one device instance.  The refs come from
 * the host (xpv_os_gnttab_claim) once, at init, into a private free list.
 *
 * A ref's life: free -> out (xpv_gntalloc_get) -> granted (grant) -> out
 * (end) -> free (put).  If the other end still has the page mapped when we
 * revoke, the ref is parked on a deferred list and only becomes free once a
 * later retry succeeds: a ref or a page the peer can still reach is never
 * handed out again.
 *
 * All functions take the instance's lock; they may be called from event
 * handlers.
 */
#ifndef XENPV_GNTALLOC_H
#define XENPV_GNTALLOC_H

#include "xenpv/os.h"

#define XPV_GNTALLOC_MAX_REFS 65536u

struct xpv_gntalloc_stats {
	unsigned int nr_refs;	  /* claimed from the host */
	unsigned int nr_free;
	unsigned int nr_out;	  /* handed out, granted or not */
	unsigned int nr_granted;
	unsigned int nr_deferred; /* revoked while mapped, waiting */
	unsigned long long nr_busy_ends; /* ends that found the page mapped */
};

struct xpv_gntalloc {
	struct xpv_os_lock *lock;
	unsigned int nr;	/* refs claimed */
	grant_ref_t *refs;	/* sorted, so a ref maps to its index */
	uint8_t *state;		/* enum xpv_gnt_state per index */
	uint8_t *readonly;	/* how each granted ref was granted */
	void **pages;		/* page to free once a deferred ref ends */
	unsigned int *free;	/* stack of free indexes */
	unsigned int nr_free;
	unsigned int nr_granted;
	unsigned int nr_deferred;
	unsigned long long nr_busy_ends;
};

/*
 * Claim up to @nr refs from the host.  0 if at least one was obtained
 * (xpv_gntalloc_stats tells how many); -XPV_ENOSPC if none, -XPV_EINVAL for
 * nr 0 or beyond XPV_GNTALLOC_MAX_REFS, -XPV_ENOMEM.
 */
int xpv_gntalloc_init(struct xpv_gntalloc *g, unsigned int nr);
/*
 * Give the free refs back to the host and retry the deferred ones once.
 * Refs still out, granted or deferred are leaked on purpose (the peer may
 * still reach them); returns how many and logs them.
 */
unsigned int xpv_gntalloc_destroy(struct xpv_gntalloc *g);

/* All @n refs or none: 0 or -XPV_ENOSPC (deferred refs are retried first). */
int xpv_gntalloc_get(struct xpv_gntalloc *g, grant_ref_t *refs, unsigned int n);
/*
 * Return refs that are out and not granted.  All or none: -XPV_EINVAL if any
 * ref is not ours, not out, granted, or repeated.
 */
int xpv_gntalloc_put(struct xpv_gntalloc *g, const grant_ref_t *refs,
		     unsigned int n);

/* Grant @domid access to @page (or frame @gfn) through an out ref. */
int xpv_gntalloc_grant(struct xpv_gntalloc *g, grant_ref_t ref, domid_t domid,
		       const void *page, bool readonly);
int xpv_gntalloc_grant_gfn(struct xpv_gntalloc *g, grant_ref_t ref,
			   domid_t domid, uint64_t gfn, bool readonly);
/*
 * Revoke a granted ref and keep it: 0 (it is out again, the page is ours),
 * -XPV_EBUSY (the peer still maps it: nothing changed, try again later),
 * -XPV_EINVAL (not one of our granted refs).
 */
int xpv_gntalloc_end(struct xpv_gntalloc *g, grant_ref_t ref);
/*
 * Revoke a granted ref and give it back.  @page, if not NULL, is freed with
 * xpv_os_page_free once the peer no longer maps it.  0 when done now;
 * -XPV_EBUSY when parked on the deferred list (ref and page are no longer
 * the caller's either way); -XPV_EINVAL if @ref is not granted.
 */
int xpv_gntalloc_end_put(struct xpv_gntalloc *g, grant_ref_t ref, void *page);
/* Retry the deferred refs; returns how many are still deferred. */
unsigned int xpv_gntalloc_retry_deferred(struct xpv_gntalloc *g);

void xpv_gntalloc_stats(struct xpv_gntalloc *g, struct xpv_gntalloc_stats *st);
/* Refs out, granted or deferred: what destroy would leak now. */
unsigned int xpv_gntalloc_outstanding(struct xpv_gntalloc *g);

#endif
