// SPDX-License-Identifier: MIT
/* The rx planner: slots, flags, GSO extras and software checksums. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "backend/netback/pkt.h"
#include "tests/unit/netback/frames.h"

static uint8_t frame[70000];

static const struct xpv_netback_rx_features all = {.sg = true,
						   .gso_tcpv4 = true,
						   .gso_tcpv6 = true,
						   .csum = true,
						   .ipv6_csum = true};

static struct virtio_net_hdr hdr(uint8_t flags, uint8_t gso, uint16_t size)
{
	struct virtio_net_hdr h = {
		.flags = flags, .gso_type = gso, .gso_size = size};
	return h;
}

static void test_plain(void)
{
	struct virtio_net_hdr h = hdr(0, 0, 0);
	struct xpv_netback_rx_plan p;
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 100);

	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 1);
	CU_ASSERT_EQUAL(p.nr_data, 1);
	CU_ASSERT_EQUAL(p.flags, 0);
	h = hdr(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), 0);
	CU_ASSERT_EQUAL(p.flags, NETRXF_data_validated);
}

static void test_sizes(void)
{
	struct virtio_net_hdr h = hdr(0, 0, 0);
	struct xpv_netback_rx_features nosg = all;
	struct xpv_netback_rx_plan p;

	memset(frame, 0, sizeof(frame));
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 9014, &all, &p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 3);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 4096, &all, &p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 1);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 4097, &all, &p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 2);
	CU_ASSERT_EQUAL(
		xpv_netback_rx_plan(&h, frame, XPV_NETBACK_MAX_FRAME, &all, &p),
		0);
	CU_ASSERT_EQUAL(p.nr_slots, 17);
	CU_ASSERT(p.nr_slots < xpv_netback_rx_max_slots(XPV_NETBACK_MAX_FRAME));
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(
				&h, frame, XPV_NETBACK_MAX_FRAME + 1, &all, &p),
			-EINVAL);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 13, &all, &p), -EINVAL);
	nosg.sg = false;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 4096, &nosg, &p), 0);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, 4097, &nosg, &p),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(p.reason);
}

static void test_gso(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_TCP, 30000);
	struct virtio_net_hdr h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      VIRTIO_NET_HDR_GSO_TCPV4, 1448);
	struct xpv_netback_rx_features f = all;
	struct xpv_netback_rx_plan p;

	h.csum_start = 34;
	h.csum_offset = 16;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), 0);
	CU_ASSERT_EQUAL(p.nr_data, 8);
	CU_ASSERT_EQUAL(p.nr_slots, 9);
	CU_ASSERT_EQUAL(p.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(p.gso_size, 1448);
	CU_ASSERT_EQUAL(p.flags, NETRXF_extra_info | NETRXF_csum_blank |
					 NETRXF_data_validated);
	h.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), 0);
	f.gso_tcpv4 = false;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &f, &p), -EINVAL);
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_UDP, 1000);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), -EINVAL);
	h = hdr(0, VIRTIO_NET_HDR_GSO_TCPV4, 1448);
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), -EINVAL);
	/* a frontend without checksum offload cannot take GSO */
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4, 1448);
	h.csum_start = 34;
	h.csum_offset = 16;
	f = all;
	f.csum = false;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &f, &p), -EINVAL);
}

static void test_csum(void)
{
	size_t len = nbt_frame_v6(frame, IPPROTO_TCP, 999);
	struct virtio_net_hdr h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0);
	struct xpv_netback_rx_features f = all;
	struct xpv_netback_rx_plan p;

	h.csum_start = 54;
	h.csum_offset = 16;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), 0);
	CU_ASSERT(!p.sw_csum);
	CU_ASSERT_EQUAL(p.flags, NETRXF_csum_blank | NETRXF_data_validated);
	f.ipv6_csum = false;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &f, &p), 0);
	CU_ASSERT(p.sw_csum);
	CU_ASSERT_EQUAL(p.flags, NETRXF_data_validated);
	/* the pseudo-header sum, as a sender with offload leaves it */
	{
		uint8_t *c = frame + 54 + 16;
		unsigned long s = 0x06 + (len - 54);
		int i;

		for (i = 0; i < 32; i += 2)
			s += frame[14 + 8 + i] << 8 | frame[14 + 9 + i];
		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		c[0] = s >> 8;
		c[1] = s & 0xff;
	}
	CU_ASSERT_EQUAL(xpv_netback_finish_csum(frame, len, 54, 16), 0);
	CU_ASSERT(nbt_l4_csum_ok(frame, len));
	h.csum_start = len - 1;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), -EINVAL);
	h.csum_start = 0xffff;
	h.csum_offset = 0xffff;
	CU_ASSERT_EQUAL(xpv_netback_rx_plan(&h, frame, len, &all, &p), -EINVAL);
	CU_ASSERT_EQUAL(xpv_netback_finish_csum(frame, len, len, 0), -EINVAL);
	CU_ASSERT_EQUAL(xpv_netback_finish_csum(frame, len, len - 2, 1),
			-EINVAL);
}

CU_TestInfo xpv_netback_rx_tests[] = {
	{"plain frames", test_plain},
	{"slot counts and size limits", test_sizes},
	{"GSO extra slot", test_gso},
	{"partial checksums", test_csum},
	CU_TEST_INFO_NULL,
};
