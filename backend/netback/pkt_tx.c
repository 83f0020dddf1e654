// SPDX-License-Identifier: MIT
/*
 * The tx request parser: one packet's slots, as copied out of the ring,
 * checked the way Linux xen-netback's xenvif_count_requests and
 * xenvif_get_extras do, except that every problem short of a chain longer
 * than the ring drops the packet instead of disabling the vif.
 */
#include <errno.h>
#include <string.h>

#include "backend/netback/pkt.h"
#include "backend/netback/pkt_priv.h"

#define PAGE XPV_PAGE_SIZE

struct nb_tx_walk {
	const struct netif_tx_request *slots;
	unsigned int n;
	unsigned int i;	     /* next slot to look at */
	uint32_t follow_sum; /* bytes in the followers */
	bool seen[XEN_NETIF_EXTRA_TYPE_MAX];
};

static void nb_tx_bad(struct xpv_netback_tx_pkt *pkt, const char *why)
{
	if (why && !pkt->reason)
		pkt->reason = why;
}

/* NULL if extra @x is acceptable, else why not. */
static const char *nb_tx_extra(struct nb_tx_walk *w,
			       const struct netif_extra_info *x,
			       const struct xpv_netback_tx_limits *lim,
			       struct xpv_netback_tx_pkt *pkt)
{
	if (x->type == XEN_NETIF_EXTRA_TYPE_NONE ||
	    x->type >= XEN_NETIF_EXTRA_TYPE_MAX)
		return "unknown extra info type";
	if (w->seen[x->type])
		return "repeated extra info";
	w->seen[x->type] = true;
	if (x->type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD ||
	    x->type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
		return "multicast control not negotiated";
	if (x->type != XEN_NETIF_EXTRA_TYPE_GSO)
		return NULL; /* a hash: nothing of ours depends on it */
	if (x->u.gso.size == 0)
		return "GSO size is zero";
	if (!((x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && lim->gso_tcpv4) ||
	      (x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 && lim->gso_tcpv6)))
		return "GSO type not offered";
	pkt->gso_type = x->u.gso.type;
	pkt->gso_size = x->u.gso.size;
	return NULL;
}

/* Extra info slots after the first; false if the chain runs past n. */
static bool nb_tx_extras(struct nb_tx_walk *w,
			 const struct xpv_netback_tx_limits *lim,
			 struct xpv_netback_tx_pkt *pkt)
{
	struct netif_extra_info x;

	if (!(pkt->flags & NETTXF_extra_info))
		return true;
	do {
		if (w->i >= w->n)
			return false;
		/* An extra lives in a request slot: same bytes, other type. */
		memcpy(&x, &w->slots[w->i], sizeof(x));
		w->i++;
		pkt->nr_extras++;
		if (pkt->nr_extras > XPV_NETBACK_MAX_EXTRAS)
			nb_tx_bad(pkt, "too many extra info slots");
		else
			nb_tx_bad(pkt, nb_tx_extra(w, &x, lim, pkt));
	} while (x.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return true;
}

/* The data followers; false if the chain runs past n. */
static bool nb_tx_followers(struct nb_tx_walk *w,
			    struct xpv_netback_tx_pkt *pkt)
{
	bool more = pkt->flags & NETTXF_more_data;

	while (more) {
		const struct netif_tx_request *s;

		if (w->i >= w->n)
			return false;
		s = &w->slots[w->i++];
		pkt->nr_data++;
		w->follow_sum += s->size;
		if ((uint32_t)s->offset + s->size > PAGE)
			nb_tx_bad(pkt, "slot crosses its page");
		more = s->flags & NETTXF_more_data;
	}
	return true;
}

static void nb_tx_sizes(const struct nb_tx_walk *w,
			const struct xpv_netback_tx_limits *lim,
			struct xpv_netback_tx_pkt *pkt)
{
	const struct netif_tx_request *first = &w->slots[0];
	unsigned int max = lim->max_slots;

	if (max == 0 || max > XPV_NETBACK_MAX_SLOTS)
		max = XPV_NETBACK_MAX_SLOTS;
	if (pkt->nr_data > max)
		nb_tx_bad(pkt, "too many slots");
	if (w->follow_sum > pkt->len) {
		nb_tx_bad(pkt, "slot sizes exceed the packet size");
		return;
	}
	pkt->first_len = pkt->len - w->follow_sum;
	if ((uint32_t)first->offset + pkt->first_len > PAGE)
		nb_tx_bad(pkt, "first slot crosses its page");
	if (pkt->len < XPV_NETBACK_ETH_HLEN)
		nb_tx_bad(pkt, "runt frame");
	if (pkt->gso_type != XEN_NETIF_GSO_TYPE_NONE &&
	    pkt->len < XPV_NETBACK_GSO_MIN)
		nb_tx_bad(pkt, "GSO on a packet too small for headers");
}

int xpv_netback_check_tx(const struct netif_tx_request *slots, unsigned int n,
			 bool ring_full,
			 const struct xpv_netback_tx_limits *lim,
			 struct xpv_netback_tx_pkt *pkt)
{
	struct nb_tx_walk w = {.slots = slots, .n = n, .i = 1};

	memset(pkt, 0, sizeof(*pkt));
	if (n == 0)
		return -EAGAIN;
	pkt->flags = slots[0].flags;
	pkt->len = slots[0].size;
	pkt->nr_data = 1;
	if (!nb_tx_extras(&w, lim, pkt) || !nb_tx_followers(&w, pkt)) {
		pkt->nr_slots = n;
		if (!ring_full)
			return -EAGAIN;
		pkt->reason = "packet chain longer than the ring";
		return -EPROTO;
	}
	pkt->nr_slots = w.i;
	nb_tx_sizes(&w, lim, pkt);
	return pkt->reason ? -EINVAL : 0;
}

uint16_t xpv_netback_tx_slot_len(const struct xpv_netback_tx_pkt *p,
				 const struct netif_tx_request *slots,
				 unsigned int i)
{
	return i == 0 ? p->first_len : slots[i].size;
}

static int nb_tx_csum(uint8_t *frame, size_t len,
		      const struct xpv_netback_tx_pkt *pkt,
		      struct virtio_net_hdr *h, const char **reason)
{
	struct xpv_netback_l4 l4;

	if (xpv_netback_parse_l4(frame, len, &l4)) {
		*reason = "checksum offload on a packet that is not TCP/UDP";
		return -EINVAL;
	}
	if (pkt->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		if (l4.proto != IPPROTO_TCP ||
		    l4.ipver != (pkt->gso_type == XEN_NETIF_GSO_TYPE_TCPV4
					 ? 4
					 : 6)) {
			*reason = "GSO type does not match the packet";
			return -EINVAL;
		}
		h->hdr_len = l4.l4_off + l4.l4_hlen;
		if (h->hdr_len >= len) {
			*reason = "GSO packet without payload";
			return -EINVAL;
		}
		h->gso_type = l4.ipver == 4 ? VIRTIO_NET_HDR_GSO_TCPV4
					    : VIRTIO_NET_HDR_GSO_TCPV6;
		h->gso_size = pkt->gso_size;
	}
	xpv_netback_set_pseudo(frame, len, &l4);
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = l4.l4_off;
	h->csum_offset = xpv_netback_csum_field(l4.proto);
	return 0;
}

int xpv_netback_tx_vnet_hdr(uint8_t *frame, size_t len,
			    const struct xpv_netback_tx_pkt *pkt,
			    struct virtio_net_hdr *h, const char **reason)
{
	memset(h, 0, sizeof(*h));
	h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	*reason = NULL;
	/* A GSO packet's checksum is always left to the segmentation. */
	if ((pkt->flags & NETTXF_csum_blank) ||
	    pkt->gso_type != XEN_NETIF_GSO_TYPE_NONE)
		return nb_tx_csum(frame, len, pkt, h, reason);
	if (pkt->flags & NETTXF_data_validated)
		h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	return 0;
}
