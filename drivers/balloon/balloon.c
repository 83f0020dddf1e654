// SPDX-License-Identifier: MIT
/*
 * The balloon's reservation moves: target clamping, and one batch of
 * XENMEM_decrease_reservation or XENMEM_populate_physmap per work() call,
 * with the hypercall's partial success taken at its word and a doubling
 * back-off when the hypervisor (or the page allocator) says no.
 */
#include "drivers/balloon/balloon.h"
#include "xenpv/compiler.h"

#define KIB_PER_PAGE (XPV_PAGE_SIZE / 1024)
#define BATCH_DEFAULT 256u
#define RETRY_MIN_DEFAULT 10000000ull	/* 10 ms */
#define RETRY_MAX_DEFAULT 1000000000ull /* 1 s */
/* The default floor: 16 MiB plus 1/16 of the domain, never all of it. */
#define FLOOR_BASE_PAGES ((16ull << 20) / XPV_PAGE_SIZE)

static uint64_t pages_to_kib(uint64_t pages)
{
	return pages * KIB_PER_PAGE;
}

static uint64_t default_floor(uint64_t pages)
{
	uint64_t f = FLOOR_BASE_PAGES + pages / 16;

	return f < pages ? f : pages;
}

static int init_cfg(struct xpv_balloon *b, const struct xpv_balloon_cfg *cfg)
{
	b->cfg = *cfg;
	if (!b->cfg.batch)
		b->cfg.batch = BATCH_DEFAULT;
	if (b->cfg.batch > XPV_BALLOON_BATCH_MAX)
		return -XPV_EINVAL;
	if (!b->cfg.retry_min_ns)
		b->cfg.retry_min_ns = RETRY_MIN_DEFAULT;
	if (!b->cfg.retry_max_ns)
		b->cfg.retry_max_ns = RETRY_MAX_DEFAULT;
	if (b->cfg.retry_max_ns < b->cfg.retry_min_ns)
		b->cfg.retry_max_ns = b->cfg.retry_min_ns;
	return 0;
}

int xpv_balloon_init(struct xpv_balloon *b, const struct xpv_balloon_cfg *cfg)
{
	domid_t self = DOMID_SELF;
	long cur;
	int err;

	xpv_memset(b, 0, sizeof(*b));
	err = init_cfg(b, cfg);
	if (err)
		return err;
	cur = xpv_os_memory_op(XENMEM_current_reservation, &self);
	if (cur <= 0)
		return cur < 0 ? (int)cur : -XPV_EIO;
	b->physmap_pages = b->cur_pages = b->target_pages = cur;
	b->static_max_pages = cur;
	b->floor_pages = cfg->floor_kib ? cfg->floor_kib / KIB_PER_PAGE
					: default_floor(cur);
	if (b->floor_pages > b->physmap_pages)
		b->floor_pages = b->physmap_pages;
	b->lock = xpv_os_lock_new();
	b->ballooned = xpv_os_zalloc(b->physmap_pages * sizeof(void *));
	b->batch_pages = xpv_os_zalloc(b->cfg.batch * sizeof(void *));
	b->batch_frames = xpv_os_zalloc(b->cfg.batch * sizeof(xen_pfn_t));
	if (!b->lock || !b->ballooned || !b->batch_pages || !b->batch_frames) {
		xpv_balloon_destroy(b);
		return -XPV_ENOMEM;
	}
	b->st.requested_kib = pages_to_kib(cur);
	return 0;
}

void xpv_balloon_destroy(struct xpv_balloon *b)
{
	xpv_balloon_xs_stop(b);
	if (b->lock) {
		/* Back to the size we started at, as far as Xen lets us. */
		xpv_balloon_set_target_kib(b, pages_to_kib(b->physmap_pages));
		while (xpv_balloon_work(b) == XPV_BALLOON_NOW)
			;
	}
	/* What could not be populated stays out; its pages are not ours. */
	xpv_os_free(b->ballooned);
	xpv_os_free(b->batch_pages);
	xpv_os_free(b->batch_frames);
	xpv_os_lock_free(b->lock);
	b->ballooned = NULL;
	b->batch_pages = NULL;
	b->batch_frames = NULL;
	b->lock = NULL;
}

static const char *clamp_name(enum xpv_balloon_clamp c)
{
	switch (c) {
	case XPV_BALLOON_CLAMP_FLOOR:
		return "below the safety floor";
	case XPV_BALLOON_CLAMP_STATIC_MAX:
		return "above memory/static-max";
	case XPV_BALLOON_CLAMP_PHYSMAP:
		return "above the memory this domain has";
	default:
		return "";
	}
}

/* With the lock held: the target we can honour and why it differs. */
static uint64_t clamp_target(struct xpv_balloon *b, uint64_t pages,
			     enum xpv_balloon_clamp *why)
{
	*why = XPV_BALLOON_CLAMP_NONE;
	if (pages > b->static_max_pages) {
		pages = b->static_max_pages;
		*why = XPV_BALLOON_CLAMP_STATIC_MAX;
	}
	if (pages > b->physmap_pages) {
		pages = b->physmap_pages;
		*why = XPV_BALLOON_CLAMP_PHYSMAP;
	}
	if (pages < b->floor_pages) {
		pages = b->floor_pages;
		*why = XPV_BALLOON_CLAMP_FLOOR;
	}
	return pages;
}

static void adopt_target(struct xpv_balloon *b)
{
	uint64_t asked = b->st.requested_kib / KIB_PER_PAGE, t;
	enum xpv_balloon_clamp why;

	t = clamp_target(b, asked, &why);
	if (why != XPV_BALLOON_CLAMP_NONE) {
		b->st.clamps++;
		xpv_warn("balloon: target %llu KiB is %s: using %llu KiB",
			 (unsigned long long)b->st.requested_kib,
			 clamp_name(why), (unsigned long long)pages_to_kib(t));
	}
	b->st.last_clamp = why;
	b->target_pages = t;
	b->delay_ns = 0;
}

static void kick(struct xpv_balloon *b)
{
	if (b->cfg.kick)
		b->cfg.kick(b->cfg.kick_arg);
}

uint64_t xpv_balloon_set_target_kib(struct xpv_balloon *b, uint64_t kib)
{
	uint64_t t;

	xpv_os_lock(b->lock);
	b->st.requested_kib = kib;
	adopt_target(b);
	t = b->target_pages;
	xpv_os_unlock(b->lock);
	kick(b);
	return pages_to_kib(t);
}

void xpv_balloon_set_static_max_kib(struct xpv_balloon *b, uint64_t kib)
{
	bool changed;

	xpv_os_lock(b->lock);
	changed = b->static_max_pages != kib / KIB_PER_PAGE;
	b->static_max_pages = kib / KIB_PER_PAGE;
	/* Only a new limit re-clamps (and re-logs) the standing request. */
	if (changed)
		adopt_target(b);
	xpv_os_unlock(b->lock);
	if (changed)
		kick(b);
}

/* Takes @n free pages from the allocator, scrubbed; returns how many. */
static unsigned int take_pages(struct xpv_balloon *b, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		void *p = xpv_os_page_alloc();

		if (!p)
			break;
		/* Nothing of ours may reach whoever gets the frame next. */
		xpv_memset(p, 0, XPV_PAGE_SIZE);
		b->batch_pages[k] = p;
		b->batch_frames[k] = xpv_os_virt_to_gfn(p);
	}
	return k;
}

static struct xen_memory_reservation reservation(struct xpv_balloon *b,
						 unsigned int n)
{
	struct xen_memory_reservation r = {
		.nr_extents = n, .extent_order = 0, .domid = DOMID_SELF};

	set_xen_guest_handle(r.extent_start, b->batch_frames);
	return r;
}

/* Clamps a hypercall result to [0, n]; a negative one is remembered. */
static unsigned int extents_done(struct xpv_balloon *b, long rc, unsigned int n)
{
	if (rc < 0) {
		b->st.last_error = (int)rc;
		return 0;
	}
	/* More than asked would be a lying hypervisor: believe none of it. */
	if ((unsigned long)rc > n) {
		b->st.last_error = -XPV_EPROTO;
		return 0;
	}
	return (unsigned int)rc;
}

/* Returns true if all @n pages went back to the hypervisor. */
static bool shrink(struct xpv_balloon *b, unsigned int n)
{
	struct xen_memory_reservation r;
	unsigned int k = take_pages(b, n), done, i;

	if (k == 0) {
		xpv_dbg("balloon: no free page to give back");
		return false;
	}
	r = reservation(b, k);
	done = extents_done(
		b, xpv_os_memory_op(XENMEM_decrease_reservation, &r), k);
	for (i = 0; i < done; i++)
		b->ballooned[b->nr_ballooned++] = b->batch_pages[i];
	for (i = done; i < k; i++)
		xpv_os_page_free(b->batch_pages[i]);
	b->cur_pages -= done;
	b->st.released_pages += done;
	return done == n;
}

/* Populates the top @n ballooned gfns; true if all came back. */
static bool grow(struct xpv_balloon *b, unsigned int n)
{
	struct xen_memory_reservation r;
	unsigned int done, i;

	/* Top of the stack first, so the first @done extents can be popped. */
	for (i = 0; i < n; i++)
		b->batch_frames[i] = xpv_os_virt_to_gfn(
			b->ballooned[b->nr_ballooned - 1 - i]);
	r = reservation(b, n);
	done = extents_done(b, xpv_os_memory_op(XENMEM_populate_physmap, &r),
			    n);
	for (i = 0; i < done; i++)
		xpv_os_page_free(b->ballooned[--b->nr_ballooned]);
	b->cur_pages += done;
	b->st.populated_pages += done;
	return done == n;
}

static uint64_t back_off(struct xpv_balloon *b)
{
	b->st.retry_count++;
	b->delay_ns = b->delay_ns ? b->delay_ns * 2 : b->cfg.retry_min_ns;
	if (b->delay_ns > b->cfg.retry_max_ns)
		b->delay_ns = b->cfg.retry_max_ns;
	return b->delay_ns;
}

static uint64_t step_locked(struct xpv_balloon *b)
{
	uint64_t gap;
	bool ok;

	if (b->cur_pages > b->target_pages) {
		gap = b->cur_pages - b->target_pages;
		ok = shrink(b, gap < b->cfg.batch ? gap : b->cfg.batch);
	} else if (b->cur_pages < b->target_pages && b->nr_ballooned) {
		gap = b->target_pages - b->cur_pages;
		if (gap > b->nr_ballooned)
			gap = b->nr_ballooned;
		ok = grow(b, gap < b->cfg.batch ? gap : b->cfg.batch);
	} else {
		return 0;
	}
	if (!ok)
		return back_off(b);
	b->delay_ns = 0;
	return b->cur_pages == b->target_pages ? 0 : XPV_BALLOON_NOW;
}

uint64_t xpv_balloon_work(struct xpv_balloon *b)
{
	uint64_t next;

	xpv_balloon_xs_refresh(b);
	xpv_os_lock(b->lock);
	next = step_locked(b);
	xpv_os_unlock(b->lock);
	return next;
}

void xpv_balloon_stats(struct xpv_balloon *b, struct xpv_balloon_stats *st)
{
	xpv_os_lock(b->lock);
	*st = b->st;
	st->current_kib = pages_to_kib(b->cur_pages);
	st->target_kib = pages_to_kib(b->target_pages);
	st->low_kib = pages_to_kib(b->nr_ballooned);
	st->high_kib = 0;
	st->floor_kib = pages_to_kib(b->floor_pages);
	st->static_max_kib = pages_to_kib(b->static_max_pages);
	xpv_os_unlock(b->lock);
}
