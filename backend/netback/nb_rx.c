// SPDX-License-Identifier: MIT
/*
 * TAP -> guest rx.  A frame is read with its virtio_net_hdr, planned
 * (slots, flags, GSO extra), and grant-copied page by page into the
 * buffers the frontend posted, as Linux netback fills them: data from
 * offset 0, the GSO extra info in the slot after the first.  With too few
 * requests posted the frame waits and the TAP is left unread until the
 * frontend posts more and notifies (feature-rx-notify).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/netback/netback.h"

static int nb_rx_read(struct xpv_netback_queue *q)
{
	struct iovec iov[2] = {
		{&q->rx_hdr, sizeof(q->rx_hdr)},
		{q->rx_buf, XPV_NETBACK_MAX_FRAME},
	};
	ssize_t n = readv(q->tap_fd, iov, 2);

	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(q->rx_hdr)) {
		q->st.rx_dropped++;
		return 0;
	}
	q->rx_len = n - sizeof(q->rx_hdr);
	q->rx_have = true;
	return 0;
}

static void nb_rx_extra(netif_rx_response_t *rsp,
			const struct xpv_netback_rx_plan *p)
{
	struct netif_extra_info x;

	memset(&x, 0, sizeof(x));
	x.type = XEN_NETIF_EXTRA_TYPE_GSO;
	x.u.gso.size = p->gso_size;
	x.u.gso.type = p->gso_type;
	/* The extra info takes the place of a response in the ring. */
	memcpy(rsp, &x, sizeof(x));
}

/* Slot index in the ring of data piece @k. */
static unsigned int nb_rx_slot(const struct xpv_netback_rx_plan *p,
			       unsigned int k)
{
	return k == 0 || p->gso_type == XEN_NETIF_GSO_TYPE_NONE ? k : k + 1;
}

static void nb_rx_deliver(struct xpv_netback_queue *q,
			  const struct xpv_netback_rx_plan *p)
{
	struct xpv_netback *nb = q->vif->nb;
	RING_IDX cons = q->rx.req_cons;
	netif_rx_request_t req[XPV_NETBACK_MAX_SLOTS + 2];
	unsigned int k, s;
	bool ok = true;

	for (s = 0; s < p->nr_slots; s++)
		RING_COPY_REQUEST(&q->rx, cons + s, &req[s]);
	for (k = 0; k < p->nr_data; k++) {
		struct xpv_xenops_copy *c = &q->segs[k];
		size_t left = q->rx_len - (size_t)k * XPV_PAGE_SIZE;

		memset(c, 0, sizeof(*c));
		c->source.virt = q->rx_buf + (size_t)k * XPV_PAGE_SIZE;
		c->dest.foreign.ref = req[nb_rx_slot(p, k)].gref;
		c->dest.foreign.domid = q->vif->fe_domid;
		c->len = left < XPV_PAGE_SIZE ? left : XPV_PAGE_SIZE;
		c->flags = GNTCOPY_dest_gref;
	}
	if (xpv_xenops_copy(nb->x, q->segs, p->nr_data))
		ok = false;
	for (k = 0; k < p->nr_data; k++) {
		netif_rx_response_t *r =
			RING_GET_RESPONSE(&q->rx, cons + nb_rx_slot(p, k));

		if (q->segs[k].status != GNTST_okay)
			ok = false;
		r->id = req[nb_rx_slot(p, k)].id;
		r->offset = 0;
		r->flags = (k == 0 ? p->flags : 0) |
			   (k + 1 < p->nr_data ? NETRXF_more_data : 0);
		r->status = q->segs[k].status == GNTST_okay ? q->segs[k].len
							    : NETIF_RSP_ERROR;
	}
	if (p->gso_type != XEN_NETIF_GSO_TYPE_NONE)
		nb_rx_extra(RING_GET_RESPONSE(&q->rx, cons + 1), p);
	q->rx.req_cons += p->nr_slots;
	q->rx.rsp_prod_pvt += p->nr_slots;
	if (ok) {
		q->st.rx_packets++;
		q->st.rx_bytes += q->rx_len;
	} else {
		q->st.rx_errors++;
		xpv_netback_log_peer(nb, "vif%u.%u: rx grant copy failed",
				     q->vif->fe_domid, q->vif->devid);
	}
}

/* Enough requests posted for @need slots?  If not, ask to be told. */
static int nb_rx_room(struct xpv_netback_queue *q, unsigned int need)
{
	int avail = XPV_RING_BACK_REQ_AVAIL(&q->rx);

	if (avail < 0 || (unsigned int)avail >= need)
		return avail;
	q->rx.sring->req_event = q->rx.req_cons + need;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return XPV_RING_BACK_REQ_AVAIL(&q->rx);
}

/* 1 delivered or dropped, 0 nothing to do now, -1 the vif broke. */
static int nb_rx_one(struct xpv_netback_queue *q)
{
	struct xpv_netback_rx_plan p;
	int avail;

	if (!q->rx_have) {
		int err = nb_rx_read(q);

		if (err) {
			xpv_netback_tap_arm(q, true);
			return 0;
		}
		if (!q->rx_have)
			return 1;
	}
	if (xpv_netback_rx_plan(&q->rx_hdr, q->rx_buf, q->rx_len, &q->vif->rxf,
				&p)) {
		xpv_netback_log_peer(q->vif->nb, "vif%u.%u: rx dropped: %s",
				     q->vif->fe_domid, q->vif->devid, p.reason);
		q->st.rx_dropped++;
		q->rx_have = false;
		return 1;
	}
	avail = nb_rx_room(q, p.nr_slots);
	if (avail < 0) {
		snprintf(q->vif->reason, sizeof(q->vif->reason),
			 "rx: req_prod overflow");
		q->vif->broken = true;
		return -1;
	}
	if ((unsigned int)avail < p.nr_slots) {
		q->rx_stalled = true;
		xpv_netback_tap_arm(q, false);
		return 0;
	}
	if (p.sw_csum)
		xpv_netback_finish_csum(q->rx_buf, q->rx_len,
					q->rx_hdr.csum_start,
					q->rx_hdr.csum_offset);
	nb_rx_deliver(q, &p);
	q->rx_have = false;
	return 1;
}

bool xpv_netback_rx_run(struct xpv_netback_queue *q)
{
	unsigned int done = 0;
	int rc = 1;

	q->rx_stalled = false;
	while (done < XPV_NETBACK_BUDGET && (rc = nb_rx_one(q)) > 0)
		done++;
	if (rc >= 0 && XPV_RING_BACK_PUSH(&q->rx))
		xpv_xenops_notify(q->vif->nb->x, q->rx_port);
	return rc > 0;
}
