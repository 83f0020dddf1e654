// SPDX-License-Identifier: MIT
/*
 * Planning how a frame from the TAP reaches the frontend: how many rx
 * requests it takes (whole pages from offset 0, as Linux netback fills
 * them), which NETRXF flags it carries, whether a GSO extra slot follows
 * the first, and whether the checksum must be finished here because the
 * frontend cannot take a partial one.
 */
#include <errno.h>
#include <string.h>

#include "backend/netback/pkt.h"
#include "backend/netback/pkt_priv.h"

unsigned int xpv_netback_rx_max_slots(size_t len)
{
	return (len + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE + 1;
}

static int nb_rx_gso(const struct virtio_net_hdr *h,
		     const struct xpv_netback_rx_features *fe,
		     struct xpv_netback_rx_plan *plan)
{
	uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4 && fe->gso_tcpv4)
		plan->gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
	else if (type == VIRTIO_NET_HDR_GSO_TCPV6 && fe->gso_tcpv6)
		plan->gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
	else
		plan->reason = "GSO type the frontend did not ask for";
	if (!plan->reason &&
	    (h->gso_size == 0 || !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)))
		plan->reason = "GSO frame without size or partial checksum";
	plan->gso_size = h->gso_size;
	return plan->reason ? -EINVAL : 0;
}

/* A partial checksum: hand it on, or finish it here. */
static int nb_rx_csum(const struct virtio_net_hdr *h, const uint8_t *frame,
		      size_t len, const struct xpv_netback_rx_features *fe,
		      struct xpv_netback_rx_plan *plan)
{
	struct xpv_netback_l4 l4;
	bool ok;

	if ((size_t)h->csum_start + h->csum_offset + 2 > len) {
		plan->reason = "partial checksum outside the frame";
		return -EINVAL;
	}
	ok = fe->csum && !xpv_netback_parse_l4(frame, len, &l4) &&
	     l4.l4_off == h->csum_start && (l4.ipver == 4 || fe->ipv6_csum);
	if (ok) {
		plan->flags |= NETRXF_csum_blank | NETRXF_data_validated;
		return 0;
	}
	if (plan->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		plan->reason =
			"GSO frame whose checksum the frontend can't finish";
		return -EINVAL;
	}
	plan->sw_csum = true;
	plan->flags |= NETRXF_data_validated;
	return 0;
}

int xpv_netback_rx_plan(const struct virtio_net_hdr *h, const uint8_t *frame,
			size_t len, const struct xpv_netback_rx_features *fe,
			struct xpv_netback_rx_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	if (len < XPV_NETBACK_ETH_HLEN || len > XPV_NETBACK_MAX_FRAME) {
		plan->reason = "frame size out of range";
		return -EINVAL;
	}
	if (!fe->sg && len > XPV_PAGE_SIZE) {
		plan->reason = "frame needs feature-sg";
		return -EINVAL;
	}
	if (nb_rx_gso(h, fe, plan))
		return -EINVAL;
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (nb_rx_csum(h, frame, len, fe, plan))
			return -EINVAL;
	} else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		plan->flags |= NETRXF_data_validated;
	}
	plan->nr_data = (len + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE;
	plan->nr_slots = plan->nr_data;
	if (plan->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		plan->flags |= NETRXF_extra_info;
		plan->nr_slots++;
	}
	return 0;
}
