// SPDX-License-Identifier: MIT
/*
 * libFuzzer: netfront's rx response validator on whatever a backend may
 * write in the ring, plus the tx response check and the header walk.
 * Input: cons (1 byte), features (1), unposted slot (1), then 8-byte
 * responses.  Checks what a good verdict promises.
 */
#include <stdlib.h>
#include <string.h>

#include "drivers/netfront/netfront_check.h"

static void check_rx(const uint8_t *data, size_t size)
{
	struct netif_rx_response rsps[XPV_NETFRONT_MAX_CHAIN + 2];
	static uint8_t posted[XPV_NETFRONT_RING_SIZE];
	struct xpv_netfront_rx_ctx c;
	struct xpv_netfront_rx_pkt p;
	size_t n = (size - 3) / sizeof(rsps[0]);
	unsigned int i;
	uint32_t len = 0;
	int r;

	if (n > XPV_NETFRONT_MAX_CHAIN + 2)
		n = XPV_NETFRONT_MAX_CHAIN + 2;
	memcpy(rsps, data + 3, n * sizeof(rsps[0]));
	memset(posted, 1, sizeof(posted));
	posted[data[2]] = 0;
	c = (struct xpv_netfront_rx_ctx){
		.cons = data[0] | 0x10000u,
		.posted = posted,
		.features = data[1] & XPV_NETFRONT_F_ALL,
	};
	r = xpv_netfront_check_rx_rsp(&c, rsps, (unsigned int)n, &p);
	if (r == -XPV_EAGAIN || r == -XPV_EPROTO)
		return;
	if (r != 0 && r != -XPV_EINVAL)
		abort();
	if (p.nr_slots == 0 || p.nr_slots > n || p.nr_frags == 0 ||
	    p.nr_frags > XPV_NETFRONT_MAX_SLOTS || (r && !p.reason))
		abort();
	if (r)
		return;
	for (i = 0; i < p.nr_frags; i++) {
		if (!posted[p.frags[i].slot] ||
		    p.frags[i].offset + p.frags[i].len > XPV_PAGE_SIZE)
			abort();
		len += p.frags[i].len;
	}
	if (len != p.len || len > XPV_NETFRONT_MAX_RX_FRAME ||
	    len < XPV_NETFRONT_ETH_HLEN)
		abort();
}

static void check_tx(const uint8_t *data, size_t size)
{
	struct xpv_ring_ids ids;
	struct netif_tx_response rsp;
	const char *why = NULL;
	unsigned int id = ~0u;
	int r;

	if (size < 4 || xpv_ring_ids_init(&ids, 64))
		return;
	xpv_ring_ids_get(&ids);
	memcpy(&rsp, data, sizeof(rsp));
	r = xpv_netfront_check_tx_rsp(&ids, &rsp, &id, &why);
	if (r == 0 && (id != 0 || !xpv_ring_ids_valid(&ids, id)))
		abort();
	if (r < 0 && !why)
		abort();
	xpv_ring_ids_destroy(&ids);
}

static void check_headers(const uint8_t *data, size_t size)
{
	struct xpv_netfront_l4 l4;
	uint8_t *f = malloc(size ? size : 1);
	char *s = malloc(size + 1);
	unsigned long v;
	uint8_t mac[6];

	memcpy(f, data, size);
	if (!xpv_netfront_parse_l4(f, size, &l4)) {
		if ((size_t)l4.l4_off + l4.l4_hlen > size ||
		    xpv_netfront_csum_finish(f, size, l4.l4_off, l4.csum_off))
			abort();
	}
	xpv_netfront_flow_hash(f, size);
	memcpy(s, data, size);
	s[size] = '\0';
	if (!xpv_netfront_parse_uint(s, 65535, &v) && v > 65535)
		abort();
	xpv_netfront_parse_mac(s, mac);
	free(f);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 3)
		check_rx(data, size);
	check_tx(data, size);
	check_headers(data, size);
	return 0;
}
