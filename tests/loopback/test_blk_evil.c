// SPDX-License-Identifier: MIT
/*
 * xenpv-blkback against a scripted evil frontend on the loopback.  Each
 * malformed request must get an error response (never a crash, never I/O
 * outside the disk or outside what the request may touch); the backend must
 * keep serving, free every mapping when the frontend goes (cleanly or by
 * dying), and take a new frontend afterwards.  The disk file is compared
 * with a model of every write that was allowed.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/loopback/blk_efe.h"

#define DISK_BYTES (4u << 20)
#define SECTORS (DISK_BYTES / 512)
#define VDEV 51712
#define DOM 5
#define DOM2 6

static struct blk_env env;
static struct efe fe;
static uint8_t *model;
static uint64_t next_id = 1;
/* With feature-persistent every grant must allow writes (blkif.h). */
static bool persist;

static void pattern(uint8_t *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(((off + i) >> 9) * 131 + (off + i) * 7);
}

static int suite_init(void)
{
	static const char *const args[] = { "--max-indirect", "64", NULL };

	model = malloc(DISK_BYTES);
	if (!model)
		return 1;
	pattern(model, 0, DISK_BYTES);
	if (blk_env_start(&env, DISK_BYTES, pattern) ||
	    blk_env_attach(&env, DOM, VDEV, "w") ||
	    blk_env_attach(&env, DOM2, VDEV, "w") ||
	    blk_env_backend(&env, args))
		return 1;
	return efe_init(&fe, &env, DOM, VDEV) ? 1 : 0;
}

static int suite_clean(void)
{
	efe_exit(&fe);
	blk_env_stop(&env);
	free(model);
	return 0;
}

static bool backend_alive(void)
{
	return env.bb_pid > 0 && kill(env.bb_pid, 0) == 0 &&
	       waitpid(env.bb_pid, NULL, WNOHANG) == 0;
}

/* One page of data at @sector through the ring; updates the model. */
static int rw_page(uint8_t op, uint64_t sector, uint8_t *out)
{
	struct xpv_blkback_req r = { .operation = op, .nr_segments = 1,
				     .id = next_id++, .sector_number = sector };
	unsigned int gfn;
	uint8_t *p = efe_page(&fe, &gfn);
	int st;

	if (op == BLKIF_OP_WRITE)
		memcpy(p, out, XPV_PAGE_SIZE);
	r.seg[0] = (struct blkif_request_segment){
		.gref = efe_grant(&fe, gfn, op == BLKIF_OP_WRITE && !persist),
		.last_sect = 7 };
	st = efe_do(&fe, &r);
	efe_ungrant(&fe, r.seg[0].gref);
	if (st == BLKIF_RSP_OKAY && op == BLKIF_OP_WRITE)
		memcpy(model + sector * 512, out, XPV_PAGE_SIZE);
	if (st == BLKIF_RSP_OKAY && op == BLKIF_OP_READ)
		memcpy(out, p, XPV_PAGE_SIZE);
	return st;
}

static void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

static void check_good_io(uint64_t sector)
{
	uint8_t w[XPV_PAGE_SIZE], r[XPV_PAGE_SIZE];

	fill_random(w, sizeof(w));
	CU_ASSERT_EQUAL(rw_page(BLKIF_OP_WRITE, sector, w), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rw_page(BLKIF_OP_READ, sector, r), BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(memcmp(w, r, sizeof(w)), 0);
}

static void test_connect(void)
{
	CU_ASSERT_EQUAL_FATAL(efe_connect(&fe, XPV_BLKIF_X86_64, 1, false), 0);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV, "sectors"), SECTORS);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV, "sector-size"), 512);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV, "info"), 0);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV,
					"feature-max-indirect-segments"), 64);
	check_good_io(8);
	check_good_io(SECTORS - 8);
}

/* A request whose one segment is page @gfn granted as @ro. */
static struct xpv_blkback_req one_seg(uint8_t op, uint64_t sector, bool ro)
{
	struct xpv_blkback_req r = { .operation = op, .nr_segments = 1,
				     .id = next_id++, .sector_number = sector };
	unsigned int gfn;
	uint8_t *p = efe_page(&fe, &gfn);

	memset(p, 0xee, XPV_PAGE_SIZE);
	r.seg[0] = (struct blkif_request_segment){
		.gref = efe_grant(&fe, gfn, ro), .last_sect = 7 };
	return r;
}

static void test_evil_segments(void)
{
	struct xpv_blkback_req r = one_seg(BLKIF_OP_WRITE, 16, false);
	unsigned int i;

	for (i = 1; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = r.seg[0];
	r.nr_segments = 12;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.nr_segments = 255;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.nr_segments = 0;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.nr_segments = 2;
	r.seg[1].first_sect = 6;
	r.seg[1].last_sect = 2;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 0;
	r.seg[1].last_sect = 8;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	CU_ASSERT_TRUE(backend_alive());
}

static void test_evil_sectors(void)
{
	struct xpv_blkback_req r = one_seg(BLKIF_OP_WRITE, SECTORS - 7, false);

	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.sector_number = SECTORS;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.sector_number = UINT64_MAX - 2;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.sector_number = (UINT64_MAX >> 9) + 1;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = (struct xpv_blkback_req){ .operation = BLKIF_OP_DISCARD,
				      .id = next_id++,
				      .sector_number = SECTORS - 8,
				      .nr_sectors = 16 };
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.sector_number = 8;
	r.nr_sectors = UINT64_MAX - 4;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = one_seg(9, 0, false);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_EOPNOTSUPP);
	CU_ASSERT_TRUE(backend_alive());
}

static void test_evil_grants(void)
{
	struct xpv_blkback_req r = one_seg(BLKIF_OP_WRITE, 24, false);

	/* A grant that was never made, one past the table, one revoked. */
	r.seg[0].gref = 3000;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r.seg[0].gref = 0xfffffff0;
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = one_seg(BLKIF_OP_WRITE, 24, false);
	efe_ungrant(&fe, r.seg[0].gref);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	/* A read stores into memory: a read-only grant can't take it. */
	r = one_seg(BLKIF_OP_READ, 24, true);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	/* A write only reads memory: read-only is enough. */
	r = one_seg(BLKIF_OP_WRITE, 24, true);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_OKAY);
	memset(model + 24 * 512, 0xee, XPV_PAGE_SIZE);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 1 << fe.order);
	CU_ASSERT_TRUE(backend_alive());
}

/* An indirect request whose segments live in one granted page. */
static struct xpv_blkback_req indirect(uint8_t op, uint16_t n,
				       uint64_t sector,
				       struct blkif_request_segment **segs)
{
	struct xpv_blkback_req r = { .operation = BLKIF_OP_INDIRECT,
				     .indirect_op = op, .nr_segments = n,
				     .id = next_id++, .sector_number = sector };
	unsigned int gfn, i, dgfn;

	*segs = efe_page(&fe, &gfn);
	r.indirect_grefs[0] = efe_grant(&fe, gfn, true);
	for (i = 0; i < n && i < XPV_BLKIF_SEGS_PER_INDIRECT_PAGE; i++) {
		uint8_t *p = efe_page(&fe, &dgfn);

		memset(p, 0x30 + i, XPV_PAGE_SIZE);
		(*segs)[i] = (struct blkif_request_segment){
			.gref = efe_grant(&fe, dgfn, false), .last_sect = 7 };
	}
	return r;
}

static void test_evil_indirect(void)
{
	struct blkif_request_segment *segs;
	struct xpv_blkback_req r = indirect(BLKIF_OP_WRITE, 16, 64, &segs);
	unsigned int i;

	segs[9].first_sect = 7;
	segs[9].last_sect = 1;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	segs[9].first_sect = 0;
	segs[9].last_sect = 7;
	memset(&segs[3], 0xff, sizeof(segs[3]));
	r.id = next_id++;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 65, 64, &segs);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 16, 64, &segs);
	r.indirect_grefs[0] = 3001;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_FLUSH_DISKCACHE, 16, 64, &segs);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 16, SECTORS - 64, &segs);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 16, 64, &segs);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_OKAY);
	for (i = 0; i < 16; i++)
		memset(model + (64 + 8 * i) * 512, 0x30 + i, XPV_PAGE_SIZE);
	CU_ASSERT_TRUE(backend_alive());
}

static void test_disk_untouched(void)
{
	uint8_t *disk = malloc(DISK_BYTES);
	int fd = open(env.disk, O_RDONLY);
	size_t i, bad = 0;

	CU_ASSERT_FATAL(disk != NULL && fd >= 0);
	CU_ASSERT_EQUAL(pread(fd, disk, DISK_BYTES, 0), DISK_BYTES);
	for (i = 0; i < DISK_BYTES; i++)
		bad += disk[i] != model[i];
	CU_ASSERT_EQUAL(bad, 0);
	close(fd);
	free(disk);
}

static void test_x86_32(void)
{
	struct xpv_blkback_req r;

	CU_ASSERT_EQUAL_FATAL(efe_close(&fe, true), 0);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 0);
	CU_ASSERT_EQUAL_FATAL(efe_connect(&fe, XPV_BLKIF_X86_32, 0, true), 0);
	persist = true;
	check_good_io(128);
	/* Persistent mappings are writable: a read-only grant fails. */
	r = one_seg(BLKIF_OP_WRITE, 0, true);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = one_seg(BLKIF_OP_WRITE, SECTORS, false);
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	r = one_seg(BLKIF_OP_READ, 0, false);
	r.seg[0].last_sect = 9;
	CU_ASSERT_EQUAL(efe_do(&fe, &r), BLKIF_RSP_ERROR);
	test_disk_untouched();
}

static void test_prod_overflow(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int i;

	efe_set_req_prod(&fe, fe.req_prod + fe.nr_ents + 5);
	CU_ASSERT_TRUE(blk_env_be_wait(&env, DOM, VDEV, "state", 5));
	for (i = 0; i < 500 && efe_backend_mappings(&fe); i++)
		nanosleep(&nap, NULL);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 0);
	CU_ASSERT_TRUE(backend_alive());
	/* A frontend that resets gets a working device again. */
	fe.req_prod = fe.rsp_cons = 0;
	CU_ASSERT_EQUAL_FATAL(efe_close(&fe, true), 0);
	CU_ASSERT_EQUAL_FATAL(efe_connect(&fe, XPV_BLKIF_X86_64, 0, true), 0);
	check_good_io(256);
	CU_ASSERT_EQUAL(efe_close(&fe, false), 0);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 0);
	test_disk_untouched();
}

/* A child that joins as DOM2, connects with persistent grants, does I/O. */
static int frontend_child(int ready_fd, bool wait_forever)
{
	struct efe c;
	uint8_t w[XPV_PAGE_SIZE], r[XPV_PAGE_SIZE];
	unsigned int i;

	fe.xs = NULL;	/* the parent's; never touched here */
	if (efe_init(&c, &env, DOM2, VDEV) ||
	    efe_connect(&c, XPV_BLKIF_X86_64, 0, true))
		return 1;
	for (i = 0; i < 8; i++) {
		struct xpv_blkback_req q = { .operation = BLKIF_OP_WRITE,
					     .nr_segments = 1, .id = i + 1,
					     .sector_number = 512 + 8 * i };
		unsigned int gfn;
		uint8_t *p = efe_page(&c, &gfn);

		fill_random(w, sizeof(w));
		memcpy(p, w, sizeof(w));
		q.seg[0] = (struct blkif_request_segment){
			.gref = efe_grant(&c, gfn, false), .last_sect = 7 };
		if (efe_do(&c, &q) != BLKIF_RSP_OKAY)
			return 2;
		q.operation = BLKIF_OP_READ;
		q.id += 100;
		memset(p, 0, XPV_PAGE_SIZE);
		if (efe_do(&c, &q) != BLKIF_RSP_OKAY)
			return 3;
		memcpy(r, p, sizeof(r));
		if (memcmp(w, r, sizeof(w)))
			return 4;
	}
	if (write(ready_fd, "k", 1) != 1)
		return 5;
	while (wait_forever)
		pause();
	return 0;
}

static pid_t start_child(int *ready, bool wait_forever)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		_exit(frontend_child(pfd[1], wait_forever));
	close(pfd[1]);
	*ready = read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	return pid;
}

static void test_frontend_dies(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int ready = 0, st = -1, i;
	pid_t pid = start_child(&ready, true);

	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_TRUE(ready);
	/* Persistent grants and the ring are mapped while it lives. */
	CU_ASSERT_TRUE(efe_backend_mappings(&fe) >= 2);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (i = 0; i < 500 && efe_backend_mappings(&fe); i++)
		nanosleep(&nap, NULL);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 0);
	CU_ASSERT_TRUE(blk_env_be_wait(&env, DOM2, VDEV, "state", 2));
	/* A new frontend in that domain connects; this one exits unclean. */
	pid = start_child(&ready, false);
	CU_ASSERT_FATAL(pid > 0);
	waitpid(pid, &st, 0);
	CU_ASSERT_TRUE(ready);
	CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < 500 && efe_backend_mappings(&fe); i++)
		nanosleep(&nap, NULL);
	CU_ASSERT_EQUAL(efe_backend_mappings(&fe), 0);
	CU_ASSERT_TRUE(backend_alive());
}

static void test_detach(void)
{
	CU_ASSERT_EQUAL(blk_env_attach(&env, DOM2, VDEV, NULL), 0);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM2, VDEV, "state"), -1);
	CU_ASSERT_TRUE(backend_alive());
}

static CU_TestInfo tests[] = {
	{ "connect, good I/O", test_connect },
	{ "segment counts and sector fields", test_evil_segments },
	{ "sectors past the end, unknown op", test_evil_sectors },
	{ "grants not granted or read-only", test_evil_grants },
	{ "indirect pages with garbage", test_evil_indirect },
	{ "disk unchanged outside allowed writes", test_disk_untouched },
	{ "x86_32 ABI after a reconnect", test_x86_32 },
	{ "req_prod overflow breaks the device", test_prod_overflow },
	{ "frontend dies: mappings freed, new one connects",
	  test_frontend_dies },
	{ "detach", test_detach },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "blkback vs an evil frontend", suite_init, suite_clean, NULL, NULL,
	  tests },
	CU_SUITE_INFO_NULL,
};
