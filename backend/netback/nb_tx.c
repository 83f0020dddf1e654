// SPDX-License-Identifier: MIT
/*
 * Guest tx -> TAP.  Each packet's slots are copied out of the ring, parsed
 * by xpv_netback_check_tx, grant-copied into one local buffer and written
 * to the TAP behind a virtio_net_hdr carrying its checksum/GSO metadata.
 * A bad packet gets NETIF_RSP_ERROR on each of its slots (NULL on extras)
 * and a logged reason; only a req_prod overflow or a chain longer than
 * the ring breaks the vif.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "backend/netback/netback.h"

static void nb_tx_fetch(struct xpv_netback_queue *q, unsigned int from,
			unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		RING_COPY_REQUEST(&q->tx, q->tx.req_cons + i, &q->tx_slots[i]);
}

static void nb_tx_respond(struct xpv_netback_queue *q,
			  const struct xpv_netback_tx_pkt *pkt, int16_t status)
{
	unsigned int i;

	for (i = 0; i < pkt->nr_slots; i++) {
		netif_tx_response_t *r =
			RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);

		q->tx.rsp_prod_pvt++;
		if (xpv_netback_tx_is_extra(pkt, i)) {
			r->id = 0;
			r->status = NETIF_RSP_NULL;
		} else {
			r->id = q->tx_slots[i].id;
			r->status = status;
		}
	}
}

/* Grant copy segments for the packet's data, split at local page edges. */
static unsigned int nb_tx_segs(struct xpv_netback_queue *q,
			       const struct xpv_netback_tx_pkt *pkt)
{
	unsigned int i, n = 0;
	size_t pos = 0;

	for (i = 0; i < pkt->nr_slots; i++) {
		const struct netif_tx_request *s = &q->tx_slots[i];
		uint16_t len, off = s->offset;

		if (xpv_netback_tx_is_extra(pkt, i))
			continue;
		len = xpv_netback_tx_slot_len(pkt, q->tx_slots, i);
		while (len) {
			uint16_t chunk = XPV_PAGE_SIZE - pos % XPV_PAGE_SIZE;
			struct xpv_xenops_copy *c = &q->segs[n++];

			if (chunk > len)
				chunk = len;
			memset(c, 0, sizeof(*c));
			c->source.foreign.ref = s->gref;
			c->source.foreign.offset = off;
			c->source.foreign.domid = q->vif->fe_domid;
			c->dest.virt = q->tx_buf + pos;
			c->len = chunk;
			c->flags = GNTCOPY_source_gref;
			pos += chunk;
			off += chunk;
			len -= chunk;
		}
	}
	return n;
}

static int16_t nb_tx_deliver(struct xpv_netback_queue *q,
			     const struct xpv_netback_tx_pkt *pkt)
{
	struct xpv_netback *nb = q->vif->nb;
	unsigned int i, n = nb_tx_segs(q, pkt);
	struct virtio_net_hdr h;
	struct iovec iov[2];
	const char *why;

	if (xpv_xenops_copy(nb->x, q->segs, n)) {
		xpv_netback_log_peer(nb, "vif%u.%u: tx grant copy failed",
				     q->vif->fe_domid, q->vif->devid);
		return NETIF_RSP_ERROR;
	}
	for (i = 0; i < n; i++) {
		if (q->segs[i].status != GNTST_okay) {
			xpv_netback_log_peer(nb,
					     "vif%u.%u: tx dropped: grant %u: "
					     "copy status %d",
					     q->vif->fe_domid, q->vif->devid,
					     q->segs[i].source.foreign.ref,
					     q->segs[i].status);
			return NETIF_RSP_ERROR;
		}
	}
	if (xpv_netback_tx_vnet_hdr(q->tx_buf, pkt->len, pkt, &h, &why)) {
		xpv_netback_log_peer(nb, "vif%u.%u: tx dropped: %s",
				     q->vif->fe_domid, q->vif->devid, why);
		return NETIF_RSP_ERROR;
	}
	iov[0] = (struct iovec){&h, sizeof(h)};
	iov[1] = (struct iovec){q->tx_buf, pkt->len};
	/* A full TAP queue loses the frame, as a full qdisc would. */
	if (writev(q->tap_fd, iov, 2) < 0)
		q->st.tx_errors++;
	q->st.tx_packets++;
	q->st.tx_bytes += pkt->len;
	return NETIF_RSP_OKAY;
}

/* One packet: 0 done, -EAGAIN its chain is incomplete, -EPROTO broken. */
static int nb_tx_one(struct xpv_netback_queue *q, unsigned int avail)
{
	unsigned int size = RING_SIZE(&q->tx);
	unsigned int n =
		avail < XPV_NETBACK_TX_WINDOW ? avail : XPV_NETBACK_TX_WINDOW;
	struct xpv_netback_tx_pkt pkt;
	int rc;

	nb_tx_fetch(q, 0, n);
	rc = xpv_netback_check_tx(q->tx_slots, n, n == size, &q->vif->txl,
				  &pkt);
	if (rc == -EAGAIN && n < avail) {
		nb_tx_fetch(q, n, avail);
		n = avail;
		rc = xpv_netback_check_tx(q->tx_slots, n, n == size,
					  &q->vif->txl, &pkt);
	}
	if (rc == -EAGAIN)
		return rc;
	if (rc == -EPROTO) {
		snprintf(q->vif->reason, sizeof(q->vif->reason), "tx: %s",
			 pkt.reason);
		return rc;
	}
	q->tx.req_cons += pkt.nr_slots;
	if (rc) {
		xpv_netback_log_peer(q->vif->nb, "vif%u.%u: tx dropped: %s",
				     q->vif->fe_domid, q->vif->devid,
				     pkt.reason);
		q->st.tx_errors++;
		nb_tx_respond(q, &pkt, NETIF_RSP_ERROR);
		return 0;
	}
	nb_tx_respond(q, &pkt, nb_tx_deliver(q, &pkt));
	return 0;
}

static void nb_tx_push(struct xpv_netback_queue *q)
{
	if (XPV_RING_BACK_PUSH(&q->tx))
		xpv_xenops_notify(q->vif->nb->x, q->tx_port);
}

/* Wait for the rest of a chain: be told when the next request comes. */
static bool nb_tx_wait_chain(struct xpv_netback_queue *q)
{
	RING_IDX prod = xpv_ring_read_prod(&q->tx.sring->req_prod);

	q->tx.sring->req_event = prod + 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return xpv_ring_read_prod(&q->tx.sring->req_prod) != prod;
}

bool xpv_netback_tx_run(struct xpv_netback_queue *q)
{
	unsigned int done = 0;
	int avail, rc;

	for (;;) {
		avail = XPV_RING_BACK_REQ_AVAIL(&q->tx);
		if (avail < 0) {
			snprintf(q->vif->reason, sizeof(q->vif->reason),
				 "tx: req_prod overflow");
			q->vif->broken = true;
			return false;
		}
		if (avail == 0) {
			nb_tx_push(q);
			if (!XPV_RING_BACK_FINAL_CHECK(&q->tx))
				return false;
			continue;
		}
		if (done >= XPV_NETBACK_BUDGET) {
			nb_tx_push(q);
			return true;
		}
		rc = nb_tx_one(q, avail);
		if (rc == -EPROTO) {
			q->vif->broken = true;
			return false;
		}
		if (rc == -EAGAIN) {
			nb_tx_push(q);
			if (!nb_tx_wait_chain(q))
				return false;
			continue;
		}
		done++;
	}
}
