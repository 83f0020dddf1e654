// SPDX-License-Identifier: MIT
/*
 * blkfront across reconnects (requests in flight are re-issued on the new
 * connection, whose features are read afresh) and against a backend that
 * breaks the protocol: the device must be marked broken with an error node
 * and a log line, go to Closing, fail its I/O with -EIO, and leak nothing.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "tests/unit/blkfront/tb.h"

#define NR_IO 4

extern struct tb *t;

static uint8_t *bufs;
static struct tio ios[NR_IO];

/* ---- reconnects -------------------------------------------------------- */

static void test_reissue_after_restart(void)
{
	struct xpv_blkfront_stats st;
	struct xpv_blkfront_info in;
	uint8_t *b;
	unsigned int i;

	tb_begin();
	b = tb_buf(24);
	fill(b, 24 * 4096, 7);
	tb_nodes(2048);
	tb_node("feature-persistent", "1");
	tb_node("feature-max-indirect-segments", "32");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &ios[0], XPV_BLKFRONT_WRITE, b, 4096, 0);
	tio_submit(t, &ios[1], XPV_BLKFRONT_WRITE, b + 4096, 20 * 4096, 64);
	tio_submit(t, &ios[2], XPV_BLKFRONT_WRITE, b + 21 * 4096, 4096, 8);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 3);
	CU_ASSERT_EQUAL(t->seen_indirect, 1);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(ios[0].status, 0);
	/* Killed and started again: it comes back in InitWait, smaller. */
	tb_node("feature-persistent", "0");
	tb_node("feature-max-indirect-segments", "0");
	tb_vanish(t, XenbusStateInitWait);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "3");
	CU_ASSERT_EQUAL(ios[1].done + ios[2].done, 0);
	/* Submitted while reconnecting: waits for the connection. */
	tio_submit(t, &ios[3], XPV_BLKFRONT_WRITE, b + 22 * 4096, 4096, 16);
	CU_ASSERT_EQUAL(ios[3].done, 0);
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tb_serve_all(t);
	for (i = 1; i < 4; i++) {
		CU_ASSERT_EQUAL(ios[i].done, 1);
		CU_ASSERT_EQUAL(ios[i].status, 0);
	}
	CU_ASSERT_EQUAL(memcmp(t->disk + 64 * 512, b + 4096, 20 * 4096), 0);
	CU_ASSERT_EQUAL(memcmp(t->disk + 8 * 512, b + 21 * 4096, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(t->disk + 16 * 512, b + 22 * 4096, 4096), 0);
	xpv_blkfront_get_info(t->dev, &in);
	CU_ASSERT_FALSE(in.persistent);
	CU_ASSERT_EQUAL(in.max_segs, BLKIF_MAX_SEGMENTS_PER_REQUEST);
	CU_ASSERT_EQUAL(t->seen_indirect, 1);
	xpv_blkfront_stats(t->dev, &st);
	CU_ASSERT_EQUAL(st.reissued, 2);
	CU_ASSERT_EQUAL(st.reconnects, 1);
	CU_ASSERT_EQUAL(st.failed, 0);
	CU_ASSERT_EQUAL(st.gnt_deferred, 0);
	tb_buf_free(b, 24);
	tb_end();
}

/* Backend Closing, then Closed, then back: the requests wait it out. */
static void test_reissue_after_close(void)
{
	uint8_t *b;

	tb_begin();
	b = tb_buf(1);
	fill(b, 4096, 2);
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &ios[0], XPV_BLKFRONT_WRITE, b, 4096, 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	tb_vanish(t, XenbusStateClosing);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "6");
	tb_node("state", "6");
	tb_step(t);
	tb_node("state", "1");
	tb_step(t);
	CU_ASSERT_EQUAL(ios[0].done, 0);
	tb_node("state", "2");
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	CU_ASSERT_EQUAL(tb_serve_all(t), 1);
	CU_ASSERT_EQUAL(ios[0].status, 0);
	CU_ASSERT_EQUAL(memcmp(t->disk, b, 4096), 0);
	tb_buf_free(b, 1);
	tb_end();
}

/* Closing the device fails what is still in flight, and leaks nothing. */
static void test_close_in_flight(void)
{
	uint8_t *b;

	tb_begin();
	b = tb_buf(1);
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &ios[0], XPV_BLKFRONT_READ, b, 4096, 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	xpv_blkfront_close(t->dev);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "5");
	CU_ASSERT_EQUAL(tio_submit(t, &ios[1], XPV_BLKFRONT_READ, b, 4096, 0),
			-XPV_ESHUTDOWN);
	tb_vanish(t, XenbusStateClosed);
	CU_ASSERT_EQUAL(xpv_blkfront_finish(t->dev), 0);
	CU_ASSERT_EQUAL(ios[0].status, -XPV_EIO);
	/* A backend coming back does not reopen a closed device. */
	tb_node("state", "2");
	tb_step(t);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "6");
	tb_buf_free(b, 1);
	tb_end();
}

CU_TestInfo tb_reconnect_tests[] = {
	{"re-issue after a backend restart", test_reissue_after_restart},
	{"re-issue after backend close", test_reissue_after_close},
	{"close with I/O in flight", test_close_in_flight},
	CU_TEST_INFO_NULL,
};

/* ---- hostile backend ---------------------------------------------------- */

/* Connected, with NR_IO one-page reads taken by the backend. */
static void evil_setup(bool persistent)
{
	struct xpv_blkfront_opts o = tb_opts();
	unsigned int i;

	tb_begin();
	o.persistent = persistent;
	bufs = tb_buf(NR_IO);
	tb_nodes(2048);
	tb_node("feature-persistent", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	for (i = 0; i < NR_IO; i++)
		tio_submit(t, &ios[i], XPV_BLKFRONT_READ, bufs + i * 4096, 4096,
			   i * 8);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), NR_IO);
}

/* Broken, reported, failed with -EIO from @first on; nothing leaked. */
static void evil_check(unsigned int first)
{
	const char *err;
	unsigned int i;

	CU_ASSERT_TRUE(xpv_blkfront_broken(t->dev));
	CU_ASSERT_EQUAL(t->kicks, 1);
	CU_ASSERT_TRUE(fake_os_log_count(XPV_LOG_ERR) >= 1);
	/* The host runs the deferred work. */
	xpv_blkfront_work(t->dev);
	err = fake_os_xs_get(TB_FE "/error");
	CU_ASSERT_PTR_NOT_NULL(err);
	if (err)
		CU_ASSERT_EQUAL(strncmp(err, "71 ", 3), 0);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "5");
	for (i = first; i < NR_IO; i++) {
		CU_ASSERT_EQUAL(ios[i].done, 1);
		CU_ASSERT_EQUAL(ios[i].status, -XPV_EIO);
	}
	CU_ASSERT_EQUAL(
		tio_submit(t, &ios[0], XPV_BLKFRONT_READ, bufs, 4096, 0),
		-XPV_EIO);
	/* The backend restarting does not revive it. */
	tb_vanish(t, XenbusStateInitWait);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "5");
	tb_buf_free(bufs, NR_IO);
	tb_end();
}

static void test_bad_id(void)
{
	evil_setup(false);
	tb_put_rsp(t, 0, 1000, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_id_huge(void)
{
	evil_setup(true);
	tb_put_rsp(t, 0, 1ull << 40, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_duplicate(void)
{
	uint64_t id;

	evil_setup(true);
	id = t->reqs[0].raw.id;
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(ios[0].status, 0);
	CU_ASSERT_FALSE(xpv_blkfront_broken(t->dev));
	tb_put_rsp(t, 0, id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(1);
}

static void test_not_pending(void)
{
	evil_setup(false);
	/* In range (the ring has 32 slots), but never sent. */
	tb_put_rsp(t, 0, 20, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_unknown_op(void)
{
	evil_setup(false);
	tb_put_rsp(t, 0, t->reqs[0].raw.id, 77, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_wrong_op(void)
{
	evil_setup(true);
	tb_put_rsp(t, 0, t->reqs[1].raw.id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_bad_status(void)
{
	evil_setup(false);
	tb_put_rsp(t, 0, t->reqs[0].raw.id, BLKIF_OP_READ, 42);
	tb_fire(t, 0);
	evil_check(0);
}

static void test_prod_overflow(void)
{
	evil_setup(false);
	t->ring[0].sring->rsp_prod = t->ring[0].rsp_prod_pvt + NR_IO + 1;
	tb_fire(t, 0);
	evil_check(0);
}

static void test_prod_backwards(void)
{
	evil_setup(true);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	t->ring[0].sring->rsp_prod -= 2;
	tb_fire(t, 0);
	evil_check(1);
}

static void test_kept_mapped(void)
{
	evil_setup(false);
	t->keep_mapped = true;
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(ios[0].status, -XPV_EIO);
	evil_check(0);
}

static void test_garbage_state(void)
{
	evil_setup(false);
	tb_node("state", "4x");
	tb_step(t);
	CU_ASSERT_TRUE(xpv_blkfront_broken(t->dev));
	t->kicks = 1;
	evil_check(0);
}

static void test_garbage_details(void)
{
	static const char *const bad[][2] = {
		{"sectors", "12abc"},	{"sector-size", "1000"},
		{"sector-size", "256"}, {"physical-sector-size", "512"},
		{"info", "-1"},
	};
	unsigned int i;

	for (i = 0; i < 5; i++) {
		tb_begin();
		tb_nodes(2048);
		if (i == 3)
			tb_node("sector-size", "4096");
		tb_node(bad[i][0], bad[i][1]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
		CU_ASSERT_NOT_EQUAL(tb_connect(t), 0);
		CU_ASSERT_TRUE(xpv_blkfront_broken(t->dev));
		CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(TB_FE "/error"));
		CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "5");
		tb_end();
	}
}

CU_TestInfo tb_evil_tests[] = {
	{"id out of range", test_bad_id},
	{"id beyond 32 bits", test_id_huge},
	{"duplicate response", test_duplicate},
	{"id not in flight", test_not_pending},
	{"unknown operation", test_unknown_op},
	{"operation mismatch", test_wrong_op},
	{"status garbage", test_bad_status},
	{"rsp_prod overflow", test_prod_overflow},
	{"rsp_prod backwards", test_prod_backwards},
	{"grant kept mapped", test_kept_mapped},
	{"garbage state node", test_garbage_state},
	{"garbage disk details", test_garbage_details},
	CU_TEST_INFO_NULL,
};
