// SPDX-License-Identifier: MIT
/*
 * Block I/O through the PV path (blkfront in this process as a loopback
 * domain -> xenpv-blkback -> libaio on the file), or through the same path
 * with a null backend (the transport alone).  Same options and JSON line as
 * xenpv-emu-bench, whose raw libaio path is the limit, so bench/pvbench.py
 * puts the columns side by side.
 *
 *   xenpv-blk-bench --path pv|null --file F
 *                   --rw randread|randwrite|read|write --bs B --qd N
 *                   --seconds S [--no-persistent] [--no-indirect]
 *                   [--pin same|apart|none] [--queues N] [--label NAME]
 *                   [--no-grant-copy]
 *
 * The PV path starts its own xenpv-loopback and xenpv-blkback (from the
 * directory this program is in), attaches the file, and keeps --qd
 * requests in flight through blkfront's asynchronous API: each completion
 * submits the next request from the event upcall, as a guest's interrupt
 * handler would.  Notifications and kicks are counted by the loopback
 * hypervisor itself (struct lb_stats of each domain), never estimated.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drivers/blkfront/blkfront_user.h"
#include "loopback/hv.h"
#include "os/user/child.h"
#include "os/user/user.h"

#define MAX_SAMPLES (1u << 21)
#define MAX_QD 256u
#define GUEST_DOMID 7
#define GUEST_VDEV 51712
#define WARMUP_S 0.3
#define DRAIN_WAIT_S 30

struct opts {
	const char *path, *file, *rw, *label, *pin;
	unsigned int bs, qd, queues;
	double seconds;
	bool persistent, indirect, gcopy;
};

static struct opts o = { .rw = "randread", .bs = 4096, .qd = 1,
			 .seconds = 5, .label = "", .pin = "none",
			 .queues = 1, .persistent = true, .indirect = true,
			 .gcopy = true };

/* What one run measured, inside the measurement window only. */
struct result {
	uint64_t n, bytes, errors;
	double elapsed_s, cpu_fe_s, cpu_be_s;
	struct lb_stats fe, be;
	struct xpv_blkfront_stats st0, st1;
	bool have_lb;
};

static struct result res;
static uint64_t *samples;
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

/* User + system time of another process, from /proc (clock ticks). */
static double cpu_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* After the command: state, then fields 4..13, then utime stime. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static bool is_write(void)
{
	return strstr(o.rw, "write") != NULL;
}

/* The next offset in bytes: random or sequential, bs aligned. */
static uint64_t next_off(uint64_t *seq, unsigned int *seed)
{
	uint64_t blocks = disk_sectors * 512 / o.bs, b;

	if (!strncmp(o.rw, "rand", 4))
		b = ((uint64_t)rand_r(seed) << 31 ^ rand_r(seed)) % blocks;
	else
		b = (*seq)++ % blocks;
	return b * o.bs;
}

static void sample(uint64_t t0)
{
	uint64_t i = __atomic_fetch_add(&res.n, 1, __ATOMIC_RELAXED);

	if (i < MAX_SAMPLES)
		samples[i] = now_ns() - t0;
	__atomic_fetch_add(&res.bytes, o.bs, __ATOMIC_RELAXED);
}

/* ---- placement ----------------------------------------------------------- */

/* CPU for the guest (@backend false) or the backend, -1 for none. */
static int pin_cpu(bool backend)
{
	if (!strcmp(o.pin, "same"))
		return 0;
	if (!strcmp(o.pin, "apart"))
		return backend ? 1 % sysconf(_SC_NPROCESSORS_ONLN) : 0;
	return -1;
}

/* ---- the PV path: processes ---------------------------------------------- */

static char bindir[PATH_MAX], lbdir[64];
static pid_t lb_pid, bb_pid;

static void find_bindir(void)
{
	ssize_t n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	char *slash;

	bindir[n > 0 ? n : 0] = 0;
	slash = strrchr(bindir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(bindir, ".");
}

/* fork + exec of bindir/argv[0] on @cpu; stdout to *out, stderr to a log. */
static pid_t spawn(char **argv, int *out, int cpu)
{
	char prog[PATH_MAX + 64], log[128];

	snprintf(prog, sizeof(prog), "%s/%s", bindir, argv[0]);
	snprintf(log, sizeof(log), "%s/%s.log", lbdir, argv[0]);
	return xpv_child_spawn(prog, argv, out, log, cpu);
}

static int run_tool(char **argv)
{
	pid_t pid = spawn(argv, NULL, -1);
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -EIO;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

static int start_loopback(void)
{
	char *argv[] = { "xenpv-loopback", "--dir", lbdir, NULL };
	char sock[128];
	int out = -1;
	bool ok;

	lb_pid = spawn(argv, &out, -1);
	if (lb_pid < 0)
		return -EIO;
	ok = xpv_child_wait_line(out, "XENSTORED_PATH=");
	close(out);
	snprintf(sock, sizeof(sock), "%s/xenstored.sock", lbdir);
	setenv("XENSTORED_PATH", sock, 1);
	setenv("XENPV_LOOPBACK_DIR", lbdir, 1);
	return ok ? 0 : -EIO;
}

static int start_backend(void)
{
	char *argv[12] = { "xenpv-blkback", "--dir", lbdir };
	int n = 3, out = -1;
	bool ok;

	if (!strcmp(o.path, "null"))
		argv[n++] = "--null";
	if (!o.persistent)
		argv[n++] = "--no-persistent";
	if (!o.indirect)
		argv[n++] = "--no-indirect";
	if (!o.gcopy)
		argv[n++] = "--no-grant-copy";
	argv[n] = NULL;
	bb_pid = spawn(argv, &out, pin_cpu(true));
	if (bb_pid < 0)
		return -EIO;
	ok = xpv_child_wait_line(out, "xenpv-blkback ready");
	close(out);
	return ok ? 0 : -EIO;
}

static int attach_disk(void)
{
	char dom[16], vdev[16];
	char *argv[] = { "xenpv-attach", "--dir", lbdir, "block", "--domid",
			 dom, "--vdev", vdev, "--target", (char *)o.file,
			 "--mode", "w", NULL };

	snprintf(dom, sizeof(dom), "%d", GUEST_DOMID);
	snprintf(vdev, sizeof(vdev), "%d", GUEST_VDEV);
	return run_tool(argv);
}

static void reap(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

static void stop_all(void)
{
	char cmd[128];

	reap(&bb_pid);
	reap(&lb_pid);
	if (lbdir[0] && !getenv("XENPV_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", lbdir);
		if (system(cmd))
			fprintf(stderr, "blk-bench: could not remove %s\n",
				lbdir);
	}
}

/* ---- the PV path: the workload ------------------------------------------- */

enum { PH_WARMUP, PH_MEASURE, PH_DRAIN };

struct slot {
	struct xpv_blkdev_io io;
	uint64_t t0;
};

static struct xpv_blkdev *dev;
static struct slot slots[MAX_QD];
static int phase;
static unsigned int inflight;
static uint64_t pv_seq;
static unsigned int pv_seed = 1;
static pthread_mutex_t pv_mu = PTHREAD_MUTEX_INITIALIZER;

static int pv_issue(struct slot *s)
{
	int err;

	pthread_mutex_lock(&pv_mu);
	s->io.offset = next_off(&pv_seq, &pv_seed);
	pthread_mutex_unlock(&pv_mu);
	s->t0 = now_ns();
	err = xpv_blkdev_submit(dev, &s->io);
	if (err)
		__atomic_fetch_sub(&inflight, 1, __ATOMIC_RELEASE);
	return err;
}

/* On the event upcall: count it, and keep the queue full. */
static void pv_done(struct xpv_blkdev_io *io)
{
	struct slot *s = (struct slot *)io;
	int ph = __atomic_load_n(&phase, __ATOMIC_ACQUIRE);

	if (io->status)
		__atomic_fetch_add(&res.errors, 1, __ATOMIC_RELAXED);
	if (ph == PH_MEASURE)
		sample(s->t0);
	if (ph == PH_DRAIN || io->status) {
		__atomic_fetch_sub(&inflight, 1, __ATOMIC_RELEASE);
		return;
	}
	pv_issue(s);
}

static void lb_snapshot(struct lb_stats *fe, struct lb_stats *be)
{
	struct lb_hv *hv = lb_dom_hv(xpv_user_dom());

	*fe = hv->doms[GUEST_DOMID].stats;
	*be = hv->doms[0].stats;
}

static void lb_diff(struct lb_stats *a, const struct lb_stats *b)
{
	a->maps = b->maps - a->maps;
	a->unmaps = b->unmaps - a->unmaps;
	a->copies = b->copies - a->copies;
	a->sends = b->sends - a->sends;
	a->kicks = b->kicks - a->kicks;
	a->map_errors = b->map_errors - a->map_errors;
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int pv_workload(void)
{
	uint64_t start;
	double fe0, be0;
	unsigned int i;
	int waited;

	for (i = 0; i < o.qd; i++) {
		slots[i].io = (struct xpv_blkdev_io){
			.op = is_write() ? XPV_BLKDEV_WRITE : XPV_BLKDEV_READ,
			.buf = xpv_blkdev_alloc(o.bs), .len = o.bs,
			.done = pv_done };
		if (!slots[i].io.buf)
			return -ENOMEM;
		memset(slots[i].io.buf, 0x5a, o.bs);
	}
	inflight = o.qd;
	for (i = 0; i < o.qd; i++)
		pv_issue(&slots[i]);
	nap(WARMUP_S);
	/* The window opens: counters and CPU from here on. */
	lb_snapshot(&res.fe, &res.be);
	xpv_blkdev_stats(dev, &res.st0);
	fe0 = cpu_self();
	be0 = cpu_of(bb_pid);
	start = now_ns();
	__atomic_store_n(&phase, PH_MEASURE, __ATOMIC_RELEASE);
	nap(o.seconds);
	__atomic_store_n(&phase, PH_DRAIN, __ATOMIC_RELEASE);
	res.elapsed_s = (now_ns() - start) / 1e9;
	res.cpu_fe_s = cpu_self() - fe0;
	res.cpu_be_s = cpu_of(bb_pid) - be0;
	{
		struct lb_stats fe1, be1;

		lb_snapshot(&fe1, &be1);
		lb_diff(&res.fe, &fe1);
		lb_diff(&res.be, &be1);
	}
	xpv_blkdev_stats(dev, &res.st1);
	res.have_lb = true;
	for (waited = 0; __atomic_load_n(&inflight, __ATOMIC_ACQUIRE) &&
			 waited < DRAIN_WAIT_S * 100; waited++)
		nap(0.01);
	return __atomic_load_n(&inflight, __ATOMIC_ACQUIRE) ? -ETIMEDOUT : 0;
}

static void pv_opts(struct xpv_blkfront_opts *fo)
{
	unsigned int segs = o.bs / 4096 + 1, grants;

	xpv_blkfront_default_opts(fo);
	fo->persistent = o.persistent;
	fo->indirect = o.indirect;
	fo->max_queues = o.queues;
	/* Enough grants for the whole queue depth, within the table. */
	grants = o.qd * (segs + 1) + 64;
	fo->max_grants = grants < 1024 ? 1024 : grants > 1900 ? 1900 : grants;
}

static int run_pv(void)
{
	struct xpv_blkfront_opts fo;
	unsigned int pages = o.qd * (o.bs / 4096 + 1) + 8192;
	int err;

	find_bindir();
	snprintf(lbdir, sizeof(lbdir), "/tmp/xpv-blkbench.XXXXXX");
	if (!mkdtemp(lbdir))
		return -errno;
	err = start_loopback();
	if (!err)
		err = attach_disk();
	if (!err)
		err = start_backend();
	if (err)
		goto out;
	xpv_child_pin(pin_cpu(false));
	err = xpv_user_init(lbdir, GUEST_DOMID, pages);
	if (err)
		goto out;
	pv_opts(&fo);
	dev = xpv_blkdev_open(GUEST_VDEV, &fo, &err);
	if (dev) {
		err = pv_workload();
		xpv_blkdev_close(dev);
	}
	xpv_user_exit();
out:
	stop_all();
	return err;
}

/* ---- report -------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *name_of(void)
{
	if (o.label[0])
		return o.label;
	if (!strcmp(o.path, "null"))
		return "PV, null backend";
	return "PV blkfront/blkback";
}

static void report_pv(double n)
{
	const struct xpv_blkfront_stats *a = &res.st0, *b = &res.st1;

	printf(",\"placement\":\"%s\",\"persistent\":%s,\"indirect\":%s,"
	       "\"grant_copy\":%s,\"queues\":%u,\"fe_notifies_per_io\":%.3f,"
	       "\"be_notifies_per_io\":%.3f,\"fe_kicks_per_io\":%.3f,"
	       "\"be_kicks_per_io\":%.3f,\"kicks_per_io\":%.3f,"
	       "\"maps_per_io\":%.3f,\"copies_per_io\":%.3f,"
	       "\"ring_reqs_per_io\":%.3f,\"indirect_per_io\":%.3f,"
	       "\"cpu_fe_us_per_io\":%.2f,\"cpu_be_us_per_io\":%.2f",
	       o.pin, o.persistent ? "true" : "false",
	       o.indirect ? "true" : "false", o.gcopy ? "true" : "false",
	       o.queues, res.fe.sends / n,
	       res.be.sends / n, res.fe.kicks / n, res.be.kicks / n,
	       (res.fe.kicks + res.be.kicks) / n, res.be.maps / n,
	       res.be.copies / n, (b->ring_reqs - a->ring_reqs) / n,
	       (b->indirect_reqs - a->indirect_reqs) / n,
	       res.cpu_fe_s / n * 1e6, res.cpu_be_s / n * 1e6);
}

static void report(void)
{
	uint64_t n = res.n < MAX_SAMPLES ? res.n : MAX_SAMPLES, i;
	double sum = 0, p99, iops, mbs, cpu, dn = res.n;
	char wl[96];

	if (!n)
		return;
	qsort(samples, n, sizeof(uint64_t), cmp_u64);
	for (i = 0; i < n; i++)
		sum += samples[i];
	p99 = samples[(uint64_t)(n * 0.99)] / 1e3;
	iops = dn / res.elapsed_s;
	mbs = res.bytes / res.elapsed_s / 1e6;
	cpu = res.cpu_fe_s + res.cpu_be_s;
	snprintf(wl, sizeof(wl), "%s %uk qd%u", o.rw, o.bs / 1024, o.qd);
	printf("{\"bench\":\"%s\",\"path\":\"%s\",\"workload\":\"%s\","
	       "\"limit_of\":\"%s\",\"bs\":%u,\"qd\":%u,\"qd_effective\":%u,"
	       "\"ios\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"iops\":%.0f,"
	       "\"mb_s\":%.1f,\"lat_mean_us\":%.2f,\"lat_p99_us\":%.2f,"
	       "\"cpu_s\":%.3f,\"cpu_us_per_io\":%.2f,"
	       "\"exits_per_io\":%.3f,\"notifies_per_io\":%.3f,"
	       "\"irqs_per_io\":%.3f,\"value\":%.1f,\"unit\":\"%s\"",
	       name_of(), o.path, wl, "",
	       o.bs, o.qd, o.qd, (unsigned long long)res.n,
	       (unsigned long long)res.errors, res.elapsed_s, iops, mbs,
	       sum / n / 1e3, p99, cpu, cpu / dn * 1e6,
	       /* The guest's only hypercall on the data path is the notify. */
	       res.have_lb ? res.fe.sends / dn : 0,
	       res.have_lb ? (res.fe.sends + res.be.sends) / dn : 0,
	       res.have_lb ? res.fe.kicks / dn : 0,
	       o.bs >= 65536 ? mbs : iops, o.bs >= 65536 ? "MB/s" : "IOPS");
	if (res.have_lb)
		report_pv(dn);
	printf("}\n");
}

/* ---- options ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: xenpv-blk-bench --path pv|null --file F "
		"[--rw randread|randwrite|read|write] [--bs B] [--qd N] "
		"[--seconds S] [--no-persistent] [--no-indirect] "
		"[--pin same|apart|none] [--queues N] [--label NAME] "
		"[--no-grant-copy]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "rw", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 'b' },
		{ "qd", required_argument, NULL, 'q' },
		{ "seconds", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ "pin", required_argument, NULL, 'P' },
		{ "queues", required_argument, NULL, 'Q' },
		{ "no-persistent", no_argument, NULL, 'n' },
		{ "no-indirect", no_argument, NULL, 'i' },
		{ "no-grant-copy", no_argument, NULL, 'g' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o.path = optarg; break;
		case 'f': o.file = optarg; break;
		case 'r': o.rw = optarg; break;
		case 'b': o.bs = strtoul(optarg, NULL, 0); break;
		case 'q': o.qd = strtoul(optarg, NULL, 0); break;
		case 's': o.seconds = strtod(optarg, NULL); break;
		case 'l': o.label = optarg; break;
		case 'P': o.pin = optarg; break;
		case 'Q': o.queues = strtoul(optarg, NULL, 0); break;
		case 'n': o.persistent = false; break;
		case 'i': o.indirect = false; break;
		case 'g': o.gcopy = false; break;
		default: usage();
		}
	}
	if (!o.path || !o.file || !o.bs || o.bs % 4096 || o.bs > (1u << 20) ||
	    !o.qd || o.qd > MAX_QD || o.seconds <= 0 || !o.queues ||
	    o.queues > XPV_BLKFRONT_MAX_QUEUES ||
	    (strcmp(o.path, "pv") && strcmp(o.path, "null")) ||
	    (strcmp(o.pin, "same") && strcmp(o.pin, "apart") &&
	     strcmp(o.pin, "none")) ||
	    (strcmp(o.rw, "randread") && strcmp(o.rw, "randwrite") &&
	     strcmp(o.rw, "read") && strcmp(o.rw, "write")))
		usage();
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
	samples = calloc(MAX_SAMPLES, sizeof(*samples));
	if (!samples)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	err = run_pv();
	if (err || res.errors) {
		fprintf(stderr, "blk-bench: %s (%llu I/O errors)\n",
			strerror(err < 0 ? -err : EIO),
			(unsigned long long)res.errors);
		return 1;
	}
	report();
	free(samples);
	return 0;
}
