// SPDX-License-Identifier: MIT
/*
 * netfront against a scripted backend on fake_os: negotiation, the data
 * path both ways, and a hostile backend (bad ids, offsets, extra info
 * chains, producer overflow, grants kept mapped), with leak counts.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/core/fake_os.h"
#include "tests/unit/netfront/harness.h"

static uint8_t frame[H_MAX_FRAME];

static void cfg_small(struct xpv_netfront_config *c, unsigned int queues)
{
	xpv_netfront_default_config(c);
	c->max_queues = queues;
	c->rx_bufs = 64;
	c->tx_bufs = 64;
}

static void up(unsigned int queues, const struct h_offer *o)
{
	struct xpv_netfront_config c;
	struct h_offer def;

	if (!o) {
		h_offer_all(&def);
		o = &def;
	}
	cfg_small(&c, queues);
	CU_ASSERT_EQUAL_FATAL(h_init(&c, o), 0);
	h_connect();
}

static void stats(struct xpv_netfront_stats *st)
{
	xpv_netfront_stats(&h.nf, st);
}

/* Tear down and check nothing is left: refs, pages, fake_os errors. */
static void down_clean(void)
{
	CU_ASSERT_EQUAL(h_finish(), 0);
	CU_ASSERT_EQUAL(fake_os_pages_live(), 0);
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 0);
	CU_ASSERT_EQUAL(fake_os_errors(), 0);
}

static void send_one(unsigned int q, size_t len, uint16_t flags)
{
	h_frame(frame, len, 3);
	h_rx_slot(q, -1, 0, (int16_t)len, flags, frame);
	h_rx_push(q);
}

/* ---- negotiation --------------------------------------------------------- */

static void test_connect_single_queue(void)
{
	struct xpv_netfront_stats st;
	struct xpv_netfront_info in;

	up(1, NULL);
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/tx-ring-ref"));
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/event-channel"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/event-channel-tx"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/multi-queue-num-queues"));
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(H_FRONT "/request-rx-copy"), "1");
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(H_FRONT "/feature-rx-notify"),
			       "1");
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(H_FRONT "/feature-sg"), "1");
	CU_ASSERT_STRING_EQUAL(
		fake_os_xs_get(H_FRONT "/feature-no-csum-offload"), "0");
	xpv_netfront_get_info(&h.nf, &in);
	CU_ASSERT_EQUAL(in.nr_queues, 1);
	CU_ASSERT_EQUAL(in.mtu, 1500);
	CU_ASSERT_EQUAL(in.mac[5], 1);
	CU_ASSERT_EQUAL(in.tx_features & XPV_NETFRONT_F_GSO_TCPV4,
			XPV_NETFRONT_F_GSO_TCPV4);
	CU_ASSERT_EQUAL(h.links_up, 1);
	CU_ASSERT(xpv_netfront_connected(&h.nf));
	stats(&st);
	CU_ASSERT_EQUAL(st.rx_posted, 64);
	CU_ASSERT_EQUAL(st.connects, 1);
	/* The rx requests were pushed and the backend told. */
	CU_ASSERT_EQUAL(h.rx[0].sring->req_prod, 64);
	CU_ASSERT(fake_os_evtchn_notify_count(h.rxp[0]) >= 1);
	down_clean();
}

static void test_connect_multi_queue_split(void)
{
	struct h_offer o;
	unsigned int i;

	h_offer_all(&o);
	o.max_queues = 4;
	o.split = true;
	up(2, &o);
	CU_ASSERT_EQUAL(h.nq, 2);
	CU_ASSERT_STRING_EQUAL(
		fake_os_xs_get(H_FRONT "/multi-queue-num-queues"), "2");
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/tx-ring-ref"));
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/queue-1/rx-ring-ref"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/queue-2/rx-ring-ref"));
	CU_ASSERT_NOT_EQUAL(h.txp[1], h.rxp[1]);
	/* A frame on each queue arrives on that queue. */
	for (i = 0; i < 2; i++) {
		send_one(i, 100, 0);
		CU_ASSERT_EQUAL(h.last_queue, i);
	}
	CU_ASSERT_EQUAL(h.nr_rx, 2);
	/* Reconnect with one queue: the queue-N keys go away. */
	xpv_os_xs_write(XPV_XBT_NIL, H_BACK "/multi-queue-max-queues", "1");
	h_set_backend_state(XenbusStateInitWait);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateConnected);
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/queue-0/tx-ring-ref"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(H_FRONT "/multi-queue-num-queues"));
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/event-channel-tx"));
	down_clean();
}

static void test_connect_without_rx_copy_fails(void)
{
	struct xpv_netfront_config c;
	struct h_offer o;

	h_offer_all(&o);
	o.no_rx_copy = true;
	cfg_small(&c, 1);
	CU_ASSERT_EQUAL_FATAL(h_init(&c, &o), 0);
	h_set_backend_state(XenbusStateInitWait);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosing);
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/error"));
	down_clean();
}

static void test_connect_bad_mac_fails(void)
{
	struct xpv_netfront_config c;
	struct h_offer o;

	h_offer_all(&o);
	cfg_small(&c, 1);
	CU_ASSERT_EQUAL_FATAL(h_init(&c, &o), 0);
	xpv_os_xs_write(XPV_XBT_NIL, H_FRONT "/mac", "01:16:3e:00:00:zz");
	h_set_backend_state(XenbusStateInitWait);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosing);
	CU_ASSERT_EQUAL(fake_os_pages_live(), 0);
	down_clean();
}

static void test_no_sg_caps_mtu(void)
{
	struct xpv_netfront_info in;
	struct h_offer o;

	h_offer_all(&o);
	o.sg = false;
	up(1, &o);
	xpv_os_xs_write(XPV_XBT_NIL, H_FRONT "/mtu", "9000");
	h_set_backend_state(XenbusStateInitWait);
	xpv_netfront_get_info(&h.nf, &in);
	CU_ASSERT_EQUAL(in.mtu, 1500);
	CU_ASSERT_EQUAL(in.tx_features & (XPV_NETFRONT_F_SG |
					  XPV_NETFRONT_F_GSO_TCPV4),
			0);
	down_clean();
}

/* ---- rx good paths ------------------------------------------------------- */

static void test_rx_single(void)
{
	up(1, NULL);
	send_one(0, 1000, NETRXF_data_validated);
	CU_ASSERT_EQUAL_FATAL(h.nr_rx, 1);
	CU_ASSERT_EQUAL(h.last_len, 1000);
	CU_ASSERT_EQUAL(memcmp(h.last, frame, 1000), 0);
	CU_ASSERT_EQUAL(h.last_flags, XPV_NETFRONT_PKT_DATA_VALID);
	/* The buffer went back to the backend. */
	CU_ASSERT_EQUAL(h.rx[0].sring->req_prod, 65);
	down_clean();
}

/*
 * rx_bufs (64) below the ring's 256 slots: the ring walks every slot, so
 * a consumed buffer must move on to the next slot posted, its grant with
 * it, or the refs run out after 64 frames and the ring starves.
 */
static void test_rx_ring_wraps_with_fewer_buffers(void)
{
	struct xpv_netfront_stats st;
	unsigned int i;

	up(1, NULL);
	for (i = 0; i < 3 * XPV_NETFRONT_RING_SIZE; i++)
		send_one(0, 100 + i % 900, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 3 * XPV_NETFRONT_RING_SIZE);
	CU_ASSERT_EQUAL(h.rx[0].sring->req_prod,
			3 * XPV_NETFRONT_RING_SIZE + 64);
	stats(&st);
	CU_ASSERT_EQUAL(st.rx_posted, 64);
	/* 64 rx buffers and the 2 ring pages: nothing piles up. */
	CU_ASSERT_EQUAL(st.gnt_outstanding, 64 + 2);
	CU_ASSERT_EQUAL(st.pages, 64 + 2);
	down_clean();
}

static void gso_extra(struct netif_extra_info *x, uint8_t type, uint16_t size,
		      uint8_t flags)
{
	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_GSO;
	x->flags = flags;
	x->u.gso.type = type;
	x->u.gso.size = size;
}

static void test_rx_sg_gso_csum(void)
{
	struct netif_extra_info x;
	struct xpv_netfront_stats st;

	up(1, NULL);
	h_frame(frame, 10000, 5);
	h_rx_slot(0, -1, 0, 4096,
		  NETRXF_csum_blank | NETRXF_data_validated |
			  NETRXF_more_data | NETRXF_extra_info,
		  frame);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV4, 1448, 0);
	h_rx_extra(0, &x);
	h_rx_slot(0, -1, 0, 4096, NETRXF_more_data, frame + 4096);
	h_rx_slot(0, -1, 100, 10000 - 8192, 0, frame + 8192);
	h_rx_push(0);
	CU_ASSERT_EQUAL_FATAL(h.nr_rx, 1);
	CU_ASSERT_EQUAL(h.last_len, 10000);
	CU_ASSERT_EQUAL(h.last_frags, 3);
	CU_ASSERT_EQUAL(memcmp(h.last, frame, 10000), 0);
	CU_ASSERT_EQUAL(h.last_gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(h.last_gso_size, 1448);
	CU_ASSERT_EQUAL(h.last_flags, XPV_NETFRONT_PKT_CSUM_BLANK |
					      XPV_NETFRONT_PKT_DATA_VALID);
	stats(&st);
	CU_ASSERT_EQUAL(st.rx_posted, 64);
	CU_ASSERT_FALSE(st.broken);
	down_clean();
}

static void test_rx_incomplete_chain_waits(void)
{
	up(1, NULL);
	h_frame(frame, 5000, 1);
	h_rx_slot(0, -1, 0, 4096, NETRXF_more_data, frame);
	h_rx_push(0);
	CU_ASSERT_EQUAL(h.nr_rx, 0);
	/* Asked to hear about the rest. */
	CU_ASSERT_EQUAL(h.rx[0].sring->rsp_event, 2);
	h_rx_slot(0, -1, 0, 904, 0, frame + 4096);
	h_rx_push(0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	CU_ASSERT_EQUAL(h.last_len, 5000);
	down_clean();
}

/* ---- rx: a hostile backend ---------------------------------------------- */

static void expect_dropped(unsigned long long n)
{
	struct xpv_netfront_stats st;

	stats(&st);
	CU_ASSERT_EQUAL(st.rx_dropped, n);
	CU_ASSERT_FALSE(st.broken);
	CU_ASSERT_EQUAL(h.nr_rx, 0);
}

static void test_rx_id_out_of_range(void)
{
	up(1, NULL);
	h_frame(frame, 100, 0);
	h_rx_slot(0, 300, 0, 100, 0, frame);
	h_rx_slot(0, 7, 0, 100, 0, frame); /* in range, wrong slot */
	h_rx_push(0);
	expect_dropped(2);
	send_one(0, 80, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	down_clean();
}

static void test_rx_offset_status_beyond_page(void)
{
	up(1, NULL);
	h_rx_slot(0, -1, 4000, 200, 0, NULL);
	h_rx_slot(0, -1, 4096, 1, 0, NULL);
	h_rx_slot(0, -1, 0, 0x7fff, 0, NULL);
	h_rx_slot(0, -1, 0, 0, 0, NULL);
	h_rx_slot(0, -1, 0, 10, 0, NULL); /* shorter than Ethernet */
	h_rx_push(0);
	expect_dropped(5);
	down_clean();
}

static void test_rx_error_status_counted(void)
{
	struct xpv_netfront_stats st;

	up(1, NULL);
	h_rx_slot(0, -1, 0, NETIF_RSP_ERROR, 0, NULL);
	h_rx_push(0);
	stats(&st);
	CU_ASSERT_EQUAL(st.rx_errors, 1);
	CU_ASSERT_EQUAL(st.rx_dropped, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 0);
	down_clean();
}

static void test_rx_bogus_extra_chains(void)
{
	struct netif_extra_info x;

	up(1, NULL);
	h_frame(frame, 200, 0);
	/* Type 0. */
	h_rx_slot(0, -1, 0, 200, NETRXF_csum_blank | NETRXF_extra_info, frame);
	memset(&x, 0, sizeof(x));
	h_rx_extra(0, &x);
	/* The same type twice. */
	h_rx_slot(0, -1, 0, 200, NETRXF_csum_blank | NETRXF_extra_info, frame);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV4, 100, XEN_NETIF_EXTRA_FLAG_MORE);
	h_rx_extra(0, &x);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV4, 100, 0);
	h_rx_extra(0, &x);
	/* GSO of a type never offered, of size 0, and without csum_blank. */
	h_rx_slot(0, -1, 0, 200, NETRXF_csum_blank | NETRXF_extra_info, frame);
	gso_extra(&x, 7, 100, 0);
	h_rx_extra(0, &x);
	h_rx_slot(0, -1, 0, 200, NETRXF_csum_blank | NETRXF_extra_info, frame);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV6, 0, 0);
	h_rx_extra(0, &x);
	h_rx_slot(0, -1, 0, 200, NETRXF_extra_info, frame);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV6, 1000, 0);
	h_rx_extra(0, &x);
	/* Unknown flags; extra info flagged on a later fragment. */
	h_rx_slot(0, -1, 0, 200, 0x80, frame);
	h_rx_slot(0, -1, 0, 100, NETRXF_more_data, frame);
	h_rx_slot(0, -1, 0, 100, NETRXF_extra_info, frame);
	h_rx_push(0);
	expect_dropped(7);
	/* The ring is still in step: a good frame gets through. */
	send_one(0, 60, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	down_clean();
}

static void expect_broken(const char *why)
{
	struct xpv_netfront_stats st;

	stats(&st);
	CU_ASSERT_TRUE(st.broken);
	CU_ASSERT_PTR_NOT_NULL(strstr(st.reason, why));
	CU_ASSERT(h.kicks >= 1);
	/* Nothing more is taken from the rings. */
	send_one(0, 60, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 0);
	/* Process context reports it and closes. */
	xpv_netfront_work(&h.nf);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosing);
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(H_FRONT "/error"));
	CU_ASSERT_FALSE(xpv_netfront_connected(&h.nf));
	CU_ASSERT_EQUAL(h.links_down, 1);
}

static void test_rx_extra_chain_too_long(void)
{
	struct netif_extra_info x;
	unsigned int i;

	up(1, NULL);
	h_rx_slot(0, -1, 0, 200, NETRXF_extra_info, NULL);
	gso_extra(&x, XEN_NETIF_GSO_TYPE_TCPV4, 100, XEN_NETIF_EXTRA_FLAG_MORE);
	for (i = 0; i < 6; i++)
		h_rx_extra(0, &x);
	h_rx_push(0);
	expect_broken("extra info chain");
	down_clean();
}

static void test_rx_too_many_slots(void)
{
	unsigned int i;

	up(1, NULL);
	for (i = 0; i < 20; i++)
		h_rx_slot(0, -1, 0, 1000, NETRXF_more_data, NULL);
	h_rx_push(0);
	expect_broken("slot limit");
	down_clean();
}

static void test_rx_prod_overflow(void)
{
	up(1, NULL);
	h.rx[0].sring->rsp_prod = 1000;
	fake_os_evtchn_fire(h.rxp[0]);
	expect_broken("rsp_prod overflow");
	down_clean();
}

static void test_rx_grant_kept_mapped(void)
{
	netif_rx_request_t req;
	struct xpv_netfront_stats st;

	up(1, NULL);
	req = *RING_GET_REQUEST(&h.rx[0], 0);
	fake_os_gnttab_peer_map(req.gref, true);
	send_one(0, 100, 0);
	expect_broken("still mapped");
	stats(&st);
	CU_ASSERT_EQUAL(st.gnt_deferred, 1);
	/* Still mapped at destroy: given up, and counted. */
	CU_ASSERT_EQUAL(h_finish(), 1);
	fake_os_gnttab_peer_unmap(req.gref);
}

/* ---- tx ------------------------------------------------------------------ */

static int xmit(size_t len, uint16_t flags, uint8_t gso_type, uint16_t mss)
{
	struct xpv_netfront_pkt p;

	memset(&p, 0, sizeof(p));
	h_frame(frame, len, 9);
	/* Two fragments, split at an odd place. */
	p.nr_frags = 2;
	p.frags[0] = (struct xpv_netfront_frag){ frame, (uint32_t)(len / 3) };
	p.frags[1] = (struct xpv_netfront_frag){ frame + len / 3,
						 (uint32_t)(len - len / 3) };
	p.len = (uint32_t)len;
	p.flags = flags;
	p.gso_type = gso_type;
	p.gso_size = mss;
	return xpv_netfront_xmit(&h.nf, 0, &p);
}

static void test_tx_single(void)
{
	struct netif_tx_request r[4];
	struct xpv_netfront_stats st;
	grant_entry_v1_t *e;

	up(1, NULL);
	CU_ASSERT_EQUAL_FATAL(xmit(300, XPV_NETFRONT_PKT_DATA_VALID, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(h_tx_take(0, r, 4), 1);
	CU_ASSERT_EQUAL(r[0].size, 300);
	CU_ASSERT_EQUAL(r[0].offset, 0);
	CU_ASSERT_EQUAL(r[0].flags, NETTXF_data_validated);
	e = fake_os_gnttab_entry(r[0].gref);
	CU_ASSERT(e->flags & GTF_readonly);
	CU_ASSERT_EQUAL(memcmp(h_gref_page(r[0].gref), frame, 300), 0);
	CU_ASSERT(fake_os_evtchn_notify_count(h.txp[0]) >= 1);
	h_tx_rsp(0, r[0].id, NETIF_RSP_OKAY);
	h_tx_push(0);
	stats(&st);
	CU_ASSERT_EQUAL(st.tx_in_flight, 0);
	CU_ASSERT_EQUAL(st.tx_packets, 1);
	CU_ASSERT_EQUAL(e->flags, 0); /* revoked */
	down_clean();
}

static void test_tx_sg_gso(void)
{
	struct netif_tx_request r[8];
	struct netif_extra_info x;
	uint8_t got[10000];
	unsigned int n, i, off = 0;

	up(1, NULL);
	CU_ASSERT_EQUAL_FATAL(xmit(10000, XPV_NETFRONT_PKT_CSUM_BLANK,
				   XEN_NETIF_GSO_TYPE_TCPV4, 1448),
			      0);
	n = h_tx_take(0, r, 8);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT_EQUAL(r[0].size, 10000);
	CU_ASSERT_EQUAL(r[0].flags, NETTXF_csum_blank | NETTXF_data_validated |
					    NETTXF_more_data |
					    NETTXF_extra_info);
	memcpy(&x, &r[1], sizeof(x));
	CU_ASSERT_EQUAL(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(x.u.gso.size, 1448);
	CU_ASSERT_EQUAL(r[2].flags, NETTXF_more_data);
	CU_ASSERT_EQUAL(r[3].flags, 0);
	CU_ASSERT_EQUAL(r[3].size, 10000 - 8192);
	for (i = 0; i < 4; i++) {
		size_t len = i == 0 ? 4096 : i == 2 ? 4096 : 10000 - 8192;

		if (i == 1)
			continue;
		memcpy(got + off, h_gref_page(r[i].gref), len);
		off += (unsigned int)len;
	}
	CU_ASSERT_EQUAL(memcmp(got, frame, 10000), 0);
	h_tx_rsp(0, r[0].id, NETIF_RSP_OKAY);
	h_tx_rsp(0, 0xdead, NETIF_RSP_NULL);
	h_tx_rsp(0, r[2].id, NETIF_RSP_OKAY);
	h_tx_rsp(0, r[3].id, NETIF_RSP_ERROR);
	h_tx_push(0);
	{
		struct xpv_netfront_stats st;

		stats(&st);
		CU_ASSERT_EQUAL(st.tx_in_flight, 0);
		CU_ASSERT_EQUAL(st.tx_errors, 0); /* error on a later slot */
		CU_ASSERT_FALSE(st.broken);
	}
	down_clean();
}

static void test_tx_refused_frames(void)
{
	struct xpv_netfront_pkt p;
	struct h_offer o;

	h_offer_all(&o);
	o.gso6 = false;
	o.ipv6_csum = false;
	up(1, &o);
	CU_ASSERT_EQUAL(xmit(10, 0, 0, 0), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xmit(70000, 0, 0, 0), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xmit(9000, XPV_NETFRONT_PKT_CSUM_BLANK,
			     XEN_NETIF_GSO_TYPE_TCPV6, 1400),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xmit(9000, 0, XEN_NETIF_GSO_TYPE_TCPV4, 1400),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xmit(9000, XPV_NETFRONT_PKT_CSUM_BLANK,
			     XEN_NETIF_GSO_TYPE_TCPV4, 0),
			-XPV_EINVAL);
	memset(&p, 0, sizeof(p));
	h_frame(frame, 100, 0);
	p.nr_frags = 1;
	p.frags[0] = (struct xpv_netfront_frag){ frame, 100 };
	p.len = 120; /* fragments don't add up */
	CU_ASSERT_EQUAL(xpv_netfront_xmit(&h.nf, 0, &p), -XPV_EINVAL);
	/* IPv6 with a partial checksum the backend did not offer. */
	frame[12] = 0x86;
	frame[13] = 0xdd;
	p.len = 100;
	p.flags = XPV_NETFRONT_PKT_CSUM_BLANK;
	CU_ASSERT_EQUAL(xpv_netfront_xmit(&h.nf, 0, &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(h.tx[0].sring->req_prod, 0);
	down_clean();
}

static void test_tx_full_then_wake(void)
{
	struct netif_tx_request r[64];
	unsigned int i, n;

	up(1, NULL);
	for (i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), -XPV_EAGAIN);
	n = h_tx_take(0, r, 64);
	CU_ASSERT_EQUAL_FATAL(n, 64);
	h_tx_rsp(0, r[0].id, NETIF_RSP_OKAY);
	h_tx_push(0);
	CU_ASSERT_EQUAL(h.wakes, 1);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	down_clean();
}

static void test_tx_bad_responses(void)
{
	struct netif_tx_request r[2];

	up(1, NULL);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(h_tx_take(0, r, 2), 1);
	h_tx_rsp(0, r[0].id, NETIF_RSP_OKAY);
	h_tx_rsp(0, r[0].id, NETIF_RSP_OKAY); /* twice */
	h_tx_push(0);
	{
		struct xpv_netfront_stats st;

		stats(&st);
		CU_ASSERT_TRUE(st.broken);
		CU_ASSERT_PTR_NOT_NULL(strstr(st.reason, "tx"));
	}
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), -XPV_ESHUTDOWN);
	down_clean();
}

static void test_tx_id_out_of_range(void)
{
	up(1, NULL);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	h_tx_rsp(0, 5000, NETIF_RSP_OKAY);
	h_tx_push(0);
	expect_broken("tx id out of range");
	down_clean();
}

static void test_tx_prod_overflow(void)
{
	up(1, NULL);
	h.tx[0].sring->rsp_prod = 77;
	fake_os_evtchn_fire(h.txp[0]);
	expect_broken("tx rsp_prod overflow");
	down_clean();
}

/* ---- reconnect ---------------------------------------------------------- */

static void test_backend_restart_reconnects(void)
{
	struct xpv_netfront_stats st;
	struct netif_tx_request r[4];

	up(1, NULL);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(xmit(5000, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(h_tx_take(0, r, 4), 3);
	/* The backend maps one tx page and then dies: the hypervisor drops
	 * its mappings, and the restarted backend comes back in InitWait. */
	fake_os_gnttab_peer_map(r[0].gref, false);
	fake_os_gnttab_peer_unmap(r[0].gref);
	h_set_backend_state(XenbusStateInitWait);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateConnected);
	CU_ASSERT_EQUAL(h.links_down, 1);
	stats(&st);
	CU_ASSERT_EQUAL(st.tx_dropped, 2);
	CU_ASSERT_EQUAL(st.tx_in_flight, 0);
	/* Only the new rings are granted until the backend connects. */
	CU_ASSERT_EQUAL(st.gnt_outstanding, 2);
	CU_ASSERT_EQUAL(st.pages, 2);
	h_attach();
	h_set_backend_state(XenbusStateConnected);
	CU_ASSERT_EQUAL(h.links_up, 2);
	stats(&st);
	CU_ASSERT_EQUAL(st.connects, 2);
	send_one(0, 500, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	CU_ASSERT_EQUAL(xmit(100, 0, 0, 0), 0);
	down_clean();
}

static void test_backend_gone_and_back(void)
{
	up(1, NULL);
	xpv_os_xs_rm(XPV_XBT_NIL, H_BACK "/state");
	xpv_netfront_otherend_changed(&h.nf);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosed);
	CU_ASSERT_EQUAL(fake_os_pages_live(), 0);
	h_connect();
	send_one(0, 100, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	down_clean();
}

static void test_broken_device_recovers_on_restart(void)
{
	up(1, NULL);
	h.rx[0].sring->rsp_prod = 999;
	fake_os_evtchn_fire(h.rxp[0]);
	expect_broken("overflow");
	h_set_backend_state(XenbusStateClosing);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosed);
	h_set_backend_state(XenbusStateClosed);
	h_connect();
	CU_ASSERT(xpv_netfront_connected(&h.nf));
	send_one(0, 100, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	down_clean();
}

/* A backend that gives up on its own gets a fresh start, unless offline. */
static void test_backend_gave_up_restarts(void)
{
	up(1, NULL);
	h_set_backend_state(XenbusStateClosing);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosed);
	h_set_backend_state(XenbusStateClosed);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateInitialising);
	h_connect();
	send_one(0, 100, 0);
	CU_ASSERT_EQUAL(h.nr_rx, 1);
	/* The toolstack taking it away: online=0, and we stay Closed. */
	xpv_os_xs_write(XPV_XBT_NIL, H_BACK "/online", "0");
	h_set_backend_state(XenbusStateClosing);
	h_set_backend_state(XenbusStateClosed);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosed);
	xpv_netfront_work(&h.nf);
	CU_ASSERT_EQUAL(h_state_of_front(), XenbusStateClosed);
	down_clean();
}

static void test_init_rejects_bad_config(void)
{
	struct xpv_netfront_config c;
	struct xpv_netfront nf;
	struct xpv_netfront_ops ops = { .rx = NULL };

	fake_os_reset();
	xpv_netfront_default_config(&c);
	CU_ASSERT_EQUAL(xpv_netfront_init(&nf, &c, &ops, NULL), -XPV_EINVAL);
	c.max_queues = 9;
	CU_ASSERT_EQUAL(xpv_netfront_init(&nf, &c, &ops, NULL), -XPV_EINVAL);
	CU_ASSERT_EQUAL(fake_os_errors(), 0);
}

static CU_TestInfo nf_tests[] = {
	{ "connect, one queue", test_connect_single_queue },
	{ "connect, 2 queues, split", test_connect_multi_queue_split },
	{ "no feature-rx-copy fails", test_connect_without_rx_copy_fails },
	{ "connect with a bad mac fails", test_connect_bad_mac_fails },
	{ "no feature-sg caps the MTU", test_no_sg_caps_mtu },
	{ "rx single slot", test_rx_single },
	{ "rx SG + GSO + csum flags", test_rx_sg_gso_csum },
	{ "rx ring wraps with 64 buffers",
	  test_rx_ring_wraps_with_fewer_buffers },
	{ "rx incomplete chain waits", test_rx_incomplete_chain_waits },
	{ "rx id out of range or wrong slot", test_rx_id_out_of_range },
	{ "rx offset+status beyond page",
	  test_rx_offset_status_beyond_page },
	{ "rx error status counted", test_rx_error_status_counted },
	{ "rx bogus extra info", test_rx_bogus_extra_chains },
	{ "rx extra chain too long", test_rx_extra_chain_too_long },
	{ "rx too many slots", test_rx_too_many_slots },
	{ "rx prod overflow", test_rx_prod_overflow },
	{ "rx grant kept mapped", test_rx_grant_kept_mapped },
	{ "tx single slot", test_tx_single },
	{ "tx SG + GSO", test_tx_sg_gso },
	{ "tx refused frames", test_tx_refused_frames },
	{ "tx full, then woken", test_tx_full_then_wake },
	{ "tx duplicate response", test_tx_bad_responses },
	{ "tx id out of range", test_tx_id_out_of_range },
	{ "tx prod overflow", test_tx_prod_overflow },
	{ "backend restart reconnects", test_backend_restart_reconnects },
	{ "backend gone and back", test_backend_gone_and_back },
	{ "broken device recovers",
	  test_broken_device_recovers_on_restart },
	{ "backend gave up: fresh start",
	  test_backend_gave_up_restarts },
	{ "init rejects a bad config", test_init_rejects_bad_config },
	CU_TEST_INFO_NULL,
};

extern CU_TestInfo nf_check_tests[];

CU_SuiteInfo xpv_test_suites[] = {
	{ "netfront", NULL, NULL, NULL, NULL, nf_tests },
	{ "netfront_check", NULL, NULL, NULL, NULL, nf_check_tests },
	CU_SUITE_INFO_NULL,
};
