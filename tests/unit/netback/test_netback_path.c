// SPDX-License-Identifier: MIT
/*
 * netback's data path on real shared rings with a scripted frontend: a
 * fake xenops whose grant copies reach a local array of "frontend pages"
 * (one per grant ref), and a SOCK_SEQPACKET pair in place of the TAP (it
 * keeps frame boundaries as a TAP does).  Checks the responses netback
 * builds, slot by slot: ids, statuses, flags, the GSO extra slot, stalls
 * and broken rings.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/netback/netback.h"
#include "tests/unit/netback/frames.h"

#define NPAGES 64
#define BAD_REF 999

static uint8_t (*fpage)[XPV_PAGE_SIZE]; /* frontend page of each ref */
static unsigned int notifies;

static int f_copy(struct xpv_xenops *x, struct xpv_xenops_copy *s,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bool in = s[i].flags & GNTCOPY_source_gref;
		grant_ref_t ref =
			in ? s[i].source.foreign.ref : s[i].dest.foreign.ref;
		uint16_t off = in ? s[i].source.foreign.offset
				  : s[i].dest.foreign.offset;

		if (ref >= NPAGES || off + s[i].len > XPV_PAGE_SIZE) {
			s[i].status = GNTST_bad_gntref;
			continue;
		}
		if (in)
			memcpy(s[i].dest.virt, fpage[ref] + off, s[i].len);
		else
			memcpy(fpage[ref] + off, s[i].source.virt, s[i].len);
		s[i].status = GNTST_okay;
	}
	return 0;
}

static int f_notify(struct xpv_xenops *x, evtchn_port_t port)
{
	notifies++;
	return 0;
}

static const struct xpv_xenops_ops fake_ops = {
	.name = "fake", .copy = f_copy, .notify = f_notify};
static struct xpv_xenops fake_x = {.ops = &fake_ops};

static struct xpv_netback nb;
static struct xpv_netback_vif vif;
static struct xpv_netback_queue q;
static netif_tx_front_ring_t ftx;
static netif_rx_front_ring_t frx;
static void *tx_sring, *rx_sring;
static int tap[2]; /* [0] the test, [1] netback */
static uint8_t frame[70000];

static int setup(void)
{
	size_t bytes = 17 * XPV_PAGE_SIZE;

	fpage = aligned_alloc(XPV_PAGE_SIZE, NPAGES * XPV_PAGE_SIZE);
	tx_sring = aligned_alloc(XPV_PAGE_SIZE, XPV_PAGE_SIZE);
	rx_sring = aligned_alloc(XPV_PAGE_SIZE, XPV_PAGE_SIZE);
	q.rx_buf = aligned_alloc(XPV_PAGE_SIZE, bytes);
	q.tx_buf = aligned_alloc(XPV_PAGE_SIZE, bytes);
	if (!fpage || !tx_sring || !rx_sring || !q.rx_buf || !q.tx_buf)
		return 1;
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, tap);
}

static int teardown(void)
{
	free(fpage);
	free(tx_sring);
	free(rx_sring);
	free(q.rx_buf);
	free(q.tx_buf);
	close(tap[0]);
	close(tap[1]);
	return 0;
}

static const struct xpv_netback_rx_features all_rx = {.sg = true,
						      .gso_tcpv4 = true,
						      .gso_tcpv6 = true,
						      .csum = true,
						      .ipv6_csum = true};

/* Fresh rings and a connected queue before each test. */
static void fresh(void)
{
	uint8_t junk[70000];

	while (recv(tap[0], junk, sizeof(junk), 0) > 0 ||
	       recv(tap[1], junk, sizeof(junk), 0) > 0)
		;
	memset(&nb, 0, sizeof(nb));
	nb.x = &fake_x;
	nb.epfd = -1;
	memset(&vif, 0, sizeof(vif));
	vif.nb = &nb;
	vif.fe_domid = 7;
	vif.nr_queues = vif.max_queues = 1;
	vif.q = &q;
	vif.rxf = all_rx;
	vif.txl = (struct xpv_netback_tx_limits){XPV_NETBACK_MAX_SLOTS, true,
						 true};
	q.vif = &vif;
	q.tap_fd = tap[1];
	q.connected = true;
	q.rx_have = q.rx_stalled = false;
	XPV_RING_FRONT_INIT(&ftx, (netif_tx_sring_t *)tx_sring, XPV_PAGE_SIZE);
	XPV_RING_FRONT_INIT(&frx, (netif_rx_sring_t *)rx_sring, XPV_PAGE_SIZE);
	BACK_RING_INIT(&q.tx, (netif_tx_sring_t *)tx_sring, XPV_PAGE_SIZE);
	BACK_RING_INIT(&q.rx, (netif_rx_sring_t *)rx_sring, XPV_PAGE_SIZE);
	memset(fpage, 0, NPAGES * XPV_PAGE_SIZE);
	notifies = 0;
}

static void post_rx(unsigned int n, uint16_t id0, grant_ref_t ref0)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		netif_rx_request_t *r = XPV_RING_FRONT_NEXT_REQ(&frx);

		r->id = id0 + i;
		r->gref = ref0 + i;
	}
	XPV_RING_FRONT_PUSH(&frx);
}

static void tap_send(const struct virtio_net_hdr *h, const void *f, size_t n)
{
	uint8_t buf[70000];

	memcpy(buf, h, sizeof(*h));
	memcpy(buf + sizeof(*h), f, n);
	CU_ASSERT_EQUAL(send(tap[0], buf, sizeof(*h) + n, 0),
			(ssize_t)(sizeof(*h) + n));
}

static netif_rx_response_t *rx_rsp(unsigned int i)
{
	return RING_GET_RESPONSE(&frx, i);
}

static void test_rx_small(void)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_DATA_VALID};
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 100);

	fresh();
	post_rx(4, 10, 20);
	tap_send(&h, frame, len);
	CU_ASSERT(!xpv_netback_rx_run(&q));
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 1);
	CU_ASSERT_EQUAL(rx_rsp(0)->id, 10);
	CU_ASSERT_EQUAL(rx_rsp(0)->status, (int16_t)len);
	CU_ASSERT_EQUAL(rx_rsp(0)->offset, 0);
	CU_ASSERT_EQUAL(rx_rsp(0)->flags, NETRXF_data_validated);
	CU_ASSERT_EQUAL(memcmp(fpage[20], frame, len), 0);
	CU_ASSERT_EQUAL(notifies, 1);
	CU_ASSERT_EQUAL(q.st.rx_packets, 1);
}

static void test_rx_gso(void)
{
	struct virtio_net_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				   .gso_size = 1448,
				   .csum_start = 34,
				   .csum_offset = 16};
	size_t len = nbt_frame_v4(frame, IPPROTO_TCP, 9000);
	struct netif_extra_info x;

	fresh();
	post_rx(8, 10, 20);
	tap_send(&h, frame, len);
	xpv_netback_rx_run(&q);
	/* 9054 bytes: 3 data slots, the GSO extra in the second slot */
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 4);
	CU_ASSERT_EQUAL(rx_rsp(0)->id, 10);
	CU_ASSERT_EQUAL(rx_rsp(0)->status, 4096);
	CU_ASSERT_EQUAL(rx_rsp(0)->flags, NETRXF_extra_info | NETRXF_more_data |
						  NETRXF_csum_blank |
						  NETRXF_data_validated);
	memcpy(&x, rx_rsp(1), sizeof(x));
	CU_ASSERT_EQUAL(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(x.flags, 0);
	CU_ASSERT_EQUAL(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(x.u.gso.size, 1448);
	CU_ASSERT_EQUAL(rx_rsp(2)->id, 12);
	CU_ASSERT_EQUAL(rx_rsp(2)->status, 4096);
	CU_ASSERT_EQUAL(rx_rsp(2)->flags, NETRXF_more_data);
	CU_ASSERT_EQUAL(rx_rsp(3)->id, 13);
	CU_ASSERT_EQUAL(rx_rsp(3)->status, (int16_t)(len - 8192));
	CU_ASSERT_EQUAL(rx_rsp(3)->flags, 0);
	CU_ASSERT_EQUAL(memcmp(fpage[20], frame, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(fpage[22], frame + 4096, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(fpage[23], frame + 8192, len - 8192), 0);
}

static void test_rx_stall(void)
{
	struct virtio_net_hdr h = {0};
	size_t len = nbt_frame_v6(frame, IPPROTO_UDP, 8000);

	fresh();
	post_rx(1, 10, 20);
	tap_send(&h, frame, len);
	CU_ASSERT(!xpv_netback_rx_run(&q));
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 0);
	CU_ASSERT(q.rx_stalled);
	CU_ASSERT(q.rx_have);
	/* told when the second request arrives */
	CU_ASSERT_EQUAL(frx.sring->req_event, q.rx.req_cons + 2);
	post_rx(3, 11, 21);
	xpv_netback_rx_run(&q);
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 2);
	CU_ASSERT_EQUAL(rx_rsp(1)->status, (int16_t)(len - 4096));
	CU_ASSERT(!q.rx_stalled);
}

static void test_rx_without_sg(void)
{
	struct virtio_net_hdr h = {0};
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 5000);

	fresh();
	vif.rxf.sg = false;
	post_rx(4, 10, 20);
	tap_send(&h, frame, len);
	len = nbt_frame_v4(frame, IPPROTO_UDP, 10);
	tap_send(&h, frame, len);
	xpv_netback_rx_run(&q);
	/* the big one is dropped, the next one delivered */
	CU_ASSERT_EQUAL(q.st.rx_dropped, 1);
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 1);
	CU_ASSERT_EQUAL(rx_rsp(0)->status, (int16_t)len);
}

static void test_rx_overflow(void)
{
	struct virtio_net_hdr h = {0};
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 10);

	fresh();
	tap_send(&h, frame, len);
	frx.sring->req_prod = 1000;
	xpv_netback_rx_run(&q);
	CU_ASSERT(vif.broken);
	CU_ASSERT_PTR_NOT_NULL(strstr(vif.reason, "overflow"));
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 0);
}

static void test_rx_bad_grant(void)
{
	struct virtio_net_hdr h = {0};
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 10);

	fresh();
	post_rx(1, 10, BAD_REF);
	tap_send(&h, frame, len);
	xpv_netback_rx_run(&q);
	CU_ASSERT_EQUAL(frx.sring->rsp_prod, 1);
	CU_ASSERT_EQUAL(rx_rsp(0)->status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(q.st.rx_errors, 1);
}

/* ---- tx ------------------------------------------------------------------ */

static void tx_req(grant_ref_t ref, uint16_t off, uint16_t flags, uint16_t id,
		   uint16_t size)
{
	*XPV_RING_FRONT_NEXT_REQ(&ftx) = (netif_tx_request_t){.gref = ref,
							      .offset = off,
							      .flags = flags,
							      .id = id,
							      .size = size};
}

static void tx_gso(uint16_t size)
{
	netif_tx_request_t *r = XPV_RING_FRONT_NEXT_REQ(&ftx);
	struct netif_extra_info x = {.type = XEN_NETIF_EXTRA_TYPE_GSO};

	x.u.gso.size = size;
	x.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	memset(r, 0, sizeof(*r));
	memcpy(r, &x, sizeof(x));
}

static netif_tx_response_t *tx_rsp(unsigned int i)
{
	return RING_GET_RESPONSE(&ftx, i);
}

static ssize_t tap_recv(struct virtio_net_hdr *h, uint8_t *buf)
{
	uint8_t all[70000];
	ssize_t n = recv(tap[0], all, sizeof(all), 0);

	if (n < (ssize_t)sizeof(*h))
		return -1;
	memcpy(h, all, sizeof(*h));
	memcpy(buf, all + sizeof(*h), n - sizeof(*h));
	return n - sizeof(*h);
}

static void test_tx_small(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 30);
	struct virtio_net_hdr h;
	uint8_t got[2048];

	fresh();
	memcpy(fpage[30] + 100, frame, len);
	tx_req(30, 100, NETTXF_data_validated, 77, len);
	XPV_RING_FRONT_PUSH(&ftx);
	CU_ASSERT(!xpv_netback_tx_run(&q));
	CU_ASSERT_EQUAL(ftx.sring->rsp_prod, 1);
	CU_ASSERT_EQUAL(tx_rsp(0)->id, 77);
	CU_ASSERT_EQUAL(tx_rsp(0)->status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(tap_recv(&h, got), (ssize_t)len);
	CU_ASSERT_EQUAL(memcmp(got, frame, len), 0);
	CU_ASSERT_EQUAL(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	/* idle: the frontend is asked to notify on its next request */
	CU_ASSERT_EQUAL(ftx.sring->req_event, q.tx.req_cons + 1);
}

static void test_tx_gso_multi(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_TCP, 9000);
	struct virtio_net_hdr h;
	static uint8_t got[70000];

	fresh();
	/* first slot 3000 bytes at offset 1000, then 4096 and the rest */
	memcpy(fpage[30] + 1000, frame, 3000);
	memcpy(fpage[31], frame + 3000, 4096);
	memcpy(fpage[32], frame + 7096, len - 7096);
	tx_req(30, 1000,
	       NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank, 1,
	       len);
	tx_gso(1448);
	tx_req(31, 0, NETTXF_more_data, 2, 4096);
	tx_req(32, 0, 0, 3, len - 7096);
	XPV_RING_FRONT_PUSH(&ftx);
	xpv_netback_tx_run(&q);
	CU_ASSERT_EQUAL(ftx.sring->rsp_prod, 4);
	CU_ASSERT_EQUAL(tx_rsp(0)->id, 1);
	CU_ASSERT_EQUAL(tx_rsp(0)->status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(tx_rsp(1)->status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(tx_rsp(2)->id, 2);
	CU_ASSERT_EQUAL(tx_rsp(3)->id, 3);
	CU_ASSERT_EQUAL(tx_rsp(3)->status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(tap_recv(&h, got), (ssize_t)len);
	CU_ASSERT_EQUAL(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CU_ASSERT_EQUAL(h.gso_size, 1448);
	CU_ASSERT_EQUAL(h.csum_start, 34);
	CU_ASSERT_EQUAL(h.hdr_len, 54);
	/* everything but the rewritten pseudo-header sum arrived intact */
	CU_ASSERT_EQUAL(memcmp(got, frame, 50), 0);
	CU_ASSERT_EQUAL(memcmp(got + 52, frame + 52, len - 52), 0);
}

static void test_tx_bad(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 30);
	struct virtio_net_hdr h;
	uint8_t got[2048];

	fresh();
	memcpy(fpage[30], frame, len);
	tx_req(BAD_REF, 0, 0, 5, len);		/* copy fails */
	tx_req(30, 4050, 0, 6, len);		/* crosses the page */
	tx_req(30, 0, NETTXF_more_data, 7, 20); /* sizes don't add up */
	tx_req(31, 0, 0, 8, 30);
	tx_req(30, 0, 0, 9, len); /* good */
	XPV_RING_FRONT_PUSH(&ftx);
	xpv_netback_tx_run(&q);
	CU_ASSERT_EQUAL(ftx.sring->rsp_prod, 5);
	CU_ASSERT_EQUAL(tx_rsp(0)->status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(1)->status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(2)->status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(3)->id, 8);
	CU_ASSERT_EQUAL(tx_rsp(3)->status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(4)->id, 9);
	CU_ASSERT_EQUAL(tx_rsp(4)->status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(tap_recv(&h, got), (ssize_t)len);
	CU_ASSERT_EQUAL(tap_recv(&h, got), -1);
	CU_ASSERT(!vif.broken);
}

static void test_tx_incomplete_then_overflow(void)
{
	size_t len = nbt_frame_v4(frame, IPPROTO_UDP, 30);

	fresh();
	memcpy(fpage[30], frame, 20);
	memcpy(fpage[31], frame + 20, len - 20);
	tx_req(30, 0, NETTXF_more_data, 1, len);
	XPV_RING_FRONT_PUSH(&ftx);
	CU_ASSERT(!xpv_netback_tx_run(&q));
	CU_ASSERT_EQUAL(ftx.sring->rsp_prod, 0);
	CU_ASSERT_EQUAL(q.tx.req_cons, 0);
	CU_ASSERT_EQUAL(ftx.sring->req_event, 2);
	tx_req(31, 0, 0, 2, len - 20);
	XPV_RING_FRONT_PUSH(&ftx);
	xpv_netback_tx_run(&q);
	CU_ASSERT_EQUAL(ftx.sring->rsp_prod, 2);
	CU_ASSERT_EQUAL(tx_rsp(1)->status, NETIF_RSP_OKAY);
	ftx.sring->req_prod += 5000;
	xpv_netback_tx_run(&q);
	CU_ASSERT(vif.broken);
	CU_ASSERT_PTR_NOT_NULL(strstr(vif.reason, "overflow"));
}

CU_TestInfo xpv_netback_path_tests[] = {
	{"rx: small frame", test_rx_small},
	{"rx: GSO frame over 3 slots + extra", test_rx_gso},
	{"rx: stall until enough requests", test_rx_stall},
	{"rx: large frame without feature-sg", test_rx_without_sg},
	{"rx: req_prod overflow breaks the vif", test_rx_overflow},
	{"rx: bad grant answered with an error", test_rx_bad_grant},
	{"tx: small frame to the TAP", test_tx_small},
	{"tx: GSO over 3 slots + extra", test_tx_gso_multi},
	{"tx: bad packets among good", test_tx_bad},
	{"tx: incomplete chain, then overflow",
	 test_tx_incomplete_then_overflow},
	CU_TEST_INFO_NULL,
};

int xpv_netback_path_setup(void)
{
	return setup();
}

int xpv_netback_path_teardown(void)
{
	return teardown();
}
