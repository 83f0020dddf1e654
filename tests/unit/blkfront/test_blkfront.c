// SPDX-License-Identifier: MIT
/*
 * blkfront against a scripted backend (tb.c) on fake_os: negotiation with
 * each feature on and off, the requests it builds, data round trips,
 * persistent grants, discard trimming and splitting, flush/barrier,
 * read-only and 4K disks, reconnects and leak accounting.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/blkfront/tb.h"

struct tb *t;

void tb_begin(void)
{
	fake_os_reset();
	fake_os_log_quiet(true);
	if (!t)
		t = malloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
}

/* Close, check nothing leaked: no grant, no page, no fake_os misuse. */
void tb_end(void)
{
	struct xpv_blkfront_stats st;

	xpv_blkfront_close(t->dev);
	tb_vanish(t, XenbusStateClosed);
	CU_ASSERT_EQUAL(xpv_blkfront_finish(t->dev), 0);
	xpv_blkfront_stats(t->dev, &st);
	CU_ASSERT_EQUAL(st.gnt_outstanding, 0);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "6");
	xpv_blkfront_destroy(t->dev);
	t->dev = NULL;
	CU_ASSERT_EQUAL(fake_os_gnttab_claimed(), 0);
	CU_ASSERT_EQUAL(fake_os_pages_live(), 0);
	CU_ASSERT_EQUAL(fake_os_errors(), 0);
}

struct xpv_blkfront_opts tb_opts(void)
{
	struct xpv_blkfront_opts o;

	xpv_blkfront_default_opts(&o);
	return o;
}

void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static void test_defaults(void)
{
	struct xpv_blkfront_info in;

	tb_begin();
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/state"), "1");
	CU_ASSERT_EQUAL(xpv_blkfront_get_info(t->dev, &in), -XPV_EAGAIN);
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/protocol"),
			       XEN_IO_PROTO_ABI_NATIVE);
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(TB_FE "/ring-ref"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(TB_FE "/ring-page-order"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(TB_FE "/multi-queue-num-queues"));
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/feature-persistent"),
			       "1");
	CU_ASSERT_EQUAL(xpv_blkfront_get_info(t->dev, &in), 0);
	CU_ASSERT_EQUAL(in.sectors, 2048);
	CU_ASSERT_EQUAL(in.sector_size, 512);
	CU_ASSERT_EQUAL(in.physical_sector_size, 512);
	CU_ASSERT_EQUAL(in.nr_queues, 1);
	CU_ASSERT_EQUAL(in.ring_order, 0);
	CU_ASSERT_EQUAL(in.max_segs, BLKIF_MAX_SEGMENTS_PER_REQUEST);
	CU_ASSERT_FALSE(in.persistent || in.flush || in.barrier || in.discard ||
			in.readonly || in.cdrom);
	CU_ASSERT_TRUE(xpv_blkfront_connected(t->dev));
	tb_end();
}

static void test_features(void)
{
	struct xpv_blkfront_opts o = tb_opts();
	struct xpv_blkfront_info in;

	tb_begin();
	tb_nodes(4096);
	tb_node("max-ring-page-order", "3");
	tb_node("multi-queue-max-queues", "4");
	tb_node("feature-persistent", "1");
	tb_node("feature-max-indirect-segments", "64");
	tb_node("feature-flush-cache", "1");
	tb_node("feature-barrier", "1");
	tb_node("feature-discard", "1");
	tb_node("discard-granularity", "4096");
	tb_node("discard-alignment", "1024");
	tb_node("discard-secure", "1");
	tb_node("physical-sector-size", "4096");
	tb_node_u("info", VDISK_CDROM | VDISK_REMOVABLE);
	o.max_queues = 2;
	o.max_ring_order = 2;
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/multi-queue-num-queues"),
			       "2");
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/ring-page-order"), "2");
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(TB_FE "/queue-1/ring-ref3"));
	CU_ASSERT_PTR_NOT_NULL(fake_os_xs_get(TB_FE "/queue-1/event-channel"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(TB_FE "/ring-ref"));
	CU_ASSERT_PTR_NULL(fake_os_xs_get(TB_FE "/event-channel"));
	CU_ASSERT_EQUAL(xpv_blkfront_get_info(t->dev, &in), 0);
	CU_ASSERT_EQUAL(in.nr_queues, 2);
	CU_ASSERT_EQUAL(in.ring_order, 2);
	CU_ASSERT_EQUAL(in.max_segs, 64);
	CU_ASSERT_TRUE(in.persistent && in.flush && in.barrier && in.discard);
	CU_ASSERT_TRUE(in.discard_secure && in.cdrom && in.removable);
	CU_ASSERT_EQUAL(in.discard_granularity, 4096);
	CU_ASSERT_EQUAL(in.discard_alignment, 1024);
	CU_ASSERT_EQUAL(in.physical_sector_size, 4096);
	CU_ASSERT_EQUAL(RING_SIZE(&t->ring[0]), 128);
	tb_end();
}

/* Features the frontend turns off itself are not used, offered or not. */
static void test_features_refused(void)
{
	struct xpv_blkfront_opts o = tb_opts();
	struct xpv_blkfront_info in;

	tb_begin();
	tb_nodes(4096);
	tb_node("max-ring-page-order", "4");
	tb_node("multi-queue-max-queues", "8");
	tb_node("feature-persistent", "1");
	tb_node("feature-max-indirect-segments", "256");
	o.max_queues = 1;
	o.max_ring_order = 0;
	o.persistent = false;
	o.indirect = false;
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	CU_ASSERT_STRING_EQUAL(fake_os_xs_get(TB_FE "/feature-persistent"),
			       "0");
	CU_ASSERT_PTR_NULL(fake_os_xs_get(TB_FE "/multi-queue-num-queues"));
	CU_ASSERT_EQUAL(xpv_blkfront_get_info(t->dev, &in), 0);
	CU_ASSERT_FALSE(in.persistent);
	CU_ASSERT_EQUAL(in.max_segs, BLKIF_MAX_SEGMENTS_PER_REQUEST);
	CU_ASSERT_EQUAL(in.nr_queues, 1);
	tb_end();
}

/* Write, read back through the ring, compare with the RAM disk. */
static void roundtrip(bool persistent, unsigned int pages)
{
	struct xpv_blkfront_opts o = tb_opts();
	uint8_t *w = tb_buf(pages), *r = tb_buf(pages);
	size_t len = (size_t)pages * XPV_PAGE_SIZE;
	struct tio io;

	o.persistent = persistent;
	tb_nodes(2048);
	tb_node("feature-persistent", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	fill(w, len, pages);
	CU_ASSERT_EQUAL(tio_submit(t, &io, XPV_BLKFRONT_WRITE, w, len, 16), 0);
	CU_ASSERT_EQUAL(io.done, 0);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.done, 1);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(t->disk + 16 * 512, w, len), 0);
	CU_ASSERT_EQUAL(tio_submit(t, &io, XPV_BLKFRONT_READ, r, len, 16), 0);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(r, w, len), 0);
	CU_ASSERT_EQUAL(t->bad_grants, 0);
	tb_buf_free(w, pages);
	tb_buf_free(r, pages);
}

static void test_rw_direct(void)
{
	struct xpv_blkfront_stats st;

	tb_begin();
	roundtrip(false, 16);
	/* 16 pages, 11 segments per request: two requests each way. */
	CU_ASSERT_EQUAL(t->seen_ops[BLKIF_OP_WRITE], 2);
	CU_ASSERT_EQUAL(t->seen_ops[BLKIF_OP_READ], 2);
	CU_ASSERT_EQUAL(t->max_segs, 11);
	xpv_blkfront_stats(t->dev, &st);
	/* Only the ring is still granted. */
	CU_ASSERT_EQUAL(st.gnt_outstanding, 1);
	CU_ASSERT_EQUAL(st.persistent_pages, 0);
	tb_end();
}

static void test_rw_persistent(void)
{
	struct xpv_blkfront_stats st;
	unsigned int grefs, i;
	struct tio io;
	uint8_t *b;

	tb_begin();
	roundtrip(true, 8);
	grefs = t->nr_grefs;
	CU_ASSERT_EQUAL(grefs, 8);
	b = tb_buf(1);
	for (i = 0; i < 10; i++) {
		fill(b, XPV_PAGE_SIZE, i);
		tio_submit(t, &io, XPV_BLKFRONT_WRITE, b, XPV_PAGE_SIZE, i * 8);
		tb_serve_all(t);
		CU_ASSERT_EQUAL(io.status, 0);
		CU_ASSERT_EQUAL(memcmp(t->disk + i * 4096, b, 4096), 0);
	}
	tb_buf_free(b, 1);
	/* The same pages, granted once, carried everything. */
	CU_ASSERT_EQUAL(t->nr_grefs, grefs);
	xpv_blkfront_stats(t->dev, &st);
	CU_ASSERT_EQUAL(st.persistent_pages, 8);
	CU_ASSERT_TRUE(st.persistent_reuses >= 18);
	tb_end();
}

static void test_indirect(void)
{
	struct xpv_blkfront_opts o = tb_opts();
	uint8_t *w, *r;
	struct tio io;
	grant_entry_v1_t *e;
	const struct blkif_request_indirect *ind;

	tb_begin();
	w = tb_buf(100);
	r = tb_buf(100);
	o.persistent = false;
	o.max_indirect_segs = 64;
	tb_nodes(2048);
	tb_node("feature-max-indirect-segments", "256");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	fill(w, 100 * 4096, 3);
	CU_ASSERT_EQUAL(
		tio_submit(t, &io, XPV_BLKFRONT_WRITE, w, 100 * 4096, 0), 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 2);
	ind = (const void *)&t->reqs[0].raw;
	CU_ASSERT_EQUAL(ind->operation, BLKIF_OP_INDIRECT);
	CU_ASSERT_EQUAL(ind->indirect_op, BLKIF_OP_WRITE);
	CU_ASSERT_EQUAL(ind->nr_segments, 64);
	CU_ASSERT_EQUAL(ind->sector_number, 0);
	CU_ASSERT_EQUAL(ind->handle, (uint16_t)TB_DEVID);
	/* The descriptors' page is only for the backend to read. */
	e = fake_os_gnttab_entry(ind->indirect_grefs[0]);
	CU_ASSERT_TRUE(e->flags & GTF_readonly);
	ind = (const void *)&t->reqs[1].raw;
	CU_ASSERT_EQUAL(ind->nr_segments, 36);
	CU_ASSERT_EQUAL(ind->sector_number, 64 * 8);
	t->reply_indirect_op = true;
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	t->reply_indirect_op = false;
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(t->disk, w, 100 * 4096), 0);
	tio_submit(t, &io, XPV_BLKFRONT_READ, r, 100 * 4096, 0);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(r, w, 100 * 4096), 0);
	CU_ASSERT_EQUAL(t->seen_indirect, 4);
	CU_ASSERT_EQUAL(t->bad_grants, 0);
	CU_ASSERT_FALSE(xpv_blkfront_broken(t->dev));
	tb_buf_free(w, 100);
	tb_buf_free(r, 100);
	tb_end();
}

static void test_indirect_persistent(void)
{
	struct xpv_blkfront_opts o = tb_opts();
	uint8_t *w, *r;
	struct tio io;

	tb_begin();
	w = tb_buf(40);
	r = tb_buf(40);
	o.max_indirect_segs = 32;
	tb_nodes(2048);
	tb_node("feature-max-indirect-segments", "32");
	tb_node("feature-persistent", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	fill(w, 40 * 4096, 9);
	tio_submit(t, &io, XPV_BLKFRONT_WRITE, w, 40 * 4096, 8);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.status, 0);
	tio_submit(t, &io, XPV_BLKFRONT_READ, r, 40 * 4096, 8);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(r, w, 40 * 4096), 0);
	CU_ASSERT_EQUAL(t->seen_indirect, 2);
	CU_ASSERT_EQUAL(t->bad_grants, 0);
	tb_buf_free(w, 40);
	tb_buf_free(r, 40);
	tb_end();
}

static void test_unaligned_segments(void)
{
	uint8_t *b;
	struct tio io;

	tb_begin();
	b = tb_buf(3);
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	fill(b, 3 * 4096, 1);
	/* 1.5 KiB at page offset 3.5 KiB: two segments, 512 + 1024 bytes. */
	CU_ASSERT_EQUAL(
		tio_submit(t, &io, XPV_BLKFRONT_WRITE, b + 3584, 1536, 5), 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	CU_ASSERT_EQUAL(t->reqs[0].raw.nr_segments, 2);
	CU_ASSERT_EQUAL(t->reqs[0].raw.seg[0].first_sect, 7);
	CU_ASSERT_EQUAL(t->reqs[0].raw.seg[0].last_sect, 7);
	CU_ASSERT_EQUAL(t->reqs[0].raw.seg[1].first_sect, 0);
	CU_ASSERT_EQUAL(t->reqs[0].raw.seg[1].last_sect, 1);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(t->disk + 5 * 512, b + 3584, 1536), 0);
	/* Not a whole sector, and past the end: refused before the ring. */
	CU_ASSERT_EQUAL(tio_submit(t, &io, XPV_BLKFRONT_WRITE, b + 100, 512, 0),
			0);
	CU_ASSERT_EQUAL(io.status, -XPV_EINVAL);
	CU_ASSERT_EQUAL(tio_submit(t, &io, XPV_BLKFRONT_READ, b, 4096, 2045),
			0);
	CU_ASSERT_EQUAL(io.status, -XPV_EIO);
	CU_ASSERT_EQUAL(tb_take(t, -1), 0);
	tb_buf_free(b, 3);
	tb_end();
}

static void test_sector_4k(void)
{
	struct xpv_blkfront_info in;
	uint8_t *b;
	struct tio io;

	tb_begin();
	b = tb_buf(2);
	tb_nodes(2048);
	tb_node("sector-size", "4096");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	xpv_blkfront_get_info(t->dev, &in);
	CU_ASSERT_EQUAL(in.sector_size, 4096);
	CU_ASSERT_EQUAL(in.sectors, 2048);
	tio_submit(t, &io, XPV_BLKFRONT_WRITE, b, 512, 8);
	CU_ASSERT_EQUAL(io.status, -XPV_EINVAL);
	tio_submit(t, &io, XPV_BLKFRONT_WRITE, b, 4096, 4);
	CU_ASSERT_EQUAL(io.status, -XPV_EINVAL);
	fill(b, 8192, 4);
	tio_submit(t, &io, XPV_BLKFRONT_WRITE, b, 8192, 16);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	/* Sector numbers stay in 512-byte units. */
	CU_ASSERT_EQUAL(t->reqs[0].raw.sector_number, 16);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(memcmp(t->disk + 8192, b, 8192), 0);
	tb_buf_free(b, 2);
	tb_end();
}

static void test_readonly(void)
{
	uint8_t *b;
	struct tio io;
	int i;

	for (i = 0; i < 2; i++) {
		tb_begin();
		b = tb_buf(1);
		tb_nodes(2048);
		tb_node("feature-discard", "1");
		if (i)
			tb_node("mode", "r");
		else
			tb_node_u("info", VDISK_READONLY);
		CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
		CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
		tio_submit(t, &io, XPV_BLKFRONT_WRITE, b, 4096, 0);
		CU_ASSERT_EQUAL(io.status, -XPV_EROFS);
		tio_submit(t, &io, XPV_BLKFRONT_DISCARD, NULL, 4096, 0);
		CU_ASSERT_EQUAL(io.status, -XPV_EROFS);
		CU_ASSERT_EQUAL(tb_take(t, -1), 0);
		tio_submit(t, &io, XPV_BLKFRONT_READ, b, 4096, 0);
		CU_ASSERT_EQUAL(tb_serve_all(t), 1);
		CU_ASSERT_EQUAL(io.status, 0);
		tb_buf_free(b, 1);
		tb_end();
	}
}

static void test_discard(void)
{
	struct xpv_blkfront_opts o = tb_opts();
	static const uint64_t want[][2] = {
		{10, 16}, {26, 16}, {42, 16}, {58, 16}, {74, 8},
	};
	struct tio io;
	unsigned int i;

	tb_begin();
	o.max_discard_sectors = 20; /* rounds down to 16: two extents */
	tb_nodes(2048);
	tb_node("feature-discard", "1");
	tb_node("discard-granularity", "4096");
	tb_node("discard-alignment", "1024");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, &o));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	memset(t->disk, 0xaa, 100 * 512);
	/* Sectors 3..85: extents start at 2 + 8k, so 10..82 is whole. */
	tio_submit(t, &io, XPV_BLKFRONT_DISCARD, NULL, 83 * 512, 3);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 5);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(t->reqs[i].op, BLKIF_OP_DISCARD);
		CU_ASSERT_EQUAL(t->reqs[i].sector, want[i][0]);
		CU_ASSERT_EQUAL(t->reqs[i].nr_sectors, want[i][1]);
		CU_ASSERT_EQUAL(t->reqs[i].flag, 0);
	}
	CU_ASSERT_EQUAL(io.done, 0);
	tb_serve_all(t);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(t->disk[9 * 512], 0xaa);
	CU_ASSERT_EQUAL(t->disk[10 * 512], 0);
	CU_ASSERT_EQUAL(t->disk[82 * 512 - 1], 0);
	CU_ASSERT_EQUAL(t->disk[82 * 512], 0xaa);
	/* Smaller than an extent: nothing to send, done at once. */
	tio_submit(t, &io, XPV_BLKFRONT_DISCARD, NULL, 8 * 512, 3);
	CU_ASSERT_EQUAL(io.done, 1);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(tb_take(t, -1), 0);
	/* Secure only when the backend offers it. */
	tio_submit_discard(t, &io, 2, 16, true);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	CU_ASSERT_EQUAL(t->reqs[0].sector, 2);
	CU_ASSERT_EQUAL(t->reqs[0].nr_sectors, 16);
	CU_ASSERT_EQUAL(t->reqs[0].flag, 0);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	tb_end();
}

static void test_discard_secure(void)
{
	struct tio io;

	tb_begin();
	tb_nodes(2048);
	tb_node("feature-discard", "1");
	tb_node("discard-secure", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit_discard(t, &io, 1, 3, true);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	CU_ASSERT_EQUAL(t->reqs[0].sector, 1);
	CU_ASSERT_EQUAL(t->reqs[0].nr_sectors, 3);
	CU_ASSERT_EQUAL(t->reqs[0].flag, BLKIF_DISCARD_SECURE);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	tb_end();
}

static void test_flush(void)
{
	struct tio io;

	/* Neither feature: nothing to flush, no request. */
	tb_begin();
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &io, XPV_BLKFRONT_FLUSH, NULL, 0, 0);
	CU_ASSERT_EQUAL(io.done, 1);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(tb_take(t, -1), 0);
	tb_end();

	/* Barrier only: an empty barrier, withdrawn on EOPNOTSUPP. */
	tb_begin();
	tb_nodes(2048);
	tb_node("feature-barrier", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &io, XPV_BLKFRONT_FLUSH, NULL, 0, 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	CU_ASSERT_EQUAL(t->reqs[0].op, BLKIF_OP_WRITE_BARRIER);
	CU_ASSERT_EQUAL(t->reqs[0].nr_segs, 0);
	tb_answer(t, 0, BLKIF_RSP_EOPNOTSUPP);
	CU_ASSERT_EQUAL(io.status, -XPV_EOPNOTSUPP);
	CU_ASSERT_FALSE(xpv_blkfront_broken(t->dev));
	tio_submit(t, &io, XPV_BLKFRONT_FLUSH, NULL, 0, 0);
	CU_ASSERT_EQUAL(io.status, 0);
	CU_ASSERT_EQUAL(tb_take(t, -1), 0);
	tb_end();

	/* Flush preferred when both are offered. */
	tb_begin();
	tb_nodes(2048);
	tb_node("feature-barrier", "1");
	tb_node("feature-flush-cache", "1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &io, XPV_BLKFRONT_FLUSH, NULL, 0, 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	CU_ASSERT_EQUAL(t->reqs[0].op, BLKIF_OP_FLUSH_DISKCACHE);
	tb_answer(t, 0, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.status, 0);
	tb_end();
}

static void test_io_error(void)
{
	uint8_t *b;
	struct tio io;

	tb_begin();
	b = tb_buf(1);
	tb_nodes(2048);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tb_create(t, NULL));
	CU_ASSERT_EQUAL_FATAL(tb_connect(t), 0);
	tio_submit(t, &io, XPV_BLKFRONT_READ, b, 4096, 0);
	CU_ASSERT_EQUAL_FATAL(tb_take(t, -1), 1);
	tb_answer(t, 0, BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(io.status, -XPV_EIO);
	CU_ASSERT_FALSE(xpv_blkfront_broken(t->dev));
	tb_buf_free(b, 1);
	tb_end();
}

CU_TestInfo tb_good_tests[] = {
	{"defaults", test_defaults},
	{"features", test_features},
	{"features refused", test_features_refused},
	{"read/write, direct grants", test_rw_direct},
	{"read/write, persistent grants", test_rw_persistent},
	{"indirect requests", test_indirect},
	{"indirect with persistent grants", test_indirect_persistent},
	{"segments inside pages", test_unaligned_segments},
	{"4K logical sectors", test_sector_4k},
	{"read-only", test_readonly},
	{"discard trimmed and split", test_discard},
	{"secure discard", test_discard_secure},
	{"flush and barrier", test_flush},
	{"I/O error", test_io_error},
	CU_TEST_INFO_NULL,
};

static int tb_suite_clean(void)
{
	free(t);
	t = NULL;
	return 0;
}

CU_SuiteInfo xpv_test_suites[] = {
	{"blkfront", NULL, NULL, NULL, NULL, tb_good_tests},
	{"blkfront reconnect", NULL, NULL, NULL, NULL, tb_reconnect_tests},
	{"blkfront hostile backend", NULL, tb_suite_clean, NULL, NULL,
	 tb_evil_tests},
	CU_SUITE_INFO_NULL,
};
