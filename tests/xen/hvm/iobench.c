// SPDX-License-Identifier: MIT
/*
 * xenpv-iobench: the HVM guest's block workload, one per run, at queue depth
 * one with O_DIRECT (dd/fio style), bracketed by trace markers that dom0's
 * xentrace sees (see xtcount.c), and the guest's interrupt count around it.
 *
 *   xenpv-iobench blk DEV --rw randread|randwrite|read|write --bs BYTES
 *                 [--seconds S] [--max-ios N] [--mark ID] [--irq PATTERN]
 *   xenpv-iobench mark ID start|end
 *   xenpv-iobench irqs PATTERN
 *
 * blk prints one line of key=value pairs: ios, bytes, secs, iops, mb_s,
 * lat_us (mean), irqs (the /proc/interrupts lines naming PATTERN, summed
 * over CPUs; every line when PATTERN is "all").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#include "tests/xen/hvm/xtcount.h"

struct blk_opts {
	const char *dev, *rw, *irq;
	unsigned long bs, max_ios;
	double seconds;
	int mark;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int mark(int id, bool end)
{
	unsigned char v = (unsigned char)(id | (end ? XPV_XT_MARK_END : 0));
	int fd = open("/dev/port", O_WRONLY), rc = 0;

	if (fd < 0)
		return -errno;
	if (pwrite(fd, &v, 1, XPV_XT_MARK_PORT) != 1)
		rc = -errno;
	close(fd);
	return rc;
}

/* The counts of one /proc/interrupts line: the numbers after "NAME:". */
static unsigned long long irq_line(const char *line)
{
	unsigned long long sum = 0, v;
	const char *p = strchr(line, ':');
	char *end;

	if (!p)
		return 0;
	for (p++;; p = end) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			break;
		v = strtoull(p, &end, 10);
		if (end == p)
			break;
		sum += v;
	}
	return sum;
}

static unsigned long long irqs(const char *pattern)
{
	unsigned long long sum = 0;
	bool all = !strcmp(pattern, "all");
	char line[1024];
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f)) /* the CPU header */
		line[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (all || strstr(line, pattern))
			sum += irq_line(line);
	fclose(f);
	return sum;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int open_dev(const struct blk_opts *o, uint64_t *blocks)
{
	bool wr = strstr(o->rw, "write") != NULL;
	uint64_t size = 0;
	int fd = open(o->dev, (wr ? O_RDWR : O_RDONLY) | O_DIRECT);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
		off_t end = lseek(fd, 0, SEEK_END);

		size = end > 0 ? (uint64_t)end : 0;
	}
	*blocks = size / o->bs;
	if (!*blocks) {
		close(fd);
		return -ENOSPC;
	}
	return fd;
}

static int blk_run(const struct blk_opts *o)
{
	bool wr = strstr(o->rw, "write") != NULL;
	bool rnd = !strncmp(o->rw, "rand", 4);
	uint64_t blocks = 0, ios = 0, seed = 0x9e3779b97f4a7c15ull, t0, t1, idx;
	unsigned long long i0, i1;
	void *buf;
	ssize_t n;
	double secs;
	int fd = open_dev(o, &blocks), err = 0;

	if (fd < 0)
		return fd;
	if (posix_memalign(&buf, 4096, o->bs)) {
		close(fd);
		return -ENOMEM;
	}
	memset(buf, 0x5a, o->bs);
	i0 = irqs(o->irq);
	if (o->mark)
		mark(o->mark, false);
	t0 = now_ns();
	t1 = t0;
	while (ios < o->max_ios && (t1 - t0) / 1e9 < o->seconds) {
		idx = rnd ? xorshift(&seed) % blocks : ios % blocks;
		n = wr ? pwrite(fd, buf, o->bs, (off_t)(idx * o->bs))
		       : pread(fd, buf, o->bs, (off_t)(idx * o->bs));
		if (n != (ssize_t)o->bs) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		ios++;
		t1 = now_ns();
	}
	if (o->mark)
		mark(o->mark, true);
	i1 = irqs(o->irq);
	free(buf);
	close(fd);
	if (err)
		return err;
	secs = (t1 - t0) / 1e9;
	printf("ios=%llu bytes=%llu secs=%.3f iops=%.1f mb_s=%.2f lat_us=%.1f "
	       "irqs=%llu\n",
	       (unsigned long long)ios, (unsigned long long)(ios * o->bs), secs,
	       secs > 0 ? ios / secs : 0,
	       secs > 0 ? ios * o->bs / secs / 1e6 : 0,
	       ios ? secs * 1e6 / ios : 0, i1 - i0);
	return 0;
}

static bool num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v == 0 || v > max)
		return false;
	*out = v;
	return true;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: xenpv-iobench blk DEV --rw randread|randwrite|read|"
		"write --bs BYTES\n"
		"           [--seconds S] [--max-ios N] [--mark ID] "
		"[--irq PATTERN]\n"
		"       xenpv-iobench mark ID start|end\n"
		"       xenpv-iobench irqs PATTERN\n");
	return 2;
}

static bool blk_parse(int argc, char **argv, struct blk_opts *o)
{
	static const struct option opts[] = {
		{"rw", required_argument, NULL, 'r'},
		{"bs", required_argument, NULL, 'b'},
		{"seconds", required_argument, NULL, 's'},
		{"max-ios", required_argument, NULL, 'n'},
		{"mark", required_argument, NULL, 'm'},
		{"irq", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->rw = optarg;
			break;
		case 'b':
			if (!num(optarg, 64ul << 20, &o->bs))
				return false;
			break;
		case 's':
			o->seconds = strtod(optarg, NULL);
			break;
		case 'n':
			if (!num(optarg, 1ul << 40, &o->max_ios))
				return false;
			break;
		case 'm':
			if (!num(optarg, XPV_XT_MARK_END - 1, &v))
				return false;
			o->mark = (int)v;
			break;
		case 'i':
			o->irq = optarg;
			break;
		default:
			return false;
		}
	}
	if (optind != argc - 1 || o->bs % 512 || o->seconds <= 0)
		return false;
	o->dev = argv[optind];
	return !strcmp(o->rw, "randread") || !strcmp(o->rw, "randwrite") ||
	       !strcmp(o->rw, "read") || !strcmp(o->rw, "write");
}

int main(int argc, char **argv)
{
	struct blk_opts o = {.rw = "randread",
			     .bs = 4096,
			     .seconds = 3,
			     .max_ios = 1ul << 20,
			     .irq = "all"};
	unsigned long id;
	int err;

	if (argc == 4 && !strcmp(argv[1], "mark") &&
	    num(argv[2], XPV_XT_MARK_END - 1, &id) &&
	    (!strcmp(argv[3], "start") || !strcmp(argv[3], "end"))) {
		err = mark((int)id, !strcmp(argv[3], "end"));
	} else if (argc == 3 && !strcmp(argv[1], "irqs")) {
		printf("%llu\n", irqs(argv[2]));
		return 0;
	} else if (argc > 2 && !strcmp(argv[1], "blk")) {
		if (!blk_parse(argc - 1, argv + 1, &o))
			return usage();
		err = blk_run(&o);
	} else {
		return usage();
	}
	if (err)
		fprintf(stderr, "xenpv-iobench: %s\n", strerror(-err));
	return err ? 1 : 0;
}
