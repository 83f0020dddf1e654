// SPDX-License-Identifier: MIT
/* The pure validators and parsers of netfront_check.c. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "tests/unit/netfront/harness.h"

static uint8_t posted[XPV_NETFRONT_RING_SIZE];

static struct xpv_netfront_rx_ctx ctx(RING_IDX cons)
{
	memset(posted, 1, sizeof(posted));
	return (struct xpv_netfront_rx_ctx){ .cons = cons, .posted = posted,
					     .features = XPV_NETFRONT_F_ALL };
}

static struct netif_rx_response rsp(uint16_t id, uint16_t off, int16_t st,
				    uint16_t fl)
{
	return (struct netif_rx_response){ id, off, fl, st };
}

static void test_rx_good_and_wraps(void)
{
	struct xpv_netfront_rx_ctx c = ctx(255);
	struct netif_rx_response r[2] = { rsp(255, 0, 4096, NETRXF_more_data),
					  rsp(0, 0, 10, 0) };
	struct xpv_netfront_rx_pkt p;

	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 2, &p), 0);
	CU_ASSERT_EQUAL(p.nr_slots, 2);
	CU_ASSERT_EQUAL(p.len, 4106);
	CU_ASSERT_EQUAL(p.frags[1].slot, 0);
	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 1, &p), -XPV_EAGAIN);
}

static void test_rx_unposted_slot_is_protocol_error(void)
{
	struct xpv_netfront_rx_ctx c = ctx(3);
	struct netif_rx_response r[1] = { rsp(3, 0, 100, 0) };
	struct xpv_netfront_rx_pkt p;

	posted[3] = 0;
	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 1, &p), -XPV_EPROTO);
	CU_ASSERT_PTR_NOT_NULL(p.reason);
}

static void test_rx_bad_then_skips_whole_chain(void)
{
	struct xpv_netfront_rx_ctx c = ctx(0);
	struct netif_rx_response r[3] = { rsp(0, 4000, 200, NETRXF_more_data),
					  rsp(1, 0, 100, NETRXF_more_data),
					  rsp(2, 0, 100, 0) };
	struct xpv_netfront_rx_pkt p;

	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 3, &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(p.nr_slots, 3);
	CU_ASSERT_STRING_EQUAL(p.reason, "offset+status beyond the page");
}

static void test_rx_features_enforced(void)
{
	struct xpv_netfront_rx_ctx c = ctx(0);
	struct netif_rx_response r[2] = { rsp(0, 0, 100, NETRXF_more_data),
					  rsp(1, 0, 100, 0) };
	struct xpv_netfront_rx_pkt p;

	c.features = XPV_NETFRONT_F_CSUM;
	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 2, &p), -XPV_EINVAL);
	r[0] = rsp(0, 0, 100, NETRXF_csum_blank);
	c.features = 0;
	CU_ASSERT_EQUAL(xpv_netfront_check_rx_rsp(&c, r, 1, &p), -XPV_EINVAL);
}

static void test_tx_rsp(void)
{
	struct xpv_ring_ids ids;
	struct netif_tx_response r = { 3, NETIF_RSP_OKAY };
	const char *why = NULL;
	unsigned int id = 0;

	CU_ASSERT_EQUAL_FATAL(xpv_ring_ids_init(&ids, 8), 0);
	CU_ASSERT_EQUAL(xpv_netfront_check_tx_rsp(&ids, &r, &id, &why),
			-XPV_EPROTO);
	xpv_ring_ids_get(&ids);
	r.id = 0;
	CU_ASSERT_EQUAL(xpv_netfront_check_tx_rsp(&ids, &r, &id, &why), 0);
	r.id = 9;
	CU_ASSERT_EQUAL(xpv_netfront_check_tx_rsp(&ids, &r, &id, &why),
			-XPV_EPROTO);
	r.status = NETIF_RSP_NULL;
	CU_ASSERT_EQUAL(xpv_netfront_check_tx_rsp(&ids, &r, &id, &why),
			XPV_NETFRONT_TX_NULL);
	xpv_ring_ids_destroy(&ids);
}

static void test_parse_uint_and_mac(void)
{
	unsigned long v;
	uint8_t mac[6];

	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("42", 100, &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("0", 1, &v), 0);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("101", 100, &v), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("2", 1, &v), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("07", 100, &v), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("", 100, &v), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("-1", 100, &v), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_uint("99999999999999999999999",
						~0ul, &v),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_mac("00:16:3e:Aa:0b:ff", mac), 0);
	CU_ASSERT_EQUAL(mac[3], 0xaa);
	CU_ASSERT_EQUAL(mac[5], 0xff);
	CU_ASSERT_EQUAL(xpv_netfront_parse_mac("01:16:3e:00:00:00", mac),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_mac("00:16:3e:00:00", mac),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_mac("00:16:3e:00:00:001", mac),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_parse_mac("", mac), -XPV_EINVAL);
}

static void test_l4_and_csum(void)
{
	uint8_t f[200];
	struct xpv_netfront_l4 l4;
	unsigned int sum = 0, i;

	h_frame(f, sizeof(f), 1);
	CU_ASSERT_EQUAL(xpv_netfront_parse_l4(f, sizeof(f), &l4), 0);
	CU_ASSERT_EQUAL(l4.ipver, 4);
	CU_ASSERT_EQUAL(l4.l4_off, 34);
	CU_ASSERT_EQUAL(l4.l4_hlen, 20);
	CU_ASSERT_EQUAL(l4.csum_off, 16);
	CU_ASSERT_EQUAL(xpv_netfront_parse_l4(f, 40, &l4), -XPV_EINVAL);
	f[20] = 0x20; /* a fragment */
	CU_ASSERT_EQUAL(xpv_netfront_parse_l4(f, sizeof(f), &l4), -XPV_EINVAL);
	f[20] = 0;
	/* Finishing over a zeroed field makes the sum fold to 0xffff. */
	f[50] = f[51] = 0;
	CU_ASSERT_EQUAL(xpv_netfront_csum_finish(f, sizeof(f), 34, 16), 0);
	for (i = 34; i < sizeof(f); i += 2)
		sum += (unsigned int)(f[i] << 8 | f[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	CU_ASSERT_EQUAL(sum, 0xffff);
	CU_ASSERT_EQUAL(xpv_netfront_csum_finish(f, sizeof(f), 190, 16),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_netfront_ip_version(f, 10), 0);
}

CU_TestInfo nf_check_tests[] = {
	{ "rx good chain across the wrap", test_rx_good_and_wraps },
	{ "rx unposted slot", test_rx_unposted_slot_is_protocol_error },
	{ "rx bad packet skips its chain", test_rx_bad_then_skips_whole_chain },
	{ "rx features enforced", test_rx_features_enforced },
	{ "tx response ids", test_tx_rsp },
	{ "uint and mac parsers", test_parse_uint_and_mac },
	{ "L4 headers and checksum", test_l4_and_csum },
	CU_TEST_INFO_NULL,
};
