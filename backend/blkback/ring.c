// SPDX-License-Identifier: MIT
/*
 * The data path of one ring: take requests (copied out, then validated),
 * map their grants, submit them to libaio in batches, answer as they
 * complete.  A request runs in stages so that a flush or a barrier can
 * sync before and after its data:
 *   0 cache flush (flush, barrier)   1 data   2 cache flush (with data)
 * A flush or a barrier waits until every earlier request has completed; a
 * barrier also keeps later ones back until it is done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/blkback/blkback.h"
#include "xenpv/ring.h"

#define SECTOR 512u

static int ring_avail(struct bb_ring *r)
{
	if (r->abi == XPV_BLKIF_X86_32)
		return XPV_RING_BACK_REQ_AVAIL(&r->br.r32);
	return XPV_RING_BACK_REQ_AVAIL(&r->br.r64);
}

static void ring_take(struct bb_ring *r, struct xpv_blkback_req *q)
{
	if (r->abi == XPV_BLKIF_X86_32) {
		struct blkif_x86_32_request c;

		XPV_RING_BACK_TAKE_REQ(&r->br.r32, &c);
		xpv_blkif_decode_req(r->abi, &c, q);
	} else {
		struct blkif_x86_64_request c;

		XPV_RING_BACK_TAKE_REQ(&r->br.r64, &c);
		xpv_blkif_decode_req(r->abi, &c, q);
	}
}

static bool ring_final_check(struct bb_ring *r)
{
	if (r->abi == XPV_BLKIF_X86_32)
		return XPV_RING_BACK_FINAL_CHECK(&r->br.r32);
	return XPV_RING_BACK_FINAL_CHECK(&r->br.r64);
}

static void respond(struct bb_ring *r, uint64_t id, uint8_t op, int16_t st)
{
	void *slot = r->abi == XPV_BLKIF_X86_32
			     ? (void *)XPV_RING_BACK_NEXT_RSP(&r->br.r32)
			     : (void *)XPV_RING_BACK_NEXT_RSP(&r->br.r64);

	/* Every taken request has a slot: the taking was bounded by them. */
	if (!slot)
		return;
	xpv_blkif_encode_rsp(r->abi, slot, id, op, st);
	r->rsp_ready = true;
}

static void ring_push(struct bb_ring *r)
{
	bool notify;

	if (!r->rsp_ready)
		return;
	r->rsp_ready = false;
	notify = r->abi == XPV_BLKIF_X86_32 ? XPV_RING_BACK_PUSH(&r->br.r32)
					    : XPV_RING_BACK_PUSH(&r->br.r64);
	if (notify)
		xpv_xenops_notify(r->dev->bb->x, r->port);
}

static void rq_release(struct bb_req *rq)
{
	if (rq->map) {
		xpv_xenops_unmap(rq->ring->dev->bb->x, rq->map, rq->map_count);
		rq->map = NULL;
		rq->map_count = 0;
	}
}

static void rq_finish(struct bb_req *rq, int16_t st)
{
	struct bb_ring *r = rq->ring;

	if (st == BLKIF_RSP_OKAY)
		st = bb_gcopy_out(rq);
	rq->copy = false;
	rq_release(rq);
	respond(r, rq->id, rq->io.op, st);
	r->nr_reqs_done++;
	if (st != BLKIF_RSP_OKAY)
		r->nr_errors++;
	if (r->barrier == rq)
		r->barrier = NULL;
	rq->next_free = r->free;
	r->free = rq;
}

static unsigned int max_segs(const struct bb_dev *dev)
{
	return dev->lim.max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST
		       ? dev->lim.max_indirect
		       : BLKIF_MAX_SEGMENTS_PER_REQUEST;
}

static int rq_alloc_arrays(struct bb_req *rq)
{
	unsigned int n = max_segs(rq->ring->dev);

	if (rq->page)
		return 0;
	rq->page = calloc(n, sizeof(*rq->page));
	rq->seg = calloc(n, sizeof(*rq->seg));
	rq->iov = calloc(n, sizeof(*rq->iov));
	rq->refs = calloc(n, sizeof(*rq->refs));
	return rq->page && rq->seg && rq->iov && rq->refs ? 0 : -ENOMEM;
}

static void rq_free_arrays(struct bb_req *rq)
{
	free(rq->page);
	free(rq->seg);
	free(rq->iov);
	free(rq->refs);
	rq->page = NULL;
	rq->seg = NULL;
	rq->iov = NULL;
	rq->refs = NULL;
}

/*
 * The indirect pages through the persistent grants (as Linux does), so a
 * request costs no map; NULL when they are off or full, or a grant failed.
 */
static bool rq_indirect_persistent(struct bb_req *rq,
				   const struct xpv_blkback_req *q,
				   uint8_t **pages)
{
	unsigned int i;
	int err;

	if (!rq->ring->pg_cap)
		return false;
	for (i = 0; i < rq->io.nr_indirect; i++) {
		pages[i] = bb_pgrant_get(rq->ring, q->indirect_grefs[i], &err);
		if (!pages[i])
			return false;
	}
	return true;
}

/* Copies the segments out of the indirect pages, then checks them. */
static int16_t rq_read_indirect(struct bb_req *rq,
				const struct xpv_blkback_req *q)
{
	struct bb_dev *dev = rq->ring->dev;
	unsigned int i, n = rq->io.nr_indirect, left = rq->io.nr_segs;
	const size_t per = XPV_BLKIF_SEGS_PER_INDIRECT_PAGE;
	uint8_t *page[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST], *map = NULL;
	int err;

	if (!rq_indirect_persistent(rq, q, page)) {
		map = xpv_xenops_map(dev->bb->x, dev->fe_domid, n,
				     q->indirect_grefs, false, &err);
		if (!map)
			return BLKIF_RSP_ERROR;
		for (i = 0; i < n; i++)
			page[i] = map + (size_t)i * XPV_PAGE_SIZE;
	}
	/* The frontend may still write there: copy once, then check. */
	for (i = 0; i < n; i++) {
		size_t k = left < per ? left : per;

		memcpy(rq->seg + i * per, page[i], k * sizeof(*rq->seg));
		left -= k;
	}
	if (map)
		xpv_xenops_unmap(dev->bb->x, map, n);
	return xpv_blkback_check_segs(rq->seg, &dev->lim, &rq->io);
}

/* Persistent grants first; what they can't hold is mapped for this request. */
static int16_t rq_map(struct bb_req *rq)
{
	struct bb_ring *r = rq->ring;
	struct bb_dev *dev = r->dev;
	unsigned int i, miss = 0;
	uint8_t *map;
	int err;

	for (i = 0; i < rq->io.nr_segs; i++) {
		rq->page[i] = bb_pgrant_get(r, rq->seg[i].gref, &err);
		if (err)
			return BLKIF_RSP_ERROR;
		if (!rq->page[i])
			rq->refs[miss++] = rq->seg[i].gref;
	}
	if (!miss)
		return BLKIF_RSP_OKAY;
	/* Reading from the disk writes into the frontend's memory. */
	map = xpv_xenops_map(dev->bb->x, dev->fe_domid, miss, rq->refs,
			     !rq->io.write, &err);
	if (!map)
		return BLKIF_RSP_ERROR;
	rq->map = map;
	rq->map_count = miss;
	for (i = 0, miss = 0; i < rq->io.nr_segs; i++)
		if (!rq->page[i])
			rq->page[i] = map + (size_t)miss++ * XPV_PAGE_SIZE;
	return BLKIF_RSP_OKAY;
}

static void rq_build_iov(struct bb_req *rq)
{
	unsigned int i;

	rq->niov = 0;
	rq->bytes = 0;
	for (i = 0; i < rq->io.nr_segs; i++) {
		uint8_t *base = (uint8_t *)rq->page[i] +
				rq->seg[i].first_sect * SECTOR;
		size_t len = (rq->seg[i].last_sect - rq->seg[i].first_sect +
			      1u) * SECTOR;
		struct iovec *prev = rq->niov ? &rq->iov[rq->niov - 1] : NULL;

		if (prev && (uint8_t *)prev->iov_base + prev->iov_len == base)
			prev->iov_len += len;
		else
			rq->iov[rq->niov++] = (struct iovec){ base, len };
		rq->bytes += len;
	}
}

static int16_t rq_prepare(struct bb_req *rq, const struct xpv_blkback_req *q)
{
	int16_t st;

	if (!rq->io.nr_segs)
		return BLKIF_RSP_OKAY;
	if (rq_alloc_arrays(rq))
		return BLKIF_RSP_ERROR;
	if (rq->io.nr_indirect) {
		st = rq_read_indirect(rq, q);
		if (st != BLKIF_RSP_OKAY)
			return st;
	} else {
		memcpy(rq->seg, q->seg, rq->io.nr_segs * sizeof(*rq->seg));
	}
	if (bb_gcopy_use(rq))
		st = bb_gcopy_in(rq);
	else
		st = rq_map(rq);
	if (st == BLKIF_RSP_OKAY)
		rq_build_iov(rq);
	return st;
}

/* Runs the next stage; returns once one is in flight or the request ended. */
static void rq_advance(struct bb_req *rq)
{
	struct bb_ring *r = rq->ring;
	struct bb_disk *d = &r->dev->disk;
	uint64_t off = rq->io.sector * SECTOR;

	for (;;) {
		int stage = rq->stage++;
		bool sync;

		if (stage == 0 && rq->io.sync_before)
			sync = true;
		else if (stage == 1 && rq->io.nr_segs)
			sync = false;
		else if (stage == 2 && rq->io.sync_after)
			sync = true;
		else if (stage < 3)
			continue;
		else
			return rq_finish(rq, BLKIF_RSP_OKAY);
		if (r->dev->bb->cfg.null_target)
			continue;
		if (sync)
			xpv_aio_prep_fsync(r->aio, &rq->aio, d->fd, rq);
		else
			xpv_aio_prep_rw(r->aio, &rq->aio, d->fd, rq->io.write,
					off, rq->iov, rq->niov, rq);
		/* Each request holds one stage in flight: the depth has room. */
		if (xpv_aio_queue(r->aio, &rq->aio))
			rq_finish(rq, BLKIF_RSP_ERROR);
		return;
	}
}

static void rq_start(struct bb_req *rq)
{
	struct bb_ring *r = rq->ring;

	if (rq->io.drain)
		r->barrier = rq;
	rq->stage = 0;
	rq_advance(rq);
}

/* The first few refusals of a ring go to the log; a flood would not. */
static void log_refused(struct bb_ring *r, const struct xpv_blkback_req *q,
			int16_t st)
{
	if (r->nr_errors >= 16)
		return;
	bb_log("%s ring %u: refused op %u (indirect op %u) id %llu sector "
	       "%llu segs %u: %d", r->dev->be_path, r->idx, q->operation,
	       q->indirect_op, (unsigned long long)q->id,
	       (unsigned long long)q->sector_number, q->nr_segments, st);
}

static void take_one(struct bb_ring *r)
{
	struct bb_dev *dev = r->dev;
	struct xpv_blkback_req q;
	struct bb_req *rq = r->free;
	int16_t st;

	ring_take(r, &q);
	r->free = rq->next_free;
	rq->id = q.id;
	rq->map = NULL;
	st = xpv_blkback_check_req(&q, &dev->lim, &rq->io);
	if (st == BLKIF_RSP_OKAY && rq->io.discard) {
		if (!dev->bb->cfg.null_target &&
		    bb_disk_discard(&dev->disk, rq->io.sector * SECTOR,
				    rq->io.nr_sectors * SECTOR))
			st = BLKIF_RSP_ERROR;
		return rq_finish(rq, st);
	}
	if (st == BLKIF_RSP_OKAY)
		st = rq_prepare(rq, &q);
	if (st != BLKIF_RSP_OKAY) {
		log_refused(r, &q, st);
		return rq_finish(rq, st);
	}
	if ((rq->io.sync_before || rq->io.drain) && xpv_aio_inflight(r->aio)) {
		r->held = rq;
		return;
	}
	rq_start(rq);
}

void bb_ring_run(struct bb_ring *r)
{
	int n;

	while (!r->broken && !r->held && !r->barrier && r->free) {
		n = ring_avail(r);
		if (n < 0) {
			r->broken = true;
			bb_dev_broken(r->dev, "request producer overflow");
			return;
		}
		if (n == 0) {
			if (!ring_final_check(r))
				break;
			continue;
		}
		while (n-- > 0 && !r->held && !r->barrier)
			take_one(r);
		xpv_aio_flush(r->aio);
	}
	xpv_aio_flush(r->aio);
	ring_push(r);
}

static void ring_complete(void *cookie, long res)
{
	struct bb_req *rq = cookie;
	struct bb_ring *r = rq->ring;
	bool ok;

	if (xpv_aio_req_is_fsync(&rq->aio))
		ok = res == 0;
	else
		ok = res >= 0 && (size_t)res == rq->bytes;
	if (!ok && r->nr_errors < 16)
		bb_log("%s ring %u: I/O at sector %llu (%zu bytes, stage %d) "
		       "ended with %ld", r->dev->be_path, r->idx,
		       (unsigned long long)rq->io.sector, rq->bytes,
		       rq->stage - 1, res);
	if (ok)
		rq_advance(rq);
	else
		rq_finish(rq, BLKIF_RSP_ERROR);
}

void bb_ring_aio_ready(struct bb_ring *r)
{
	if (xpv_aio_reap(r->aio, ring_complete) < 0)
		return;
	if (r->held && !xpv_aio_inflight(r->aio)) {
		struct bb_req *rq = r->held;

		r->held = NULL;
		rq_start(rq);
	}
	bb_ring_run(r);
}

static int ring_map(struct bb_ring *r, const grant_ref_t *refs,
		    unsigned int nr_pages)
{
	struct bb_dev *dev = r->dev;
	size_t bytes = (size_t)nr_pages * XPV_PAGE_SIZE;
	int err;

	r->sring = xpv_xenops_map(dev->bb->x, dev->fe_domid, nr_pages, refs,
				  true, &err);
	if (!r->sring)
		return err;
	r->nr_pages = nr_pages;
	if (r->abi == XPV_BLKIF_X86_32) {
		XPV_RING_BACK_INIT(&r->br.r32,
				   (blkif_x86_32_sring_t *)r->sring, bytes);
		r->nr_reqs = RING_SIZE(&r->br.r32);
	} else {
		XPV_RING_BACK_INIT(&r->br.r64,
				   (blkif_x86_64_sring_t *)r->sring, bytes);
		r->nr_reqs = RING_SIZE(&r->br.r64);
	}
	return 0;
}

static int ring_alloc(struct bb_ring *r)
{
	unsigned int i;

	r->reqs = calloc(r->nr_reqs, sizeof(*r->reqs));
	if (!r->reqs)
		return -ENOMEM;
	for (i = r->nr_reqs; i-- > 0;) {
		r->reqs[i].ring = r;
		r->reqs[i].next_free = r->free;
		r->free = &r->reqs[i];
	}
	r->aio = xpv_aio_new(r->nr_reqs);
	if (!r->aio)
		return -errno;
	r->ep = (struct bb_ep){ .kind = BB_EP_AIO, .p = r };
	return bb_epoll_add(r->dev->bb, xpv_aio_event_fd(r->aio), &r->ep);
}

int bb_ring_connect(struct bb_ring *r, const grant_ref_t *refs,
		    unsigned int nr_pages, evtchn_port_t port)
{
	struct bb_dev *dev = r->dev;
	int err;

	err = ring_map(r, refs, nr_pages);
	if (!err)
		err = ring_alloc(r);
	if (!err)
		err = bb_pgrant_init(r, dev->persistent ? dev->bb->cfg.max_pgrants
							 : 0);
	if (!err)
		err = bb_gcopy_init(r);
	if (!err)
		err = xpv_xenops_bind(dev->bb->x, dev->fe_domid, port, &r->port);
	if (err)
		return err;
	r->bound = true;
	bb_port_add(dev->bb, r);
	return 0;
}

/* Waits for the kernel to finish with every page, then lets go of them. */
void bb_ring_disconnect(struct bb_ring *r)
{
	struct bb_dev *dev = r->dev;
	unsigned int i, idx = r->idx;

	if (r->aio) {
		bb_epoll_del(dev->bb, xpv_aio_event_fd(r->aio));
		xpv_aio_free(r->aio);
	}
	for (i = 0; r->reqs && i < r->nr_reqs; i++) {
		rq_release(&r->reqs[i]);
		rq_free_arrays(&r->reqs[i]);
	}
	bb_pgrant_free_all(r);
	bb_gcopy_free(r);
	if (r->bound) {
		bb_port_del(dev->bb, r);
		xpv_xenops_unbind(dev->bb->x, r->port);
	}
	if (r->sring)
		xpv_xenops_unmap(dev->bb->x, r->sring, r->nr_pages);
	free(r->reqs);
	memset(r, 0, sizeof(*r));
	r->dev = dev;
	r->idx = idx;
}
