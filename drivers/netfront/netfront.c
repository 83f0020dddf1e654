// SPDX-License-Identifier: MIT
/*
 * netfront's data path: the tx and rx rings of each queue, one grant per
 * buffer page (revoked as soon as the backend answers, before the data is
 * looked at), rx-copy mode only.  What the backend writes is checked by
 * netfront_check.c; a bad packet is dropped, a broken ring protocol marks
 * the device broken (xpv_netfront_fault) and the data path stops.
 */
#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_check.h"
#include "xenpv/compiler.h"

#define RING_MASK (XPV_NETFRONT_RING_SIZE - 1)
/* Log the first refusals of each kind in full, then only count them. */
#define NF_LOUD_DROPS 16

void xpv_netfront_default_config(struct xpv_netfront_config *c)
{
	xpv_memset(c, 0, sizeof(*c));
	c->max_queues = 1;
	c->rx_bufs = XPV_NETFRONT_RING_SIZE;
	c->tx_bufs = XPV_NETFRONT_RING_SIZE;
	c->features = XPV_NETFRONT_F_ALL;
}

static bool nf_bufs_ok(unsigned int n)
{
	return n >= XPV_NETFRONT_MIN_BUFS && n <= XPV_NETFRONT_RING_SIZE;
}

int xpv_netfront_init(struct xpv_netfront *nf,
		      const struct xpv_netfront_config *cfg,
		      const struct xpv_netfront_ops *ops, void *arg)
{
	unsigned int i, per_q;
	int err;

	xpv_memset(nf, 0, sizeof(*nf));
	if (!cfg || !ops || !ops->rx || cfg->max_queues == 0 ||
	    cfg->max_queues > XPV_NETFRONT_MAX_QUEUES ||
	    !nf_bufs_ok(cfg->rx_bufs) || !nf_bufs_ok(cfg->tx_bufs) ||
	    (cfg->features & ~XPV_NETFRONT_F_ALL))
		return -XPV_EINVAL;
	nf->cfg = *cfg;
	nf->ops = ops;
	nf->arg = arg;
	nf->state = XenbusStateInitialising;
	err = xpv_xenbus_frontend_path(nf->path, sizeof(nf->path), "vif",
				       cfg->devid);
	if (err < 0)
		return err;
	nf->lock = xpv_os_lock_new();
	if (!nf->lock)
		return -XPV_ENOMEM;
	for (i = 0; i < cfg->max_queues; i++) {
		struct xpv_netfront_queue *q = &nf->q[i];

		q->nf = nf;
		q->idx = i;
		q->tx_lock = xpv_os_lock_new();
		q->rx_lock = xpv_os_lock_new();
		if (!q->tx_lock || !q->rx_lock) {
			xpv_netfront_destroy(nf);
			return -XPV_ENOMEM;
		}
	}
	per_q = cfg->tx_bufs + cfg->rx_bufs + 2;
	err = xpv_gntalloc_init(&nf->gnt, cfg->max_queues * per_q);
	if (err) {
		xpv_netfront_destroy(nf);
		return err;
	}
	nf->gnt_ready = true;
	return 0;
}

unsigned int xpv_netfront_destroy(struct xpv_netfront *nf)
{
	unsigned int i;

	for (i = 0; i < XPV_NETFRONT_MAX_QUEUES; i++) {
		struct xpv_netfront_queue *q = &nf->q[i];

		if (q->tx_lock && q->rx_lock)
			xpv_netfront_queue_teardown(q);
		xpv_os_lock_free(q->tx_lock);
		xpv_os_lock_free(q->rx_lock);
		q->tx_lock = q->rx_lock = NULL;
	}
	if (nf->gnt_ready)
		nf->gnt_leaked += xpv_gntalloc_destroy(&nf->gnt);
	nf->gnt_ready = false;
	xpv_os_lock_free(nf->lock);
	nf->lock = NULL;
	return nf->gnt_leaked;
}

void xpv_netfront_fault(struct xpv_netfront *nf, const char *reason)
{
	bool first;

	xpv_os_lock(nf->lock);
	first = !nf->broken;
	if (first) {
		XPV_WRITE_ONCE(nf->broken, true);
		xpv_os_snprintf(nf->reason, sizeof(nf->reason), "%s", reason);
	}
	nf->protocol_errors++;
	xpv_os_unlock(nf->lock);
	if (!first)
		return;
	xpv_err("netfront %s: backend broke the protocol: %s\n", nf->path,
		reason);
	if (nf->ops->kick)
		nf->ops->kick(nf->arg);
}

static bool nf_broken(struct xpv_netfront *nf)
{
	return XPV_READ_ONCE(nf->broken);
}

/* Pages are counted from the tx and the rx side, under different locks. */
static void nf_pages(struct xpv_netfront_queue *q, int delta)
{
	__atomic_fetch_add(&q->pages, (unsigned int)delta, __ATOMIC_RELAXED);
}

/*
 * Revoke a buffer's grant.  0: ref and page are ours again.  -XPV_EBUSY:
 * the backend still maps the page, so both are parked with the allocator
 * (the page is freed once it lets go) and no longer ours.
 */
static int nf_revoke(struct xpv_netfront_queue *q, grant_ref_t ref,
		     void **page)
{
	int err = xpv_gntalloc_end(&q->nf->gnt, ref);

	if (err != -XPV_EBUSY)
		return err;
	xpv_gntalloc_end_put(&q->nf->gnt, ref, *page);
	*page = NULL;
	nf_pages(q, -1);
	return -XPV_EBUSY;
}

/* Give back a buffer that is not granted. */
static void nf_buf_free(struct xpv_netfront_queue *q, grant_ref_t *ref,
			bool *have_ref, void **page)
{
	if (*have_ref)
		xpv_gntalloc_put(&q->nf->gnt, ref, 1);
	*have_ref = false;
	if (*page) {
		xpv_os_page_free(*page);
		nf_pages(q, -1);
	}
	*page = NULL;
}

static int nf_buf_ensure(struct xpv_netfront_queue *q, grant_ref_t *ref,
			 bool *have_ref, void **page)
{
	if (!*page) {
		*page = xpv_os_page_alloc();
		if (!*page)
			return -XPV_ENOMEM;
		nf_pages(q, 1);
	}
	if (!*have_ref) {
		if (xpv_gntalloc_get(&q->nf->gnt, ref, 1))
			return -XPV_ENOSPC;
		*have_ref = true;
	}
	return 0;
}

static void nf_log_drop(struct xpv_netfront_queue *q, unsigned long long n,
			const char *dir, const char *why)
{
	if (n < NF_LOUD_DROPS)
		xpv_warn("netfront %s q%u: %s packet dropped: %s\n",
			 q->nf->path, q->idx, dir, why);
	else
		xpv_dbg("netfront %s q%u: %s packet dropped: %s\n",
			q->nf->path, q->idx, dir, why);
}

/* ---- tx ------------------------------------------------------------------ */

/* A data slot answered: revoke, retire the id. */
static void tx_done(struct xpv_netfront_queue *q, unsigned int id,
		    int16_t status)
{
	struct xpv_netfront_txbuf *b = &q->txb[id];

	if (b->granted && nf_revoke(q, b->ref, &b->page) == -XPV_EBUSY) {
		b->have_ref = false;
		xpv_netfront_fault(q->nf, "tx grant still mapped after its "
					  "response");
	}
	b->granted = false;
	if (status != NETIF_RSP_OKAY && b->head)
		q->st.tx_errors++;
	xpv_ring_ids_put(&q->tx_ids, id);
}

/* Take tx responses (tx lock held); true if a slot was freed. */
static bool tx_reap_locked(struct xpv_netfront_queue *q)
{
	struct netif_tx_response rsp;
	const char *why = NULL;
	unsigned int id;
	bool freed = false;
	int n, r;

	do {
		n = XPV_RING_FRONT_RSP_AVAIL(&q->tx);
		if (n < 0) {
			xpv_netfront_fault(q->nf, "tx rsp_prod overflow");
			return freed;
		}
		while (n-- > 0) {
			XPV_RING_FRONT_TAKE_RSP(&q->tx, &rsp);
			freed = true;
			r = xpv_netfront_check_tx_rsp(&q->tx_ids, &rsp, &id,
						      &why);
			if (r < 0) {
				xpv_netfront_fault(q->nf, why);
				return freed;
			}
			if (r == 0)
				tx_done(q, id, rsp.status);
		}
	} while (XPV_RING_FRONT_FINAL_CHECK(&q->tx));
	return freed;
}

void xpv_netfront_tx_reap(struct xpv_netfront *nf, unsigned int queue)
{
	struct xpv_netfront_queue *q = &nf->q[queue % XPV_NETFRONT_MAX_QUEUES];
	bool wake = false;

	if (!q->tx_lock)
		return;
	xpv_os_lock(q->tx_lock);
	if (q->up && !nf_broken(nf) && tx_reap_locked(q) && q->tx_stopped) {
		q->tx_stopped = false;
		wake = true;
	}
	xpv_os_unlock(q->tx_lock);
	if (wake && nf->ops->tx_wake)
		nf->ops->tx_wake(nf->arg, q->idx);
}

static void tx_copy(uint8_t *dst, size_t n, const struct xpv_netfront_pkt *p,
		    unsigned int *fi, size_t *foff)
{
	while (n && *fi < p->nr_frags) {
		const struct xpv_netfront_frag *f = &p->frags[*fi];
		size_t c = f->len - *foff;

		if (c == 0) {
			(*fi)++;
			*foff = 0;
			continue;
		}
		if (c > n)
			c = n;
		xpv_memcpy(dst, (const uint8_t *)f->data + *foff, c);
		dst += c;
		n -= c;
		*foff += c;
	}
}

static void tx_push_extra(struct xpv_netfront_queue *q,
			  const struct xpv_netfront_pkt *pkt)
{
	struct netif_tx_request slot;
	struct netif_extra_info x;

	xpv_memset(&slot, 0, sizeof(slot));
	xpv_memset(&x, 0, sizeof(x));
	x.type = XEN_NETIF_EXTRA_TYPE_GSO;
	x.u.gso.size = pkt->gso_size;
	x.u.gso.type = pkt->gso_type;
	xpv_memcpy(&slot, &x, sizeof(x));
	*RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt) = slot;
	q->tx.req_prod_pvt++;
}

static uint16_t tx_first_flags(const struct xpv_netfront_pkt *pkt)
{
	uint16_t f = 0;

	if (pkt->flags & XPV_NETFRONT_PKT_CSUM_BLANK)
		f |= NETTXF_csum_blank | NETTXF_data_validated;
	if (pkt->flags & XPV_NETFRONT_PKT_DATA_VALID)
		f |= NETTXF_data_validated;
	if (pkt->gso_type)
		f |= NETTXF_extra_info;
	return f;
}

/* Copy, grant and queue the slots of a frame whose ids are in @ids. */
static void tx_fill(struct xpv_netfront_queue *q,
		    const struct xpv_netfront_pkt *pkt, const int *ids,
		    unsigned int slots)
{
	struct xpv_netfront *nf = q->nf;
	unsigned int s, fi = 0;
	size_t foff = 0, left = pkt->len;

	for (s = 0; s < slots; s++) {
		struct xpv_netfront_txbuf *b = &q->txb[ids[s]];
		size_t chunk = left < XPV_PAGE_SIZE ? left : XPV_PAGE_SIZE;
		struct netif_tx_request req = {
			.gref = b->ref,
			.id = (uint16_t)ids[s],
			.size = (uint16_t)(s == 0 ? pkt->len : chunk),
			.flags = s == 0 ? tx_first_flags(pkt) : 0,
		};

		if (s + 1 < slots)
			req.flags |= NETTXF_more_data;
		tx_copy(b->page, chunk, pkt, &fi, &foff);
		left -= chunk;
		xpv_gntalloc_grant(&nf->gnt, b->ref, nf->backend_id, b->page,
				   true);
		b->granted = true;
		b->head = s == 0;
		*RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt) = req;
		q->tx.req_prod_pvt++;
		if (s == 0 && pkt->gso_type)
			tx_push_extra(q, pkt);
	}
	q->st.tx_packets++;
	q->st.tx_bytes += pkt->len;
}

/* Ids and buffers for @slots data slots, or an error with none taken. */
static int tx_reserve(struct xpv_netfront_queue *q, int *ids,
		      unsigned int slots)
{
	unsigned int s;
	int err = 0;

	for (s = 0; s < slots && !err; s++) {
		struct xpv_netfront_txbuf *b;

		ids[s] = xpv_ring_ids_get(&q->tx_ids);
		b = &q->txb[ids[s]];
		err = nf_buf_ensure(q, &b->ref, &b->have_ref, &b->page);
	}
	if (err) {
		while (s-- > 0)
			xpv_ring_ids_put(&q->tx_ids, (unsigned int)ids[s]);
	}
	return err;
}

static bool tx_room(struct xpv_netfront_queue *q, unsigned int slots,
		    unsigned int need)
{
	return RING_FREE_REQUESTS(&q->tx) >= need &&
	       q->tx_ids.nr_free >= slots;
}

static int tx_xmit_locked(struct xpv_netfront_queue *q,
			  const struct xpv_netfront_pkt *pkt, bool *notify)
{
	struct xpv_netfront *nf = q->nf;
	int ids[XPV_NETFRONT_MAX_SLOTS];
	const char *why = NULL;
	unsigned int need;
	int slots, err;

	if (!q->up || nf_broken(nf))
		return -XPV_ESHUTDOWN;
	slots = xpv_netfront_check_tx_pkt(pkt, nf->info.tx_features, &why);
	if (slots < 0) {
		nf_log_drop(q, q->st.tx_dropped++, "tx", why);
		return slots;
	}
	need = (unsigned int)slots + (pkt->gso_type ? 1 : 0);
	if (!tx_room(q, (unsigned int)slots, need) &&
	    (!tx_reap_locked(q) || !tx_room(q, (unsigned int)slots, need))) {
		q->tx_stopped = true;
		return nf_broken(nf) ? -XPV_ESHUTDOWN : -XPV_EAGAIN;
	}
	err = tx_reserve(q, ids, (unsigned int)slots);
	if (err) {
		q->st.tx_dropped++;
		return -XPV_ENOMEM;
	}
	tx_fill(q, pkt, ids, (unsigned int)slots);
	*notify = XPV_RING_FRONT_PUSH(&q->tx);
	return 0;
}

int xpv_netfront_xmit(struct xpv_netfront *nf, unsigned int queue,
		      const struct xpv_netfront_pkt *pkt)
{
	unsigned int nq = XPV_READ_ONCE(nf->info.nr_queues);
	struct xpv_netfront_queue *q;
	bool notify = false;
	int err;

	if (nq == 0 || nq > nf->cfg.max_queues)
		return -XPV_ESHUTDOWN;
	q = &nf->q[queue % nq];
	xpv_os_lock(q->tx_lock);
	err = tx_xmit_locked(q, pkt, &notify);
	xpv_os_unlock(q->tx_lock);
	if (notify)
		xpv_os_evtchn_notify(q->tx_port);
	return err;
}

/* ---- rx ------------------------------------------------------------------ */

/* Post buffers up to the target (rx lock held); false if one was short. */
static bool rx_refill_locked(struct xpv_netfront_queue *q)
{
	struct xpv_netfront *nf = q->nf;
	bool pushed = false, ok = true;

	while (q->rx.req_prod_pvt - q->rx.rsp_cons < nf->cfg.rx_bufs) {
		unsigned int slot = q->rx.req_prod_pvt & RING_MASK;
		struct xpv_netfront_rxbuf *b = &q->rxb[slot];
		struct netif_rx_request req;

		if (!b->posted && !b->page && !b->have_ref && q->rx_nspare)
			*b = q->rx_spare[--q->rx_nspare];
		if (b->posted || nf_buf_ensure(q, &b->ref, &b->have_ref,
					       &b->page)) {
			ok = false;
			break;
		}
		xpv_gntalloc_grant(&nf->gnt, b->ref, nf->backend_id, b->page,
				   false);
		b->posted = true;
		q->rx_posted[slot] = 1;
		req = (struct netif_rx_request){ .id = (uint16_t)slot,
						 .gref = b->ref };
		*RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt) = req;
		q->rx.req_prod_pvt++;
		pushed = true;
	}
	q->rx_refill = !ok;
	if (pushed && XPV_RING_FRONT_PUSH(&q->rx))
		xpv_os_evtchn_notify(q->rx_port);
	return ok;
}

void xpv_netfront_rx_refill(struct xpv_netfront_queue *q)
{
	bool ok = true;

	xpv_os_lock(q->rx_lock);
	if (q->up && !nf_broken(q->nf))
		ok = rx_refill_locked(q);
	xpv_os_unlock(q->rx_lock);
	if (!ok && q->nf->ops->kick)
		q->nf->ops->kick(q->nf->arg);
}

static void rx_deliver(struct xpv_netfront_queue *q,
		       const struct xpv_netfront_rx_pkt *p)
{
	struct xpv_netfront_pkt out;
	unsigned int i;

	xpv_memset(&out, 0, sizeof(out));
	out.nr_frags = p->nr_frags;
	for (i = 0; i < p->nr_frags; i++) {
		const struct xpv_netfront_rx_frag *f = &p->frags[i];

		out.frags[i].data = (const uint8_t *)q->rxb[f->slot].page +
				    f->offset;
		out.frags[i].len = f->len;
	}
	out.len = p->len;
	out.flags = p->flags;
	out.gso_type = p->gso_type;
	out.gso_size = p->gso_size;
	q->st.rx_packets++;
	q->st.rx_bytes += p->len;
	q->nf->ops->rx(q->nf->arg, q->idx, &out);
}

/* A consumed slot's buffer goes to the spares, for the next slot posted. */
static void rx_recycle(struct xpv_netfront_queue *q,
		       struct xpv_netfront_rxbuf *b)
{
	if (!b->page || !b->have_ref ||
	    q->rx_nspare == XPV_NETFRONT_RING_SIZE)
		return;
	q->rx_spare[q->rx_nspare++] = (struct xpv_netfront_rxbuf){
		.page = b->page, .ref = b->ref, .have_ref = true };
	b->page = NULL;
	b->have_ref = false;
}

/* Revoke the packet's buffers, then deliver or drop it, then consume. */
static void rx_finish(struct xpv_netfront_queue *q,
		      const struct xpv_netfront_rx_pkt *p, bool good)
{
	bool busy = false;
	unsigned int s;

	for (s = 0; s < p->nr_slots; s++) {
		unsigned int slot = (q->rx.rsp_cons + s) & RING_MASK;
		struct xpv_netfront_rxbuf *b = &q->rxb[slot];

		if (b->posted && nf_revoke(q, b->ref, &b->page) == -XPV_EBUSY) {
			b->have_ref = false;
			busy = true;
		}
		b->posted = false;
		q->rx_posted[slot] = 0;
	}
	if (busy) {
		/* rx-copy: the backend has no business mapping our buffers. */
		xpv_netfront_fault(q->nf,
				   "rx grant still mapped by the backend");
	} else if (good) {
		rx_deliver(q, p);
	} else if (p->backend_error) {
		q->st.rx_errors++;
	} else {
		nf_log_drop(q, q->st.rx_dropped++, "rx", p->reason);
	}
	for (s = 0; s < p->nr_slots; s++)
		rx_recycle(q, &q->rxb[(q->rx.rsp_cons + s) & RING_MASK]);
	q->rx.rsp_cons += p->nr_slots;
}

/*
 * One packet: 1 taken (delivered or dropped), 0 none waiting, -XPV_EAGAIN
 * its chain is incomplete (*seen: the rsp_prod looked at), -XPV_EPROTO.
 */
static int rx_one(struct xpv_netfront_queue *q, RING_IDX *seen)
{
	struct netif_rx_response rsps[XPV_NETFRONT_MAX_CHAIN];
	struct xpv_netfront_rx_ctx c = { .cons = q->rx.rsp_cons,
					 .posted = q->rx_posted,
					 .features = q->nf->info.rx_features };
	struct xpv_netfront_rx_pkt p;
	int n, m, i, r;

	n = XPV_RING_FRONT_RSP_AVAIL(&q->rx);
	if (n < 0) {
		xpv_netfront_fault(q->nf, "rx rsp_prod overflow");
		return n;
	}
	if (n == 0)
		return 0;
	m = n < (int)XPV_NETFRONT_MAX_CHAIN ? n : (int)XPV_NETFRONT_MAX_CHAIN;
	for (i = 0; i < m; i++)
		RING_COPY_RESPONSE(&q->rx, q->rx.rsp_cons + i, &rsps[i]);
	r = xpv_netfront_check_rx_rsp(&c, rsps, (unsigned int)m, &p);
	if (r == -XPV_EAGAIN) {
		*seen = q->rx.rsp_cons + (RING_IDX)n;
		return r;
	}
	if (r == -XPV_EPROTO) {
		xpv_netfront_fault(q->nf, p.reason);
		return r;
	}
	rx_finish(q, &p, r == 0);
	return nf_broken(q->nf) ? -XPV_EPROTO : 1;
}

/* Ask for an event once responses beyond @seen arrive; true if they did. */
static bool rx_rearm_after(struct xpv_netfront_queue *q, RING_IDX seen)
{
	XPV_WRITE_ONCE(q->rx.sring->rsp_event, seen + 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return xpv_ring_read_prod(&q->rx.sring->rsp_prod) != seen;
}

static unsigned int rx_poll_locked(struct xpv_netfront_queue *q,
				   unsigned int budget)
{
	unsigned int done = 0;
	RING_IDX seen = 0;
	int r;

	while (done < budget) {
		r = rx_one(q, &seen);
		if (r > 0) {
			done++;
			/* Recycle as we go so a burst can't starve the ring. */
			if ((done & 15) == 0)
				rx_refill_locked(q);
			continue;
		}
		if (r == 0 && XPV_RING_FRONT_FINAL_CHECK(&q->rx))
			continue;
		if (r == -XPV_EAGAIN && rx_rearm_after(q, seen))
			continue;
		break;
	}
	if (!nf_broken(q->nf))
		rx_refill_locked(q);
	return done;
}

unsigned int xpv_netfront_rx_poll(struct xpv_netfront *nf, unsigned int queue,
				  unsigned int budget)
{
	struct xpv_netfront_queue *q;
	unsigned int done = 0;
	bool kick;

	if (queue >= nf->cfg.max_queues)
		return 0;
	q = &nf->q[queue];
	xpv_os_lock(q->rx_lock);
	if (q->up && !nf_broken(nf))
		done = rx_poll_locked(q, budget);
	kick = q->rx_refill;
	xpv_os_unlock(q->rx_lock);
	if (kick && nf->ops->kick)
		nf->ops->kick(nf->arg);
	return done;
}

/* ---- events -------------------------------------------------------------- */

static void nf_rx_event(struct xpv_netfront_queue *q)
{
	struct xpv_netfront *nf = q->nf;

	if (nf->ops->rx_schedule) {
		nf->ops->rx_schedule(nf->arg, q->idx);
		return;
	}
	while (xpv_netfront_rx_poll(nf, q->idx, 64) == 64)
		;
}

static void nf_tx_irq(evtchn_port_t port, void *arg)
{
	struct xpv_netfront_queue *q = arg;

	xpv_netfront_tx_reap(q->nf, q->idx);
}

static void nf_rx_irq(evtchn_port_t port, void *arg)
{
	nf_rx_event(arg);
}

static void nf_irq(evtchn_port_t port, void *arg)
{
	struct xpv_netfront_queue *q = arg;

	xpv_netfront_tx_reap(q->nf, q->idx);
	nf_rx_event(q);
}

/* ---- connection ---------------------------------------------------------- */

static int nf_ring_page(struct xpv_netfront_queue *q, void **page,
			grant_ref_t *ref)
{
	struct xpv_netfront *nf = q->nf;

	*page = xpv_os_page_alloc();
	if (!*page)
		return -XPV_ENOMEM;
	nf_pages(q, 1);
	if (xpv_gntalloc_get(&nf->gnt, ref, 1)) {
		xpv_os_page_free(*page);
		nf_pages(q, -1);
		*page = NULL;
		return -XPV_ENOSPC;
	}
	return xpv_gntalloc_grant(&nf->gnt, *ref, nf->backend_id, *page,
				  false);
}

static void nf_ring_free(struct xpv_netfront_queue *q, void **page,
			 grant_ref_t ref)
{
	if (!*page)
		return;
	if (nf_revoke(q, ref, page) == 0) {
		xpv_gntalloc_put(&q->nf->gnt, &ref, 1);
		xpv_os_page_free(*page);
		nf_pages(q, -1);
	}
	*page = NULL;
}

static int nf_bind(struct xpv_netfront_queue *q, bool split)
{
	domid_t be = q->nf->backend_id;
	int err;

	err = xpv_os_evtchn_alloc_unbound(be, &q->tx_port);
	if (err)
		return err;
	q->tx_bound = true;
	q->rx_port = q->tx_port;
	if (!split)
		return xpv_os_evtchn_bind_handler(q->tx_port, nf_irq, q);
	err = xpv_os_evtchn_alloc_unbound(be, &q->rx_port);
	if (err)
		return err;
	q->rx_bound = true;
	err = xpv_os_evtchn_bind_handler(q->tx_port, nf_tx_irq, q);
	return err ? err : xpv_os_evtchn_bind_handler(q->rx_port, nf_rx_irq, q);
}

int xpv_netfront_queue_connect(struct xpv_netfront_queue *q, bool split)
{
	unsigned int nbufs = q->nf->cfg.tx_bufs;
	int err;

	xpv_netfront_queue_teardown(q);
	err = nf_ring_page(q, &q->tx_sring, &q->tx_ring_ref);
	if (!err)
		err = nf_ring_page(q, &q->rx_sring, &q->rx_ring_ref);
	if (!err) {
		XPV_RING_FRONT_INIT(&q->tx, (netif_tx_sring_t *)q->tx_sring,
				    XPV_PAGE_SIZE);
		XPV_RING_FRONT_INIT(&q->rx, (netif_rx_sring_t *)q->rx_sring,
				    XPV_PAGE_SIZE);
		if (RING_SIZE(&q->tx) != XPV_NETFRONT_RING_SIZE ||
		    RING_SIZE(&q->rx) != XPV_NETFRONT_RING_SIZE)
			err = -XPV_EINVAL;
	}
	if (!err)
		err = xpv_ring_ids_init(&q->tx_ids, nbufs);
	if (!err) {
		q->txb = xpv_os_zalloc(nbufs * sizeof(*q->txb));
		err = q->txb ? 0 : -XPV_ENOMEM;
	}
	if (!err)
		err = nf_bind(q, split);
	if (err)
		xpv_netfront_queue_teardown(q);
	return err;
}

void xpv_netfront_queue_go(struct xpv_netfront_queue *q)
{
	xpv_os_lock(q->tx_lock);
	xpv_os_lock(q->rx_lock);
	q->up = q->tx_sring && q->rx_sring;
	xpv_os_unlock(q->rx_lock);
	xpv_os_unlock(q->tx_lock);
	xpv_netfront_rx_refill(q);
}

static void nf_tx_release(struct xpv_netfront_queue *q)
{
	unsigned int id;

	for (id = 0; q->txb && id < q->tx_ids.nr; id++) {
		struct xpv_netfront_txbuf *b = &q->txb[id];

		if (b->granted && nf_revoke(q, b->ref, &b->page) == -XPV_EBUSY)
			b->have_ref = false;
		if (q->tx_ids.busy[id] && b->head)
			q->st.tx_dropped++;
		b->granted = false;
		nf_buf_free(q, &b->ref, &b->have_ref, &b->page);
	}
	xpv_os_free(q->txb);
	q->txb = NULL;
	if (q->tx_ids.nr)
		xpv_ring_ids_destroy(&q->tx_ids);
	xpv_memset(&q->tx, 0, sizeof(q->tx));
}

static void nf_rx_release(struct xpv_netfront_queue *q)
{
	unsigned int slot;

	for (slot = 0; slot < XPV_NETFRONT_RING_SIZE; slot++) {
		struct xpv_netfront_rxbuf *b = &q->rxb[slot];

		if (b->posted && nf_revoke(q, b->ref, &b->page) == -XPV_EBUSY)
			b->have_ref = false;
		b->posted = false;
		q->rx_posted[slot] = 0;
		nf_buf_free(q, &b->ref, &b->have_ref, &b->page);
	}
	while (q->rx_nspare) {
		struct xpv_netfront_rxbuf *b = &q->rx_spare[--q->rx_nspare];

		nf_buf_free(q, &b->ref, &b->have_ref, &b->page);
	}
	q->rx_refill = false;
	xpv_memset(&q->rx, 0, sizeof(q->rx));
}

void xpv_netfront_queue_teardown(struct xpv_netfront_queue *q)
{
	xpv_os_lock(q->tx_lock);
	xpv_os_lock(q->rx_lock);
	q->up = false;
	q->tx_stopped = false;
	xpv_os_unlock(q->rx_lock);
	xpv_os_unlock(q->tx_lock);
	/* Closing waits out running handlers: no one else touches the rings. */
	if (q->rx_bound)
		xpv_os_evtchn_close(q->rx_port);
	if (q->tx_bound)
		xpv_os_evtchn_close(q->tx_port);
	q->tx_bound = q->rx_bound = false;
	q->tx_port = q->rx_port = 0;
	xpv_os_lock(q->tx_lock);
	nf_tx_release(q);
	xpv_os_unlock(q->tx_lock);
	xpv_os_lock(q->rx_lock);
	nf_rx_release(q);
	xpv_os_unlock(q->rx_lock);
	nf_ring_free(q, &q->tx_sring, q->tx_ring_ref);
	nf_ring_free(q, &q->rx_sring, q->rx_ring_ref);
}

/* ---- queries ------------------------------------------------------------ */

void xpv_netfront_get_info(struct xpv_netfront *nf,
			   struct xpv_netfront_info *info)
{
	xpv_os_lock(nf->lock);
	*info = nf->info;
	xpv_os_unlock(nf->lock);
}

bool xpv_netfront_connected(struct xpv_netfront *nf)
{
	bool up;

	xpv_os_lock(nf->lock);
	up = nf->link_up && !nf->broken;
	xpv_os_unlock(nf->lock);
	return up;
}

static void nf_queue_stats(struct xpv_netfront_queue *q,
			   struct xpv_netfront_stats *st)
{
	xpv_os_lock(q->tx_lock);
	st->tx_packets += q->st.tx_packets;
	st->tx_bytes += q->st.tx_bytes;
	st->tx_errors += q->st.tx_errors;
	st->tx_dropped += q->st.tx_dropped;
	if (q->tx_ids.nr)
		st->tx_in_flight += xpv_ring_ids_in_flight(&q->tx_ids);
	xpv_os_unlock(q->tx_lock);
	xpv_os_lock(q->rx_lock);
	st->rx_packets += q->st.rx_packets;
	st->rx_bytes += q->st.rx_bytes;
	st->rx_errors += q->st.rx_errors;
	st->rx_dropped += q->st.rx_dropped;
	if (q->up)
		st->rx_posted += q->rx.req_prod_pvt - q->rx.rsp_cons;
	xpv_os_unlock(q->rx_lock);
	st->pages += __atomic_load_n(&q->pages, __ATOMIC_RELAXED);
}

void xpv_netfront_stats(struct xpv_netfront *nf,
			struct xpv_netfront_stats *st)
{
	struct xpv_gntalloc_stats gs;
	unsigned int i;

	xpv_memset(st, 0, sizeof(*st));
	for (i = 0; i < nf->cfg.max_queues; i++)
		nf_queue_stats(&nf->q[i], st);
	if (nf->gnt_ready) {
		xpv_gntalloc_stats(&nf->gnt, &gs);
		st->gnt_refs = gs.nr_refs;
		st->gnt_deferred = gs.nr_deferred;
		st->gnt_outstanding = xpv_gntalloc_outstanding(&nf->gnt);
	}
	xpv_os_lock(nf->lock);
	st->broken = nf->broken;
	xpv_memcpy(st->reason, nf->reason, sizeof(st->reason));
	st->protocol_errors = nf->protocol_errors;
	st->connects = nf->connects;
	st->gnt_leaked = nf->gnt_leaked;
	xpv_os_unlock(nf->lock);
}
