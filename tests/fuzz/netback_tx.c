// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for netback's tx request parser, driven as the backend
 * drives it (packet after packet along a ring of copied-out slots), and
 * for the header work behind it: the virtio_net_hdr built for each
 * accepted packet from the frame bytes, and the rx planner on the same
 * bytes as a frame from the TAP.  Any answer out of bounds aborts.
 *
 * Input: one control byte, then 12-byte tx request slots; the tail that
 * does not fill a slot, plus the slots themselves, is the frame.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/netback/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RING 256u

static uint8_t frame[XPV_NETBACK_MAX_FRAME];

static void check_pkt(const struct xpv_netback_tx_pkt *p,
		      const struct netif_tx_request *s, unsigned int n, int rc)
{
	unsigned int i, data = 0;
	uint32_t sum = 0;

	if (rc != 0 && rc != -EINVAL)
		return;
	if (p->nr_slots == 0 || p->nr_slots > n)
		abort();
	if (rc == -EINVAL && !p->reason)
		abort();
	if (rc != 0)
		return;
	if (p->nr_data > XPV_NETBACK_MAX_SLOTS || p->len < XPV_NETBACK_ETH_HLEN)
		abort();
	for (i = 0; i < p->nr_slots; i++) {
		uint16_t len, off = s[i].offset;

		if (xpv_netback_tx_is_extra(p, i))
			continue;
		data++;
		len = xpv_netback_tx_slot_len(p, s, i);
		if ((uint32_t)off + len > XPV_PAGE_SIZE)
			abort();
		sum += len;
	}
	if (data != p->nr_data || sum != p->len)
		abort();
}

static void fuzz_hdr(const struct xpv_netback_tx_pkt *p, const uint8_t *d,
		     size_t size)
{
	struct virtio_net_hdr h;
	const char *why;
	size_t len = p->len < size ? p->len : size;

	if (len < XPV_NETBACK_ETH_HLEN)
		return;
	memcpy(frame, d, len);
	if (xpv_netback_tx_vnet_hdr(frame, len, p, &h, &why) == 0) {
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    (size_t)h.csum_start + h.csum_offset + 2 > len)
			abort();
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE && h.hdr_len >= len)
			abort();
	} else if (!why) {
		abort();
	}
}

static void fuzz_rx(uint8_t ctl, const uint8_t *d, size_t size)
{
	struct xpv_netback_rx_features fe = {.sg = ctl & 2,
					     .gso_tcpv4 = ctl & 4,
					     .gso_tcpv6 = ctl & 8,
					     .csum = ctl & 16,
					     .ipv6_csum = ctl & 32};
	struct xpv_netback_rx_plan p;
	struct virtio_net_hdr h;

	if (size < sizeof(h))
		return;
	memcpy(&h, d, sizeof(h));
	d += sizeof(h);
	size -= sizeof(h);
	memcpy(frame, d, size);
	if (xpv_netback_rx_plan(&h, frame, size, &fe, &p)) {
		if (!p.reason)
			abort();
		return;
	}
	if (p.nr_slots > XPV_NETBACK_MAX_SLOTS ||
	    p.nr_slots > xpv_netback_rx_max_slots(size) ||
	    (!fe.sg && p.nr_data > 1))
		abort();
	if (p.sw_csum &&
	    xpv_netback_finish_csum(frame, size, h.csum_start, h.csum_offset))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netif_tx_request slots[RING];
	struct xpv_netback_tx_limits lim;
	struct xpv_netback_tx_pkt p;
	unsigned int n, at = 0;
	uint8_t ctl;
	int rc;

	if (size < 1)
		return 0;
	ctl = data[0];
	n = (size - 1) / sizeof(slots[0]);
	if (n > RING)
		n = RING;
	memcpy(slots, data + 1, n * sizeof(slots[0]));
	lim = (struct xpv_netback_tx_limits){.max_slots = ctl >> 4,
					     .gso_tcpv4 = ctl & 1,
					     .gso_tcpv6 = ctl & 2};
	while (at < n) {
		rc = xpv_netback_check_tx(slots + at, n - at, ctl & 4, &lim,
					  &p);
		check_pkt(&p, slots + at, n - at, rc);
		if (rc == 0)
			fuzz_hdr(&p, data + 1, size - 1);
		if (rc != 0 && rc != -EINVAL)
			break;
		at += p.nr_slots;
	}
	fuzz_rx(ctl, data + 1, size - 1);
	return 0;
}
