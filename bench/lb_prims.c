// SPDX-License-Identifier: MIT
/*
 * Loopback primitives beside the host primitives they are built on:
 *   event channel round trip between two domains  vs  eventfd ping-pong
 *   grant map + unmap of one page                  vs  mmap + munmap
 * Each pair runs in three placements (both processes on CPU 0, on CPUs 0
 * and 1, unpinned).  Prints a table and writes one JSON object per line to
 * the file given as the first argument.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loopback/daemon.h"
#include "loopback/loopback.h"
#include "xenpv/evtchn.h"

#define ROUNDS 20000
#define MAPS 20000

enum placement { SAME_CPU, APART, UNPINNED };
static const char *const placement_name[] = { "same-cpu", "apart",
					      "unpinned" };

static char dir[64];
static struct lb_daemon *dm;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void pin(enum placement p, int side)
{
	cpu_set_t set;

	if (p == UNPINNED)
		return;
	CPU_ZERO(&set);
	CPU_SET(p == APART ? side : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("sched_setaffinity");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double mean_ns, p50_ns, p99_ns;
};

/* The previous run's domains may still be being torn down: retry. */
static struct lb_dom *join(int domid)
{
	struct lb_dom *d;
	int tries = 0;

	while (!(d = lb_dom_join(dir, domid, 16)) && errno == EEXIST &&
	       tries++ < 1000)
		usleep(1000);
	return d;
}

static struct result summarise(uint64_t *s, unsigned int n)
{
	struct result r = { 0 };
	double sum = 0;
	unsigned int i;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	r.mean_ns = sum / n;
	r.p50_ns = s[n / 2];
	r.p99_ns = s[(unsigned int)(n * 0.99)];
	return r;
}

/* The measuring side writes its samples into shared memory for the parent. */
static uint64_t *samples;

static struct result run_pair(void (*a)(enum placement),
			      void (*b)(enum placement), enum placement p,
			      unsigned int n)
{
	pid_t pa, pb;

	pa = fork();
	if (pa == 0) {
		a(p);
		_exit(0);
	}
	pb = fork();
	if (pb == 0) {
		b(p);
		_exit(0);
	}
	waitpid(pa, NULL, 0);
	waitpid(pb, NULL, 0);
	return summarise(samples, n);
}

/* ---- eventfd ping-pong ----------------------------------------------- */

static int efd_ping, efd_pong;

static void efd_wait(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) != sizeof(v))
		if (errno != EINTR)
			_exit(2);
}

static void efd_post(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		_exit(2);
}

static void efd_initiator(enum placement p)
{
	unsigned int i;

	pin(p, 0);
	for (i = 0; i < ROUNDS; i++) {
		uint64_t t = now_ns();

		efd_post(efd_ping);
		efd_wait(efd_pong);
		samples[i] = now_ns() - t;
	}
}

static void efd_responder(enum placement p)
{
	unsigned int i;

	pin(p, 1);
	for (i = 0; i < ROUNDS; i++) {
		efd_wait(efd_ping);
		efd_post(efd_pong);
	}
}

/* ---- event channel ping-pong between two loopback domains ------------ */

static int port_pipe[2], back_pipe[2];
static volatile unsigned int got;

static void on_event(evtchn_port_t port, void *arg)
{
	got++;
}

/* Waits for the next event on this domain, as a blocked vCPU would. */
static void evtchn_wait(struct lb_dom *d, struct xpv_evtchn_demux *dx,
			unsigned int want)
{
	while (got < want) {
		if (lb_dom_wait_kick(d, 10000) != 1)
			_exit(3);
		xpv_evtchn_demux_run(dx, 0);
	}
}

static struct lb_dom *evtchn_setup(int domid, struct xpv_evtchn_demux *dx,
				   evtchn_port_t *port)
{
	struct lb_dom *d = join(domid);
	evtchn_port_t remote;

	if (!d || xpv_evtchn_demux_init(dx, lb_dom_shared_info(d), 1024))
		_exit(4);
	if (domid == 1) {
		if (lb_evtchn_alloc_unbound(d, 0, port) ||
		    write(port_pipe[1], port, sizeof(*port)) != sizeof(*port))
			_exit(4);
	} else {
		if (read(port_pipe[0], &remote, sizeof(remote)) !=
			    sizeof(remote) ||
		    lb_evtchn_bind_interdomain(d, 1, remote, port))
			_exit(4);
	}
	xpv_evtchn_demux_set_handler(dx, *port, on_event, NULL);
	lb_evtchn_unmask(d, *port);
	return d;
}

static void evtchn_initiator(enum placement p)
{
	struct xpv_evtchn_demux dx;
	evtchn_port_t port;
	struct lb_dom *d = evtchn_setup(0, &dx, &port);
	unsigned int i;

	pin(p, 0);
	evtchn_wait(d, &dx, 1); /* binding leaves our port pending once */
	got = 0;
	for (i = 0; i < ROUNDS; i++) {
		uint64_t t = now_ns();

		lb_evtchn_send(d, port);
		evtchn_wait(d, &dx, i + 1);
		samples[i] = now_ns() - t;
	}
	lb_dom_leave(d);
}

static void evtchn_responder(enum placement p)
{
	struct xpv_evtchn_demux dx;
	evtchn_port_t port;
	struct lb_dom *d = evtchn_setup(1, &dx, &port);
	unsigned int i;

	pin(p, 1);
	for (i = 0; i < ROUNDS; i++) {
		evtchn_wait(d, &dx, i + 1);
		lb_evtchn_send(d, port);
	}
	lb_dom_leave(d);
}

/* ---- grant map + unmap vs mmap + munmap ------------------------------ */

static void grant_granter(enum placement p)
{
	struct lb_dom *d = join(1);
	grant_entry_v1_t *e;
	char done;

	if (!d)
		_exit(5);
	e = &lb_dom_gnttab(d)[8];
	e->frame = 3;
	e->domid = 0;
	__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
	if (write(port_pipe[1], "g", 1) != 1 || read(back_pipe[0], &done, 1) < 0)
		_exit(5);
	lb_dom_leave(d);
}

static void grant_mapper(enum placement p)
{
	struct lb_dom *d = join(0);
	char ready;
	unsigned int i;

	pin(p, 0);
	if (!d || read(port_pipe[0], &ready, 1) != 1)
		_exit(6);
	for (i = 0; i < MAPS; i++) {
		struct gnttab_map_grant_ref m = { .flags = GNTMAP_host_map,
						  .ref = 8, .dom = 1 };
		struct gnttab_unmap_grant_ref u;
		uint64_t t = now_ns();

		lb_gnttab_map(d, &m, 1);
		*(volatile char *)(uintptr_t)m.host_addr = 1; /* fault it in */
		u = (struct gnttab_unmap_grant_ref){ .host_addr = m.host_addr,
						     .handle = m.handle };
		lb_gnttab_unmap(d, &u, 1);
		samples[i] = now_ns() - t;
		if (m.status || u.status)
			_exit(7);
	}
	if (write(back_pipe[1], "d", 1) != 1)
		_exit(6);
	lb_dom_leave(d);
}

static void mmap_only(enum placement p)
{
	int fd = memfd_create("bench", 0);
	unsigned int i;

	pin(p, 0);
	if (fd < 0 || ftruncate(fd, 16 * 4096) < 0)
		_exit(8);
	for (i = 0; i < MAPS; i++) {
		uint64_t t = now_ns();
		void *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 3 * 4096);

		*(volatile char *)a = 1;
		munmap(a, 4096);
		samples[i] = now_ns() - t;
	}
}

static void idle(enum placement p)
{
}

/* ---- driver ---------------------------------------------------------- */

static void *daemon_thread(void *arg)
{
	lb_daemon_run(dm);
	return NULL;
}

static void report(FILE *json, const char *what, const char *limit_of,
		   enum placement p, struct result r)
{
	printf("  %-28s %-9s %9.2f %9.2f %9.2f\n", what, placement_name[p],
	       r.mean_ns / 1000, r.p50_ns / 1000, r.p99_ns / 1000);
	fprintf(json,
		"{\"bench\":\"%s\",\"limit_of\":\"%s\",\"placement\":\"%s\","
		"\"mean_us\":%.3f,\"p50_us\":%.3f,\"p99_us\":%.3f}\n",
		what, limit_of, placement_name[p], r.mean_ns / 1000,
		r.p50_ns / 1000, r.p99_ns / 1000);
	fflush(stdout);
}

static void run_all(FILE *json)
{
	enum placement p;

	printf("  %-28s %-9s %9s %9s %9s\n", "operation", "placement",
	       "mean us", "p50 us", "p99 us");
	for (p = SAME_CPU; p <= UNPINNED; p++) {
		report(json, "evtchn round trip", "", p,
		       run_pair(evtchn_initiator, evtchn_responder, p, ROUNDS));
		report(json, "eventfd round trip (limit)", "evtchn round trip",
		       p, run_pair(efd_initiator, efd_responder, p, ROUNDS));
	}
	for (p = SAME_CPU; p <= APART; p++) {
		report(json, "grant map+unmap", "", p,
		       run_pair(grant_mapper, grant_granter, p, MAPS));
	}
	report(json, "mmap+munmap (limit)", "grant map+unmap", SAME_CPU,
	       run_pair(mmap_only, idle, SAME_CPU, MAPS));
}

int main(int argc, char **argv)
{
	pthread_t tid;
	FILE *json;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s RESULTS.jsonl\n", argv[0]);
		return 2;
	}
	json = fopen(argv[1], "w");
	samples = mmap(NULL, sizeof(uint64_t) * ROUNDS, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	efd_ping = eventfd(0, 0);
	efd_pong = eventfd(0, 0);
	snprintf(dir, sizeof(dir), "/tmp/xenpv-bench-%d", getpid());
	dm = lb_daemon_new(dir, &err);
	if (!json || samples == MAP_FAILED || !dm || pipe(port_pipe) < 0 ||
	    pipe(back_pipe) < 0) {
		fprintf(stderr, "lb_prims: setup failed\n");
		return 1;
	}
	pthread_create(&tid, NULL, daemon_thread, NULL);
	run_all(json);
	lb_daemon_stop(dm);
	pthread_join(tid, NULL);
	lb_daemon_free(dm);
	rmdir(dir);
	fclose(json);
	return 0;
}
