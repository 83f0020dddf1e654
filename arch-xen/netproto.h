/* SPDX-License-Identifier: MIT */
/* ARP, ICMP echo and the harness's raw echo protocol (netproto.c). */
#ifndef XENPV_ARCH_XEN_NETPROTO_H
#define XENPV_ARCH_XEN_NETPROTO_H

#include "xenpv/xen.h"

#define NP_ETH_HLEN 14u
#define NP_FRAME_MAX 1514u
#define NP_RAW_ETHERTYPE 0x88b5
#define NP_RAW_HLEN 8u
#define NP_RAW_DATA 0
#define NP_RAW_FIN 1
#define NP_RAW_TOTALS 2

struct np_host {
	uint8_t mac[6];
	uint8_t ip[4];
	unsigned long arp_replies, icmp_replies, ignored;
	uint32_t raw_next;	/* next in-order sequence number */
	uint32_t raw_crc;	/* running CRC-32 of in-order payloads */
	uint32_t raw_dups;	/* out of order (resent): echoed only */
	uint64_t raw_bytes;
	bool raw_fin;
};

void np_host_init(struct np_host *h, const uint8_t mac[6],
		  const uint8_t ip[4]);
size_t np_input(struct np_host *h, const uint8_t *f, size_t len, uint8_t *out);
uint16_t np_csum(const uint8_t *p, size_t len);
uint32_t np_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
