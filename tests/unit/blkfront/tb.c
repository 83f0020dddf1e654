// SPDX-License-Identifier: MIT
/*
 * The scripted backend of the blkfront tests; see tb.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/blkfront/tb.h"

void tb_node(const char *name, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", TB_BE, name);
	xpv_os_xs_write(XPV_XBT_NIL, path, value);
}

void tb_node_u(const char *name, unsigned long long v)
{
	char val[32];

	snprintf(val, sizeof(val), "%llu", v);
	tb_node(name, val);
}

void tb_nodes(uint64_t sectors)
{
	xpv_os_xs_write(XPV_XBT_NIL, TB_FE "/backend", TB_BE);
	xpv_os_xs_write(XPV_XBT_NIL, TB_FE "/backend-id", "0");
	xpv_os_xs_write(XPV_XBT_NIL, TB_FE "/state", "1");
	tb_node_u("sectors", sectors);
	tb_node("state", "2");
}

static void tb_kick(struct xpv_blkfront *dev, void *arg)
{
	struct tb *t = arg;

	t->kicks++;
}

struct xpv_blkfront *tb_create(struct tb *t, const struct xpv_blkfront_opts *o)
{
	int err;

	t->dev = xpv_blkfront_create(TB_DEVID, o, tb_kick, t, &err);
	return t->dev;
}

void tb_step(struct tb *t)
{
	xpv_blkfront_otherend_changed(t->dev);
}

/* ---- rings -------------------------------------------------------------- */

static const char *tb_fe_get(const char *dir, const char *node)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	return fake_os_xs_get(path);
}

static int tb_map_ring(struct tb *t, unsigned int q, const char *dir)
{
	const char *v;
	char name[32];
	uint8_t *base = NULL, *page;
	grant_entry_v1_t *e;
	unsigned int i;

	for (i = 0; i < t->ring_pages; i++) {
		if (t->ring_pages == 1)
			snprintf(name, sizeof(name), "ring-ref");
		else
			snprintf(name, sizeof(name), "ring-ref%u", i);
		v = tb_fe_get(dir, name);
		if (!v)
			return -1;
		t->ring_ref[q][i] = (grant_ref_t)atoi(v);
		e = fake_os_gnttab_entry(t->ring_ref[q][i]);
		if (!e || !(e->flags & GTF_permit_access) ||
		    (e->flags & GTF_readonly))
			return -1;
		fake_os_gnttab_peer_map(t->ring_ref[q][i], true);
		page = fake_os_gfn_to_virt(e->frame);
		/* Xen maps the ring's pages side by side: they must be. */
		if (!page || (base && page != base + i * XPV_PAGE_SIZE))
			return -1;
		if (!base)
			base = page;
	}
	v = tb_fe_get(dir, "event-channel");
	if (!v)
		return -1;
	t->port[q] = (evtchn_port_t)atoi(v);
	XPV_RING_BACK_INIT(&t->ring[q], (struct blkif_sring *)base,
			   t->ring_pages * XPV_PAGE_SIZE);
	return 0;
}

int tb_connect(struct tb *t)
{
	const char *v;
	char dir[64];
	unsigned int q;

	tb_step(t);
	v = fake_os_xs_get(TB_FE "/state");
	if (!v || strcmp(v, "3"))
		return -1;
	v = fake_os_xs_get(TB_FE "/multi-queue-num-queues");
	t->nq = v ? (unsigned int)atoi(v) : 1;
	v = fake_os_xs_get(TB_FE "/ring-page-order");
	t->ring_pages = 1u << (v ? atoi(v) : 0);
	for (q = 0; q < t->nq; q++) {
		if (t->nq == 1)
			snprintf(dir, sizeof(dir), "%s", TB_FE);
		else
			snprintf(dir, sizeof(dir), "%s/queue-%u", TB_FE, q);
		if (tb_map_ring(t, q, dir))
			return -1;
	}
	tb_node("state", "4");
	tb_step(t);
	v = fake_os_xs_get(TB_FE "/state");
	return v && !strcmp(v, "4") ? 0 : -1;
}

void tb_vanish(struct tb *t, enum xenbus_state s)
{
	unsigned int q, i;
	char val[4];

	for (q = 0; q < t->nq; q++)
		for (i = 0; i < t->ring_pages; i++)
			fake_os_gnttab_peer_unmap(t->ring_ref[q][i]);
	for (i = 0; i < FAKE_OS_NR_GREFS; i++)
		fake_os_gnttab_peer_unmap(i);
	t->nr_reqs = 0;
	t->nq = 0;
	snprintf(val, sizeof(val), "%u", s);
	tb_node("state", val);
	tb_step(t);
}

/* ---- requests ----------------------------------------------------------- */

static void tb_note_gref(struct tb *t, grant_ref_t ref)
{
	unsigned int i;

	for (i = 0; i < t->nr_grefs; i++)
		if (t->grefs[i] == ref)
			return;
	if (t->nr_grefs < TB_MAX_GREFS)
		t->grefs[t->nr_grefs++] = ref;
}

unsigned int tb_take(struct tb *t, int only)
{
	struct tb_req *r;
	unsigned int q, got = 0;
	int n;

	for (q = 0; q < t->nq; q++) {
		if (only >= 0 && q != (unsigned int)only)
			continue;
		n = XPV_RING_BACK_REQ_AVAIL(&t->ring[q]);
		while (n-- > 0 && t->nr_reqs < TB_MAX_REQS) {
			r = &t->reqs[t->nr_reqs++];
			memset(r, 0, sizeof(*r));
			XPV_RING_BACK_TAKE_REQ(&t->ring[q], &r->raw);
			r->q = q;
			r->op = r->raw.operation;
			r->nr_segs = r->raw.nr_segments;
			r->sector = r->raw.sector_number;
			if (r->op == BLKIF_OP_INDIRECT) {
				const struct blkif_request_indirect *ind =
					(const void *)&r->raw;

				r->op = ind->indirect_op;
				r->nr_segs = ind->nr_segments;
				r->sector = ind->sector_number;
				t->seen_indirect++;
			} else if (r->op == BLKIF_OP_DISCARD) {
				const struct blkif_request_discard *d =
					(const void *)&r->raw;

				r->nr_sectors = d->nr_sectors;
				r->flag = d->flag;
			}
			if (r->op < 8)
				t->seen_ops[r->op]++;
			if (r->nr_segs > t->max_segs)
				t->max_segs = r->nr_segs;
			got++;
		}
	}
	return got;
}

static uint8_t *tb_map(struct tb *t, grant_ref_t ref, bool write)
{
	grant_entry_v1_t *e = fake_os_gnttab_entry(ref);

	if (!e || !(e->flags & GTF_permit_access) || e->domid != 0 ||
	    (write && (e->flags & GTF_readonly))) {
		t->bad_grants++;
		return NULL;
	}
	fake_os_gnttab_peer_map(ref, write);
	return fake_os_gfn_to_virt(e->frame);
}

static void tb_unmap(struct tb *t, grant_ref_t ref)
{
	if (!t->keep_mapped)
		fake_os_gnttab_peer_unmap(ref);
}

/* Moves one segment; returns its bytes, or -1. */
static int tb_seg(struct tb *t, const struct blkif_request_segment *s,
		  uint8_t op, uint64_t off)
{
	bool rd = op == BLKIF_OP_READ;
	uint8_t *page;
	size_t len;

	tb_note_gref(t, s->gref);
	if (s->first_sect > s->last_sect || s->last_sect > 7)
		return -1;
	len = (size_t)(s->last_sect - s->first_sect + 1) * 512;
	if (off > TB_DISK_BYTES || len > TB_DISK_BYTES - off)
		return -1;
	page = tb_map(t, s->gref, rd);
	if (!page)
		return -1;
	if (rd)
		memcpy(page + s->first_sect * 512, t->disk + off, len);
	else
		memcpy(t->disk + off, page + s->first_sect * 512, len);
	tb_unmap(t, s->gref);
	return (int)len;
}

static int tb_rw(struct tb *t, const struct tb_req *r)
{
	const struct blkif_request_indirect *ind = (const void *)&r->raw;
	struct blkif_request_segment *descs;
	uint64_t off = r->sector * 512;
	unsigned int k;
	int n;

	for (k = 0; k < r->nr_segs; k++) {
		if (r->raw.operation != BLKIF_OP_INDIRECT) {
			n = tb_seg(t, &r->raw.seg[k], r->op, off);
		} else {
			descs = (void *)tb_map(t, ind->indirect_grefs[k / 512],
					       false);
			if (!descs)
				return -1;
			n = tb_seg(t, &descs[k % 512], r->op, off);
			tb_unmap(t, ind->indirect_grefs[k / 512]);
		}
		if (n < 0)
			return -1;
		off += (uint64_t)n;
	}
	return 0;
}

void tb_put_rsp(struct tb *t, unsigned int q, uint64_t id, uint8_t op,
		int16_t status)
{
	blkif_back_ring_t *ring = &t->ring[q];
	struct blkif_response *rsp =
		RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	ring->rsp_prod_pvt++;
	RING_PUSH_RESPONSES(ring);
}

void tb_fire(struct tb *t, unsigned int q)
{
	fake_os_evtchn_fire(t->port[q]);
}

void tb_answer(struct tb *t, unsigned int i, int16_t status)
{
	struct tb_req r = t->reqs[i];
	uint8_t op = r.raw.operation;

	memmove(&t->reqs[i], &t->reqs[i + 1],
		(t->nr_reqs - i - 1) * sizeof(t->reqs[0]));
	t->nr_reqs--;
	if (status == BLKIF_RSP_OKAY) {
		if (r.op == BLKIF_OP_READ || r.op == BLKIF_OP_WRITE)
			status = tb_rw(t, &r) ? BLKIF_RSP_ERROR : status;
		else if (r.op == BLKIF_OP_DISCARD &&
			 r.sector * 512 < TB_DISK_BYTES)
			memset(t->disk + r.sector * 512, 0,
			       r.nr_sectors * 512 <
					       TB_DISK_BYTES - r.sector * 512
				       ? r.nr_sectors * 512
				       : TB_DISK_BYTES - r.sector * 512);
	}
	if (op == BLKIF_OP_INDIRECT && t->reply_indirect_op)
		op = r.op;
	tb_put_rsp(t, r.q, r.raw.id, op, status);
	tb_fire(t, r.q);
}

unsigned int tb_serve_all(struct tb *t)
{
	unsigned int n = 0;

	do {
		while (t->nr_reqs) {
			tb_answer(t, 0, BLKIF_RSP_OKAY);
			n++;
		}
	} while (tb_take(t, -1));
	return n;
}

void tb_destroy(struct tb *t)
{
	if (!t->dev)
		return;
	xpv_blkfront_close(t->dev);
	tb_vanish(t, XenbusStateClosed);
	xpv_blkfront_destroy(t->dev);
	t->dev = NULL;
}

/* ---- the caller's side -------------------------------------------------- */

void *tb_buf(unsigned int pages)
{
	return xpv_os_pages_alloc(pages);
}

void tb_buf_free(void *buf, unsigned int pages)
{
	unsigned int i;

	for (i = 0; buf && i < pages; i++)
		xpv_os_page_free((char *)buf + i * XPV_PAGE_SIZE);
}

static void tio_done(struct xpv_blkfront_req *r, int status)
{
	struct tio *io = r->priv;

	io->status = status;
	io->done++;
}

int tio_submit(struct tb *t, struct tio *io, enum xpv_blkfront_op op, void *buf,
	       size_t len, uint64_t sector)
{
	char *p = buf;
	size_t room;

	memset(io, 0, sizeof(*io));
	io->r.op = op;
	io->r.sector = sector;
	io->r.done = tio_done;
	io->r.priv = io;
	io->status = 1;
	if (op == XPV_BLKFRONT_DISCARD)
		io->r.nr_sectors = len / 512;
	while (buf && len && io->r.nr_segs < 128) {
		room = XPV_PAGE_SIZE - ((uintptr_t)p & (XPV_PAGE_SIZE - 1));
		io->segs[io->r.nr_segs].addr = p;
		io->segs[io->r.nr_segs].len = len < room ? len : room;
		p += io->segs[io->r.nr_segs].len;
		len -= io->segs[io->r.nr_segs].len;
		io->r.nr_segs++;
	}
	io->r.segs = io->r.nr_segs ? io->segs : NULL;
	return xpv_blkfront_submit(t->dev, &io->r);
}

int tio_submit_discard(struct tb *t, struct tio *io, uint64_t sector,
		       uint64_t nr, bool secure)
{
	memset(io, 0, sizeof(*io));
	io->r.op = XPV_BLKFRONT_DISCARD;
	io->r.sector = sector;
	io->r.nr_sectors = nr;
	io->r.secure = secure;
	io->r.done = tio_done;
	io->r.priv = io;
	io->status = 1;
	return xpv_blkfront_submit(t->dev, &io->r);
}
