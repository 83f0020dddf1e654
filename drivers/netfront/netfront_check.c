// SPDX-License-Identifier: MIT
/*
 * Validators for what a netback writes, and header helpers; see
 * netfront_check.h.  Everything here is pure.
 */
#include "drivers/netfront/netfront_check.h"
#include "xenpv/compiler.h"

XPV_BUILD_BUG_ON(sizeof(struct netif_extra_info) !=
		 sizeof(struct netif_rx_response));
XPV_BUILD_BUG_ON(XPV_NETFRONT_MAX_CHAIN >= XPV_NETFRONT_MIN_BUFS);

#define RX_KNOWN_FLAGS                                                       \
	(NETRXF_data_validated | NETRXF_csum_blank | NETRXF_more_data |     \
	 NETRXF_extra_info)
#define RING_MASK (XPV_NETFRONT_RING_SIZE - 1)

/* Sticky: the first reason a packet is refused is the one reported. */
static void rx_bad(struct xpv_netfront_rx_pkt *p, const char *why)
{
	if (!p->reason)
		p->reason = why;
}

static int rx_proto(struct xpv_netfront_rx_pkt *p, const char *why)
{
	p->reason = why;
	return -XPV_EPROTO;
}

static void rx_check_gso(struct xpv_netfront_rx_pkt *p, uint32_t features,
			 const struct netif_extra_info *x)
{
	uint8_t t = x->u.gso.type;

	if ((t == XEN_NETIF_GSO_TYPE_TCPV4 &&
	     (features & XPV_NETFRONT_F_GSO_TCPV4)) ||
	    (t == XEN_NETIF_GSO_TYPE_TCPV6 &&
	     (features & XPV_NETFRONT_F_GSO_TCPV6)))
		p->gso_type = t;
	else
		rx_bad(p, "GSO type not offered");
	if (x->u.gso.size == 0)
		rx_bad(p, "GSO size zero");
	p->gso_size = x->u.gso.size;
}

/* The extra info slots after the first data slot; returns slots taken. */
static int rx_extras(const struct xpv_netfront_rx_ctx *c,
		     const struct netif_rx_response *rsps, unsigned int n,
		     unsigned int i, struct xpv_netfront_rx_pkt *p)
{
	unsigned int seen = 0;
	struct netif_extra_info x;

	do {
		if (p->nr_extras == XPV_NETFRONT_MAX_EXTRAS)
			return rx_proto(p, "extra info chain too long");
		if (i >= n)
			return -XPV_EAGAIN;
		if (!c->posted[(c->cons + i) & RING_MASK])
			return rx_proto(p, "response in a slot with no buffer");
		xpv_memcpy(&x, &rsps[i], sizeof(x));
		p->nr_extras++;
		i++;
		if (x.type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    x.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
			rx_bad(p, "invalid extra info type");
		} else if (seen & (1u << x.type)) {
			rx_bad(p, "repeated extra info type");
		} else if (x.type != XEN_NETIF_EXTRA_TYPE_GSO) {
			rx_bad(p, "extra info type not requested");
		} else {
			rx_check_gso(p, c->features, &x);
		}
		if (x.type < 8)
			seen |= 1u << x.type;
		if (x.flags & ~XEN_NETIF_EXTRA_FLAG_MORE)
			rx_bad(p, "unknown extra info flags");
	} while (x.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return (int)i;
}

static void rx_check_slot(const struct netif_rx_response *r, unsigned int slot,
			  bool first, struct xpv_netfront_rx_pkt *p)
{
	if (r->id >= XPV_NETFRONT_RING_SIZE)
		rx_bad(p, "rx id out of range");
	else if (r->id != slot)
		rx_bad(p, "rx id does not match its slot");
	if (r->flags & ~RX_KNOWN_FLAGS)
		rx_bad(p, "unknown rx flags");
	if (!first && (r->flags & NETRXF_extra_info))
		rx_bad(p, "extra info after a later fragment");
	if (r->status < 0) {
		if (first)
			p->backend_error = true;
		rx_bad(p, "backend error status");
	} else if (r->status == 0) {
		rx_bad(p, "empty fragment");
	} else if (r->offset >= XPV_PAGE_SIZE ||
		   (uint32_t)r->offset + (uint32_t)r->status > XPV_PAGE_SIZE) {
		rx_bad(p, "offset+status beyond the page");
	}
}

/* What the packet as a whole must satisfy, once its chain is known. */
static void rx_check_pkt(const struct xpv_netfront_rx_ctx *c,
			 struct xpv_netfront_rx_pkt *p, uint16_t flags)
{
	uint32_t csum = XPV_NETFRONT_F_CSUM | XPV_NETFRONT_F_IPV6_CSUM;

	if (flags & NETRXF_csum_blank)
		p->flags |= XPV_NETFRONT_PKT_CSUM_BLANK |
			    XPV_NETFRONT_PKT_DATA_VALID;
	if (flags & NETRXF_data_validated)
		p->flags |= XPV_NETFRONT_PKT_DATA_VALID;
	if (p->len > XPV_NETFRONT_MAX_RX_FRAME)
		rx_bad(p, "frame too long");
	if (p->len < XPV_NETFRONT_ETH_HLEN)
		rx_bad(p, "frame shorter than its link header");
	if (p->nr_frags > 1 && !(c->features & XPV_NETFRONT_F_SG))
		rx_bad(p, "multi-slot packet without feature-sg");
	if ((flags & NETRXF_csum_blank) && !(c->features & csum))
		rx_bad(p, "csum_blank without checksum offload");
	if (p->gso_type && !(flags & NETRXF_csum_blank))
		rx_bad(p, "GSO packet without csum_blank");
}

int xpv_netfront_check_rx_rsp(const struct xpv_netfront_rx_ctx *c,
			      const struct netif_rx_response *rsps,
			      unsigned int n, struct xpv_netfront_rx_pkt *pkt)
{
	unsigned int i = 0, slot;
	uint16_t first_flags = 0;
	bool more;
	int r;

	xpv_memset(pkt, 0, sizeof(*pkt));
	if (n > XPV_NETFRONT_MAX_CHAIN)
		n = XPV_NETFRONT_MAX_CHAIN;
	do {
		const struct netif_rx_response *rsp = &rsps[i];

		if (pkt->nr_frags == XPV_NETFRONT_MAX_SLOTS)
			return rx_proto(pkt,
					"packet longer than the slot limit");
		if (i >= n)
			return -XPV_EAGAIN;
		slot = (c->cons + i) & RING_MASK;
		if (!c->posted[slot])
			return rx_proto(pkt,
					"response in a slot with no buffer");
		rx_check_slot(rsp, slot, i == 0, pkt);
		pkt->frags[pkt->nr_frags++] = (struct xpv_netfront_rx_frag){
			slot, rsp->offset, rsp->status > 0 ? rsp->status : 0 };
		if (rsp->status > 0)
			pkt->len += (uint32_t)rsp->status;
		more = rsp->flags & NETRXF_more_data;
		i++;
		if (i == 1) {
			first_flags = rsp->flags;
			if (rsp->flags & NETRXF_extra_info) {
				r = rx_extras(c, rsps, n, i, pkt);
				if (r < 0)
					return r;
				i = (unsigned int)r;
			}
		}
	} while (more);
	pkt->nr_slots = i;
	rx_check_pkt(c, pkt, first_flags);
	return pkt->reason ? -XPV_EINVAL : 0;
}

int xpv_netfront_check_tx_rsp(const struct xpv_ring_ids *ids,
			      const struct netif_tx_response *rsp,
			      unsigned int *id, const char **reason)
{
	if (rsp->status == NETIF_RSP_NULL)
		return XPV_NETFRONT_TX_NULL;
	if (rsp->id >= ids->nr) {
		*reason = "tx id out of range";
		return -XPV_EPROTO;
	}
	if (!xpv_ring_ids_valid(ids, rsp->id)) {
		*reason = "tx response for an id not in flight";
		return -XPV_EPROTO;
	}
	*id = rsp->id;
	return 0;
}

static bool tx_csum_ok(const struct xpv_netfront_pkt *pkt, uint32_t feat)
{
	uint8_t hdr[XPV_NETFRONT_ETH_HLEN + 4];
	size_t got = pkt->frags[0].len < sizeof(hdr) ? pkt->frags[0].len
						      : sizeof(hdr);
	unsigned int v;

	xpv_memcpy(hdr, pkt->frags[0].data, got);
	v = xpv_netfront_ip_version(hdr, got);
	return (v == 4 && (feat & XPV_NETFRONT_F_CSUM)) ||
	       (v == 6 && (feat & XPV_NETFRONT_F_IPV6_CSUM));
}

static const char *tx_check_gso(const struct xpv_netfront_pkt *pkt,
				uint32_t feat)
{
	if (pkt->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 &&
	    !(feat & XPV_NETFRONT_F_GSO_TCPV4))
		return "GSO TCPv4 not agreed";
	if (pkt->gso_type == XEN_NETIF_GSO_TYPE_TCPV6 &&
	    !(feat & XPV_NETFRONT_F_GSO_TCPV6))
		return "GSO TCPv6 not agreed";
	if (pkt->gso_type > XEN_NETIF_GSO_TYPE_TCPV6)
		return "unknown GSO type";
	if (pkt->gso_size == 0)
		return "GSO size zero";
	if (!(pkt->flags & XPV_NETFRONT_PKT_CSUM_BLANK))
		return "GSO without a partial checksum";
	return NULL;
}

int xpv_netfront_check_tx_pkt(const struct xpv_netfront_pkt *pkt,
			      uint32_t tx_features, const char **reason)
{
	uint32_t sum = 0;
	unsigned int i, slots;
	const char *why = NULL;

	if (pkt->nr_frags == 0 || pkt->nr_frags > XPV_NETFRONT_MAX_SLOTS)
		why = "bad fragment count";
	for (i = 0; !why && i < pkt->nr_frags; i++) {
		if (pkt->frags[i].len > XPV_NETFRONT_MAX_TX_FRAME)
			why = "fragment too long";
		sum += pkt->frags[i].len;
	}
	if (!why && sum != pkt->len)
		why = "fragments do not add up to the length";
	else if (!why && (pkt->len < XPV_NETFRONT_ETH_HLEN ||
			  pkt->len > XPV_NETFRONT_MAX_TX_FRAME))
		why = "frame length out of range";
	if (why)
		goto bad;
	slots = (pkt->len + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE;
	if (slots > 1 && !(tx_features & XPV_NETFRONT_F_SG))
		why = "multi-slot frame without feature-sg";
	else if ((pkt->flags & XPV_NETFRONT_PKT_CSUM_BLANK) &&
		 !tx_csum_ok(pkt, tx_features))
		why = "checksum offload not agreed";
	else if (pkt->gso_type)
		why = tx_check_gso(pkt, tx_features);
	if (!why)
		return (int)slots;
bad:
	*reason = why;
	return -XPV_EINVAL;
}

/* ---- headers ------------------------------------------------------------ */

static unsigned int be16(const uint8_t *p)
{
	return ((unsigned int)p[0] << 8) | p[1];
}

/* Offset of the L3 header and its ethertype; 0 if the frame is too short. */
static size_t l3_offset(const uint8_t *f, size_t len, unsigned int *type)
{
	size_t off = 12;

	if (len < XPV_NETFRONT_ETH_HLEN)
		return 0;
	*type = be16(f + off);
	if (*type == 0x8100 || *type == 0x88a8) {
		if (len < XPV_NETFRONT_ETH_HLEN + 4)
			return 0;
		off += 4;
		*type = be16(f + off);
	}
	return off + 2;
}

unsigned int xpv_netfront_ip_version(const uint8_t *frame, size_t len)
{
	unsigned int type = 0;

	if (!l3_offset(frame, len, &type))
		return 0;
	return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
}

static int parse_ipv4(const uint8_t *f, size_t len, struct xpv_netfront_l4 *l4)
{
	size_t o = l4->l3_off, ihl;

	if (o + 20 > len || (f[o] >> 4) != 4)
		return -XPV_EINVAL;
	ihl = (size_t)(f[o] & 0xf) * 4;
	/* A fragment carries no whole L4 header to checksum. */
	if (ihl < 20 || o + ihl > len || (be16(f + o + 6) & 0x3fff))
		return -XPV_EINVAL;
	l4->ipver = 4;
	l4->proto = f[o + 9];
	l4->l4_off = (uint16_t)(o + ihl);
	return 0;
}

static int parse_ipv6(const uint8_t *f, size_t len, struct xpv_netfront_l4 *l4)
{
	size_t o = l4->l3_off + 40;
	unsigned int nh, hops;

	if (o > len || (f[l4->l3_off] >> 4) != 6)
		return -XPV_EINVAL;
	nh = f[l4->l3_off + 6];
	/* Hop-by-hop, routing, destination options; a bounded walk. */
	for (hops = 0; (nh == 0 || nh == 43 || nh == 60) && hops < 8; hops++) {
		if (o + 8 > len)
			return -XPV_EINVAL;
		nh = f[o];
		o += ((size_t)f[o + 1] + 1) * 8;
	}
	if (o > len || o > 0xffff)
		return -XPV_EINVAL;
	l4->ipver = 6;
	l4->proto = (uint8_t)nh;
	l4->l4_off = (uint16_t)o;
	return 0;
}

int xpv_netfront_parse_l4(const uint8_t *frame, size_t len,
			  struct xpv_netfront_l4 *l4)
{
	unsigned int type = 0;
	size_t o;
	int err;

	xpv_memset(l4, 0, sizeof(*l4));
	l4->l3_off = (uint16_t)l3_offset(frame, len, &type);
	if (!l4->l3_off)
		return -XPV_EINVAL;
	if (type == 0x0800)
		err = parse_ipv4(frame, len, l4);
	else if (type == 0x86dd)
		err = parse_ipv6(frame, len, l4);
	else
		err = -XPV_EINVAL;
	if (err)
		return err;
	o = l4->l4_off;
	if (l4->proto == 6) {
		if (o + 20 > len || (frame[o + 12] >> 4) < 5)
			return -XPV_EINVAL;
		l4->l4_hlen = (uint16_t)((frame[o + 12] >> 4) * 4);
		l4->csum_off = 16;
	} else if (l4->proto == 17) {
		l4->l4_hlen = 8;
		l4->csum_off = 6;
	} else {
		return -XPV_EINVAL;
	}
	return o + l4->l4_hlen > len ? -XPV_EINVAL : 0;
}

int xpv_netfront_csum_finish(uint8_t *frame, size_t len, size_t start,
			     size_t off)
{
	uint32_t sum = 0;
	uint16_t c;
	size_t i;

	if (start > len || off > len - start || len - start - off < 2)
		return -XPV_EINVAL;
	for (i = start; i + 1 < len; i += 2)
		sum += be16(frame + i);
	if (i < len)
		sum += (uint32_t)frame[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	frame[start + off] = (uint8_t)(c >> 8);
	frame[start + off + 1] = (uint8_t)c;
	return 0;
}

uint32_t xpv_netfront_flow_hash(const uint8_t *frame, size_t len)
{
	struct xpv_netfront_l4 l4;
	uint32_t h = 2166136261u;
	size_t a, alen, i;

	if (xpv_netfront_parse_l4(frame, len, &l4))
		return 0;
	a = l4.l3_off + (l4.ipver == 4 ? 12 : 8);
	alen = l4.ipver == 4 ? 8 : 32;
	for (i = 0; i < alen; i++)
		h = (h ^ frame[a + i]) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ frame[l4.l4_off + i]) * 16777619u;
	return h;
}

/* ---- xenstore values ---------------------------------------------------- */

int xpv_netfront_parse_uint(const char *s, unsigned long max,
			    unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!s[0] || (s[0] == '0' && s[1]))
		return -XPV_EINVAL;
	for (i = 0; s[i]; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9 || d > max || v > (max - d) / 10)
			return -XPV_EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xpv_netfront_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]);
		int lo = hi < 0 ? -1 : hexval(s[3 * i + 1]);
		char sep = lo < 0 ? 'x' : s[3 * i + 2];

		if (lo < 0 || sep != (i == 5 ? '\0' : ':'))
			return -XPV_EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	/* A multicast address can't be a NIC's own. */
	return (mac[0] & 1) ? -XPV_EINVAL : 0;
}
