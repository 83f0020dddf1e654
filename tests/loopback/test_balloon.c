// SPDX-License-Identifier: MIT
/*
 * The balloon on a running loopback guest.  The test process is the host
 * (hypervisor and xenstored on threads) and the toolstack: it writes
 * memory/target and memory/static-max and sets max_pages and the free pool
 * as domctls would.  The guest is a forked domain holding live data in a
 * quarter of its pages; at each target it reports its reservation, the
 * host memory backing it (memfd blocks and RssShmem) and whether every
 * byte of live data is still there.  Also the hypervisor side alone:
 * XENMEM_* with Xen's partial success, max_pages and the pool.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xenstore.h>

#include "drivers/balloon/balloon_user.h"
#include "os/user/user.h"
#include "tests/loopback/lb_host.h"
#include "tests/loopback/procs.h"

#define GUEST 5
#define GUEST_PAGES 8192u /* 32 MiB */
#define LIVE_PAGES 2048u
#define FLOOR_KIB 12288u /* 3072 pages */
#define MIB (1024 * 1024)

static const char *dir;
static struct xs_handle *xs0;
static int chan[2];

enum { G_ABI, G_TARGETS, G_REFUSALS, G_BAD, NR_GUESTS };
/* Forked before the host's threads start; one per test. */
static struct lb_guest guests[NR_GUESTS];
static void memory_abi_guest(void);
static void balloon_guest(void);

static void abi_fn(int fd)
{
	memory_abi_guest();
}

static void guest_fn(int fd)
{
	chan[1] = fd;
	balloon_guest();
}

static int setup(void)
{
	struct xs_permissions perms[1] = {{.id = GUEST, .perms = XS_PERM_NONE}};

	unsigned int i;

	dir = lb_host_dir("balloon");
	for (i = 0; i < NR_GUESTS; i++)
		if (lb_guest_prefork(&guests[i],
				     i == G_ABI ? abi_fn : guest_fn))
			return 1;
	if (lb_host_start())
		return 1;
	xs0 = xs_open(0);
	/* The guest's home is its own, as a toolstack makes it. */
	if (!xs0 || !xs_mkdir(xs0, XBT_NULL, "/local/domain/5") ||
	    !xs_set_permissions(xs0, XBT_NULL, "/local/domain/5", perms, 1))
		return 1;
	return 0;
}

static int teardown(void)
{
	unsigned int i;

	for (i = 0; i < NR_GUESTS; i++)
		lb_guest_cancel(&guests[i]);
	if (xs0)
		xs_close(xs0);
	lb_host_stop();
	return 0;
}

/* ---- the hypervisor side alone ---------------------------------------- */

static long mem_op(unsigned int cmd, xen_pfn_t *list, unsigned int n,
		   unsigned int order)
{
	struct xen_memory_reservation r = {
		.nr_extents = n, .extent_order = order, .domid = DOMID_SELF};

	set_xen_guest_handle(r.extent_start, list);
	return xpv_os_memory_op(cmd, &r);
}

static long query(unsigned int cmd, domid_t dom)
{
	return xpv_os_memory_op(cmd, &dom);
}

#define SEGV_EXIT 77

static void segv_exit(int sig)
{
	_exit(SEGV_EXIT);
}

/* Touching a released page must fault, as a gfn with no frame does. */
static bool faults(volatile uint8_t *p)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = {.sa_handler = segv_exit};

		sigaction(SIGSEGV, &sa, NULL);
		(void)*p;
		_exit(0);
	}
	return wait_exit(pid) == SEGV_EXIT;
}

static void memory_abi_guest(void)
{
	struct lb_hv *hv;
	uint8_t *mem;
	xen_pfn_t l[4];
	int64_t r1, r2;

	CHECK(xpv_user_init(dir, 6, 64) == 0);
	hv = lb_dom_hv(xpv_user_dom());
	mem = lb_dom_mem(xpv_user_dom());
	CHECK(query(XENMEM_current_reservation, DOMID_SELF) == 64);
	CHECK(query(XENMEM_maximum_reservation, 6) == 64);
	CHECK(query(XENMEM_current_reservation, 0) == -EPERM);
	memset(mem, 0x77, 64 * XPV_PAGE_SIZE);
	r1 = lb_dom_mem_resident(xpv_user_dom());
	/* Partial success: the third extent is outside the physmap. */
	l[0] = 10, l[1] = 11, l[2] = 70, l[3] = 12;
	CHECK(mem_op(XENMEM_decrease_reservation, l, 4, 0) == 2);
	CHECK(query(XENMEM_current_reservation, DOMID_SELF) == 62);
	r2 = lb_dom_mem_resident(xpv_user_dom());
	CHECK(r1 - r2 == (int64_t)(2 * XPV_PAGE_SIZE));
	CHECK(faults(mem + 10 * XPV_PAGE_SIZE));
	CHECK(mem_op(XENMEM_decrease_reservation, l, 1, 0) == 0);
	/* Populating a page twice in one call: the second is refused. */
	l[1] = 10;
	CHECK(mem_op(XENMEM_populate_physmap, l, 2, 0) == 1);
	CHECK(mem[10 * XPV_PAGE_SIZE + 5] == 0);
	CHECK(lb_dom_mem_resident(xpv_user_dom()) ==
	      r2 + (int64_t)XPV_PAGE_SIZE);
	/* Over max_pages: Xen's assign_pages says no. */
	CHECK(lb_mem_set_max(hv, 6, 63) == 0);
	l[0] = 11;
	CHECK(mem_op(XENMEM_populate_physmap, l, 1, 0) == 0);
	CHECK(lb_mem_set_max(hv, 6, 64) == 0);
	CHECK(mem_op(XENMEM_populate_physmap, l, 1, 0) == 1);
	/* The host pool runs dry half way. */
	l[0] = 20, l[1] = 21, l[2] = 22, l[3] = 23;
	CHECK(mem_op(XENMEM_decrease_reservation, l, 4, 0) == 4);
	lb_mem_pool_set(hv, 2);
	CHECK(mem_op(XENMEM_populate_physmap, l, 4, 0) == 2);
	CHECK(lb_mem_pool_free(hv) == 0);
	CHECK(query(XENMEM_current_reservation, DOMID_SELF) == 62);
	lb_mem_pool_set(hv, 1u << 20);
	CHECK(mem_op(XENMEM_populate_physmap, l + 2, 2, 0) == 2);
	/* Superpage extents must be aligned. */
	l[0] = 30;
	CHECK(mem_op(XENMEM_decrease_reservation, l, 1, 1) == 1);
	CHECK(query(XENMEM_current_reservation, DOMID_SELF) == 62);
	l[0] = 33;
	CHECK(mem_op(XENMEM_decrease_reservation, l, 1, 1) == 0);
	CHECK(mem_op(XENMEM_decrease_reservation, l, 1, 30) == 0);
	CHECK(mem_op(XENMEM_decrease_reservation, NULL, 1, 0) == 0);
	CHECK(xpv_os_memory_op(XENMEM_exchange, l) == -ENOSYS);
	xpv_user_exit();
}

static void test_memory_abi(void)
{
	lb_guest_go(&guests[G_ABI]);
	CU_ASSERT_EQUAL(wait_exit(guests[G_ABI].pid), 0);
	guests[G_ABI].pid = 0;
	close(guests[G_ABI].fd);
}

/* ---- the balloon on a guest with live data ----------------------------- */

struct report {
	int64_t resident; /* bytes of memfd backing */
	int64_t rss_shmem_kib;
	struct xpv_balloon_stats st;
	int data_ok;
};

static uint64_t pattern(uint64_t gfn, unsigned int i)
{
	return (gfn * 0x9e3779b97f4a7c15ull) ^ (i * 0xff51afd7ed558ccdull);
}

static void fill(uint8_t *page)
{
	uint64_t *w = (uint64_t *)page, gfn = xpv_os_virt_to_gfn(page);
	unsigned int i;

	for (i = 0; i < XPV_PAGE_SIZE / 8; i++)
		w[i] = pattern(gfn, i);
}

static bool intact(uint8_t **live)
{
	unsigned int p, i;

	for (p = 0; p < LIVE_PAGES; p++) {
		uint64_t *w = (uint64_t *)live[p], gfn = xpv_os_virt_to_gfn(w);

		for (i = 0; i < XPV_PAGE_SIZE / 8; i++)
			if (w[i] != pattern(gfn, i))
				return false;
	}
	return true;
}

static int64_t rss_shmem_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssShmem: %lld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* Every free page gets used once, as a guest that ran a while has. */
static void dirty_free_pages(void)
{
	static void *all[GUEST_PAGES];
	unsigned int n = 0;

	while (n < GUEST_PAGES && (all[n] = xpv_os_page_alloc()) != NULL)
		memset(all[n++], 0xa5, XPV_PAGE_SIZE);
	while (n)
		xpv_os_page_free(all[--n]);
}

static void guest_report(struct xpv_balloon_user *u, uint8_t **live)
{
	struct report r = {0};

	r.resident = lb_dom_mem_resident(xpv_user_dom());
	r.rss_shmem_kib = rss_shmem_kib();
	xpv_balloon_stats(xpv_balloon_user_dev(u), &r.st);
	r.data_ok = intact(live);
	CHECK(write(chan[1], &r, sizeof(r)) == sizeof(r));
}

static void log_name(char *buf, size_t size, pid_t pid)
{
	snprintf(buf, size, "/tmp/xenpv-balloon-%d.log", (int)pid);
}

/* The guest's log went to a file: show it; with @clamped, check it. */
static void check_log(pid_t pid, bool clamped)
{
	static char buf[1 << 16];
	char name[64];
	ssize_t n = -1;
	int fd;

	log_name(name, sizeof(name), pid);
	fd = open(name, O_RDONLY);
	if (fd >= 0)
		n = read(fd, buf, sizeof(buf) - 1);
	CU_ASSERT_FATAL(n >= 0);
	close(fd);
	unlink(name);
	buf[n] = 0;
	fputs(buf, stderr);
	CU_ASSERT(!clamped || strstr(buf, "below the safety floor") != NULL);
	CU_ASSERT(!clamped || strstr(buf, "above memory/static-max") != NULL);
}

static void balloon_guest(void)
{
	static uint8_t *live[LIVE_PAGES];
	struct xpv_balloon_cfg cfg = {.floor_kib = FLOOR_KIB,
				      .batch = 256,
				      .retry_min_ns = 1000000,
				      .retry_max_ns = 20000000};
	char logname[64], cmd;
	int log_fd, err;
	struct xpv_balloon_user *u;
	unsigned int i;

	log_name(logname, sizeof(logname), getpid());
	log_fd = open(logname, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(log_fd >= 0 && dup2(log_fd, 2) == 2);
	CHECK(xpv_user_init(dir, GUEST, GUEST_PAGES) == 0);
	for (i = 0; i < LIVE_PAGES; i++) {
		CHECK((live[i] = xpv_os_page_alloc()) != NULL);
		fill(live[i]);
	}
	dirty_free_pages();
	u = xpv_balloon_user_start(&cfg, &err);
	CHECK(u != NULL);
	while (read(chan[1], &cmd, 1) == 1 && cmd == 'm')
		guest_report(u, live);
	xpv_balloon_user_stop(u);
	CHECK(intact(live));
	xpv_user_exit();
}

static void set_node(const char *node, unsigned long kib)
{
	char path[64], v[32];

	snprintf(path, sizeof(path), "/local/domain/%d/memory/%s", GUEST, node);
	snprintf(v, sizeof(v), "%lu", kib);
	CU_ASSERT_FATAL(xs_write(xs0, XBT_NULL, path, v, strlen(v)));
}

static struct report measure(void)
{
	struct report r;

	CU_ASSERT_FATAL(write(chan[0], "m", 1) == 1);
	CU_ASSERT_FATAL(read(chan[0], &r, sizeof(r)) == sizeof(r));
	return r;
}

/* Polls the hypervisor until the guest holds @pages (10 s at most). */
static bool reservation_is(uint32_t pages)
{
	uint32_t tot = 0, max;
	int i;

	for (i = 0; i < 1000; i++) {
		if (lb_mem_reservation(lb_host_hv(), GUEST, &tot, &max) == 0 &&
		    tot == pages)
			return true;
		usleep(10000);
	}
	fprintf(stderr, "reservation %u, wanted %u\n", tot, pages);
	return false;
}

/* Waits until the guest has been refused at least once more than @seen. */
static struct report after_retries(uint64_t seen)
{
	struct report r = measure();
	int i;

	for (i = 0; i < 1000 && r.st.retry_count <= seen; i++) {
		usleep(10000);
		r = measure();
	}
	return r;
}

static void show(const char *what, const struct report *r)
{
	printf("\n  %-28s reservation %6llu KiB, memfd %6lld KiB, "
	       "RssShmem %6lld KiB",
	       what, (unsigned long long)r->st.current_kib,
	       (long long)r->resident / 1024, (long long)r->rss_shmem_kib);
}

static pid_t start_guest(unsigned int g, struct report *r0)
{
	uint32_t tot, max;
	int i;

	/* The last guest of this domid must be gone before the next joins. */
	for (i = 0;
	     i < 1000 && !lb_mem_reservation(lb_host_hv(), GUEST, &tot, &max);
	     i++)
		usleep(10000);
	set_node("static-max", GUEST_PAGES * 4);
	set_node("target", GUEST_PAGES * 4);
	chan[0] = guests[g].fd;
	lb_guest_go(&guests[g]);
	*r0 = measure();
	return guests[g].pid;
}

/* @clamped: the guest must have logged both clamp reasons. */
static void stop_guest(pid_t pid, bool clamped)
{
	unsigned int g;

	CU_ASSERT(write(chan[0], "q", 1) == 1);
	CU_ASSERT_EQUAL(wait_exit(pid), 0);
	check_log(pid, clamped);
	for (g = 0; g < NR_GUESTS; g++)
		if (guests[g].pid == pid)
			guests[g].pid = 0;
	close(chan[0]);
}

/* Down to half, below the floor, above static-max: data and memory follow. */
static void test_targets(void)
{
	struct report r0, r1, r2, r3;
	pid_t pid = start_guest(G_TARGETS, &r0);

	show("start", &r0);
	CU_ASSERT(r0.resident >= (int64_t)(GUEST_PAGES * XPV_PAGE_SIZE));
	set_node("target", GUEST_PAGES * 2);
	CU_ASSERT(reservation_is(GUEST_PAGES / 2));
	r1 = measure();
	show("target 16 MiB", &r1);
	CU_ASSERT(r1.data_ok);
	CU_ASSERT_EQUAL(r1.st.current_kib, GUEST_PAGES * 2);
	CU_ASSERT(r0.resident - r1.resident >= 16 * MIB);
	CU_ASSERT(r0.rss_shmem_kib - r1.rss_shmem_kib >= 15 * 1024);
	CU_ASSERT_EQUAL(r1.st.low_kib, GUEST_PAGES * 2);

	set_node("target", 4096);
	CU_ASSERT(reservation_is(FLOOR_KIB / 4));
	r2 = measure();
	show("target 4 MiB (floor 12)", &r2);
	CU_ASSERT(r2.data_ok);
	CU_ASSERT_EQUAL(r2.st.target_kib, FLOOR_KIB);
	CU_ASSERT_EQUAL(r2.st.last_clamp, XPV_BALLOON_CLAMP_FLOOR);
	CU_ASSERT(r1.resident - r2.resident >= 4 * MIB);

	set_node("target", GUEST_PAGES * 8);
	CU_ASSERT(reservation_is(GUEST_PAGES));
	r3 = measure();
	show("target 64 MiB (max 32)", &r3);
	CU_ASSERT(r3.data_ok);
	CU_ASSERT_EQUAL(r3.st.target_kib, GUEST_PAGES * 4);
	CU_ASSERT_EQUAL(r3.st.last_clamp, XPV_BALLOON_CLAMP_STATIC_MAX);
	CU_ASSERT(r3.resident - r2.resident >= 20 * MIB);
	CU_ASSERT_EQUAL(r3.st.clamps, 2);
	stop_guest(pid, true);
}

/* The hypervisor refuses (max_pages, then the pool); the balloon retries. */
static void test_refusals(void)
{
	struct lb_hv *hv = lb_host_hv();
	struct report r0, r;
	pid_t pid = start_guest(G_REFUSALS, &r0);

	set_node("target", GUEST_PAGES * 2);
	CU_ASSERT(reservation_is(GUEST_PAGES / 2));
	CU_ASSERT(lb_mem_set_max(hv, GUEST, GUEST_PAGES * 3 / 4) == 0);
	set_node("target", GUEST_PAGES * 4);
	CU_ASSERT(reservation_is(GUEST_PAGES * 3 / 4));
	r = after_retries(measure().st.retry_count);
	CU_ASSERT(r.st.retry_count > 0);
	CU_ASSERT(reservation_is(GUEST_PAGES * 3 / 4));
	CU_ASSERT_EQUAL(r.st.current_kib, GUEST_PAGES * 3);
	CU_ASSERT(r.data_ok);
	CU_ASSERT(lb_mem_set_max(hv, GUEST, GUEST_PAGES) == 0);
	CU_ASSERT(reservation_is(GUEST_PAGES));

	set_node("target", GUEST_PAGES * 2);
	CU_ASSERT(reservation_is(GUEST_PAGES / 2));
	lb_mem_pool_set(hv, 1000);
	set_node("target", GUEST_PAGES * 4);
	CU_ASSERT(reservation_is(GUEST_PAGES / 2 + 1000));
	r = after_retries(measure().st.retry_count);
	CU_ASSERT(lb_mem_pool_free(hv) == 0);
	CU_ASSERT_EQUAL(r.st.current_kib, (GUEST_PAGES / 2 + 1000) * 4);
	lb_mem_pool_set(hv, 1u << 20);
	CU_ASSERT(reservation_is(GUEST_PAGES));
	r = measure();
	CU_ASSERT(r.data_ok);
	CU_ASSERT_EQUAL(r.st.current_kib, GUEST_PAGES * 4);
	stop_guest(pid, false);
}

/* Writes a malformed target and waits until the guest has seen it. */
static struct report write_bad(const char *v, uint64_t seen)
{
	struct report r;
	int i;

	CU_ASSERT(xs_write(xs0, XBT_NULL, "/local/domain/5/memory/target", v,
			   strlen(v)));
	r = measure();
	for (i = 0; i < 1000 && r.st.bad_values <= seen; i++) {
		usleep(10000);
		r = measure();
	}
	CU_ASSERT_EQUAL(r.st.bad_values, seen + 1);
	return r;
}

/* Malformed targets are ignored; the last good one stands. */
static void test_bad_target(void)
{
	static const char *const bad[] = {
		"-1", "99999999999999999999", "12k", "", "0x100", "4096 "};
	struct report r0, r;
	pid_t pid = start_guest(G_BAD, &r0);
	unsigned int i;

	set_node("target", GUEST_PAGES * 2);
	CU_ASSERT(reservation_is(GUEST_PAGES / 2));
	r = measure();
	for (i = 0; i < 6; i++) {
		r = write_bad(bad[i], r.st.bad_values);
		CU_ASSERT_EQUAL(r.st.target_kib, GUEST_PAGES * 2);
	}
	CU_ASSERT(reservation_is(GUEST_PAGES / 2));
	stop_guest(pid, false);
}

static CU_TestInfo balloon_tests[] = {
	{"XENMEM_*: partial success, max_pages, pool, holes", test_memory_abi},
	{"targets down, below floor, above static-max", test_targets},
	{"refused populate: back-off and retry", test_refusals},
	{"malformed memory/target ignored", test_bad_target},
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{"balloon", setup, teardown, NULL, NULL, balloon_tests},
	CU_SUITE_INFO_NULL,
};
