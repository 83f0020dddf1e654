// SPDX-License-Identifier: MIT
/*
 * The grant-copy data path for small requests when persistent grants are
 * off: the data goes through pages of our own (xpv_xenops_buf_alloc), one
 * copy hypercall per segment instead of a map and an unmap per request.
 * Writes are copied in before the disk sees them, reads copied out after.
 * Requests with indirect segments still map: one map of many pages in a
 * row costs less than copying them.
 */
#include <string.h>

#include "backend/blkback/blkback.h"

#define SECTOR 512u
#define BB_GCOPY_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST

int bb_gcopy_init(struct bb_ring *r)
{
	struct bb *bb = r->dev->bb;

	r->cbuf = NULL;
	r->cbuf_pages = 0;
	if (r->pg_cap || bb->cfg.no_grant_copy || bb->cfg.null_target)
		return 0;
	/* Without the pages the requests map instead: slower, not wrong. */
	r->cbuf = xpv_xenops_buf_alloc(bb->x, r->nr_reqs * BB_GCOPY_SEGS);
	if (r->cbuf)
		r->cbuf_pages = r->nr_reqs * BB_GCOPY_SEGS;
	return 0;
}

void bb_gcopy_free(struct bb_ring *r)
{
	if (r->cbuf)
		xpv_xenops_buf_free(r->dev->bb->x, r->cbuf, r->cbuf_pages);
	r->cbuf = NULL;
	r->cbuf_pages = 0;
}

/* Our pages for @rq if it goes by copy; false if it maps instead. */
bool bb_gcopy_use(struct bb_req *rq)
{
	struct bb_ring *r = rq->ring;
	size_t base = (size_t)(rq - r->reqs) * BB_GCOPY_SEGS;
	unsigned int i;

	rq->copy = false;
	if (!r->cbuf || rq->io.nr_indirect || rq->io.nr_segs > BB_GCOPY_SEGS)
		return false;
	for (i = 0; i < rq->io.nr_segs; i++)
		rq->page[i] = r->cbuf + (base + i) * XPV_PAGE_SIZE;
	rq->copy = true;
	return true;
}

/* Frontend pages to ours (@in) or ours to theirs: OKAY or ERROR. */
static int16_t gcopy(struct bb_req *rq, bool in)
{
	struct bb_ring *r = rq->ring;
	struct bb_dev *dev = r->dev;
	struct xpv_xenops_copy *c = r->csegs;
	unsigned int i;

	for (i = 0; i < rq->io.nr_segs; i++) {
		const struct blkif_request_segment *s = &rq->seg[i];
		uint16_t off = s->first_sect * SECTOR;
		void *ours = (uint8_t *)rq->page[i] + off;

		memset(&c[i], 0, sizeof(c[i]));
		c[i].len = (s->last_sect - s->first_sect + 1u) * SECTOR;
		if (in) {
			c[i].source.foreign.ref = s->gref;
			c[i].source.foreign.offset = off;
			c[i].source.foreign.domid = dev->fe_domid;
			c[i].dest.virt = ours;
			c[i].flags = GNTCOPY_source_gref;
		} else {
			c[i].dest.foreign.ref = s->gref;
			c[i].dest.foreign.offset = off;
			c[i].dest.foreign.domid = dev->fe_domid;
			c[i].source.virt = ours;
			c[i].flags = GNTCOPY_dest_gref;
		}
	}
	if (xpv_xenops_copy(dev->bb->x, c, rq->io.nr_segs))
		return BLKIF_RSP_ERROR;
	for (i = 0; i < rq->io.nr_segs; i++)
		if (c[i].status != GNTST_okay)
			return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

int16_t bb_gcopy_in(struct bb_req *rq)
{
	return rq->copy && rq->io.write ? gcopy(rq, true) : BLKIF_RSP_OKAY;
}

int16_t bb_gcopy_out(struct bb_req *rq)
{
	return rq->copy && !rq->io.write ? gcopy(rq, false) : BLKIF_RSP_OKAY;
}
