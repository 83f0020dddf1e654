/* SPDX-License-Identifier: MIT */
/*
 * The pure halves of netback: the tx request parser, the rx slot planner
 * and the header work that turns netif checksum/GSO metadata into a
 * virtio_net_hdr and back.  No I/O, no allocation: every byte they look at
 * is a local copy, and every one of them may have been written by a
 * hostile frontend (tx) or a hostile network (rx).
 */
#ifndef XENPV_NETBACK_PKT_H
#define XENPV_NETBACK_PKT_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xenpv/xen.h"

#define XPV_NETBACK_ETH_HLEN 14u
/* Data slots one packet may take, as XEN_NETBK_LEGACY_SLOTS_MAX. */
#define XPV_NETBACK_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Extra info slots per packet: at most one of each known type. */
#define XPV_NETBACK_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* Largest frame either direction: a 64 KiB GSO packet plus its link header. */
#define XPV_NETBACK_MAX_FRAME (65535u + XPV_NETBACK_ETH_HLEN)
/* Smallest GSO packet that has headers and a byte of payload. */
#define XPV_NETBACK_GSO_MIN (XPV_NETBACK_ETH_HLEN + 20u + 20u + 1u)

/* ---- tx: the frontend's requests -------------------------------------- */

struct xpv_netback_tx_limits {
	unsigned int max_slots; /* data slots per packet, <= MAX_SLOTS */
	bool gso_tcpv4;		/* what we advertised */
	bool gso_tcpv6;
};

struct xpv_netback_tx_pkt {
	unsigned int nr_slots;	/* ring slots the packet covers */
	unsigned int nr_extras; /* extras, right after the first slot */
	unsigned int nr_data;	/* data slots: the first and its followers */
	uint32_t len;		/* frame bytes, the first request's size */
	uint16_t first_len;	/* bytes in the first data slot */
	uint16_t flags;		/* NETTXF_* of the first request */
	uint8_t gso_type;	/* XEN_NETIF_GSO_TYPE_* */
	uint16_t gso_size;
	const char *reason; /* why the packet is refused */
};

/*
 * Parse the packet that starts at @slots[0], given @n consecutive request
 * slots copied out of the ring.  @ring_full says no further slot can
 * arrive before these are answered (n is the whole ring).  Returns:
 *   0            a good packet, described in *pkt;
 *   -EAGAIN      its chain goes on past @n slots: wait for more;
 *   -EINVAL      a bad packet: answer its pkt->nr_slots slots with
 *                NETIF_RSP_ERROR, pkt->reason says why;
 *   -EPROTO      the frontend is broken (a chain longer than the ring).
 */
int xpv_netback_check_tx(const struct netif_tx_request *slots, unsigned int n,
			 bool ring_full,
			 const struct xpv_netback_tx_limits *lim,
			 struct xpv_netback_tx_pkt *pkt);

/* True if slot @i of a parsed packet holds extra info (answered NULL). */
static inline bool xpv_netback_tx_is_extra(const struct xpv_netback_tx_pkt *p,
					   unsigned int i)
{
	return i >= 1 && i <= p->nr_extras;
}

/* Bytes of data in slot @i (not an extra) of a parsed packet. */
uint16_t xpv_netback_tx_slot_len(const struct xpv_netback_tx_pkt *p,
				 const struct netif_tx_request *slots,
				 unsigned int i);

/*
 * The virtio_net_hdr for a frame the frontend sent: partial checksum for
 * csum_blank (the pseudo-header sum is rewritten in @frame, as Linux
 * netback recomputes it), GSO from the extra info.  0, or -EINVAL with
 * *reason when the metadata does not fit the frame.
 */
int xpv_netback_tx_vnet_hdr(uint8_t *frame, size_t len,
			    const struct xpv_netback_tx_pkt *pkt,
			    struct virtio_net_hdr *h, const char **reason);

/* ---- rx: frames for the frontend -------------------------------------- */

/* What the frontend said it can take. */
struct xpv_netback_rx_features {
	bool sg;
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool csum; /* not feature-no-csum-offload */
	bool ipv6_csum;
};

struct xpv_netback_rx_plan {
	unsigned int nr_slots; /* rx requests the frame consumes */
	unsigned int nr_data;  /* of which carry data */
	uint16_t flags;	       /* NETRXF_* of the first data slot */
	uint8_t gso_type;      /* XEN_NETIF_GSO_TYPE_*: an extra slot */
	uint16_t gso_size;
	bool sw_csum;	    /* finish the checksum before copying */
	const char *reason; /* why the frame is dropped */
};

/* Slots a frame of @len bytes needs at most, extra info included. */
unsigned int xpv_netback_rx_max_slots(size_t len);

/*
 * Plan the delivery of a frame read from the TAP with header @h.
 * 0, or -EINVAL with plan->reason (the frame is dropped).
 */
int xpv_netback_rx_plan(const struct virtio_net_hdr *h, const uint8_t *frame,
			size_t len, const struct xpv_netback_rx_features *fe,
			struct xpv_netback_rx_plan *plan);

/*
 * Fill in the checksum a virtio_net_hdr left partial (csum_start and
 * csum_offset range-checked against @len).  0 or -EINVAL.
 */
int xpv_netback_finish_csum(uint8_t *frame, size_t len, uint16_t start,
			    uint16_t offset);

/* ---- headers ------------------------------------------------------------ */

struct xpv_netback_l4 {
	uint8_t ipver; /* 4 or 6 */
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_hlen; /* TCP header with options, or 8 for UDP */
	bool fragment;	  /* an IPv4 fragment: no L4 checksum here */
};

/*
 * Find the TCP/UDP header of an Ethernet frame (one VLAN tag, IPv4
 * options, IPv6 extension headers).  0 or -EINVAL; every header must lie
 * within @len.
 */
int xpv_netback_parse_l4(const uint8_t *frame, size_t len,
			 struct xpv_netback_l4 *l4);

#endif
