/* SPDX-License-Identifier: MIT */
/*
 * The pure halves of netfront: the validators of what the backend writes
 * in the rings, the strict parsers of its xenstore values, and the header
 * walk that locates a TCP/UDP checksum.  No I/O, no allocation, no locks;
 * every byte they read is a local copy.
 */
#ifndef XENPV_NETFRONT_CHECK_H
#define XENPV_NETFRONT_CHECK_H

#include "drivers/netfront/netfront.h"

/* What the rx validator knows about the queue. */
struct xpv_netfront_rx_ctx {
	RING_IDX cons;		/* ring index of the first response given */
	const uint8_t *posted;	/* [XPV_NETFRONT_RING_SIZE]: buffer posted */
	uint32_t features;	/* the rx features we advertised */
};

struct xpv_netfront_rx_frag {
	uint16_t slot;		/* ring slot (buffer index) */
	uint16_t offset;
	uint16_t len;
};

struct xpv_netfront_rx_pkt {
	unsigned int nr_slots;	/* ring slots the packet covers */
	unsigned int nr_extras;
	unsigned int nr_frags;
	struct xpv_netfront_rx_frag frags[XPV_NETFRONT_MAX_SLOTS];
	uint32_t len;
	uint16_t flags;		/* XPV_NETFRONT_PKT_* */
	uint8_t gso_type;
	uint16_t gso_size;
	bool backend_error;	/* the backend itself reported an error */
	const char *reason;	/* why the packet is refused */
};

/*
 * Check the packet that starts at @rsps[0], given @n consecutive responses
 * copied out of the ring (at most XPV_NETFRONT_MAX_CHAIN are looked at).
 *   0            a good packet, described in *pkt;
 *   -XPV_EAGAIN  its chain goes on past @n: wait for more responses;
 *   -XPV_EINVAL  a bad packet: drop its pkt->nr_slots slots (pkt->reason);
 *   -XPV_EPROTO  the backend broke the ring protocol (pkt->reason).
 */
int xpv_netfront_check_rx_rsp(const struct xpv_netfront_rx_ctx *c,
			      const struct netif_rx_response *rsps,
			      unsigned int n, struct xpv_netfront_rx_pkt *pkt);

/* Result of xpv_netfront_check_tx_rsp for an extra info slot. */
#define XPV_NETFRONT_TX_NULL 1
/*
 * Check a tx response: 0 with *id for a data slot in flight,
 * XPV_NETFRONT_TX_NULL for an extra info slot's answer, -XPV_EPROTO for an
 * id out of range or not in flight (*reason).
 */
int xpv_netfront_check_tx_rsp(const struct xpv_ring_ids *ids,
			      const struct netif_tx_response *rsp,
			      unsigned int *id, const char **reason);

/*
 * Decide how a frame goes on the tx ring given what the backend agreed:
 * the number of data slots (>= 1) or -XPV_EINVAL with *reason.
 */
int xpv_netfront_check_tx_pkt(const struct xpv_netfront_pkt *pkt,
			      uint32_t tx_features, const char **reason);

/* ---- headers ---------------------------------------------------------- */

struct xpv_netfront_l4 {
	uint8_t ipver;		/* 4 or 6 */
	uint8_t proto;		/* 6 TCP, 17 UDP */
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_hlen;	/* TCP header with options, or 8 */
	uint16_t csum_off;	/* of the checksum field, from l4_off */
};

/* The IP version of an Ethernet frame (one VLAN tag): 4, 6 or 0. */
unsigned int xpv_netfront_ip_version(const uint8_t *frame, size_t len);
/*
 * Find the TCP/UDP header (one VLAN tag, IPv4 options, IPv6 extension
 * headers, no fragments).  0 or -XPV_EINVAL; every header lies within @len.
 */
int xpv_netfront_parse_l4(const uint8_t *frame, size_t len,
			  struct xpv_netfront_l4 *l4);
/*
 * Finish a partial checksum: sum from @start to the end into the 16-bit
 * field at @start + @off (which holds the pseudo-header sum).  0 or
 * -XPV_EINVAL when the field is not within @len.
 */
int xpv_netfront_csum_finish(uint8_t *frame, size_t len, size_t start,
			     size_t off);
/* A hash of the frame's addresses and ports, to spread flows on queues. */
uint32_t xpv_netfront_flow_hash(const uint8_t *frame, size_t len);

/* ---- xenstore values --------------------------------------------------- */

/* Decimal, no sign, no blanks, no leading zeros, <= @max: 0 or -EINVAL. */
int xpv_netfront_parse_uint(const char *s, unsigned long max,
			    unsigned long *out);
/* "xx:xx:xx:xx:xx:xx", hex, unicast: 0 or -XPV_EINVAL. */
int xpv_netfront_parse_mac(const char *s, uint8_t mac[6]);

#endif
