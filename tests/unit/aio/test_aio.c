// SPDX-License-Identifier: MIT
/* The libaio engine on a real file: batches, refusals, fsync, O_DIRECT. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/aio/aio.h"

#define BLK 4096u
#define NBLK 48u
#define WAIT_MS 10000

static char path[64];
static char logged[256];
static unsigned int ndone;
static long results[NBLK + 8];
static void *cookies[NBLK + 8];

static void cap_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
}

static void on_done(void *cookie, long res)
{
	if (ndone < NBLK + 8) {
		cookies[ndone] = cookie;
		results[ndone] = res;
	}
	ndone++;
}

/* Reaps until @want completions came, waiting on the event fd. */
static void drain(struct xpv_aio *a, unsigned int want)
{
	struct pollfd p = { .fd = xpv_aio_event_fd(a), .events = POLLIN };
	unsigned int rounds = 0;

	while (ndone < want && rounds++ < 1000) {
		if (poll(&p, 1, WAIT_MS) != 1)
			break;
		CU_ASSERT(xpv_aio_reap(a, on_done) >= 0);
		xpv_aio_flush(a);
	}
	CU_ASSERT_EQUAL(ndone, want);
}

static int suite_init(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/xpv-aio-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)NBLK * BLK) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int suite_clean(void)
{
	unlink(path);
	return 0;
}

static void test_new_limits(void)
{
	struct xpv_aio *a;

	errno = 0;
	CU_ASSERT_PTR_NULL(xpv_aio_new(0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(xpv_aio_new(XPV_AIO_MAX_DEPTH + 1));
	a = xpv_aio_new(2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(xpv_aio_inflight(a), 0);
	CU_ASSERT_EQUAL(xpv_aio_reap(a, on_done), 0);
	CU_ASSERT_EQUAL(xpv_aio_flush(a), 0);
	xpv_aio_free(a);
	xpv_aio_free(NULL);
}

static void fill(uint8_t *buf, unsigned int i, bool write)
{
	memset(buf, write ? (int)(i * 7 + 1) : 0, BLK);
}

/* One batch of NBLK writes, then one of NBLK reads, through O_DIRECT. */
static void run_batch(struct xpv_aio *a, int fd, uint8_t *mem, bool write)
{
	struct xpv_aio_req req[NBLK];
	struct iovec iov[NBLK];
	unsigned int i;

	ndone = 0;
	for (i = 0; i < NBLK; i++) {
		fill(mem + i * BLK, i, write);
		iov[i] = (struct iovec){ mem + i * BLK, BLK };
		xpv_aio_prep_rw(a, &req[i], fd, write, (uint64_t)i * BLK,
				&iov[i], 1, &req[i]);
		CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[i]), 0);
	}
	CU_ASSERT_EQUAL(xpv_aio_inflight(a), NBLK);
	CU_ASSERT_EQUAL(xpv_aio_flush(a), 0);
	drain(a, NBLK);
	CU_ASSERT_EQUAL(xpv_aio_inflight(a), 0);
	for (i = 0; i < NBLK && i < ndone; i++) {
		struct xpv_aio_req *r = cookies[i];

		CU_ASSERT_EQUAL(results[i], (long)BLK);
		CU_ASSERT(r >= req && r < req + NBLK);
	}
}

static void test_batch_rw(void)
{
	struct xpv_aio *a = xpv_aio_new(NBLK);
	bool direct = false;
	uint8_t *mem = NULL;
	unsigned int i, bad = 0;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	fd = xpv_aio_open(path, O_RDWR, true, &direct, cap_log);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(posix_memalign((void **)&mem, BLK, NBLK * BLK),
			      0);
	run_batch(a, fd, mem, true);
	run_batch(a, fd, mem, false);
	for (i = 0; i < NBLK * BLK; i++)
		bad += mem[i] != (uint8_t)((i / BLK) * 7 + 1);
	CU_ASSERT_EQUAL(bad, 0);
	xpv_aio_free(a);
	free(mem);
	close(fd);
}

static void test_depth(void)
{
	struct xpv_aio *a = xpv_aio_new(3);
	struct xpv_aio_req req[4];
	struct iovec iov;
	static uint8_t buf[BLK];
	unsigned int i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FATAL(fd >= 0);
	iov = (struct iovec){ buf, sizeof(buf) };
	for (i = 0; i < 4; i++)
		xpv_aio_prep_rw(a, &req[i], fd, false, 0, &iov, 1, NULL);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[i]), 0);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[3]), -EAGAIN);
	ndone = 0;
	xpv_aio_flush(a);
	drain(a, 3);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[3]), 0);
	xpv_aio_flush(a);
	drain(a, 4);
	xpv_aio_free(a);
	close(fd);
}

/* The kernel refuses a bad fd at submit: it still ends through reap. */
static void test_refused(void)
{
	struct xpv_aio *a = xpv_aio_new(4);
	struct pollfd p;
	struct xpv_aio_req req[2];
	struct iovec iov;
	static uint8_t buf[BLK];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FATAL(fd >= 0);
	iov = (struct iovec){ buf, sizeof(buf) };
	xpv_aio_prep_rw(a, &req[0], -1, false, 0, &iov, 1, &req[0]);
	xpv_aio_prep_rw(a, &req[1], fd, false, 0, &iov, 1, &req[1]);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[0]), 0);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[1]), 0);
	CU_ASSERT_EQUAL(xpv_aio_flush(a), 0);
	CU_ASSERT_EQUAL(xpv_aio_inflight(a), 2);
	/* Refused requests make the fd readable at once. */
	p = (struct pollfd){ .fd = xpv_aio_event_fd(a), .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 1);
	ndone = 0;
	drain(a, 2);
	CU_ASSERT(cookies[0] == &req[0] || cookies[1] == &req[0]);
	CU_ASSERT_EQUAL(cookies[0] == &req[0] ? results[0] : results[1],
			-EBADF);
	CU_ASSERT_EQUAL(cookies[0] == &req[1] ? results[0] : results[1],
			(long)BLK);
	CU_ASSERT_EQUAL(xpv_aio_inflight(a), 0);
	xpv_aio_free(a);
	close(fd);
}

static void test_fsync(void)
{
	struct xpv_aio *a = xpv_aio_new(2);
	struct xpv_aio_req req[2];
	int fd = open(path, O_RDWR | O_CLOEXEC), pfd[2];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	xpv_aio_prep_fsync(a, &req[0], fd, &req[0]);
	CU_ASSERT(xpv_aio_req_is_fsync(&req[0]));
	/* A pipe cannot sync at all: refused, and synchronously too. */
	xpv_aio_prep_fsync(a, &req[1], pfd[1], &req[1]);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[0]), 0);
	CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[1]), 0);
	ndone = 0;
	xpv_aio_flush(a);
	drain(a, 2);
	CU_ASSERT_EQUAL(cookies[0] == &req[0] ? results[0] : results[1], 0);
	CU_ASSERT_EQUAL(cookies[0] == &req[1] ? results[0] : results[1],
			-EINVAL);
	xpv_aio_free(a);
	close(fd);
	close(pfd[0]);
	close(pfd[1]);
}

/* Freeing with reads in the kernel waits for them first. */
static void test_free_busy(void)
{
	struct xpv_aio *a = xpv_aio_new(8);
	struct xpv_aio_req req[8];
	struct iovec iov[8];
	uint8_t *buf = malloc(8 * BLK);
	unsigned int i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_FATAL(fd >= 0);
	for (i = 0; i < 8; i++) {
		iov[i] = (struct iovec){ buf + i * BLK, BLK };
		xpv_aio_prep_rw(a, &req[i], fd, false, i * BLK, &iov[i], 1,
				NULL);
		CU_ASSERT_EQUAL(xpv_aio_queue(a, &req[i]), 0);
	}
	xpv_aio_flush(a);
	xpv_aio_free(a);
	free(buf);
	close(fd);
}

static void test_open(void)
{
	bool direct = true;
	int fd;

	logged[0] = 0;
	/* procfs has no O_DIRECT: the buffered fallback, and its log line. */
	fd = xpv_aio_open("/proc/self/stat", O_RDONLY, true, &direct, cap_log);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_FALSE(direct);
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "O_DIRECT refused"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logged, "/proc/self/stat"));
	if (fd >= 0)
		close(fd);
	logged[0] = 0;
	fd = xpv_aio_open(path, O_RDONLY, false, &direct, cap_log);
	CU_ASSERT(fd >= 0);
	CU_ASSERT_FALSE(direct);
	CU_ASSERT((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	CU_ASSERT_EQUAL(fcntl(fd, F_GETFL) & O_DIRECT, 0);
	if (fd >= 0)
		close(fd);
	CU_ASSERT_EQUAL(xpv_aio_open("/nonexistent/xpv", O_RDONLY, true,
				     &direct, cap_log), -ENOENT);
	CU_ASSERT_EQUAL(logged[0], 0);
}

static void test_aligned(void)
{
	static uint8_t buf[3 * BLK] __attribute__((aligned(4096)));
	struct iovec ok[2] = { { buf, BLK }, { buf + 2 * BLK, 512 } };
	struct iovec odd_base[1] = { { buf + 1, 512 } };
	struct iovec odd_len[1] = { { buf, 100 } };

	CU_ASSERT_TRUE(xpv_aio_aligned(ok, 2, 1024, 512));
	CU_ASSERT_FALSE(xpv_aio_aligned(ok, 2, 1024, 4096));
	CU_ASSERT_FALSE(xpv_aio_aligned(ok, 2, 100, 512));
	CU_ASSERT_FALSE(xpv_aio_aligned(odd_base, 1, 0, 512));
	CU_ASSERT_FALSE(xpv_aio_aligned(odd_len, 1, 0, 512));
	CU_ASSERT_FALSE(xpv_aio_aligned(ok, 2, 0, 0));
	CU_ASSERT_TRUE(xpv_aio_aligned(ok, 0, 0, 512));
}

static CU_TestInfo aio_tests[] = {
	{ "new: depth limits, empty engine", test_new_limits },
	{ "a batch of writes then reads, data intact", test_batch_rw },
	{ "queue stops at the depth", test_depth },
	{ "refused at submit: ends through reap", test_refused },
	{ "fsync, and one the file refuses", test_fsync },
	{ "free waits for the kernel", test_free_busy },
	{ "open: O_DIRECT fallback is logged", test_open },
	{ "O_DIRECT alignment", test_aligned },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "aio", suite_init, suite_clean, NULL, NULL, aio_tests },
	CU_SUITE_INFO_NULL,
};
