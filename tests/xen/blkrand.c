// SPDX-License-Identifier: MIT
/*
 * xenpv-blkrand: 4 KiB random reads or writes with O_DIRECT on a block
 * device, from THREADS threads with one request each, for the throughput
 * table of the real-Xen harness (tests/xen/blk-domu.sh).  Writes random
 * data; offsets are 4 KiB aligned, from a fixed seed so every pair gets the
 * same pattern.  The buffer sits between two guard pages that are checked
 * after every request: a driver writing outside it is reported, not left
 * to corrupt the heap.
 *
 * usage: xenpv-blkrand DEV read|write OPS [THREADS]
 * prints: "<ops> ops <secs> s <iops> IOPS qd<threads>", exit 0 on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BLK 4096u
#define MAX_THREADS 64u
#define GUARD 0xa5

struct job {
	pthread_t thr;
	int fd;
	bool write;
	unsigned long ops;
	uint64_t blocks;
	uint64_t seed;
	int err;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The first guard byte that changed, or -1. */
static long guard_broken(const unsigned char *g)
{
	size_t k;

	for (k = 0; k < BLK; k++)
		if (g[k] != GUARD)
			return (long)k;
	return -1;
}

static bool guards_ok(struct job *j, unsigned char *buf, unsigned long op,
		      off_t off)
{
	long lo = guard_broken(buf - BLK), hi = guard_broken(buf + BLK);

	if (lo < 0 && hi < 0)
		return true;
	fprintf(stderr, "xenpv-blkrand: op %lu at byte %lld wrote outside "
		"its buffer: %s guard, byte %ld\n", op, (long long)off,
		lo >= 0 ? "lower" : "upper", lo >= 0 ? lo : hi);
	j->err = EFAULT;
	return false;
}

static void *run(void *arg)
{
	struct job *j = arg;
	unsigned char *area, *buf;
	unsigned long i;

	if (posix_memalign((void **)&area, BLK, 3 * BLK)) {
		j->err = ENOMEM;
		return NULL;
	}
	memset(area, GUARD, 3 * BLK);
	buf = area + BLK;
	for (i = 0; i < BLK / 8; i++)
		((uint64_t *)buf)[i] = next_rand(&j->seed);
	for (i = 0; i < j->ops && !j->err; i++) {
		off_t off = (off_t)(next_rand(&j->seed) % j->blocks) * BLK;
		ssize_t n = j->write ? pwrite(j->fd, buf, BLK, off)
				     : pread(j->fd, buf, BLK, off);

		if (n != (ssize_t)BLK)
			j->err = n < 0 ? errno : EIO;
		else
			guards_ok(j, buf, i, off);
	}
	free(area);
	return NULL;
}

static bool num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s && !*end && *out && *out <= max;
}

static int start(struct job *jobs, unsigned long nt, int fd, bool wr,
		 unsigned long ops, uint64_t blocks)
{
	unsigned long t;

	for (t = 0; t < nt; t++) {
		jobs[t] = (struct job){ .fd = fd, .write = wr, .blocks = blocks,
					.ops = ops / nt + (t < ops % nt) };
		jobs[t].seed = 0x9e3779b97f4a7c15ull * (t + 1);
		if (pthread_create(&jobs[t].thr, NULL, run, &jobs[t]))
			return -1;
	}
	return 0;
}

/*
 * Heap pages nobody but us writes, checked after the run: a driver writing
 * into memory it does not own shows up here, with what it wrote.
 */
#define PROBES 64u

static unsigned char *probe[PROBES];

static void probes_fill(void)
{
	unsigned int i;

	for (i = 0; i < PROBES; i++) {
		probe[i] = malloc(BLK);
		if (probe[i])
			memset(probe[i], 0x5a ^ i, BLK);
	}
}

static int probes_check(void)
{
	unsigned int i, k, bad = 0;

	for (i = 0; i < PROBES; i++) {
		for (k = 0; probe[i] && k < BLK; k++)
			if (probe[i][k] != (0x5a ^ i))
				break;
		if (!probe[i] || k == BLK)
			continue;
		bad++;
		fprintf(stderr, "xenpv-blkrand: heap probe %u (%p) changed at "
			"byte %u:", i, (void *)probe[i], k);
		for (; k < BLK && k < 32; k++)
			fprintf(stderr, " %02x", probe[i][k]);
		fprintf(stderr, "\n");
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct job jobs[MAX_THREADS];
	unsigned long ops, nt = 1, t;
	struct timespec a, b;
	uint64_t size;
	double secs;
	bool wr;
	int fd, err = 0;

	if (argc < 4 || argc > 5 || !num(argv[3], 1ul << 30, &ops) ||
	    (argc == 5 && !num(argv[4], MAX_THREADS, &nt)) ||
	    (strcmp(argv[2], "read") && strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: xenpv-blkrand DEV read|write OPS "
				"[THREADS]\n");
		return 2;
	}
	wr = !strcmp(argv[2], "write");
	fd = open(argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) || size < BLK) {
		perror(argv[1]);
		return 1;
	}
	probes_fill();
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (start(jobs, nt, fd, wr, ops, size / BLK)) {
		perror("pthread_create");
		return 1;
	}
	for (t = 0; t < nt; t++) {
		pthread_join(jobs[t].thr, NULL);
		err = err ? err : jobs[t].err;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (probes_check() && !err)
		err = EFAULT;
	if (wr && !err && fsync(fd))
		err = errno;
	close(fd);
	if (err) {
		fprintf(stderr, "xenpv-blkrand: %s: %s\n", argv[1],
			strerror(err));
		return 1;
	}
	secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%lu ops %.2f s %.0f IOPS qd%lu\n", ops, secs,
	       secs > 0 ? ops / secs : 0.0, nt);
	return 0;
}
