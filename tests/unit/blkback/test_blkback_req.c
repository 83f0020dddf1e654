// SPDX-License-Identifier: MIT
/*
 * The blkback request validator, one evil field at a time, and the two x86
 * protocol ABIs, checked byte by byte against their published layouts.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "backend/blkback/blkback_req.h"
#include "xenpv/ring.h"

#define DISK 2048u /* 1 MiB in 512-byte sectors */

static struct xpv_blkback_limits lim(void)
{
	return (struct xpv_blkback_limits){
		.nr_sectors = DISK, .sector_size = 512, .max_indirect = 256,
		.flush = true, .barrier = true, .discard = true };
}

static struct xpv_blkback_req rw(uint8_t op, unsigned int nseg, uint64_t sec)
{
	struct xpv_blkback_req r = { .operation = op, .nr_segments = nseg,
				     .id = 77, .sector_number = sec };
	unsigned int i;

	for (i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){
			.gref = 100 + i, .first_sect = 0, .last_sect = 7 };
	return r;
}

static int16_t check(const struct xpv_blkback_req *r,
		     const struct xpv_blkback_limits *l,
		     struct xpv_blkback_io *io)
{
	return xpv_blkback_check_req(r, l, io);
}

static void test_valid_rw(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_req r = rw(BLKIF_OP_READ, 3, 16);
	struct xpv_blkback_io io;

	r.seg[1].first_sect = 2;
	r.seg[1].last_sect = 5;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_FALSE(io.write);
	CU_ASSERT_EQUAL(io.nr_segs, 3);
	CU_ASSERT_EQUAL(io.sector, 16);
	CU_ASSERT_EQUAL(io.nr_sectors, 8 + 4 + 8);
	CU_ASSERT_EQUAL(io.op, BLKIF_OP_READ);
	r = rw(BLKIF_OP_WRITE, 11, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.write);
	CU_ASSERT_FALSE(io.sync_before || io.sync_after || io.drain);
}

static void test_segment_counts(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_READ, 0, 0);

	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.nr_segments = 255;
	r.operation = BLKIF_OP_WRITE;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
}

static void test_sector_fields(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_READ, 2, 0);

	r.seg[1].first_sect = 5;
	r.seg[1].last_sect = 4;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 0;
	r.seg[1].last_sect = 8;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 8;
	r.seg[1].last_sect = 8;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 255;
	r.seg[1].last_sect = 255;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 7;
	r.seg[1].last_sect = 7;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.nr_sectors, 9);
}

static void test_disk_end(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_WRITE, 1, DISK - 8);

	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	r.sector_number = DISK - 7;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.sector_number = DISK;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[0].first_sect = 7;
	r.sector_number = DISK - 1;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	/* A start near 2^64 must not wrap round into the disk. */
	r.sector_number = UINT64_MAX;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.sector_number = UINT64_MAX - 3;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.sector_number = (UINT64_MAX / 512) + 1;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
}

static void test_unknown_ops(void)
{
	static const uint8_t ops[] = { BLKIF_OP_RESERVED_1, 7, 8, 100, 255 };
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	unsigned int i;

	for (i = 0; i < sizeof(ops); i++) {
		struct xpv_blkback_req r = rw(ops[i], 1, 0);

		CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_EOPNOTSUPP);
		CU_ASSERT_EQUAL(io.op, ops[i]);
	}
}

static void test_readonly(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_READ, 1, 0);

	l.readonly = true;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	r.operation = BLKIF_OP_WRITE;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_FLUSH_DISKCACHE;
	r.nr_segments = 0;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_WRITE_BARRIER;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = (struct xpv_blkback_req){ .operation = BLKIF_OP_DISCARD,
				      .sector_number = 0, .nr_sectors = 8 };
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = (struct xpv_blkback_req){ .operation = BLKIF_OP_INDIRECT,
				      .indirect_op = BLKIF_OP_WRITE,
				      .nr_segments = 4 };
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.indirect_op = BLKIF_OP_READ;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
}

static void test_flush_barrier(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);

	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.sync_before);
	CU_ASSERT_FALSE(io.sync_after || io.drain || io.nr_segs);
	r.nr_segments = 2;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.write && io.sync_before && io.sync_after);
	r = rw(BLKIF_OP_WRITE_BARRIER, 1, 8);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.drain && io.sync_before && io.sync_after);
	r.seg[0].last_sect = 9;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	l.flush = l.barrier = false;
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_EOPNOTSUPP);
	r.operation = BLKIF_OP_WRITE_BARRIER;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_EOPNOTSUPP);
}

static struct xpv_blkback_req discard(uint64_t sec, uint64_t n)
{
	return (struct xpv_blkback_req){ .operation = BLKIF_OP_DISCARD,
					 .id = 5, .sector_number = sec,
					 .nr_sectors = n };
}

static void test_discard(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = discard(8, 16);

	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.discard);
	CU_ASSERT_EQUAL(io.sector, 8);
	CU_ASSERT_EQUAL(io.nr_sectors, 16);
	r = discard(0, DISK);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	r = discard(1, DISK);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = discard(16, UINT64_MAX - 8);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = discard(UINT64_MAX, 2);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = discard(0, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = discard(0, 8);
	r.discard_flag = BLKIF_DISCARD_SECURE;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	l.discard = false;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_EOPNOTSUPP);
}

static struct xpv_blkback_req indirect(uint8_t op, uint16_t n, uint64_t sec)
{
	return (struct xpv_blkback_req){ .operation = BLKIF_OP_INDIRECT,
					 .indirect_op = op, .nr_segments = n,
					 .id = 9, .sector_number = sec };
}

static void test_indirect_header(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = indirect(BLKIF_OP_WRITE, 256, 0);

	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_TRUE(io.write);
	CU_ASSERT_EQUAL(io.nr_segs, 256);
	CU_ASSERT_EQUAL(io.nr_indirect, 1);
	CU_ASSERT_EQUAL(io.op, BLKIF_OP_WRITE);
	r.nr_segments = 257;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.nr_segments = 0;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.nr_segments = 0xffff;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_DISCARD, 4, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_INDIRECT, 4, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_READ, 4, DISK + 1);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	l.max_indirect = XPV_BLKBACK_MAX_INDIRECT;
	r = indirect(BLKIF_OP_READ, 513, 0);
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.nr_indirect, 2);
	r.nr_segments = XPV_BLKBACK_MAX_INDIRECT;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.nr_indirect, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
	r.nr_segments = XPV_BLKBACK_MAX_INDIRECT + 1;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	l.max_indirect = 0;
	r.nr_segments = 4;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_EOPNOTSUPP);
}

/* Segments from an indirect page: garbage in any one fails the request. */
static void test_indirect_segments(void)
{
	struct xpv_blkback_limits l = lim();
	struct blkif_request_segment seg[256];
	struct xpv_blkback_req r = indirect(BLKIF_OP_READ, 256, 0);
	struct xpv_blkback_io io;
	unsigned int i;

	for (i = 0; i < 256; i++)
		seg[i] = (struct blkif_request_segment){ .gref = i,
							 .last_sect = 7 };
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(io.nr_sectors, 2048);
	r.sector_number = 8;
	check(&r, &l, &io);
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_ERROR);
	r.sector_number = 0;
	check(&r, &l, &io);
	seg[200].first_sect = 6;
	seg[200].last_sect = 3;
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_ERROR);
	seg[200].first_sect = 0;
	seg[200].last_sect = 200;
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_ERROR);
	memset(seg, 0xa5, sizeof(seg));
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_ERROR);
	io.nr_segs = 0;
	CU_ASSERT_EQUAL(xpv_blkback_check_segs(seg, &l, &io), BLKIF_RSP_ERROR);
}

static void test_4k_native(void)
{
	struct xpv_blkback_limits l = lim();
	struct xpv_blkback_io io;
	struct xpv_blkback_req r = rw(BLKIF_OP_WRITE, 2, 8);

	l.sector_size = 4096;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
	r.sector_number = 4;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.sector_number = 8;
	r.seg[1].first_sect = 1;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 0;
	r.seg[1].last_sect = 6;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r = (struct xpv_blkback_req){ .operation = BLKIF_OP_DISCARD,
				      .sector_number = 8, .nr_sectors = 4 };
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_ERROR);
	r.nr_sectors = 16;
	CU_ASSERT_EQUAL(check(&r, &l, &io), BLKIF_RSP_OKAY);
}

/* ---- ABIs --------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Offsets of id, sector, segments or nr_sectors, per ABI. */
struct layout {
	enum xpv_blkif_abi abi;
	unsigned int id, sector, seg, ind_handle, ind_grefs, rsp_size;
};

static const struct layout layouts[] = {
	{ XPV_BLKIF_X86_32, 4, 12, 20, 20, 24, 12 },
	{ XPV_BLKIF_X86_64, 8, 16, 24, 24, 28, 16 },
};

static void abi_rw(const struct layout *L)
{
	uint8_t slot[112];
	struct xpv_blkback_req r;

	memset(slot, 0xee, sizeof(slot));
	slot[0] = BLKIF_OP_WRITE;
	slot[1] = 3;
	put16(slot + 2, 0xbeef);
	put64(slot + L->id, 0x1122334455667788ull);
	put64(slot + L->sector, 0x99aabbccull);
	put32(slot + L->seg + 8, 0x4242);
	slot[L->seg + 8 + 4] = 1;
	slot[L->seg + 8 + 5] = 6;
	xpv_blkif_decode_req(L->abi, slot, &r);
	CU_ASSERT_EQUAL(r.operation, BLKIF_OP_WRITE);
	CU_ASSERT_EQUAL(r.nr_segments, 3);
	CU_ASSERT_EQUAL(r.handle, 0xbeef);
	CU_ASSERT_EQUAL(r.id, 0x1122334455667788ull);
	CU_ASSERT_EQUAL(r.sector_number, 0x99aabbccull);
	CU_ASSERT_EQUAL(r.seg[1].gref, 0x4242);
	CU_ASSERT_EQUAL(r.seg[1].first_sect, 1);
	CU_ASSERT_EQUAL(r.seg[1].last_sect, 6);
}

static void abi_discard_indirect(const struct layout *L)
{
	uint8_t slot[112];
	struct xpv_blkback_req r;

	memset(slot, 0, sizeof(slot));
	slot[0] = BLKIF_OP_DISCARD;
	slot[1] = BLKIF_DISCARD_SECURE;
	put64(slot + L->id, 42);
	put64(slot + L->sector, 64);
	put64(slot + L->sector + 8, 128);
	xpv_blkif_decode_req(L->abi, slot, &r);
	CU_ASSERT_EQUAL(r.discard_flag, BLKIF_DISCARD_SECURE);
	CU_ASSERT_EQUAL(r.id, 42);
	CU_ASSERT_EQUAL(r.sector_number, 64);
	CU_ASSERT_EQUAL(r.nr_sectors, 128);
	memset(slot, 0, sizeof(slot));
	slot[0] = BLKIF_OP_INDIRECT;
	slot[1] = BLKIF_OP_READ;
	put16(slot + 2, 300);
	put64(slot + L->id, 43);
	put64(slot + L->sector, 72);
	put16(slot + L->ind_handle, 0x1234);
	put32(slot + L->ind_grefs, 0x777);
	put32(slot + L->ind_grefs + 28, 0x888);
	xpv_blkif_decode_req(L->abi, slot, &r);
	CU_ASSERT_EQUAL(r.indirect_op, BLKIF_OP_READ);
	CU_ASSERT_EQUAL(r.nr_segments, 300);
	CU_ASSERT_EQUAL(r.id, 43);
	CU_ASSERT_EQUAL(r.sector_number, 72);
	CU_ASSERT_EQUAL(r.handle, 0x1234);
	CU_ASSERT_EQUAL(r.indirect_grefs[0], 0x777);
	CU_ASSERT_EQUAL(r.indirect_grefs[7], 0x888);
}

static void abi_response(const struct layout *L)
{
	uint8_t slot[112];
	uint64_t id;
	int16_t st;
	unsigned int i;

	memset(slot, 0xcc, sizeof(slot));
	xpv_blkif_encode_rsp(L->abi, slot, 0x0102030405060708ull,
			     BLKIF_OP_INDIRECT, BLKIF_RSP_EOPNOTSUPP);
	memcpy(&id, slot, 8);
	memcpy(&st, slot + 10, 2);
	CU_ASSERT_EQUAL(id, 0x0102030405060708ull);
	CU_ASSERT_EQUAL(slot[8], BLKIF_OP_INDIRECT);
	CU_ASSERT_EQUAL(st, BLKIF_RSP_EOPNOTSUPP);
	for (i = L->rsp_size; i < sizeof(slot); i++)
		CU_ASSERT_EQUAL(slot[i], 0xcc);
}

static void test_abi_layouts(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		abi_rw(&layouts[i]);
		abi_discard_indirect(&layouts[i]);
		abi_response(&layouts[i]);
	}
}

static void test_abi_geometry(void)
{
	enum xpv_blkif_abi abi = XPV_BLKIF_X86_32;

	CU_ASSERT_EQUAL(xpv_blkif_slot_size(XPV_BLKIF_X86_32), 108);
	CU_ASSERT_EQUAL(xpv_blkif_slot_size(XPV_BLKIF_X86_64), 112);
	CU_ASSERT_EQUAL(XPV_RING_NR_ENTS(blkif_x86_32, 0), 32);
	CU_ASSERT_EQUAL(XPV_RING_NR_ENTS(blkif_x86_64, 0), 32);
	CU_ASSERT_EQUAL(XPV_RING_NR_ENTS(blkif_x86_64, 4), 512);
	CU_ASSERT_EQUAL(xpv_blkif_parse_protocol(NULL, &abi), 0);
	CU_ASSERT_EQUAL(abi, XPV_BLKIF_X86_64);
	CU_ASSERT_EQUAL(xpv_blkif_parse_protocol("x86_32-abi", &abi), 0);
	CU_ASSERT_EQUAL(abi, XPV_BLKIF_X86_32);
	CU_ASSERT_EQUAL(xpv_blkif_parse_protocol("x86_64-abi", &abi), 0);
	CU_ASSERT_EQUAL(abi, XPV_BLKIF_X86_64);
	CU_ASSERT_EQUAL(xpv_blkif_parse_protocol("arm-abi", &abi), -EINVAL);
	CU_ASSERT_EQUAL(xpv_blkif_parse_protocol("x86_32-abi ", &abi),
			-EINVAL);
}

static CU_TestInfo req_tests[] = {
	{ "valid read and write", test_valid_rw },
	{ "segment counts", test_segment_counts },
	{ "first/last sector fields", test_sector_fields },
	{ "end of disk and overflow", test_disk_end },
	{ "unknown operations", test_unknown_ops },
	{ "read-only device", test_readonly },
	{ "flush and barrier", test_flush_barrier },
	{ "discard", test_discard },
	{ "indirect header", test_indirect_header },
	{ "indirect segments", test_indirect_segments },
	{ "4K-native sectors", test_4k_native },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo abi_tests[] = {
	{ "x86_32 and x86_64 layouts", test_abi_layouts },
	{ "slot sizes, ring sizes, protocol node", test_abi_geometry },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "blkback request validator", NULL, NULL, NULL, NULL, req_tests },
	{ "blkif protocol ABIs", NULL, NULL, NULL, NULL, abi_tests },
	CU_SUITE_INFO_NULL,
};
