/* SPDX-License-Identifier: MIT */
/*
 * The portable Xen balloon: moves this domain's memory reservation toward
 * the toolstack's target (memory/target, KiB) with XENMEM_decrease_reservation
 * and XENMEM_populate_physmap, in batches, never below a floor nor above
 * memory/static-max.  Runs on os.h only; one struct per balloon.
 *
 * A host glue (balloon_user.c for a loopback process, a delayed work item
 * in a kernel) owns the thread: it calls xpv_balloon_work() when the kick
 * callback asks and again after the delay work() returns.  The xenstore
 * watches (balloon_xs.c) only mark the target stale and kick; work() reads
 * it, so xenstore is never read from the watch context.
 *
 * Pages given back are taken from the host's page allocator first
 * (xpv_os_page_alloc), so a page holding live data is never released, and
 * are scrubbed before they go.
 */
#ifndef XENPV_BALLOON_H
#define XENPV_BALLOON_H

#include "xenpv/os.h"

#define XPV_BALLOON_BATCH_MAX 1024u
/* work() result: call again at once. */
#define XPV_BALLOON_NOW 1ull

struct xpv_balloon_cfg {
	uint64_t floor_kib;	 /* never below this; 0: a default from size */
	unsigned int batch;	 /* pages per hypercall, 1..BATCH_MAX; 0: 256 */
	uint64_t retry_min_ns;	 /* first back-off after a refusal; 0: 10 ms */
	uint64_t retry_max_ns;	 /* back-off cap; 0: 1 s */
	void (*kick)(void *arg); /* the host: call xpv_balloon_work soon */
	void *kick_arg;
};

/* Why the last target was not taken as asked. */
enum xpv_balloon_clamp {
	XPV_BALLOON_CLAMP_NONE,
	XPV_BALLOON_CLAMP_FLOOR,      /* below the safety floor */
	XPV_BALLOON_CLAMP_STATIC_MAX, /* above memory/static-max */
	XPV_BALLOON_CLAMP_PHYSMAP,    /* above the memory this domain has */
};

/* As Linux's xen_memory sysfs: current, target, low/high = in the balloon. */
struct xpv_balloon_stats {
	uint64_t current_kib, target_kib;
	uint64_t low_kib, high_kib; /* high: no highmem here, always 0 */
	uint64_t requested_kib;	    /* the last target asked for */
	uint64_t floor_kib, static_max_kib;
	uint64_t retry_count; /* refusals and failed batches */
	uint64_t released_pages, populated_pages;
	uint64_t clamps;
	uint64_t bad_values; /* malformed xenstore values ignored */
	enum xpv_balloon_clamp last_clamp;
	int last_error; /* last hypercall error, or 0 */
};

struct xpv_balloon {
	struct xpv_os_lock *lock;
	struct xpv_balloon_cfg cfg;
	uint64_t physmap_pages; /* reservation at start: all we can hold */
	uint64_t cur_pages, target_pages, floor_pages, static_max_pages;
	void **ballooned; /* pages given back, a stack */
	uint64_t nr_ballooned;
	void **batch_pages;
	xen_pfn_t *batch_frames;
	uint64_t delay_ns; /* current back-off, 0 after progress */
	struct xpv_balloon_stats st;
	/* xenstore (balloon_xs.c) */
	struct xpv_os_watch *w_target, *w_static_max;
	unsigned int xs_stale; /* atomic: re-read target and static-max */
};

/*
 * Reads the reservation (XENMEM_current_reservation) and allocates the
 * bookkeeping.  The target starts at the current reservation.  0 or -errno.
 */
int xpv_balloon_init(struct xpv_balloon *b, const struct xpv_balloon_cfg *cfg);
/* Gives every ballooned page back to the host allocator first if it can. */
void xpv_balloon_destroy(struct xpv_balloon *b);

/* Clamp, log why if clamped, adopt, kick.  Returns the adopted target. */
uint64_t xpv_balloon_set_target_kib(struct xpv_balloon *b, uint64_t kib);
void xpv_balloon_set_static_max_kib(struct xpv_balloon *b, uint64_t kib);

/*
 * One step toward the target (one batch).  Returns 0 when there is nothing
 * to do until the target changes, XPV_BALLOON_NOW to be called again at
 * once, or a back-off in ns after the hypervisor or the allocator refused.
 */
uint64_t xpv_balloon_work(struct xpv_balloon *b);

void xpv_balloon_stats(struct xpv_balloon *b, struct xpv_balloon_stats *st);

/* ---- xenstore: balloon_xs.c ---- */

/* Watches memory/target and memory/static-max of this domain. */
int xpv_balloon_xs_start(struct xpv_balloon *b);
void xpv_balloon_xs_stop(struct xpv_balloon *b);
/* Re-reads both nodes if a watch fired; called by work(). */
void xpv_balloon_xs_refresh(struct xpv_balloon *b);
/* A decimal KiB count, nothing else; 0 or -XPV_EINVAL / -XPV_ERANGE. */
int xpv_balloon_parse_kib(const char *s, uint64_t *kib);

#endif
