// SPDX-License-Identifier: MIT
/*
 * The tx request parser against good packets and every evil one a
 * frontend can put in its ring, and the virtio_net_hdr built from the
 * netif metadata.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "backend/netback/pkt.h"
#include "tests/unit/netback/frames.h"

static const struct xpv_netback_tx_limits lim = {.max_slots =
							 XPV_NETBACK_MAX_SLOTS,
						 .gso_tcpv4 = true,
						 .gso_tcpv6 = true};

static struct netif_tx_request slots[512];
static unsigned int nslots;

static void reset(void)
{
	memset(slots, 0, sizeof(slots));
	nslots = 0;
}

static void req(uint16_t size, uint16_t off, uint16_t flags)
{
	slots[nslots] = (struct netif_tx_request){.gref = 100 + nslots,
						  .offset = off,
						  .flags = flags,
						  .id = nslots,
						  .size = size};
	nslots++;
}

static void extra(uint8_t type, uint8_t flags, uint16_t gso_size,
		  uint8_t gso_type)
{
	struct netif_extra_info x = {.type = type, .flags = flags};

	x.u.gso.size = gso_size;
	x.u.gso.type = gso_type;
	memset(&slots[nslots], 0xee, sizeof(slots[nslots]));
	memcpy(&slots[nslots], &x, sizeof(x));
	nslots++;
}

static int check(struct xpv_netback_tx_pkt *p)
{
	return xpv_netback_check_tx(slots, nslots, false, &lim, p);
}

static void test_single(void)
{
	struct xpv_netback_tx_pkt p;

	reset();
	req(60, 100, NETTXF_data_validated);
	CU_ASSERT_EQUAL(check(&p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 1);
	CU_ASSERT_EQUAL(p.nr_data, 1);
	CU_ASSERT_EQUAL(p.len, 60);
	CU_ASSERT_EQUAL(p.first_len, 60);
	CU_ASSERT_PTR_NULL(p.reason);
}

static void test_multi_slot(void)
{
	struct xpv_netback_tx_pkt p;

	reset();
	req(9000, 0, NETTXF_more_data);
	req(4096, 0, NETTXF_more_data);
	req(904, 0, 0);
	req(60, 0, 0); /* the next packet */
	CU_ASSERT_EQUAL(check(&p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 3);
	CU_ASSERT_EQUAL(p.nr_data, 3);
	CU_ASSERT_EQUAL(p.first_len, 4000);
	CU_ASSERT_EQUAL(xpv_netback_tx_slot_len(&p, slots, 0), 4000);
	CU_ASSERT_EQUAL(xpv_netback_tx_slot_len(&p, slots, 2), 904);
	CU_ASSERT_EQUAL(xpv_netback_check_tx(slots + 3, 1, false, &lim, &p), 0);
	CU_ASSERT_EQUAL(p.len, 60);
}

static void test_gso_good(void)
{
	struct xpv_netback_tx_pkt p;

	reset();
	req(6000, 0, NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	req(2000, 0, 0);
	CU_ASSERT_EQUAL(check(&p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 3);
	CU_ASSERT_EQUAL(p.nr_extras, 1);
	CU_ASSERT_EQUAL(p.nr_data, 2);
	CU_ASSERT(xpv_netback_tx_is_extra(&p, 1));
	CU_ASSERT(!xpv_netback_tx_is_extra(&p, 0));
	CU_ASSERT(!xpv_netback_tx_is_extra(&p, 2));
	CU_ASSERT_EQUAL(p.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(p.gso_size, 1448);
	CU_ASSERT_EQUAL(p.first_len, 4000);
}

static void expect_drop(unsigned int nr_slots, const char *why)
{
	struct xpv_netback_tx_pkt p;

	CU_ASSERT_EQUAL(check(&p), -EINVAL);
	CU_ASSERT_EQUAL(p.nr_slots, nr_slots);
	CU_ASSERT_PTR_NOT_NULL(p.reason);
	if (p.reason && why)
		CU_ASSERT_PTR_NOT_NULL(strstr(p.reason, why));
}

static void test_sizes_do_not_add_up(void)
{
	reset();
	req(1000, 0, NETTXF_more_data);
	req(800, 0, NETTXF_more_data);
	req(800, 0, 0);
	expect_drop(3, "exceed");
	/* a follower alone larger than the whole packet */
	reset();
	req(100, 0, NETTXF_more_data);
	req(4000, 0, 0);
	expect_drop(2, "exceed");
}

static void test_too_many_slots(void)
{
	unsigned int i;

	reset();
	req(19 * 100, 0, NETTXF_more_data);
	for (i = 0; i < 18; i++)
		req(100, 0, i == 17 ? 0 : NETTXF_more_data);
	expect_drop(19, "too many slots");
	/* exactly at the limit is fine */
	reset();
	req(18 * 100, 0, NETTXF_more_data);
	for (i = 0; i < 17; i++)
		req(100, 0, i == 16 ? 0 : NETTXF_more_data);
	{
		struct xpv_netback_tx_pkt p;

		CU_ASSERT_EQUAL(check(&p), 0);
		CU_ASSERT_EQUAL(p.nr_data, 18);
	}
}

static void test_crosses_page(void)
{
	reset();
	req(200, 4000, 0);
	expect_drop(1, "crosses");
	reset();
	req(3000, 0, NETTXF_more_data);
	req(1000, 3500, 0);
	expect_drop(2, "crosses");
	reset();
	req(60, 65535, 0);
	expect_drop(1, "crosses");
}

static void test_runt(void)
{
	reset();
	req(13, 0, 0);
	expect_drop(1, "runt");
	reset();
	req(0, 0, 0);
	expect_drop(1, "runt");
}

static void test_gso_tiny(void)
{
	reset();
	req(40, 0, NETTXF_extra_info | NETTXF_csum_blank);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	expect_drop(2, "too small");
}

static void test_gso_bogus(void)
{
	reset();
	req(6000, 0, NETTXF_extra_info | NETTXF_more_data);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
	req(2000, 0, 0);
	expect_drop(3, "zero");
	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 500, 7);
	expect_drop(2, "GSO type");
	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 500, XEN_NETIF_GSO_TYPE_NONE);
	expect_drop(2, "GSO type");
}

static void test_gso_not_offered(void)
{
	struct xpv_netback_tx_limits l4only = {.gso_tcpv4 = true};
	struct xpv_netback_tx_pkt p;

	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 500, XEN_NETIF_GSO_TYPE_TCPV6);
	CU_ASSERT_EQUAL(xpv_netback_check_tx(slots, nslots, false, &l4only, &p),
			-EINVAL);
	CU_ASSERT_EQUAL(p.nr_slots, 2);
}

static void test_extra_bogus(void)
{
	unsigned int i;

	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_NONE, 0, 0, 0);
	expect_drop(2, "unknown extra");
	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_MAX, 0, 0, 0);
	expect_drop(2, "unknown extra");
	reset();
	req(1000, 0, NETTXF_extra_info);
	extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0, 0);
	expect_drop(2, "multicast");
	reset();
	req(1000, 0, NETTXF_extra_info | NETTXF_more_data);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 500, 1);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 500, 1);
	req(100, 0, 0);
	expect_drop(4, "repeated");
	/* a long extra chain: all of it is the packet's, dropped */
	reset();
	req(1000, 0, NETTXF_extra_info);
	for (i = 0; i < 10; i++)
		extra(XEN_NETIF_EXTRA_TYPE_HASH,
		      i == 9 ? 0 : XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
	expect_drop(11, NULL);
}

static void test_incomplete(void)
{
	struct xpv_netback_tx_pkt p;
	unsigned int i;

	reset();
	CU_ASSERT_EQUAL(check(&p), -EAGAIN);
	req(1000, 0, NETTXF_more_data);
	req(100, 0, NETTXF_more_data);
	CU_ASSERT_EQUAL(check(&p), -EAGAIN);
	reset();
	req(1000, 0, NETTXF_extra_info);
	CU_ASSERT_EQUAL(check(&p), -EAGAIN);
	/* a chain as long as the ring never ends: the frontend is broken */
	reset();
	for (i = 0; i < 256; i++)
		req(10, 0, NETTXF_more_data);
	CU_ASSERT_EQUAL(xpv_netback_check_tx(slots, nslots, true, &lim, &p),
			-EPROTO);
	CU_ASSERT_PTR_NOT_NULL(p.reason);
}

static void test_hostile_fields_everywhere(void)
{
	struct xpv_netback_tx_pkt p;
	unsigned int i, n;
	uint32_t x = 12345;
	int rc;

	/* pseudo-random rings: the parser answers, in bounds, every time */
	for (n = 0; n < 2000; n++) {
		reset();
		for (i = 0; i < 40; i++) {
			x = x * 1103515245 + 12345;
			req(x >> 16, x & 0xffff, (x >> 8) & 0xf);
		}
		rc = xpv_netback_check_tx(slots, nslots, n & 1, &lim, &p);
		CU_ASSERT(rc == 0 || rc == -EAGAIN || rc == -EINVAL ||
			  rc == -EPROTO);
		if (rc == 0 || rc == -EINVAL)
			CU_ASSERT(p.nr_slots >= 1 && p.nr_slots <= nslots);
		if (rc == 0) {
			CU_ASSERT(slots[0].offset + p.first_len <= 4096);
			CU_ASSERT(p.nr_data <= XPV_NETBACK_MAX_SLOTS);
			CU_ASSERT(p.len >= XPV_NETBACK_ETH_HLEN);
		}
	}
}

/* ---- virtio_net_hdr from netif metadata ---------------------------------- */

static uint8_t frame[70000];

static struct xpv_netback_tx_pkt pkt_of(uint16_t flags, uint8_t gso_type,
					uint16_t gso_size, size_t len)
{
	struct xpv_netback_tx_pkt p = {.flags = flags,
				       .gso_type = gso_type,
				       .gso_size = gso_size,
				       .len = len};
	return p;
}

static void test_hdr_csum_blank_v4(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_TCP, 1000);
	struct xpv_netback_tx_pkt p = pkt_of(NETTXF_csum_blank, 0, 0, len);
	struct virtio_net_hdr h;
	const char *why;

	frame[14 + 20 + 16] = 0x55; /* garbage where the pseudo sum goes */
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why), 0);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(h.csum_start, 34);
	CU_ASSERT_EQUAL(h.csum_offset, 16);
	CU_ASSERT_EQUAL(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	/* what the offload engine does next must give a valid checksum */
	CU_ASSERT_EQUAL(xpv_netback_finish_csum(frame, len, h.csum_start,
						h.csum_offset),
			0);
	CU_ASSERT(nbt_l4_csum_ok(frame, len));
}

static void test_hdr_csum_blank_v6_udp(void)
{
	size_t len = nbt_frame_v6(frame, IPPROTO_UDP, 333);
	struct xpv_netback_tx_pkt p = pkt_of(NETTXF_csum_blank, 0, 0, len);
	struct virtio_net_hdr h;
	const char *why;

	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why), 0);
	CU_ASSERT_EQUAL(h.csum_start, 54);
	CU_ASSERT_EQUAL(h.csum_offset, 6);
	xpv_netback_finish_csum(frame, len, h.csum_start, h.csum_offset);
	CU_ASSERT(nbt_l4_csum_ok(frame, len));
}

static void test_hdr_gso(void)
{
	size_t len = nbt_frame_v6(frame, IPPROTO_TCP, 20000);
	struct xpv_netback_tx_pkt p =
		pkt_of(NETTXF_csum_blank, XEN_NETIF_GSO_TYPE_TCPV6, 1440, len);
	struct virtio_net_hdr h;
	const char *why;

	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why), 0);
	CU_ASSERT_EQUAL(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	CU_ASSERT_EQUAL(h.gso_size, 1440);
	CU_ASSERT_EQUAL(h.hdr_len, 14 + 40 + 20);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	/* GSO type that contradicts the packet */
	p.gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* GSO on UDP */
	len = nbt_frame_v4(frame, IPPROTO_UDP, 3000);
	p = pkt_of(0, XEN_NETIF_GSO_TYPE_TCPV4, 1000, len);
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why),
			-EINVAL);
	/* GSO with nothing after the headers */
	len = nbt_frame_v4(frame, IPPROTO_TCP, 0);
	p = pkt_of(0, XEN_NETIF_GSO_TYPE_TCPV4, 1000, len);
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, len, &p, &h, &why),
			-EINVAL);
}

static void test_hdr_not_l4(void)
{
	struct xpv_netback_tx_pkt p = pkt_of(NETTXF_csum_blank, 0, 0, 60);
	struct virtio_net_hdr h;
	const char *why;

	memset(frame, 0, 60);
	frame[12] = 0x08;
	frame[13] = 0x06; /* ARP */
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, 60, &p, &h, &why),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(why);
	p.flags = NETTXF_data_validated;
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, 60, &p, &h, &why), 0);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	p.flags = 0;
	CU_ASSERT_EQUAL(xpv_netback_tx_vnet_hdr(frame, 60, &p, &h, &why), 0);
	CU_ASSERT_EQUAL(h.flags, 0);
}

static void test_parse_l4_hostile(void)
{
	struct xpv_netback_l4 l4;
	size_t len = nbt_frame_v4(frame, IPPROTO_TCP, 10);

	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), 0);
	CU_ASSERT_EQUAL(l4.l4_off, 34);
	CU_ASSERT_EQUAL(l4.l4_hlen, 20);
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, 14 + 19, &l4), -EINVAL);
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, 14 + 20 + 19, &l4),
			-EINVAL);
	frame[14] = 0x44; /* ihl 4 */
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), -EINVAL);
	frame[14] = 0x4f; /* ihl 15: 60 bytes, beyond the frame */
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, 14 + 50, &l4), -EINVAL);
	len = nbt_frame_v4(frame, IPPROTO_TCP, 10);
	frame[14 + 20 + 12] = 0xf0; /* doff 15: options past the end */
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), -EINVAL);
	frame[14 + 20 + 12] = 0x40; /* doff 4 */
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), -EINVAL);
	len = nbt_frame_v4(frame, IPPROTO_TCP, 10);
	frame[14 + 6] = 0x20; /* more fragments */
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), -EINVAL);
	/* an IPv6 extension header claiming more than the frame */
	len = nbt_frame_v6(frame, IPPROTO_TCP, 10);
	frame[14 + 6] = 0;
	frame[14 + 40 + 1] = 255;
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len, &l4), -EINVAL);
	/* one VLAN tag is stepped over */
	len = nbt_frame_v4(frame + 4, IPPROTO_UDP, 10);
	memmove(frame, frame + 4, 12);
	frame[12] = 0x81;
	frame[13] = 0x00;
	frame[14] = 0;
	frame[15] = 5;
	frame[16] = 0x08;
	frame[17] = 0x00;
	CU_ASSERT_EQUAL(xpv_netback_parse_l4(frame, len + 4, &l4), 0);
	CU_ASSERT_EQUAL(l4.l4_off, 38);
	CU_ASSERT_EQUAL(l4.proto, IPPROTO_UDP);
}

static CU_TestInfo tx_tests[] = {
	{"one slot", test_single},
	{"multi-slot packet, then the next", test_multi_slot},
	{"GSO extra info", test_gso_good},
	{"slot sizes that don't add up", test_sizes_do_not_add_up},
	{"slot count beyond the limit", test_too_many_slots},
	{"offset+size beyond the page", test_crosses_page},
	{"runt frames", test_runt},
	{"GSO on a tiny packet", test_gso_tiny},
	{"GSO size zero / bad type", test_gso_bogus},
	{"GSO type not offered", test_gso_not_offered},
	{"bogus extra info", test_extra_bogus},
	{"incomplete chains", test_incomplete},
	{"random rings stay in bounds", test_hostile_fields_everywhere},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo hdr_tests[] = {
	{"csum_blank IPv4 TCP", test_hdr_csum_blank_v4},
	{"csum_blank IPv6 UDP", test_hdr_csum_blank_v6_udp},
	{"GSO to virtio", test_hdr_gso},
	{"non-L4 frames", test_hdr_not_l4},
	{"hostile headers", test_parse_l4_hostile},
	CU_TEST_INFO_NULL,
};

extern CU_TestInfo xpv_netback_rx_tests[];
extern CU_TestInfo xpv_netback_path_tests[];

CU_SuiteInfo xpv_test_suites[] = {
	{"netback tx parser", NULL, NULL, NULL, NULL, tx_tests},
	{"netback tx headers", NULL, NULL, NULL, NULL, hdr_tests},
	{"netback rx plan", NULL, NULL, NULL, NULL, xpv_netback_rx_tests},
	{"netback data path", xpv_netback_path_setup, xpv_netback_path_teardown,
	 NULL, NULL, xpv_netback_path_tests},
	CU_SUITE_INFO_NULL,
};
