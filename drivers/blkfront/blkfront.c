// SPDX-License-Identifier: MIT
/*
 * blkfront data path: caller requests become ring requests (direct,
 * indirect, discard, flush) on one queue each; responses are copied out,
 * checked against the shadow of what was sent, and complete the caller's
 * request once every piece of it is back.
 *
 * Grants: without persistent grants each segment grants the caller's page
 * for one request; with them, a queue keeps a LIFO pool of granted pages
 * and data is copied through it.  A queue never holds more than its grant
 * budget, so a connection's grant use is bounded whatever the load.
 */
#include "drivers/blkfront/blkfront.h"
#include "xenpv/compiler.h"

#define BF_PAGE_MASK ((uintptr_t)XPV_PAGE_SIZE - 1)

static void bf_count(unsigned long long *c, unsigned long long n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

int xpv_blkfront_check_rsp(const struct blkif_response *rsp,
			   const struct xpv_ring_ids *ids,
			   const struct xpv_blkfront_shadow *shadow,
			   const char **why)
{
	const struct xpv_blkfront_shadow *sh;

	/* Everything here was written by the backend: the id is an index. */
	if (rsp->id >= ids->nr) {
		*why = "response id out of range";
		return -XPV_EPROTO;
	}
	if (!xpv_ring_ids_valid(ids, rsp->id)) {
		*why = "response for a request not in flight";
		return -XPV_EPROTO;
	}
	sh = &shadow[rsp->id];
	if (rsp->operation != sh->op && !(sh->op == BLKIF_OP_INDIRECT &&
					  rsp->operation == sh->indirect_op)) {
		*why = "response operation does not match the request";
		return -XPV_EPROTO;
	}
	switch (rsp->status) {
	case BLKIF_RSP_OKAY:
	case BLKIF_RSP_ERROR:
	case BLKIF_RSP_EOPNOTSUPP:
		return 0;
	default:
		*why = "unknown response status";
		return -XPV_EPROTO;
	}
}

/* ---- persistent pool and indirect pages --------------------------------- */

static struct xpv_blkfront_pgnt *bf_pool_get(struct xpv_blkfront_queue *q)
{
	struct xpv_blkfront *dev = q->dev;
	struct xpv_blkfront_pgnt *p = q->pool;

	if (p) {
		q->pool = p->next;
		bf_count(&dev->st.persistent_reuses, 1);
		return p;
	}
	p = xpv_os_zalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->page = xpv_os_page_alloc();
	if (!p->page || xpv_gntalloc_get(&dev->gnt, &p->ref, 1)) {
		xpv_os_page_free(p->page);
		xpv_os_free(p);
		return NULL;
	}
	/* Writable even for writes: the backend maps each page once (note 8).
	 */
	xpv_gntalloc_grant(&dev->gnt, p->ref, dev->backend_id, p->page, false);
	q->pool_total++;
	bf_count(&dev->st.persistent_pages, 1);
	return p;
}

static void bf_pool_put(struct xpv_blkfront_queue *q,
			struct xpv_blkfront_pgnt *p)
{
	p->next = q->pool;
	q->pool = p;
}

/* An indirect page for one request in direct mode, granted read-only. */
static struct xpv_blkfront_pgnt *bf_ind_get(struct xpv_blkfront_queue *q)
{
	struct xpv_blkfront *dev = q->dev;
	struct xpv_blkfront_pgnt *p = q->ind_free;

	if (p) {
		q->ind_free = p->next;
	} else {
		p = xpv_os_zalloc(sizeof(*p));
		if (p && !(p->page = xpv_os_page_alloc())) {
			xpv_os_free(p);
			p = NULL;
		}
		if (!p)
			return NULL;
	}
	if (xpv_gntalloc_get(&dev->gnt, &p->ref, 1)) {
		p->next = q->ind_free;
		q->ind_free = p;
		return NULL;
	}
	xpv_gntalloc_grant(&dev->gnt, p->ref, dev->backend_id, p->page, true);
	return p;
}

/* Ends an indirect page's grant; false if the backend still maps it. */
static bool bf_ind_put(struct xpv_blkfront_queue *q,
		       struct xpv_blkfront_pgnt *p)
{
	struct xpv_gntalloc *g = &q->dev->gnt;

	if (xpv_gntalloc_end(g, p->ref) == 0) {
		xpv_gntalloc_put(g, &p->ref, 1);
		p->next = q->ind_free;
		q->ind_free = p;
		return true;
	}
	/* The page goes with the parked ref and is freed once unmapped. */
	xpv_gntalloc_end_put(g, p->ref, p->page);
	xpv_os_free(p);
	return false;
}

/* ---- releasing what a ring request held --------------------------------- */

static unsigned int bf_slot(const struct xpv_blkfront_queue *q, unsigned int id)
{
	return id * q->dev->info.max_segs;
}

/*
 * Give back the grants of shadow @id; with @copy, a read's data is copied
 * out of the persistent pages first.  False if the backend still mapped a
 * page it had answered for.
 */
static bool bf_release(struct xpv_blkfront_queue *q, unsigned int id, bool copy)
{
	struct xpv_blkfront_shadow *sh = &q->shadow[id];
	const struct xpv_blkfront_seg *seg;
	struct xpv_blkfront_pgnt *p;
	unsigned int k, base = bf_slot(q, id);
	bool clean = true;

	for (k = 0; k < sh->nr_grants; k++) {
		seg = &sh->req->segs[sh->first_seg + k];
		if (q->dev->info.persistent) {
			p = q->pgs[base + k];
			if (copy && sh->indirect_op == BLKIF_OP_READ)
				xpv_memcpy(seg->addr,
					   (char *)p->page +
						   ((uintptr_t)seg->addr &
						    BF_PAGE_MASK),
					   seg->len);
			bf_pool_put(q, p);
		} else if (xpv_gntalloc_end_put(&q->dev->gnt,
						q->grefs[base + k], NULL)) {
			clean = false;
		}
	}
	for (k = 0; k < sh->nr_ind; k++) {
		if (q->dev->info.persistent)
			bf_pool_put(q, sh->ind[k]);
		else if (!bf_ind_put(q, sh->ind[k]))
			clean = false;
	}
	q->gnt_used -= sh->nr_grants + sh->nr_ind;
	sh->nr_grants = sh->nr_ind = 0;
	return clean;
}

/* ---- building ring requests --------------------------------------------- */

/* Segments of the next ring request: whole logical sectors, <= max. */
static int bf_cut(const struct xpv_blkfront_req *r, unsigned int max,
		  unsigned int ss)
{
	uint64_t bytes = 0;
	unsigned int k, best = 0;

	for (k = 0; k < max && r->seg_pos + k < r->nr_segs; k++) {
		bytes += r->segs[r->seg_pos + k].len;
		if (bytes % ss == 0)
			best = k + 1;
	}
	return best ? (int)best : -XPV_EINVAL;
}

/* Grants for segments [seg_pos, seg_pos + n) of @r into shadow @id. */
static int bf_grant_segs(struct xpv_blkfront_queue *q, unsigned int id,
			 const struct xpv_blkfront_req *r, unsigned int n)
{
	struct xpv_blkfront *dev = q->dev;
	struct xpv_blkfront_shadow *sh = &q->shadow[id];
	unsigned int k, base = bf_slot(q, id);
	const struct xpv_blkfront_seg *seg;
	struct xpv_blkfront_pgnt *p;
	uintptr_t a;

	if (!dev->info.persistent) {
		if (xpv_gntalloc_get(&dev->gnt, &q->grefs[base], n))
			return -XPV_ENOSPC;
		for (k = 0; k < n; k++) {
			a = (uintptr_t)r->segs[r->seg_pos + k].addr;
			xpv_gntalloc_grant(&dev->gnt, q->grefs[base + k],
					   dev->backend_id,
					   (void *)(a & ~BF_PAGE_MASK),
					   r->op == XPV_BLKFRONT_WRITE);
		}
		sh->nr_grants = n;
		return 0;
	}
	for (k = 0; k < n; k++) {
		p = bf_pool_get(q);
		if (!p)
			return -XPV_ENOMEM;
		seg = &r->segs[r->seg_pos + k];
		if (r->op == XPV_BLKFRONT_WRITE)
			xpv_memcpy((char *)p->page + ((uintptr_t)seg->addr &
						      BF_PAGE_MASK),
				   seg->addr, seg->len);
		q->pgs[base + k] = p;
		q->grefs[base + k] = p->ref;
		sh->nr_grants = k + 1;
	}
	return 0;
}

static void bf_fill_seg(struct blkif_request_segment *out, grant_ref_t ref,
			const struct xpv_blkfront_seg *seg)
{
	unsigned int off = (unsigned int)((uintptr_t)seg->addr & BF_PAGE_MASK);

	out->gref = ref;
	out->first_sect = (uint8_t)(off / XPV_BLKFRONT_SECTOR);
	out->last_sect = (uint8_t)((off + seg->len) / XPV_BLKFRONT_SECTOR - 1);
}

/* Indirect pages for @n segments, filled with their descriptors. */
static int bf_fill_indirect(struct xpv_blkfront_queue *q, unsigned int id,
			    const struct xpv_blkfront_req *r, unsigned int n,
			    struct blkif_request_indirect *ind)
{
	struct xpv_blkfront_shadow *sh = &q->shadow[id];
	unsigned int k, nr = (n + XPV_BLKFRONT_SEGS_PER_IND - 1) /
			     XPV_BLKFRONT_SEGS_PER_IND;
	struct blkif_request_segment *descs;
	struct xpv_blkfront_pgnt *p;

	for (k = 0; k < nr; k++) {
		p = q->dev->info.persistent ? bf_pool_get(q) : bf_ind_get(q);
		if (!p)
			return -XPV_ENOMEM;
		sh->ind[k] = p;
		sh->nr_ind = k + 1;
		ind->indirect_grefs[k] = p->ref;
	}
	for (k = 0; k < n; k++) {
		descs = sh->ind[k / XPV_BLKFRONT_SEGS_PER_IND]->page;
		bf_fill_seg(&descs[k % XPV_BLKFRONT_SEGS_PER_IND],
			    q->grefs[bf_slot(q, id) + k],
			    &r->segs[r->seg_pos + k]);
	}
	return 0;
}

union bf_slot_req {
	struct blkif_request rw;
	struct blkif_request_discard discard;
	struct blkif_request_indirect ind;
};

/* Take a free id and ring slot, or -XPV_EAGAIN. */
static int bf_take_id(struct xpv_blkfront_queue *q, unsigned int grants)
{
	int id;

	if (RING_FULL(&q->ring) || q->gnt_used + grants > q->gnt_budget)
		return -XPV_EAGAIN;
	id = xpv_ring_ids_get(&q->ids);
	if (id < 0)
		return -XPV_EAGAIN;
	xpv_memset(&q->shadow[id], 0, sizeof(q->shadow[id]));
	return id;
}

static void bf_push_slot(struct xpv_blkfront_queue *q,
			 const union bf_slot_req *u)
{
	struct blkif_request *slot = XPV_RING_FRONT_NEXT_REQ(&q->ring);

	/* bf_take_id saw a free slot under the same lock. */
	if (slot)
		xpv_memcpy(slot, u, sizeof(*slot));
	bf_count(&q->dev->st.ring_reqs, 1);
}

static int bf_build_rw(struct xpv_blkfront_queue *q, struct xpv_blkfront_req *r)
{
	struct xpv_blkfront *dev = q->dev;
	unsigned int k, n, nr_ind, id;
	struct xpv_blkfront_shadow *sh;
	union bf_slot_req u;
	uint64_t bytes = 0;
	int ret;

	ret = bf_cut(r, dev->info.max_segs, dev->info.sector_size);
	if (ret < 0)
		return ret;
	n = (unsigned int)ret;
	nr_ind = n > BLKIF_MAX_SEGMENTS_PER_REQUEST
			 ? (n + XPV_BLKFRONT_SEGS_PER_IND - 1) /
				   XPV_BLKFRONT_SEGS_PER_IND
			 : 0;
	ret = bf_take_id(q, n + nr_ind);
	if (ret < 0)
		return ret;
	id = (unsigned int)ret;
	sh = &q->shadow[id];
	sh->req = r;
	sh->first_seg = r->seg_pos;
	sh->nr_segs = n;
	sh->indirect_op =
		r->op == XPV_BLKFRONT_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	q->gnt_used += n + nr_ind;
	xpv_memset(&u, 0, sizeof(u));
	ret = bf_grant_segs(q, id, r, n);
	if (!ret && nr_ind)
		ret = bf_fill_indirect(q, id, r, n, &u.ind);
	if (ret) {
		q->gnt_used -= n + nr_ind - sh->nr_grants - sh->nr_ind;
		bf_release(q, id, false);
		xpv_ring_ids_put(&q->ids, id);
		return ret;
	}
	for (k = 0; k < n; k++)
		bytes += r->segs[r->seg_pos + k].len;
	if (nr_ind) {
		sh->op = BLKIF_OP_INDIRECT;
		u.ind.operation = BLKIF_OP_INDIRECT;
		u.ind.indirect_op = sh->indirect_op;
		u.ind.nr_segments = (uint16_t)n;
		u.ind.id = id;
		u.ind.sector_number = r->pos;
		u.ind.handle = (blkif_vdev_t)dev->devid;
		bf_count(&dev->st.indirect_reqs, 1);
	} else {
		sh->op = sh->indirect_op;
		u.rw.operation = sh->op;
		u.rw.nr_segments = (uint8_t)n;
		u.rw.handle = (blkif_vdev_t)dev->devid;
		u.rw.id = id;
		u.rw.sector_number = r->pos;
		for (k = 0; k < n; k++)
			bf_fill_seg(&u.rw.seg[k], q->grefs[bf_slot(q, id) + k],
				    &r->segs[r->seg_pos + k]);
	}
	bf_push_slot(q, &u);
	r->seg_pos += n;
	r->pos += bytes / XPV_BLKFRONT_SECTOR;
	r->inflight++;
	r->all_sent = r->seg_pos == r->nr_segs;
	return 0;
}

static int bf_build_other(struct xpv_blkfront_queue *q,
			  struct xpv_blkfront_req *r)
{
	struct xpv_blkfront *dev = q->dev;
	struct xpv_blkfront_shadow *sh;
	uint64_t n = r->end - r->pos, g, lim;
	union bf_slot_req u;
	int id = bf_take_id(q, 0);

	if (id < 0)
		return id;
	sh = &q->shadow[id];
	sh->req = r;
	xpv_memset(&u, 0, sizeof(u));
	if (r->op == XPV_BLKFRONT_DISCARD) {
		g = dev->info.discard_granularity / XPV_BLKFRONT_SECTOR;
		/* Every piece is a whole number of extents, at least one. */
		lim = dev->opts.max_discard_sectors / g * g;
		if (n > lim)
			n = lim ? lim : g;
		sh->op = BLKIF_OP_DISCARD;
		u.discard.operation = BLKIF_OP_DISCARD;
		u.discard.flag = r->secure && dev->info.discard_secure
					 ? BLKIF_DISCARD_SECURE
					 : 0;
		u.discard.handle = (blkif_vdev_t)dev->devid;
		u.discard.id = (unsigned int)id;
		u.discard.sector_number = r->pos;
		u.discard.nr_sectors = n;
		r->pos += n;
	} else {
		sh->op = XPV_READ_ONCE(dev->info.flush)
				 ? BLKIF_OP_FLUSH_DISKCACHE
				 : BLKIF_OP_WRITE_BARRIER;
		u.rw.operation = sh->op;
		u.rw.handle = (blkif_vdev_t)dev->devid;
		u.rw.id = (unsigned int)id;
		r->pos = r->end;
	}
	sh->indirect_op = sh->op;
	bf_push_slot(q, &u);
	r->inflight++;
	r->all_sent = r->pos == r->end;
	return 0;
}

/* ---- starting a request: checks against the connection ------------------ */

static int bf_start_rw(const struct xpv_blkfront_info *in,
		       struct xpv_blkfront_req *r)
{
	uint64_t bytes = 0;
	unsigned int k;
	uintptr_t off;

	if (r->op == XPV_BLKFRONT_WRITE && in->readonly)
		return -XPV_EROFS;
	for (k = 0; k < r->nr_segs; k++) {
		off = (uintptr_t)r->segs[k].addr & BF_PAGE_MASK;
		if (!r->segs[k].len || r->segs[k].len % XPV_BLKFRONT_SECTOR ||
		    off % XPV_BLKFRONT_SECTOR ||
		    off + r->segs[k].len > XPV_PAGE_SIZE)
			return -XPV_EINVAL;
		bytes += r->segs[k].len;
	}
	if (bytes % in->sector_size ||
	    r->sector % (in->sector_size / XPV_BLKFRONT_SECTOR))
		return -XPV_EINVAL;
	if (r->sector > in->sectors ||
	    bytes / XPV_BLKFRONT_SECTOR > in->sectors - r->sector)
		return -XPV_EIO;
	r->end = r->sector + bytes / XPV_BLKFRONT_SECTOR;
	return 0;
}

/* Trim a discard to whole extents: [pos, end) may end up empty. */
static int bf_start_discard(const struct xpv_blkfront_info *in,
			    struct xpv_blkfront_req *r)
{
	uint64_t g, shift, s, e;

	if (in->readonly)
		return -XPV_EROFS;
	if (!in->discard)
		return -XPV_EOPNOTSUPP;
	if (r->sector > in->sectors || r->nr_sectors > in->sectors - r->sector)
		return -XPV_EIO;
	g = in->discard_granularity / XPV_BLKFRONT_SECTOR;
	/* Extents start at discard-alignment: shift them onto multiples of g.
	 */
	shift = g - in->discard_alignment / XPV_BLKFRONT_SECTOR;
	s = (r->sector + shift + g - 1) / g * g;
	e = (r->sector + r->nr_sectors + shift) / g * g;
	r->pos = s - shift;
	r->end = e > s ? e - shift : r->pos;
	return 0;
}

/* 0: send it; 1: nothing to send, done; <0: fail it. */
static int bf_start(struct xpv_blkfront *dev, struct xpv_blkfront_req *r)
{
	const struct xpv_blkfront_info *in = &dev->info;
	int err;

	r->started = true;
	r->seg_pos = 0;
	r->pos = r->sector;
	r->end = 0;
	switch (r->op) {
	case XPV_BLKFRONT_READ:
	case XPV_BLKFRONT_WRITE:
		return bf_start_rw(in, r);
	case XPV_BLKFRONT_FLUSH:
		/* Without either feature the backend has no cache to flush. */
		r->end = 1;
		return XPV_READ_ONCE(in->flush) || XPV_READ_ONCE(in->barrier)
			       ? 0
			       : 1;
	case XPV_BLKFRONT_DISCARD:
		err = bf_start_discard(in, r);
		if (!err && r->pos == r->end) {
			bf_count(&dev->st.discard_skipped, 1);
			return 1;
		}
		return err;
	}
	return -XPV_EINVAL;
}

/* ---- the queue's wait list and issuing ---------------------------------- */

static void bf_chain(struct xpv_blkfront_req **head,
		     struct xpv_blkfront_req **tail, struct xpv_blkfront_req *r)
{
	r->next = NULL;
	if (*tail)
		(*tail)->next = r;
	else
		*head = r;
	*tail = r;
}

static void bf_wait_pop(struct xpv_blkfront_queue *q)
{
	q->wait_head = q->wait_head->next;
	if (!q->wait_head)
		q->wait_tail = NULL;
}

static void bf_done_add(struct xpv_blkfront_req **done,
			struct xpv_blkfront_req *r, int err)
{
	if (err && !r->err)
		r->err = err;
	r->next = *done;
	*done = r;
}

/* One ring request for the head of the wait list: 0, or -errno. */
static int bf_issue_one(struct xpv_blkfront_queue *q,
			struct xpv_blkfront_req *r)
{
	int err;

	if (r->op == XPV_BLKFRONT_READ || r->op == XPV_BLKFRONT_WRITE)
		err = bf_build_rw(q, r);
	else
		err = bf_build_other(q, r);
	if (err != -XPV_EAGAIN && err != -XPV_ENOSPC && err != -XPV_ENOMEM)
		return err;
	/* Short of slots or grants: wait for a completion, if one can come. */
	return xpv_ring_ids_in_flight(&q->ids) ? -XPV_EAGAIN : -XPV_ENOSPC;
}

/* Under q->lock: push what fits; finished requests go onto *done. */
static void bf_issue(struct xpv_blkfront_queue *q,
		     struct xpv_blkfront_req **done)
{
	struct xpv_blkfront_req *r;
	bool pushed = false;
	int err;

	while (q->live && (r = q->wait_head) != NULL) {
		if (!r->started) {
			err = bf_start(q->dev, r);
			if (err) {
				bf_wait_pop(q);
				bf_done_add(done, r, err < 0 ? err : 0);
				continue;
			}
		}
		err = bf_issue_one(q, r);
		if (err == -XPV_EAGAIN)
			break;
		if (err) {
			/* The pieces already out finish the request. */
			bf_wait_pop(q);
			if (!r->err)
				r->err = err;
			r->all_sent = true;
			if (!r->inflight)
				bf_done_add(done, r, err);
			continue;
		}
		pushed = true;
		if (r->all_sent)
			bf_wait_pop(q);
	}
	if (pushed && XPV_RING_FRONT_PUSH(&q->ring))
		xpv_os_evtchn_notify(q->port);
}

static void bf_finish_chain(struct xpv_blkfront *dev,
			    struct xpv_blkfront_req *r, int err)
{
	struct xpv_blkfront_req *next;

	for (; r; r = next) {
		next = r->next;
		if (err && !r->err)
			r->err = err;
		bf_count(&dev->st.completed, 1);
		if (r->err)
			bf_count(&dev->st.failed, 1);
		r->done(r, r->err);
	}
}

void xpv_blkfront_fail_chain(struct xpv_blkfront *dev,
			     struct xpv_blkfront_req *head, int err)
{
	bf_finish_chain(dev, head, err);
}

/* ---- responses ---------------------------------------------------------- */

static int bf_status(struct xpv_blkfront *dev, const struct blkif_response *rsp,
		     uint8_t op)
{
	if (rsp->status == BLKIF_RSP_OKAY)
		return 0;
	if (rsp->status != BLKIF_RSP_EOPNOTSUPP)
		return -XPV_EIO;
	/* As the spec allows, the backend withdrew the feature. */
	if (op == BLKIF_OP_FLUSH_DISKCACHE)
		XPV_WRITE_ONCE(dev->info.flush, false);
	else if (op == BLKIF_OP_WRITE_BARRIER)
		XPV_WRITE_ONCE(dev->info.barrier, false);
	else if (op == BLKIF_OP_DISCARD)
		XPV_WRITE_ONCE(dev->info.discard, false);
	return -XPV_EOPNOTSUPP;
}

/* Under q->lock, for a response that passed xpv_blkfront_check_rsp. */
static void bf_complete(struct xpv_blkfront_queue *q,
			const struct blkif_response *rsp,
			struct xpv_blkfront_req **done)
{
	unsigned int id = (unsigned int)rsp->id;
	struct xpv_blkfront_shadow *sh = &q->shadow[id];
	struct xpv_blkfront_req *r = sh->req;
	int err = bf_status(q->dev, rsp, sh->op);

	if (!bf_release(q, id, err == 0)) {
		/* The page is the caller's: it must not stay reachable. */
		q->dead = true;
		q->why = "backend kept a grant mapped after responding";
		err = -XPV_EIO;
	}
	sh->req = NULL;
	xpv_ring_ids_put(&q->ids, id);
	if (err && !r->err)
		r->err = err;
	if (--r->inflight == 0 && r->all_sent)
		bf_done_add(done, r, 0);
}

/* Under q->lock: take every response; NULL, or why the backend broke. */
static const char *bf_drain(struct xpv_blkfront_queue *q,
			    struct xpv_blkfront_req **done)
{
	struct blkif_response rsp;
	const char *why = NULL;
	int n;

	do {
		n = XPV_RING_FRONT_RSP_AVAIL(&q->ring);
		if (n < 0)
			return "response producer index overflow";
		while (n-- > 0) {
			XPV_RING_FRONT_TAKE_RSP(&q->ring, &rsp);
			if (xpv_blkfront_check_rsp(&rsp, &q->ids, q->shadow,
						   &why))
				return why;
			bf_complete(q, &rsp, done);
			if (q->dead)
				return q->why;
		}
	} while (XPV_RING_FRONT_FINAL_CHECK(&q->ring));
	return NULL;
}

void xpv_blkfront_interrupt(evtchn_port_t port, void *arg)
{
	struct xpv_blkfront_queue *q = arg;
	struct xpv_blkfront_req *done = NULL;
	const char *why = NULL;

	xpv_os_lock(q->lock);
	if (q->live) {
		why = bf_drain(q, &done);
		if (why) {
			q->live = false;
			q->dead = true;
			q->why = why;
		} else {
			bf_issue(q, &done);
		}
	}
	xpv_os_unlock(q->lock);
	bf_finish_chain(q->dev, done, 0);
	if (why)
		xpv_blkfront_mark_broken(q->dev, why);
}

void xpv_blkfront_mark_broken(struct xpv_blkfront *dev, const char *why)
{
	bool first;

	xpv_os_lock(dev->lock);
	first = !dev->broken;
	if (first) {
		dev->broken = true;
		dev->st.broken = true;
		xpv_os_snprintf(dev->why, sizeof(dev->why), "%s", why);
	}
	xpv_os_unlock(dev->lock);
	if (!first)
		return;
	xpv_err("blkfront %s: %s: device disabled\n", dev->node, why);
	if (dev->kick)
		dev->kick(dev, dev->kick_arg);
}

/* ---- submission --------------------------------------------------------- */

static int bf_check_req(const struct xpv_blkfront_req *r)
{
	switch (r->op) {
	case XPV_BLKFRONT_READ:
	case XPV_BLKFRONT_WRITE:
		return r->segs && r->nr_segs ? 0 : -XPV_EINVAL;
	case XPV_BLKFRONT_FLUSH:
	case XPV_BLKFRONT_DISCARD:
		return 0;
	}
	return -XPV_EINVAL;
}

/* Under q->lock: queue @r and push what fits. */
static void bf_enqueue(struct xpv_blkfront_queue *q, struct xpv_blkfront_req *r,
		       struct xpv_blkfront_req **done)
{
	bf_chain(&q->wait_head, &q->wait_tail, r);
	bf_issue(q, done);
}

/* 1: taken by a live queue, 0: none live now. */
static int bf_try_queue(struct xpv_blkfront *dev, struct xpv_blkfront_req *r)
{
	unsigned int nq = __atomic_load_n(&dev->nr_queues, __ATOMIC_ACQUIRE);
	struct xpv_blkfront_req *done = NULL;
	struct xpv_blkfront_queue *q;

	if (!nq)
		return 0;
	q = &dev->q[r->queue % nq];
	xpv_os_lock(q->lock);
	if (!q->live) {
		xpv_os_unlock(q->lock);
		return 0;
	}
	bf_enqueue(q, r, &done);
	xpv_os_unlock(q->lock);
	bf_finish_chain(dev, done, 0);
	return 1;
}

int xpv_blkfront_submit(struct xpv_blkfront *dev, struct xpv_blkfront_req *r)
{
	int err;

	if (!r || !r->done || bf_check_req(r))
		return -XPV_EINVAL;
	r->next = NULL;
	r->started = r->all_sent = r->marked = false;
	r->inflight = 0;
	r->err = 0;
	for (;;) {
		if (bf_try_queue(dev, r))
			return 0;
		xpv_os_lock(dev->lock);
		err = dev->broken    ? -XPV_EIO
		      : dev->closing ? -XPV_ESHUTDOWN
				     : 0;
		/* Not connected: wait for the next connection. */
		if (!err && !dev->connected)
			bf_chain(&dev->pend_head, &dev->pend_tail, r);
		if (err || !dev->connected) {
			xpv_os_unlock(dev->lock);
			return err;
		}
		xpv_os_unlock(dev->lock);
	}
}

void xpv_blkfront_resubmit(struct xpv_blkfront *dev)
{
	struct xpv_blkfront_req *r, *next, *done = NULL;
	struct xpv_blkfront_queue *q;

	xpv_os_lock(dev->lock);
	r = dev->pend_head;
	dev->pend_head = dev->pend_tail = NULL;
	xpv_os_unlock(dev->lock);
	for (; r; r = next) {
		next = r->next;
		q = &dev->q[r->queue % dev->nr_queues];
		xpv_os_lock(q->lock);
		if (q->live)
			bf_enqueue(q, r, &done);
		else
			bf_done_add(&done, r, -XPV_EIO);
		xpv_os_unlock(q->lock);
		bf_finish_chain(dev, done, 0);
		done = NULL;
	}
}

/* ---- queue resources ---------------------------------------------------- */

int xpv_blkfront_queue_setup(struct xpv_blkfront_queue *q)
{
	unsigned int nr = RING_SIZE(&q->ring);
	size_t slots = (size_t)nr * q->dev->info.max_segs;
	int err = xpv_ring_ids_init(&q->ids, nr);

	if (err)
		return err;
	q->shadow = xpv_os_zalloc(nr * sizeof(*q->shadow));
	q->grefs = xpv_os_zalloc(slots * sizeof(*q->grefs));
	q->pgs = xpv_os_zalloc(slots * sizeof(*q->pgs));
	if (!q->shadow || !q->grefs || !q->pgs) {
		xpv_blkfront_queue_free(q);
		return -XPV_ENOMEM;
	}
	q->gnt_used = 0;
	q->dead = false;
	q->why = NULL;
	return 0;
}

static void bf_reset_req(struct xpv_blkfront_req *r)
{
	r->started = r->all_sent = r->marked = false;
	r->inflight = 0;
	r->err = 0;
}

void xpv_blkfront_queue_stop(struct xpv_blkfront_queue *q,
			     struct xpv_blkfront_req **out)
{
	struct xpv_blkfront_req *head = NULL, *tail = NULL, *r;
	unsigned int id;

	xpv_os_lock(q->lock);
	q->live = false;
	for (id = 0; id < q->ids.nr; id++) {
		if (!q->ids.busy[id])
			continue;
		r = q->shadow[id].req;
		bf_release(q, id, false);
		xpv_ring_ids_put(&q->ids, id);
		if (r && !r->marked) {
			r->marked = true;
			bf_chain(&head, &tail, r);
		}
	}
	while ((r = q->wait_head) != NULL) {
		bf_wait_pop(q);
		if (!r->marked) {
			r->marked = true;
			bf_chain(&head, &tail, r);
		}
	}
	xpv_os_unlock(q->lock);
	for (r = head; r; r = r->next)
		bf_reset_req(r);
	if (tail) {
		tail->next = *out;
		*out = head;
	}
}

static void bf_free_list(struct xpv_blkfront *dev, struct xpv_blkfront_pgnt *p,
			 bool granted)
{
	struct xpv_blkfront_pgnt *next;

	for (; p; p = next) {
		next = p->next;
		/* A page the backend still maps is freed once it lets go. */
		if (granted)
			xpv_gntalloc_end_put(&dev->gnt, p->ref, p->page);
		else
			xpv_os_page_free(p->page);
		xpv_os_free(p);
	}
}

void xpv_blkfront_queue_free(struct xpv_blkfront_queue *q)
{
	bf_free_list(q->dev, q->pool, true);
	bf_free_list(q->dev, q->ind_free, false);
	q->pool = q->ind_free = NULL;
	q->pool_total = 0;
	xpv_os_free(q->shadow);
	xpv_os_free(q->grefs);
	xpv_os_free(q->pgs);
	q->shadow = NULL;
	q->grefs = NULL;
	q->pgs = NULL;
	xpv_ring_ids_destroy(&q->ids);
}
