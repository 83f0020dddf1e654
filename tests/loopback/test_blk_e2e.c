// SPDX-License-Identifier: MIT
/*
 * blkfront -> xenpv-blkback end to end on the loopback.  This process is
 * the guest (domain 7, through os/user); the backend is a child process.
 *  - integrity: checksummed data over the whole disk with mixed sizes,
 *    alignments and a deep queue, read back through the ring and from the
 *    file; flush; discard reads back zeros; each of persistent grants and
 *    indirect descriptors off and on;
 *  - the backend SIGKILLed in the middle of a write stream and restarted:
 *    every write acknowledged before or after is in the file;
 *  - read-only and 4K-native devices;
 *  - after every close: no grant left on our side, no mapping on dom0's.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/blkfront/blkfront_user.h"
#include "loopback/hv.h"
#include "os/user/user.h"
#include "tests/loopback/blk_env.h"

#define DISK_BYTES (64u << 20)
#define DOM 7
#define VDEV 51712
#define VDEV_RO 51728
#define QD 32

static struct blk_env env;

/* ---- checksummed content: every 512-byte block names itself ----------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void gen_block(uint8_t *p, uint64_t block, uint32_t gen)
{
	uint64_t w[64], s = mix(block * 0x100000001b3ull ^ gen);
	unsigned int i;

	for (i = 0; i < 64; i++)
		w[i] = s = mix(s);
	w[0] = block;
	w[1] = gen;
	memcpy(p, w, 512);
}

static void gen_range(uint8_t *p, uint64_t off, size_t len, uint32_t gen)
{
	size_t i;

	for (i = 0; i < len; i += 512)
		gen_block(p + i, (off + i) / 512, gen);
}

/* ---- a tiny asynchronous engine on xpv_blkdev_submit ------------------- */

struct job {
	struct xpv_blkdev_io io;
	void *mem;
	size_t mem_len;
	uint32_t gen;
	bool verify;
	struct eng *e;
};

struct eng {
	pthread_mutex_t m;
	pthread_cond_t c;
	unsigned int inflight;
	unsigned long long done, errors, corrupt;
	/* Writes acknowledged OK: (offset, len, gen) for the kill test. */
	uint64_t *acked_off;
	uint32_t *acked_len;
	unsigned int nacked, max_acked;
};

static void job_done(struct xpv_blkdev_io *io)
{
	struct job *j = (struct job *)io;
	struct eng *e = j->e;
	uint8_t blk[512];
	size_t i;
	bool bad = false;

	if (!io->status && j->verify) {
		for (i = 0; i < io->len && !bad; i += 512) {
			gen_block(blk, (io->offset + i) / 512, j->gen);
			bad = memcmp(blk, (uint8_t *)io->buf + i, 512) != 0;
		}
	}
	pthread_mutex_lock(&e->m);
	if (io->status)
		e->errors++;
	if (bad)
		e->corrupt++;
	if (!io->status && io->op == XPV_BLKDEV_WRITE &&
	    e->nacked < e->max_acked) {
		e->acked_off[e->nacked] = io->offset;
		e->acked_len[e->nacked++] = io->len;
	}
	e->done++;
	e->inflight--;
	pthread_cond_broadcast(&e->c);
	pthread_mutex_unlock(&e->m);
	xpv_blkdev_free(j->mem, j->mem_len);
	free(j);
}

static void eng_init(struct eng *e, unsigned int max_acked)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->m, NULL);
	pthread_cond_init(&e->c, NULL);
	e->max_acked = max_acked;
	if (max_acked) {
		e->acked_off = calloc(max_acked, sizeof(*e->acked_off));
		e->acked_len = calloc(max_acked, sizeof(*e->acked_len));
	}
}

static void eng_wait(struct eng *e, unsigned int below)
{
	pthread_mutex_lock(&e->m);
	while (e->inflight > below)
		pthread_cond_wait(&e->c, &e->m);
	pthread_mutex_unlock(&e->m);
}

static void eng_free(struct eng *e)
{
	free(e->acked_off);
	free(e->acked_len);
}

/* Submits one job; a buffer offset by @skew bytes tests unaligned memory. */
static int eng_submit(struct eng *e, struct xpv_blkdev *d, int op,
		      uint64_t off, size_t len, uint32_t gen, size_t skew)
{
	struct job *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return -1;
	j->mem_len = len + skew;
	j->mem = xpv_blkdev_alloc(j->mem_len);
	if (!j->mem) {
		free(j);
		return -1;
	}
	j->e = e;
	j->gen = gen;
	j->verify = op == XPV_BLKDEV_READ;
	j->io = (struct xpv_blkdev_io){ .op = op,
					.buf = (uint8_t *)j->mem + skew,
					.len = len, .offset = off,
					.done = job_done };
	if (op == XPV_BLKDEV_WRITE)
		gen_range(j->io.buf, off, len, gen);
	eng_wait(e, QD - 1);
	pthread_mutex_lock(&e->m);
	e->inflight++;
	pthread_mutex_unlock(&e->m);
	err = xpv_blkdev_submit(d, &j->io);
	if (err)
		fprintf(stderr, "submit op %d off %llu len %zu: %d\n", op,
			(unsigned long long)off, len, err);
	if (err) {
		pthread_mutex_lock(&e->m);
		e->inflight--;
		e->errors++;
		pthread_mutex_unlock(&e->m);
		xpv_blkdev_free(j->mem, j->mem_len);
		free(j);
	}
	return err;
}

static size_t pick_len(uint64_t left)
{
	static const size_t sizes[] = { 512, 1024, 3584, 4096, 8192, 12288,
					65536, 131072, 1u << 20 };
	size_t len = sizes[rand() % 9];

	if (rand() % 4 == 0)
		len = 512 * (1 + rand() % 512);
	return len < left ? len : left;
}

/* Covers [start, end) with @op in random sizes; reads verify @gen. */
static void pass(struct xpv_blkdev *d, int op, uint64_t start, uint64_t end,
		 uint32_t gen, struct eng *e)
{
	uint64_t off = start;

	while (off < end) {
		size_t len = pick_len(end - off);
		size_t skew = rand() % 3 == 0 ? 512 * (rand() % 8) : 0;

		eng_submit(e, d, op, off, len, gen, skew);
		off += len;
	}
	eng_wait(e, 0);
}

/* The disk file itself, block by block, against @gen over [start, end). */
static unsigned long file_mismatches(uint64_t start, uint64_t end,
				     uint32_t gen)
{
	static uint8_t buf[1 << 16];
	uint8_t blk[512];
	unsigned long bad = 0;
	uint64_t off, i;
	int fd = open(env.disk, O_RDONLY);

	if (fd < 0)
		return ~0ul;
	for (off = start; off < end; off += sizeof(buf)) {
		size_t n = end - off < sizeof(buf) ? end - off : sizeof(buf);

		if (pread(fd, buf, n, off) != (ssize_t)n)
			bad++;
		for (i = 0; i < n; i += 512) {
			gen_block(blk, (off + i) / 512, gen);
			bad += memcmp(blk, buf + i, 512) != 0;
		}
	}
	close(fd);
	return bad;
}

static unsigned int backend_mappings(void)
{
	struct lb_hv *hv = lb_dom_hv(xpv_user_dom());

	return __atomic_load_n(&hv->doms[0].maptrack_used, __ATOMIC_ACQUIRE);
}

static void wait_unmapped(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 500 && backend_mappings(); i++)
		nanosleep(&nap, NULL);
}

/*
 * Also waits for the backend to reach Closed: a frontend opening again
 * while it still says Closing would read that as a refusal.
 */
static void close_and_count(struct xpv_blkdev *d, unsigned int vdev)
{
	struct xpv_blkfront_stats st;

	xpv_blkdev_close(d);
	CU_ASSERT_TRUE(blk_env_be_wait(&env, DOM, vdev, "state", 6));
	xpv_blkdev_stats(d, &st);
	CU_ASSERT_EQUAL(st.gnt_outstanding, 0);
	CU_ASSERT_FALSE(st.broken);
	wait_unmapped();
	CU_ASSERT_EQUAL(backend_mappings(), 0);
	xpv_blkdev_destroy(d);
}

static int env_up(const char *const *args, const char *ro_mode)
{
	if (blk_env_start(&env, DISK_BYTES, NULL) ||
	    blk_env_attach(&env, DOM, VDEV, "w") ||
	    (ro_mode && blk_env_attach(&env, DOM, VDEV_RO, ro_mode)) ||
	    blk_env_backend(&env, args))
		return 1;
	return xpv_user_init(env.dir, DOM, 16384) ? 1 : 0;
}

static int env_down(void)
{
	xpv_user_exit();
	blk_env_stop(&env);
	return 0;
}

static int suite_init(void)
{
	srand(1234);
	return env_up(NULL, "r");
}

static struct xpv_blkdev *open_dev(unsigned int vdev, bool persistent,
				   bool indirect)
{
	struct xpv_blkfront_opts o;
	struct xpv_blkdev *d;
	int err;

	xpv_blkfront_default_opts(&o);
	o.persistent = persistent;
	o.indirect = indirect;
	d = xpv_blkdev_open(vdev, &o, &err);
	if (!d)
		fprintf(stderr, "open %u: %d\n", vdev, err);
	CU_ASSERT_PTR_NOT_NULL(d);
	return d;
}

static void test_integrity_whole_disk(void)
{
	struct xpv_blkdev *d = open_dev(VDEV, true, true);
	struct eng e;

	if (!d)
		return;
	CU_ASSERT_EQUAL(xpv_blkdev_size(d), DISK_BYTES);
	CU_ASSERT_EQUAL(xpv_blkdev_sector_size(d), 512);
	CU_ASSERT_FALSE(xpv_blkdev_readonly(d));
	eng_init(&e, 0);
	pass(d, XPV_BLKDEV_WRITE, 0, DISK_BYTES, 1, &e);
	CU_ASSERT_EQUAL(xpv_blkdev_flush(d), 0);
	pass(d, XPV_BLKDEV_READ, 0, DISK_BYTES, 1, &e);
	CU_ASSERT_EQUAL(e.errors, 0);
	CU_ASSERT_EQUAL(e.corrupt, 0);
	CU_ASSERT_EQUAL(file_mismatches(0, DISK_BYTES, 1), 0);
	eng_free(&e);
	close_and_count(d, VDEV);
}

/* Each of persistent grants and indirect descriptors off and on. */
static void test_integrity_features(void)
{
	unsigned int k;

	for (k = 0; k < 4; k++) {
		struct xpv_blkdev *d = open_dev(VDEV, k & 1, k & 2);
		struct xpv_blkfront_info info;
		uint64_t start = (uint64_t)k * (8u << 20), end = start + (8u << 20);
		struct eng e;

		if (!d)
			return;
		CU_ASSERT_EQUAL(xpv_blkdev_info(d, &info), 0);
		CU_ASSERT_EQUAL(info.persistent, !!(k & 1));
		eng_init(&e, 0);
		pass(d, XPV_BLKDEV_WRITE, start, end, 10 + k, &e);
		pass(d, XPV_BLKDEV_READ, start, end, 10 + k, &e);
		CU_ASSERT_EQUAL(e.errors, 0);
		CU_ASSERT_EQUAL(e.corrupt, 0);
		CU_ASSERT_EQUAL(file_mismatches(start, end, 10 + k), 0);
		eng_free(&e);
		close_and_count(d, VDEV);
	}
}

static void test_discard_reads_zero(void)
{
	struct xpv_blkdev *d = open_dev(VDEV, true, true);
	struct xpv_blkfront_info info;
	uint8_t *buf, *zero;
	const size_t len = 1u << 20;

	if (!d)
		return;
	CU_ASSERT_EQUAL(xpv_blkdev_info(d, &info), 0);
	CU_ASSERT_TRUE(info.discard && info.flush);
	buf = xpv_blkdev_alloc(len);
	zero = calloc(1, len);
	CU_ASSERT_EQUAL(xpv_blkdev_discard(d, 4u << 20, len), 0);
	CU_ASSERT_EQUAL(xpv_blkdev_pread(d, buf, len, 4u << 20), 0);
	CU_ASSERT_EQUAL(memcmp(buf, zero, len), 0);
	/* Around it the data of the first feature pass is intact. */
	CU_ASSERT_EQUAL(file_mismatches((4u << 20) - 4096, 4u << 20, 10), 0);
	CU_ASSERT_EQUAL(file_mismatches(5u << 20, (5u << 20) + 4096, 10), 0);
	CU_ASSERT_EQUAL(xpv_blkdev_flush(d), 0);
	xpv_blkdev_free(buf, len);
	free(zero);
	close_and_count(d, VDEV);
}

static void test_readonly(void)
{
	struct xpv_blkdev *d = open_dev(VDEV_RO, true, true);
	uint8_t *buf;

	if (!d)
		return;
	CU_ASSERT_TRUE(xpv_blkdev_readonly(d));
	buf = xpv_blkdev_alloc(4096);
	CU_ASSERT_EQUAL(xpv_blkdev_pread(d, buf, 4096, 40u << 20), 0);
	CU_ASSERT_NOT_EQUAL(xpv_blkdev_pwrite(d, buf, 4096, 0), 0);
	xpv_blkdev_free(buf, 4096);
	close_and_count(d, VDEV_RO);
}

/* Writes stream on; the backend is killed and started again meanwhile. */
static void test_backend_sigkill(void)
{
	struct xpv_blkdev *d = open_dev(VDEV, true, true);
	struct xpv_blkfront_stats st;
	uint64_t off, region = 16u << 20;
	unsigned long bad = 0;
	uint8_t blk[512], got[512];
	unsigned int i;
	struct eng e;
	int fd;

	if (!d)
		return;
	eng_init(&e, 4096);
	for (off = 0; off < region; off += 65536) {
		eng_submit(&e, d, XPV_BLKDEV_WRITE, off, 65536, 77, 0);
		if (off == region / 4) {
			blk_env_backend_kill(&env, SIGKILL);
			CU_ASSERT_EQUAL(blk_env_backend(&env, NULL), 0);
		}
	}
	eng_wait(&e, 0);
	CU_ASSERT_EQUAL(e.errors, 0);
	CU_ASSERT_EQUAL(e.nacked, region / 65536);
	xpv_blkdev_stats(d, &st);
	CU_ASSERT_TRUE(st.reconnects >= 1);
	fd = open(env.disk, O_RDONLY);
	for (i = 0; i < e.nacked; i++) {
		for (off = 0; off < e.acked_len[i]; off += 512) {
			uint64_t at = e.acked_off[i] + off;

			gen_block(blk, at / 512, 77);
			if (pread(fd, got, 512, at) != 512 ||
			    memcmp(blk, got, 512))
				bad++;
		}
	}
	close(fd);
	CU_ASSERT_EQUAL(bad, 0);
	eng_free(&e);
	close_and_count(d, VDEV);
}

static CU_TestInfo tests[] = {
	{ "checksummed data over the whole disk", test_integrity_whole_disk },
	{ "persistent grants x indirect, off and on", test_integrity_features },
	{ "discard reads back zeros, flush", test_discard_reads_zero },
	{ "read-only device", test_readonly },
	{ "backend SIGKILLed mid-stream, restarted", test_backend_sigkill },
	CU_TEST_INFO_NULL,
};

static int suite4k_init(void)
{
	static const char *const args[] = { "--sector-size", "4096", NULL };

	return env_up(args, NULL);
}

static void test_4k_native(void)
{
	struct xpv_blkdev *d = open_dev(VDEV, true, true);
	struct eng e;

	if (!d)
		return;
	CU_ASSERT_EQUAL(xpv_blkdev_sector_size(d), 4096);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV, "sector-size"), 4096);
	CU_ASSERT_EQUAL(blk_env_be_read(&env, DOM, VDEV, "sectors"),
			DISK_BYTES / 512);
	eng_init(&e, 0);
	eng_submit(&e, d, XPV_BLKDEV_WRITE, 4096, 1u << 20, 5, 0);
	eng_submit(&e, d, XPV_BLKDEV_WRITE, 8u << 20, 8192, 5, 0);
	eng_wait(&e, 0);
	eng_submit(&e, d, XPV_BLKDEV_READ, 4096, 1u << 20, 5, 0);
	eng_submit(&e, d, XPV_BLKDEV_READ, 8u << 20, 8192, 5, 0);
	eng_wait(&e, 0);
	CU_ASSERT_EQUAL(e.errors, 0);
	CU_ASSERT_EQUAL(e.corrupt, 0);
	CU_ASSERT_EQUAL(file_mismatches(4096, 4096 + (1u << 20), 5), 0);
	eng_free(&e);
	close_and_count(d, VDEV);
}

static CU_TestInfo tests4k[] = {
	{ "4K-native disk", test_4k_native },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "blkfront -> blkback", suite_init, env_down, NULL, NULL, tests },
	{ "blkfront -> blkback, 4K sectors", suite4k_init, env_down, NULL,
	  NULL, tests4k },
	CU_SUITE_INFO_NULL,
};
