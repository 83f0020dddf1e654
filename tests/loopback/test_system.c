// SPDX-License-Identifier: MIT
/*
 * The loopback as a whole: the xenpv-loopback daemon (hypervisor and
 * xenstored in one), guest processes on the os/user host, and a dom0 tool
 * on libxs.  Checks that xenstored knows which process is which domain
 * (permissions, relative paths, @releaseDomain when a guest dies) and that
 * a guest and a backend can meet through xenstore the way PV drivers do:
 * grant a page, publish ref and port, map, bind, notify.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenstore.h>

#include "os/user/user.h"
#include "tests/loopback/procs.h"
#include "xenpv/os.h"

static char dir[64];
static pid_t daemon_pid;
static struct xs_handle *xs0;	/* the harness is dom0 */

static int start_daemon(void)
{
	const char *build = getenv("XENPV_BUILD");
	char bin[512], sock[128];
	int tries;

	snprintf(bin, sizeof(bin), "%s/san/bin/xenpv-loopback",
		 build ? build : "build");
	snprintf(dir, sizeof(dir), "/tmp/xenpv-systest-%d", getpid());
	snprintf(sock, sizeof(sock), "%s/xenstored.sock", dir);
	daemon_pid = fork();
	if (daemon_pid == 0) {
		freopen("/dev/null", "w", stdout);
		execl(bin, bin, "--dir", dir, (char *)NULL);
		_exit(127);
	}
	for (tries = 0; tries < 500 && access(sock, F_OK); tries++)
		usleep(10000);
	setenv("XENSTORED_PATH", sock, 1);
	xs0 = xs_open(0);
	return xs0 ? 0 : 1;
}

static int stop_daemon(void)
{
	if (xs0)
		xs_close(xs0);
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	return 0;
}

/* dom0 makes a domain's home the way a toolstack does: owned by the domain. */
static void make_home(unsigned int domid)
{
	char path[64];
	struct xs_permissions perms[1] = { { .id = domid,
					     .perms = XS_PERM_NONE } };

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	CU_ASSERT_FATAL(xs_mkdir(xs0, XBT_NULL, path));
	CU_ASSERT_FATAL(xs_set_permissions(xs0, XBT_NULL, path, perms, 1));
}

static bool xs_equals(const char *path, const char *want)
{
	unsigned int len;
	char *v = xs_read(xs0, XBT_NULL, path, &len);
	bool eq = v && !strcmp(v, want);

	free(v);
	return eq;
}

/* ---- identity and permissions ---------------------------------------- */

static void guest_identity(void)
{
	char buf[64];

	CHECK(xpv_user_init(dir, 2, 16) == 0);
	CHECK(xpv_user_domid() == 2);
	/* Relative paths are under our home; dom0's nodes are closed to us. */
	CHECK(xpv_os_xs_write(XPV_XBT_NIL, "data/hello", "world") == 0);
	CHECK(xpv_os_xs_read(XPV_XBT_NIL, "/tool/secret", buf, sizeof(buf)) ==
	      -XPV_EACCES);
	CHECK(xpv_os_xs_write(XPV_XBT_NIL, "/local/domain/0/x", "y") ==
	      -XPV_EACCES);
	CHECK(xpv_os_xs_read(XPV_XBT_NIL, "data/hello", buf, sizeof(buf)) == 5);
	xpv_user_exit();
}

static void test_identity(void)
{
	pid_t pid;

	make_home(2);
	CU_ASSERT(xs_write(xs0, XBT_NULL, "/tool/secret", "s", 1));
	pid = fork();
	if (pid == 0) {
		guest_identity();
		_exit(0);
	}
	CU_ASSERT_EQUAL(wait_exit(pid), 0);
	CU_ASSERT(xs_equals("/local/domain/2/data/hello", "world"));
}

/* ---- a guest dies: @releaseDomain ----------------------------------- */

static bool wait_watch(struct xs_handle *h, const char *token)
{
	struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
	char **v;

	while (poll(&p, 1, 10000) == 1) {
		unsigned int n;
		bool hit;

		v = xs_read_watch(h, &n);
		if (!v)
			return false;
		hit = !strcmp(v[XS_WATCH_TOKEN], token);
		free(v);
		if (hit)
			return true;
	}
	return false;
}

static void test_release_on_death(void)
{
	struct xs_handle *w = xs_open(0);
	int ready[2];
	pid_t pid;
	char c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_FATAL(pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		CHECK(xpv_user_init(dir, 3, 16) == 0);
		CHECK(write(ready[1], "r", 1) == 1);
		pause();
	}
	CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
	CU_ASSERT_FATAL(xs_watch(w, "@releaseDomain", "rel"));
	CU_ASSERT(wait_watch(w, "rel")); /* the initial event */
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(wait_exit(pid), 128 + SIGKILL);
	CU_ASSERT(wait_watch(w, "rel"));
	xs_close(w);
	close(ready[0]);
	close(ready[1]);
}

/* ---- a guest and a backend meet through xenstore -------------------- */

static volatile int events_seen;
static struct xpv_os_waitq *wq;

static void on_event(evtchn_port_t port, void *arg)
{
	__atomic_fetch_add(&events_seen, 1, __ATOMIC_SEQ_CST);
	xpv_os_wake(wq);
}

static bool seen_one(void *arg)
{
	return __atomic_load_n(&events_seen, __ATOMIC_SEQ_CST) > 0;
}

static void meet_guest(void)
{
	grant_ref_t ref;
	evtchn_port_t port;
	uint8_t *page;
	char v[32];

	CHECK(xpv_user_init(dir, 4, 16) == 0);
	wq = xpv_os_waitq_new();
	page = xpv_os_page_alloc();
	CHECK(page != NULL);
	memset(page, 0x3c, XPV_PAGE_SIZE);
	CHECK(xpv_os_gnttab_claim(&ref, 1) == 1);
	xpv_os_gnttab_grant(ref, 0, xpv_os_virt_to_gfn(page), false);
	CHECK(xpv_os_evtchn_alloc_unbound(0, &port) == 0);
	CHECK(xpv_os_evtchn_bind_handler(port, on_event, NULL) == 0);
	snprintf(v, sizeof(v), "%u", ref);
	CHECK(xpv_os_xs_write(XPV_XBT_NIL, "device/demo/ring-ref", v) == 0);
	snprintf(v, sizeof(v), "%u", port);
	CHECK(xpv_os_xs_write(XPV_XBT_NIL, "device/demo/event-channel", v) ==
	      0);
	/* The backend writes into our page, then notifies. */
	CHECK(xpv_os_wait(wq, seen_one, NULL, 10000000000ull) == 0);
	CHECK(page[123] == 0xc3);
	while (xpv_os_gnttab_end(ref, false) == -XPV_EBUSY)
		usleep(1000);
	xpv_os_evtchn_close(port);
	xpv_user_exit();
}

/* Reads a number the guest published; spins on the dom0 handle until it shows. */
static unsigned int wait_number(const char *path)
{
	unsigned int len, tries;
	char *v = NULL;
	unsigned long n;

	for (tries = 0; tries < 1000 && !v; tries++) {
		v = xs_read(xs0, XBT_NULL, path, &len);
		if (!v)
			usleep(10000);
	}
	CHECK(v != NULL);
	n = strtoul(v, NULL, 10);
	free(v);
	return n;
}

static void meet_backend(void)
{
	struct lb_dom *d = lb_dom_join(dir, 0, 16);
	struct gnttab_map_grant_ref m = { .flags = GNTMAP_host_map, .dom = 4 };
	struct gnttab_unmap_grant_ref u;
	evtchn_port_t port;

	CHECK(d != NULL);
	m.ref = wait_number("/local/domain/4/device/demo/ring-ref");
	port = wait_number("/local/domain/4/device/demo/event-channel");
	lb_gnttab_map(d, &m, 1);
	CHECK(m.status == GNTST_okay);
	CHECK(((uint8_t *)(uintptr_t)m.host_addr)[7] == 0x3c);
	((uint8_t *)(uintptr_t)m.host_addr)[123] = 0xc3;
	CHECK(lb_evtchn_bind_interdomain(d, 4, port, &port) == 0);
	CHECK(lb_evtchn_send(d, port) == 0);
	u = (struct gnttab_unmap_grant_ref){ .host_addr = m.host_addr,
					     .handle = m.handle };
	lb_gnttab_unmap(d, &u, 1);
	CHECK(u.status == GNTST_okay);
	CHECK(lb_gnttab_mapped_count(d) == 0);
	lb_dom_leave(d);
}

static void test_guest_meets_backend(void)
{
	pid_t g, b;

	make_home(4);
	g = fork();
	if (g == 0) {
		meet_guest();
		_exit(0);
	}
	b = fork();
	if (b == 0) {
		meet_backend();
		_exit(0);
	}
	CU_ASSERT_EQUAL(wait_exit(b), 0);
	CU_ASSERT_EQUAL(wait_exit(g), 0);
}

static CU_TestInfo system_tests[] = {
	{ "xenstored knows each domain: perms, relative paths", test_identity },
	{ "a killed guest fires @releaseDomain", test_release_on_death },
	{ "guest and backend meet through xenstore", test_guest_meets_backend },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "system", start_daemon, stop_daemon, NULL, NULL, system_tests },
	CU_SUITE_INFO_NULL,
};
