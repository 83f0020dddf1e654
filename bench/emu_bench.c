// SPDX-License-Identifier: MIT
/*
 * Block I/O through the emulated ATA disk (guest driver -> ioreq round
 * trips -> device model -> libaio on the file), or raw libaio on the same
 * file as the limit.  One workload per run; prints one JSON line.
 *
 *   xenpv-emu-bench --path ata|raw --file F --rw randread|randwrite|read|write
 *                   --bs BYTES --qd N --seconds S [--label NAME]
 *
 * The ATA disk has one command in flight (the hardware has no queue), so
 * its effective queue depth is 1 whatever --qd says; the line says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libaio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devmodel/dm.h"
#include "drivers/ata/ata.h"
#include "loopback/daemon.h"
#include "loopback/ioreq_pio.h"

#define MAX_SAMPLES (1u << 20)
#define GUEST_PAGES 1024	/* 4 MiB: ioreq page, PRD page, 1 MiB buffers */
#define IOREQ_GFN 1
#define PRD_GFN 2
#define BUF_GFN 256

struct opts {
	const char *path, *file, *rw, *label;
	unsigned int bs, qd;
	double seconds;
};

/* Shared with the children: what they measured. */
struct shared {
	uint64_t n, bytes, samples[MAX_SAMPLES];
	double elapsed_s, cpu_guest_s, cpu_dm_s;
	struct lb_ioreq_stats g;
	struct dm_counters dm;
	int domid, err;
};

static struct opts o = { .rw = "randread", .bs = 4096, .qd = 1,
			 .seconds = 5, .label = "" };
static struct shared *sh;
static uint64_t disk_sectors;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static double cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static bool is_write(void)
{
	return strstr(o.rw, "write") != NULL;
}

/* The next offset, in sectors: random or sequential, bs aligned. */
static uint64_t next_lba(uint64_t *seq, unsigned int *seed)
{
	uint64_t blocks = disk_sectors * 512 / o.bs, b;

	if (!strncmp(o.rw, "rand", 4))
		b = ((uint64_t)rand_r(seed) << 31 ^ rand_r(seed)) % blocks;
	else
		b = (*seq)++ % blocks;
	return b * (o.bs / 512);
}

static void record(uint64_t t0)
{
	uint64_t i = sh->n++;

	if (i < MAX_SAMPLES)
		sh->samples[i] = now_ns() - t0;
	sh->bytes += o.bs;
}

/* ---- the limit: raw libaio, O_DIRECT, on the same file --------------- */

static int run_raw(void)
{
	int fd = open(o.file, O_RDWR | O_DIRECT);
	io_context_t ctx = 0;
	struct iocb *cbs, *one;
	struct io_event *ev;
	uint64_t *t0, seq = 0, end;
	unsigned int i, seed = 1;
	void *buf;
	double cpu0 = cpu_self(), start;

	cbs = calloc(o.qd, sizeof(*cbs));
	ev = calloc(o.qd, sizeof(*ev));
	t0 = calloc(o.qd, sizeof(*t0));
	if (fd < 0 || io_setup(o.qd, &ctx) < 0 || !cbs || !ev || !t0 ||
	    posix_memalign(&buf, 4096, (size_t)o.bs * o.qd))
		return -errno;
	memset(buf, 0x5a, (size_t)o.bs * o.qd);
	start = now_ns();
	end = start + o.seconds * 1e9;
	for (i = 0; i < o.qd; i++) {
		void *b = (char *)buf + (size_t)i * o.bs;
		uint64_t off = next_lba(&seq, &seed) * 512;

		if (is_write())
			io_prep_pwrite(&cbs[i], fd, b, o.bs, off);
		else
			io_prep_pread(&cbs[i], fd, b, o.bs, off);
		cbs[i].data = (void *)(uintptr_t)i;
		t0[i] = now_ns();
		one = &cbs[i];
		if (io_submit(ctx, 1, &one) != 1)
			return -EIO;
	}
	for (unsigned int inflight = o.qd; inflight;) {
		int n = io_getevents(ctx, 1, o.qd, ev, NULL);

		for (int k = 0; k < n; k++) {
			unsigned int s = (uintptr_t)ev[k].data;

			if (ev[k].res != o.bs)
				sh->err = -EIO;
			record(t0[s]);
			if (now_ns() >= end) {
				inflight--;
				continue;
			}
			cbs[s].u.c.offset = next_lba(&seq, &seed) * 512;
			t0[s] = now_ns();
			one = &cbs[s];
			if (io_submit(ctx, 1, &one) != 1)
				inflight--;
		}
	}
	sh->elapsed_s = (now_ns() - start) / 1e9;
	sh->cpu_guest_s = cpu_self() - cpu0;
	io_destroy(ctx);
	close(fd);
	return sh->err;
}

/* ---- the emulated disk ---------------------------------------------- */

static char lbdir[64];
static int domid_pipe[2];

static int guest_main(void)
{
	struct lb_dom *d = lb_dom_join(lbdir, -1, GUEST_PAGES);
	struct lb_ioreq_guest g;
	struct lb_ioreq_pio pio;
	struct xpv_ata ata;
	struct xpv_ata_sg sg = { BUF_GFN * 4096ull, o.bs };
	uint64_t seq = 0, end, start;
	unsigned int seed = 1;
	double cpu0;
	int id, err;

	if (!d || lb_ioreq_guest_init(&g, d, 0, IOREQ_GFN, 1u << XPV_ATA_IRQ))
		return 10;
	lb_ioreq_pio_init(&pio, &g, 1u << XPV_ATA_IRQ);
	id = lb_dom_id(d);
	if (write(domid_pipe[1], &id, sizeof(id)) != sizeof(id) ||
	    lb_ioreq_guest_wait_dm(&g, 10000) ||
	    xpv_ata_init(&ata, &pio.ops, (uint8_t *)lb_dom_mem(d) +
			 PRD_GFN * 4096, PRD_GFN * 4096))
		return 11;
	memset((uint8_t *)lb_dom_mem(d) + sg.pa, 0x5a, o.bs);
	disk_sectors = ata.nsectors;
	g.stats = (struct lb_ioreq_stats){ 0 };
	cpu0 = cpu_self();
	start = now_ns();
	end = start + o.seconds * 1e9;
	do {
		uint64_t t0 = now_ns();

		err = xpv_ata_dma(&ata, is_write(), next_lba(&seq, &seed),
				  o.bs / 512, &sg, 1);
		if (err)
			return 12;
		record(t0);
	} while (now_ns() < end);
	sh->elapsed_s = (now_ns() - start) / 1e9;
	sh->cpu_guest_s = cpu_self() - cpu0;
	sh->g = g.stats;
	lb_ioreq_guest_destroy(&g);
	lb_dom_leave(d);
	return 0;
}

static int model_main(void)
{
	volatile sig_atomic_t stop = 0;
	struct dm_cfg cfg = { .dir = lbdir, .ioreq_gfn = IOREQ_GFN,
			      .disk = o.file };
	int id;

	if (read(domid_pipe[0], &id, sizeof(id)) != sizeof(id))
		return 20;
	cfg.guest = id;
	return dm_run(&cfg, &stop, &sh->dm) ? 21 : 0;
}

static void *daemon_thread(void *arg)
{
	lb_daemon_run(arg);
	return NULL;
}

static int wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_ata(void)
{
	struct lb_daemon *dm;
	pthread_t tid;
	pid_t g, m;
	int err, rg, rm;

	snprintf(lbdir, sizeof(lbdir), "/tmp/xenpv-emubench-%d", getpid());
	dm = lb_daemon_new(lbdir, &err);
	if (!dm || pthread_create(&tid, NULL, daemon_thread, dm) ||
	    pipe(domid_pipe))
		return -EIO;
	g = fork();
	if (g == 0)
		_exit(guest_main());
	m = fork();
	if (m == 0)
		_exit(model_main());
	rg = wait_child(g);
	rm = wait_child(m);
	lb_daemon_stop(dm);
	pthread_join(tid, NULL);
	lb_daemon_free(dm);
	rmdir(lbdir);
	if (rg || rm)
		fprintf(stderr, "emu-bench: guest exit %d, model exit %d\n",
			rg, rm);
	sh->cpu_dm_s = sh->dm.cpu_user_s + sh->dm.cpu_sys_s;
	return rg || rm ? -EIO : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(void)
{
	uint64_t n = sh->n < MAX_SAMPLES ? sh->n : MAX_SAMPLES, i;
	double sum = 0, p99, iops, mbs, cpu;
	bool ata = !strcmp(o.path, "ata");
	char wl[96];

	if (!n)
		return;
	qsort(sh->samples, n, sizeof(uint64_t), cmp_u64);
	for (i = 0; i < n; i++)
		sum += sh->samples[i];
	p99 = sh->samples[(uint64_t)(n * 0.99)] / 1e3;
	iops = sh->n / sh->elapsed_s;
	mbs = sh->bytes / sh->elapsed_s / 1e6;
	cpu = sh->cpu_guest_s + sh->cpu_dm_s;
	snprintf(wl, sizeof(wl), "%s %uk qd%u", o.rw, o.bs / 1024, o.qd);
	printf("{\"bench\":\"%s\",\"path\":\"%s\",\"workload\":\"%s\","
	       "\"limit_of\":\"%s\",\"bs\":%u,\"qd\":%u,\"qd_effective\":%u,"
	       "\"ios\":%llu,\"seconds\":%.3f,\"iops\":%.0f,\"mb_s\":%.1f,"
	       "\"lat_mean_us\":%.2f,\"lat_p99_us\":%.2f,"
	       "\"cpu_s\":%.3f,\"cpu_us_per_io\":%.2f,"
	       "\"exits_per_io\":%.2f,\"notifies_per_io\":%.2f,"
	       "\"irqs_per_io\":%.2f,\"value\":%.1f,\"unit\":\"%s\"}\n",
	       o.label[0] ? o.label : ata ? "emulated ATA (ioreq)" :
					    "raw libaio (limit)",
	       ata ? "emulated" : "limit", wl, ata ? "" : "emulated ATA",
	       o.bs, o.qd, ata ? 1 : o.qd, (unsigned long long)sh->n,
	       sh->elapsed_s, iops, mbs, sum / n / 1e3, p99, cpu,
	       cpu / sh->n * 1e6, ata ? (double)sh->g.ioreqs / sh->n : 0,
	       ata ? (double)(sh->g.notify_sent + sh->dm.ioreq.notify_sent) /
			     sh->n : 0,
	       ata ? (double)sh->dm.ioreq.irqs / sh->n : 0,
	       o.bs >= 65536 ? mbs : iops, o.bs >= 65536 ? "MB/s" : "IOPS");
}

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "rw", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 'b' },
		{ "qd", required_argument, NULL, 'q' },
		{ "seconds", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.path = optarg; break;
		case 'f': o.file = optarg; break;
		case 'r': o.rw = optarg; break;
		case 'b': o.bs = strtoul(optarg, NULL, 0); break;
		case 'q': o.qd = strtoul(optarg, NULL, 0); break;
		case 's': o.seconds = strtod(optarg, NULL); break;
		case 'l': o.label = optarg; break;
		default: exit(2);
		}
	}
	if (!o.path || !o.file || !o.bs || o.bs % 512 || o.bs > (1u << 20) ||
	    !o.qd || o.qd > 256 || o.seconds <= 0) {
		fprintf(stderr, "usage: xenpv-emu-bench --path ata|raw --file F "
			"[--rw randread|randwrite|read|write] [--bs B] "
			"[--qd N] [--seconds S]\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct stat st;
	int err;

	parse(argc, argv);
	if (stat(o.file, &st) < 0 || st.st_size < (off_t)o.bs) {
		fprintf(stderr, "%s: missing or too small\n", o.file);
		return 1;
	}
	disk_sectors = st.st_size / 512;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	err = !strcmp(o.path, "ata") ? run_ata() : run_raw();
	if (err) {
		fprintf(stderr, "emu-bench: %s\n", strerror(-err));
		return 1;
	}
	report();
	return 0;
}
