// SPDX-License-Identifier: MIT
/*
 * Ring discipline against a scripted peer writing a real shared ring
 * (DEFINE_RING_TYPES on a page), good and evil.
 */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv/ring.h"
#include "tests/unit/core/fake_os.h"

struct xt_req {
	uint64_t id;
	uint32_t op;
	uint8_t payload[100];
};

struct xt_rsp {
	uint64_t id;
	int16_t status;
};

struct xt_small {
	uint32_t a, b, c;
};

DEFINE_RING_TYPES(xt, struct xt_req, struct xt_rsp);
DEFINE_RING_TYPES(xs12, struct xt_small, uint32_t);

struct pair {
	void *mem;
	xt_sring_t *sring;
	xt_front_ring_t front;
	xt_back_ring_t back;	/* the scripted peer */
};

static void pair_init(struct pair *p, unsigned int order, RING_IDX start)
{
	size_t bytes = XPV_PAGE_SIZE << order;

	p->mem = aligned_alloc(XPV_PAGE_SIZE, bytes);
	CU_ASSERT_FATAL(p->mem != NULL);
	memset(p->mem, 0xa5, bytes);
	p->sring = p->mem;
	XPV_RING_FRONT_INIT(&p->front, p->sring, bytes);
	if (start) {
		p->sring->req_prod = p->sring->rsp_prod = start;
		p->sring->req_event = p->sring->rsp_event = start + 1;
		FRONT_RING_ATTACH(&p->front, p->sring, start, bytes);
	}
	BACK_RING_ATTACH(&p->back, p->sring, start, bytes);
}

static void pair_fini(struct pair *p)
{
	free(p->mem);
}

/* Front queues @n requests with ids from @first; returns notify. */
static bool front_send(struct pair *p, unsigned int n, uint64_t first)
{
	struct xt_req *req;
	unsigned int i;

	for (i = 0; i < n; i++) {
		req = XPV_RING_FRONT_NEXT_REQ(&p->front);
		CU_ASSERT_FATAL(req != NULL);
		req->id = first + i;
		req->op = 7;
	}
	return XPV_RING_FRONT_PUSH(&p->front);
}

/* The peer answers every request it has taken with its id. */
static bool back_answer_all(struct pair *p)
{
	struct xt_req req;
	struct xt_rsp *rsp;
	int n = XPV_RING_BACK_REQ_AVAIL(&p->back);

	CU_ASSERT_FATAL(n >= 0);
	while (n-- > 0) {
		XPV_RING_BACK_TAKE_REQ(&p->back, &req);
		rsp = XPV_RING_BACK_NEXT_RSP(&p->back);
		CU_ASSERT_FATAL(rsp != NULL);
		rsp->id = req.id;
		rsp->status = 0;
	}
	return XPV_RING_BACK_PUSH(&p->back);
}

static void test_geometry(void)
{
	unsigned int o;

	CU_ASSERT_EQUAL(xpv_ring_pages(0), 1);
	CU_ASSERT_EQUAL(xpv_ring_pages(4), 16);
	CU_ASSERT_EQUAL(xpv_ring_pages(5), 0);
	CU_ASSERT_EQUAL(xpv_ring_pages(UINT_MAX), 0);
	for (o = 0; o <= XPV_RING_MAX_ORDER; o++) {
		CU_ASSERT_EQUAL(XPV_RING_NR_ENTS(xt, o),
				__CONST_RING_SIZE(xt, XPV_PAGE_SIZE << o));
		CU_ASSERT_EQUAL(XPV_RING_NR_ENTS(xs12, o),
				__CONST_RING_SIZE(xs12, XPV_PAGE_SIZE << o));
	}
	/* blkif's 112-byte slots and netif tx's 12-byte ones. */
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(0, 112), 32);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(4, 112), 512);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(0, 12), 256);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(0, 0), 0);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(5, 112), 0);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(0, 8192), 0);
	CU_ASSERT_EQUAL(xpv_ring_nr_ents(0, 4032), 1);
}

static void test_pick_order(void)
{
	CU_ASSERT_EQUAL(xpv_ring_pick_order(-1, 4), 0);
	CU_ASSERT_EQUAL(xpv_ring_pick_order(INT_MIN, 4), 0);
	CU_ASSERT_EQUAL(xpv_ring_pick_order(2, 4), 2);
	CU_ASSERT_EQUAL(xpv_ring_pick_order(8, 3), 3);
	CU_ASSERT_EQUAL(xpv_ring_pick_order(INT_MAX, 100), XPV_RING_MAX_ORDER);
}

static void test_prod_ok(void)
{
	CU_ASSERT_TRUE(xpv_ring_prod_ok(10, 10, 0));
	CU_ASSERT_TRUE(xpv_ring_prod_ok(42, 10, 32));
	CU_ASSERT_FALSE(xpv_ring_prod_ok(43, 10, 32));
	CU_ASSERT_FALSE(xpv_ring_prod_ok(9, 10, 32));
	CU_ASSERT_TRUE(xpv_ring_prod_ok(5, UINT_MAX - 2, 32));
	CU_ASSERT_FALSE(xpv_ring_prod_ok(UINT_MAX, 0, 32));
}

static void test_round_trip(void)
{
	struct pair p;
	struct xt_rsp rsp;
	unsigned int i;
	int n;

	pair_init(&p, 0, 0);
	CU_ASSERT_EQUAL(RING_SIZE(&p.front), 32);
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 0);
	CU_ASSERT_TRUE(front_send(&p, 3, 100));
	CU_ASSERT_TRUE(back_answer_all(&p));
	n = XPV_RING_FRONT_RSP_AVAIL(&p.front);
	CU_ASSERT_EQUAL(n, 3);
	for (i = 0; i < 3; i++) {
		XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
		CU_ASSERT_EQUAL(rsp.id, 100 + i);
	}
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 0);
	CU_ASSERT_FALSE(XPV_RING_FRONT_FINAL_CHECK(&p.front));
	pair_fini(&p);
}

/* Indexes start just below the wrap and cross it several times. */
static void test_wraparound(void)
{
	struct pair p;
	struct xt_rsp rsp;
	unsigned int round, i;
	uint64_t id = 0;

	pair_init(&p, 0, UINT_MAX - 40);
	for (round = 0; round < 8; round++) {
		front_send(&p, 20, id);
		CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 20);
		back_answer_all(&p);
		CU_ASSERT_EQUAL_FATAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 20);
		for (i = 0; i < 20; i++) {
			XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
			CU_ASSERT_EQUAL(rsp.id, id + i);
		}
		id += 20;
	}
	CU_ASSERT_TRUE(p.front.rsp_cons < 200);
	pair_fini(&p);
}

static void test_full_ring(void)
{
	struct pair p;

	pair_init(&p, 0, 0);
	front_send(&p, 32, 0);
	CU_ASSERT_PTR_NULL(XPV_RING_FRONT_NEXT_REQ(&p.front));
	CU_ASSERT_PTR_NULL(XPV_RING_BACK_NEXT_RSP(&p.back));
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 32);
	back_answer_all(&p);
	/* The requests are answered but not consumed: still full. */
	CU_ASSERT_PTR_NULL(XPV_RING_FRONT_NEXT_REQ(&p.front));
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 32);
	pair_fini(&p);
}

/* Responses beyond the requests outstanding, or prod gone backwards. */
static void test_front_evil_prod(void)
{
	struct pair p;
	RING_IDX good;

	pair_init(&p, 0, 0);
	front_send(&p, 4, 0);
	back_answer_all(&p);
	good = p.sring->rsp_prod;
	p.sring->rsp_prod = good + 1;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	p.sring->rsp_prod = good + 32;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	p.sring->rsp_prod = good + 0x80000000u;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	p.sring->rsp_prod = UINT_MAX;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	p.sring->rsp_prod = good;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 4);
	p.front.rsp_cons += 2;
	p.sring->rsp_prod = good - 3;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	/* Nothing outstanding: any response at all is a lie. */
	p.front.rsp_cons = good;
	p.sring->rsp_prod = good + 1;
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), -XPV_EPROTO);
	pair_fini(&p);
}

static void test_back_evil_prod(void)
{
	struct pair p;
	struct xt_req req;

	pair_init(&p, 0, 0);
	p.sring->req_prod = 33;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), -XPV_EPROTO);
	p.sring->req_prod = UINT_MAX;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), -XPV_EPROTO);
	p.sring->req_prod = 32;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 32);
	XPV_RING_BACK_TAKE_REQ(&p.back, &req);
	XPV_RING_BACK_TAKE_REQ(&p.back, &req);
	/* Two taken, unanswered: prod may not fall behind them. */
	p.sring->req_prod = 1;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), -XPV_EPROTO);
	p.sring->req_prod = 2;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 0);
	/* 34 - rsp_prod_pvt(0) > 32: more unanswered than the ring holds. */
	p.sring->req_prod = 34;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), -XPV_EPROTO);
	pair_fini(&p);
}

/* After a wrap the rsp slots are reused: a peer may not refill them early. */
static void test_back_bounded_by_room(void)
{
	struct pair p;
	struct xt_req req;
	unsigned int i;

	pair_init(&p, 0, 0);
	p.sring->req_prod = 32;
	for (i = 0; i < 32; i++)
		XPV_RING_BACK_TAKE_REQ(&p.back, &req);
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 0);
	XPV_RING_BACK_NEXT_RSP(&p.back)->id = 1;
	XPV_RING_BACK_NEXT_RSP(&p.back)->id = 2;
	p.sring->req_prod = 36;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), -XPV_EPROTO);
	p.sring->req_prod = 34;
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 2);
	pair_fini(&p);
}

/* The slot is copied out: the peer rewriting it later changes nothing. */
static void test_copy_out(void)
{
	struct pair p;
	struct xt_rsp rsp;
	struct xt_req req;

	pair_init(&p, 0, 0);
	front_send(&p, 1, 5);
	CU_ASSERT_EQUAL(XPV_RING_BACK_REQ_AVAIL(&p.back), 1);
	XPV_RING_BACK_TAKE_REQ(&p.back, &req);
	RING_GET_REQUEST(&p.back, 0)->id = 666;
	CU_ASSERT_EQUAL(req.id, 5);
	XPV_RING_BACK_NEXT_RSP(&p.back)->id = 5;
	XPV_RING_BACK_PUSH(&p.back);
	CU_ASSERT_EQUAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), 1);
	XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
	RING_GET_RESPONSE(&p.front, 0)->id = 999;
	CU_ASSERT_EQUAL(rsp.id, 5);
	pair_fini(&p);
}

/* Notify iff the other end's event index lies in (old prod, new prod]. */
static void test_front_event_suppression(void)
{
	struct pair p;

	pair_init(&p, 0, 0);
	CU_ASSERT_TRUE(front_send(&p, 1, 0));	/* req_event = 1 */
	CU_ASSERT_FALSE(front_send(&p, 1, 1));	/* peer did not re-arm */
	CU_ASSERT_TRUE(back_answer_all(&p));
	CU_ASSERT_FALSE(XPV_RING_BACK_FINAL_CHECK(&p.back));
	CU_ASSERT_EQUAL(p.sring->req_event, 3);
	CU_ASSERT_TRUE(front_send(&p, 2, 2));
	/* Peer asks to hear only after 4 more requests. */
	p.sring->req_event = p.sring->req_prod + 4;
	CU_ASSERT_FALSE(front_send(&p, 3, 4));
	CU_ASSERT_TRUE(front_send(&p, 1, 7));
	CU_ASSERT_FALSE(front_send(&p, 1, 8));
	/* An empty push never notifies. */
	CU_ASSERT_FALSE(XPV_RING_FRONT_PUSH(&p.front));
	pair_fini(&p);
}

static void test_back_event_suppression(void)
{
	struct pair p;
	struct xt_rsp rsp;

	pair_init(&p, 0, 0);
	front_send(&p, 4, 0);
	/* rsp_event starts at 1: the first response is wanted. */
	CU_ASSERT_TRUE(back_answer_all(&p));
	front_send(&p, 1, 4);
	CU_ASSERT_FALSE(back_answer_all(&p));	/* front has not re-armed */
	while (XPV_RING_FRONT_RSP_AVAIL(&p.front) > 0)
		XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
	CU_ASSERT_FALSE(XPV_RING_FRONT_FINAL_CHECK(&p.front));
	CU_ASSERT_EQUAL(p.sring->rsp_event, p.front.rsp_cons + 1);
	front_send(&p, 1, 5);
	CU_ASSERT_TRUE(back_answer_all(&p));
	pair_fini(&p);
}

/* Final check sees work that raced with going idle. */
static void test_final_check_race(void)
{
	struct pair p;

	pair_init(&p, 0, 0);
	front_send(&p, 2, 0);
	back_answer_all(&p);
	CU_ASSERT_TRUE(XPV_RING_FRONT_FINAL_CHECK(&p.front));
	CU_ASSERT_TRUE(XPV_RING_BACK_FINAL_CHECK(&p.back) == false);
	front_send(&p, 1, 2);
	CU_ASSERT_TRUE(XPV_RING_BACK_FINAL_CHECK(&p.back));
	pair_fini(&p);
}

static void test_multi_page(void)
{
	struct pair p;
	struct xt_rsp rsp;
	unsigned int n = XPV_RING_NR_ENTS(xt, 2), i;

	pair_init(&p, 2, 0);
	CU_ASSERT_EQUAL(RING_SIZE(&p.front), n);
	CU_ASSERT_EQUAL(n, 128);
	front_send(&p, n, 0);
	CU_ASSERT_PTR_NULL(XPV_RING_FRONT_NEXT_REQ(&p.front));
	back_answer_all(&p);
	CU_ASSERT_EQUAL_FATAL(XPV_RING_FRONT_RSP_AVAIL(&p.front), (int)n);
	for (i = 0; i < n; i++) {
		XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
		CU_ASSERT_EQUAL(rsp.id, i);
	}
	pair_fini(&p);
}

/* ---- ids ---------------------------------------------------------------- */

static void test_ids_basic(void)
{
	struct xpv_ring_ids ids;
	int a, b, i;

	CU_ASSERT_EQUAL_FATAL(xpv_ring_ids_init(&ids, 4), 0);
	a = xpv_ring_ids_get(&ids);
	b = xpv_ring_ids_get(&ids);
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(b, 1);
	CU_ASSERT_EQUAL(xpv_ring_ids_in_flight(&ids), 2);
	CU_ASSERT_TRUE(xpv_ring_ids_valid(&ids, 1));
	CU_ASSERT_FALSE(xpv_ring_ids_valid(&ids, 2));
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, 1), 0);
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, 1), -XPV_EPROTO);
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, 3), -XPV_EPROTO);
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, 4), -XPV_EPROTO);
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, UINT64_MAX), -XPV_EPROTO);
	CU_ASSERT_EQUAL(xpv_ring_ids_put(&ids, 1ull << 32), -XPV_EPROTO);
	for (i = 0; i < 3; i++)
		CU_ASSERT_TRUE(xpv_ring_ids_get(&ids) >= 0);
	CU_ASSERT_EQUAL(xpv_ring_ids_get(&ids), -XPV_ENOSPC);
	CU_ASSERT_EQUAL(xpv_ring_ids_in_flight(&ids), 4);
	xpv_ring_ids_destroy(&ids);
}

static void test_ids_init_errors(void)
{
	struct xpv_ring_ids ids;

	CU_ASSERT_EQUAL(xpv_ring_ids_init(&ids, 0), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_ring_ids_init(&ids, XPV_RING_IDS_MAX + 1),
			-XPV_EINVAL);
	fake_os_fail_alloc_after(1);
	CU_ASSERT_EQUAL(xpv_ring_ids_init(&ids, 8), -XPV_ENOMEM);
	fake_os_fail_alloc_after(-1);
	CU_ASSERT_EQUAL(xpv_ring_ids_init(&ids, XPV_RING_IDS_MAX), 0);
	xpv_ring_ids_destroy(&ids);
}

/* A peer answering one id twice and another never: refused, once each. */
static void test_ids_stale_duplicate(void)
{
	struct xpv_ring_ids ids;
	struct pair p;
	struct xt_req *req;
	struct xt_rsp rsp;
	int i, n, ok = 0, bad = 0;

	CU_ASSERT_EQUAL_FATAL(xpv_ring_ids_init(&ids, 32), 0);
	pair_init(&p, 0, 0);
	for (i = 0; i < 3; i++) {
		req = XPV_RING_FRONT_NEXT_REQ(&p.front);
		req->id = (uint64_t)xpv_ring_ids_get(&ids);
	}
	XPV_RING_FRONT_PUSH(&p.front);
	/* Script: answers id 0, id 0 again, then a stale id 17. */
	RING_GET_RESPONSE(&p.back, 0)->id = 0;
	RING_GET_RESPONSE(&p.back, 1)->id = 0;
	RING_GET_RESPONSE(&p.back, 2)->id = 17;
	p.sring->rsp_prod = 3;
	n = XPV_RING_FRONT_RSP_AVAIL(&p.front);
	CU_ASSERT_EQUAL(n, 3);
	while (n-- > 0) {
		XPV_RING_FRONT_TAKE_RSP(&p.front, &rsp);
		if (xpv_ring_ids_put(&ids, rsp.id) == 0)
			ok++;
		else
			bad++;
	}
	CU_ASSERT_EQUAL(ok, 1);
	CU_ASSERT_EQUAL(bad, 2);
	CU_ASSERT_EQUAL(xpv_ring_ids_in_flight(&ids), 2);
	pair_fini(&p);
	xpv_ring_ids_destroy(&ids);
}

static int suite_init(void)
{
	fake_os_reset();
	return 0;
}

static CU_TestInfo ring_tests[] = {
	{ "geometry", test_geometry },
	{ "pick order", test_pick_order },
	{ "prod_ok", test_prod_ok },
	{ "round trip", test_round_trip },
	{ "wraparound", test_wraparound },
	{ "full ring", test_full_ring },
	{ "front: evil rsp_prod", test_front_evil_prod },
	{ "back: evil req_prod", test_back_evil_prod },
	{ "back: bounded by response room", test_back_bounded_by_room },
	{ "slots copied out", test_copy_out },
	{ "front event suppression", test_front_event_suppression },
	{ "back event suppression", test_back_event_suppression },
	{ "final check race", test_final_check_race },
	{ "multi-page ring", test_multi_page },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo ids_tests[] = {
	{ "basic", test_ids_basic },
	{ "init errors", test_ids_init_errors },
	{ "stale and duplicate responses", test_ids_stale_duplicate },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "ring", suite_init, NULL, NULL, NULL, ring_tests },
	{ "ring ids", suite_init, NULL, NULL, NULL, ids_tests },
	CU_SUITE_INFO_NULL,
};
