/* SPDX-License-Identifier: MIT */
/* Checksum helpers shared by the pure netback files. */
#ifndef XENPV_NETBACK_PKT_PRIV_H
#define XENPV_NETBACK_PKT_PRIV_H

#include <netinet/in.h>

#include "backend/netback/pkt.h"

/* One's complement sum of @len bytes (big-endian words) added to @sum. */
uint32_t xpv_netback_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t xpv_netback_csum_fold(uint32_t sum);
void xpv_netback_set_pseudo(uint8_t *frame, size_t len,
			    const struct xpv_netback_l4 *l4);

/* Where the checksum sits in the L4 header. */
static inline uint16_t xpv_netback_csum_field(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : 6;
}

#endif
