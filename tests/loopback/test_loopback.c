// SPDX-License-Identifier: MIT
/*
 * Multi-process tests of the loopback Xen ABI: each domain is a forked
 * process that joined the hypervisor daemon running in this process.  A
 * "guest" grants pages and allocates event channels, a "backend" (dom0) maps
 * and binds them; they coordinate over a socketpair, as xenstore would.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback/daemon.h"
#include "loopback/internal.h"
#include "tests/loopback/procs.h"
#include "xenpv/compiler.h"
#include "xenpv/evtchn.h"

static char dir[64];
static struct lb_daemon *dm;
static pthread_t dm_tid;
static int chan[2]; /* guest <-> backend coordination */

static void *daemon_thread(void *arg)
{
	lb_daemon_run(dm);
	return NULL;
}

static int setup(void)
{
	int err;

	snprintf(dir, sizeof(dir), "/tmp/xenpv-lbtest-%d", getpid());
	dm = lb_daemon_new(dir, &err);
	if (!dm)
		return 1;
	return pthread_create(&dm_tid, NULL, daemon_thread, NULL);
}

static int teardown(void)
{
	lb_daemon_stop(dm);
	pthread_join(dm_tid, NULL);
	lb_daemon_free(dm);
	rmdir(dir);
	return 0;
}

typedef void (*role_fn)(void);

static pid_t spawn(role_fn fn)
{
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	return pid;
}

/* Runs @guest and @backend as two domains and checks both passed. */
static void run_pair(role_fn guest, role_fn backend)
{
	pid_t g, b;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, chan) == 0);
	g = spawn(guest);
	b = spawn(backend);
	close(chan[0]);
	close(chan[1]);
	CU_ASSERT_EQUAL(wait_exit(g), 0);
	CU_ASSERT_EQUAL(wait_exit(b), 0);
}

static void say(int side, const void *msg, size_t len)
{
	CHECK(write(chan[side], msg, len) == (ssize_t)len);
}

static void hear(int side, void *msg, size_t len)
{
	CHECK(read(chan[side], msg, len) == (ssize_t)len);
}

#define GUEST 0
#define BACKEND 1

static struct lb_dom *join(int domid)
{
	struct lb_dom *d = lb_dom_join(dir, domid, 64);

	CHECK(d != NULL);
	return d;
}

/* The granting side of v1, as a guest kernel writes it. */
static void grant(struct lb_dom *d, grant_ref_t ref, domid_t to, uint32_t gfn,
		  bool ro)
{
	grant_entry_v1_t *e = &lb_dom_gnttab(d)[ref];

	e->frame = gfn;
	e->domid = to;
	__atomic_store_n(&e->flags, GTF_permit_access | (ro ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}

static bool end_access(struct lb_dom *d, grant_ref_t ref)
{
	grant_entry_v1_t *e = &lb_dom_gnttab(d)[ref];
	uint16_t f = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

	do {
		if (f & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(&e->flags, &f, 0, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

static uint8_t *page(struct lb_dom *d, unsigned int gfn)
{
	return (uint8_t *)lb_dom_mem(d) + gfn * XPV_PAGE_SIZE;
}

static struct gnttab_map_grant_ref map_op(domid_t dom, grant_ref_t ref,
					  bool ro)
{
	return (struct gnttab_map_grant_ref){
		.flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0),
		.ref = ref, .dom = dom };
}

static int16_t map(struct lb_dom *d, domid_t dom, grant_ref_t ref, bool ro,
		   struct gnttab_map_grant_ref *out)
{
	*out = map_op(dom, ref, ro);
	lb_gnttab_map(d, out, 1);
	return out->status;
}

static int16_t unmap(struct lb_dom *d, const struct gnttab_map_grant_ref *m)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = m->host_addr,
					     .handle = m->handle };

	lb_gnttab_unmap(d, &op, 1);
	return op.status;
}

/* ---- grants: map, read-only, foreign, revoked, busy end ------------ */

static void grants_guest(void)
{
	struct lb_dom *d = join(1);
	char step;

	memset(page(d, 1), 0xa1, XPV_PAGE_SIZE);
	memset(page(d, 2), 0xb2, XPV_PAGE_SIZE);
	grant(d, 10, 0, 1, false);
	grant(d, 11, 0, 2, true);
	grant(d, 12, 5, 3, false); /* for someone else */
	say(GUEST, "g", 1);
	hear(GUEST, &step, 1); /* backend has both mapped and wrote page 1 */
	CHECK(page(d, 1)[100] == 0x5c);
	CHECK(lb_dom_gnttab(d)[10].flags & GTF_writing);
	CHECK(lb_dom_gnttab(d)[11].flags & GTF_reading);
	CHECK(!(lb_dom_gnttab(d)[11].flags & GTF_writing));
	CHECK(!end_access(d, 10)); /* still mapped: the end must fail */
	say(GUEST, "m", 1);
	hear(GUEST, &step, 1); /* backend unmapped */
	CHECK(end_access(d, 10));
	CHECK(end_access(d, 11));
	say(GUEST, "r", 1);
	hear(GUEST, &step, 1);
	lb_dom_leave(d);
}

#define SEGV_EXIT 77

static void segv_exit(int sig)
{
	_exit(SEGV_EXIT);
}

/* A store through a read-only grant mapping must fault. */
static void write_ro_mapping(void *addr)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = segv_exit };

		sigaction(SIGSEGV, &sa, NULL);
		*(volatile uint8_t *)addr = 1;
		_exit(0);
	}
	CHECK(wait_exit(pid) == SEGV_EXIT);
}

static void grants_backend(void)
{
	struct lb_dom *d = join(0);
	struct gnttab_map_grant_ref rw, ro, bad;
	char step;

	hear(BACKEND, &step, 1);
	CHECK(map(d, 1, 10, false, &rw) == GNTST_okay);
	CHECK(((uint8_t *)(uintptr_t)rw.host_addr)[7] == 0xa1);
	memset((void *)(uintptr_t)rw.host_addr, 0x5c, XPV_PAGE_SIZE);
	CHECK(map(d, 1, 11, true, &ro) == GNTST_okay);
	CHECK(((uint8_t *)(uintptr_t)ro.host_addr)[9] == 0xb2);
	write_ro_mapping((void *)(uintptr_t)ro.host_addr);
	CHECK(map(d, 1, 11, false, &bad) == GNTST_general_error);
	CHECK(map(d, 1, 12, false, &bad) == GNTST_general_error);
	CHECK(map(d, 1, 13, true, &bad) == GNTST_general_error);
	CHECK(map(d, 1, LB_NR_GRANTS, true, &bad) == GNTST_bad_gntref);
	CHECK(map(d, 9, 10, true, &bad) == GNTST_bad_domain);
	bad = map_op(1, 10, true);
	bad.flags = GNTMAP_readonly;
	lb_gnttab_map(d, &bad, 1);
	CHECK(bad.status == GNTST_bad_gntref);
	CHECK(lb_gnttab_mapped_count(d) == 2);
	say(BACKEND, "w", 1);
	hear(BACKEND, &step, 1);
	CHECK(unmap(d, &rw) == GNTST_okay);
	CHECK(unmap(d, &rw) == GNTST_bad_handle);
	ro.host_addr += XPV_PAGE_SIZE;
	CHECK(unmap(d, &ro) == GNTST_bad_virt_addr);
	ro.host_addr -= XPV_PAGE_SIZE;
	CHECK(unmap(d, &ro) == GNTST_okay);
	CHECK(lb_gnttab_mapped_count(d) == 0);
	say(BACKEND, "u", 1);
	hear(BACKEND, &step, 1); /* guest revoked both */
	CHECK(map(d, 1, 10, false, &bad) == GNTST_general_error);
	CHECK(map(d, 1, 11, true, &bad) == GNTST_general_error);
	say(BACKEND, "d", 1);
	lb_dom_leave(d);
}

static void test_grant_map(void)
{
	run_pair(grants_guest, grants_backend);
}

/* ---- grant copy ------------------------------------------------------ */

static void copy_guest(void)
{
	struct lb_dom *d = join(1);
	char step;

	memset(page(d, 4), 0x11, XPV_PAGE_SIZE);
	grant(d, 20, 0, 4, true);	/* source for the backend */
	grant(d, 21, 0, 5, false);	/* destination */
	say(GUEST, "g", 1);
	hear(GUEST, &step, 1);
	CHECK(page(d, 5)[0] == 0x11 && page(d, 5)[99] == 0x11);
	CHECK(page(d, 5)[100] == 0);
	CHECK(page(d, 5)[200] == 0x22);
	CHECK(lb_dom_gnttab(d)[20].flags == (GTF_permit_access | GTF_readonly));
	CHECK(lb_dom_gnttab(d)[21].flags == GTF_permit_access);
	lb_dom_leave(d);
}

static struct gnttab_copy copy_op(uint16_t flags, uint64_t src, domid_t sdom,
				  uint64_t dst, domid_t ddom, uint16_t len)
{
	struct gnttab_copy op = { .flags = flags, .len = len };

	op.source.domid = sdom;
	op.dest.domid = ddom;
	if (flags & GNTCOPY_source_gref)
		op.source.u.ref = src;
	else
		op.source.u.gmfn = src;
	if (flags & GNTCOPY_dest_gref)
		op.dest.u.ref = dst;
	else
		op.dest.u.gmfn = dst;
	return op;
}

static void copy_backend(void)
{
	struct lb_dom *d = join(0);
	struct gnttab_copy ops[6];
	char step;

	hear(BACKEND, &step, 1);
	memset(page(d, 3), 0x22, XPV_PAGE_SIZE);
	ops[0] = copy_op(GNTCOPY_source_gref | GNTCOPY_dest_gref, 20, 1, 21,
			 1, 100);
	ops[1] = copy_op(GNTCOPY_dest_gref, 3, DOMID_SELF, 21, 1, 50);
	ops[1].dest.offset = 200;
	ops[2] = copy_op(GNTCOPY_dest_gref, 3, DOMID_SELF, 20, 1, 8);
	ops[3] = copy_op(GNTCOPY_source_gref, 20, 1, 3, DOMID_SELF, 8);
	ops[3].source.offset = XPV_PAGE_SIZE - 4;
	ops[4] = copy_op(GNTCOPY_dest_gref, 3, 1, 21, 1, 8);
	ops[5] = copy_op(0, 3, DOMID_SELF, 64, DOMID_SELF, 8);
	lb_gnttab_copy(d, ops, 6);
	CHECK(ops[0].status == GNTST_okay);
	CHECK(ops[1].status == GNTST_okay);
	CHECK(ops[2].status == GNTST_general_error);	/* write to r/o */
	CHECK(ops[3].status == GNTST_bad_copy_arg);	/* crosses the page */
	CHECK(ops[4].status == GNTST_permission_denied); /* foreign gmfn */
	CHECK(ops[5].status == GNTST_bad_page);		/* beyond memory */
	say(BACKEND, "c", 1);
	lb_dom_leave(d);
}

static void test_grant_copy(void)
{
	run_pair(copy_guest, copy_backend);
}

/* ---- event channels -------------------------------------------------- */

static unsigned int delivered;

static void count_event(evtchn_port_t port, void *arg)
{
	delivered++;
}

/* Waits for a kick and runs the demux; returns events handled. */
static unsigned int take_upcall(struct lb_dom *d, struct xpv_evtchn_demux *dx)
{
	if (lb_dom_wait_kick(d, 10000) != 1) {
		struct shared_info *s = lb_dom_shared_info(d);

		fprintf(stderr, "d%d: no kick; delivered %u upcall_pending %d "
			"sel %lx pending %lx mask %lx\n", lb_dom_id(d),
			delivered, s->vcpu_info[0].evtchn_upcall_pending,
			s->vcpu_info[0].evtchn_pending_sel,
			s->evtchn_pending[0], s->evtchn_mask[0]);
		_exit(1);
	}
	return xpv_evtchn_demux_run(dx, 0);
}

static bool kicked_now(struct lb_dom *d)
{
	struct pollfd p = { .fd = lb_dom_event_fd(d), .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

#define PINGS 200

static void evtchn_guest(void)
{
	struct lb_dom *d = join(1);
	struct shared_info *s = lb_dom_shared_info(d);
	struct xpv_evtchn_demux dx;
	evtchn_port_t port;
	unsigned int i, state;
	domid_t rdom;
	char step;

	CHECK(xpv_evtchn_demux_init(&dx, s, LB_NR_PORTS) == 0);
	CHECK(lb_evtchn_alloc_unbound(d, 0, &port) == 0);
	CHECK(xpv_evtchn_demux_set_handler(&dx, port, count_event, NULL) == 0);
	CHECK(lb_evtchn_unmask(d, port) == 0);
	say(GUEST, &port, sizeof(port));
	for (i = 0; i < PINGS; i++) {
		while (delivered <= i)
			take_upcall(d, &dx);
		CHECK(lb_evtchn_send(d, port) == 0);
	}
	/* Masked: the event stays pending and nobody is kicked. */
	xpv_evtchn_2l_mask(s, port);
	while (kicked_now(d))
		lb_dom_wait_kick(d, 0);
	say(GUEST, "M", 1);
	hear(GUEST, &step, 1); /* backend sent while masked */
	CHECK(xpv_test_bit(port, s->evtchn_pending));
	CHECK(!kicked_now(d));
	CHECK(lb_evtchn_unmask(d, port) == 0);
	CHECK(take_upcall(d, &dx) == 1);
	CHECK(delivered == PINGS + 1);
	say(GUEST, "U", 1);
	hear(GUEST, &step, 1); /* backend closed its end */
	CHECK(lb_evtchn_status(d, port, &state, &rdom, &(evtchn_port_t){ 0 }) ==
	      0);
	CHECK(state == LB_PORT_UNBOUND && rdom == 0);
	CHECK(lb_evtchn_send(d, port) == 0); /* dropped, as Xen does */
	CHECK(lb_evtchn_close(d, port) == 0);
	CHECK(lb_evtchn_close(d, port) == -EINVAL);
	xpv_evtchn_demux_destroy(&dx);
	lb_dom_leave(d);
}

static void evtchn_backend(void)
{
	struct lb_dom *d = join(0);
	struct shared_info *s = lb_dom_shared_info(d);
	struct xpv_evtchn_demux dx;
	evtchn_port_t gport, port, other;
	unsigned int i;
	char step;

	CHECK(xpv_evtchn_demux_init(&dx, s, LB_NR_PORTS) == 0);
	hear(BACKEND, &gport, sizeof(gport));
	CHECK(lb_evtchn_bind_interdomain(d, 1, gport, &port) == 0);
	/* The port is bound now: a second bind to it must fail. */
	CHECK(lb_evtchn_bind_interdomain(d, 1, gport, &other) == -EINVAL);
	CHECK(lb_evtchn_bind_interdomain(d, 1, 0, &other) == -EINVAL);
	CHECK(lb_evtchn_bind_interdomain(d, 7, 1, &other) == -ESRCH);
	CHECK(lb_evtchn_send(d, LB_NR_PORTS + 5) == -EINVAL);
	CHECK(xpv_evtchn_demux_set_handler(&dx, port, count_event, NULL) == 0);
	CHECK(lb_evtchn_unmask(d, port) == 0);
	take_upcall(d, &dx); /* the bind leaves the new port pending */
	delivered = 0;
	for (i = 0; i < PINGS; i++) {
		CHECK(lb_evtchn_send(d, port) == 0);
		while (delivered <= i)
			take_upcall(d, &dx);
	}
	hear(BACKEND, &step, 1);
	CHECK(lb_evtchn_send(d, port) == 0);
	say(BACKEND, "s", 1);
	hear(BACKEND, &step, 1);
	CHECK(lb_evtchn_close(d, port) == 0);
	say(BACKEND, "c", 1);
	xpv_evtchn_demux_destroy(&dx);
	lb_dom_leave(d);
}

static void test_evtchn(void)
{
	run_pair(evtchn_guest, evtchn_backend);
}

/* ---- a domain dies: its pins and ports are undone ------------------- */

static void death_guest(void)
{
	struct lb_dom *d = join(1);
	evtchn_port_t port;
	unsigned int state, tries;
	domid_t rdom;
	char step;

	grant(d, 30, 0, 6, false);
	CHECK(lb_evtchn_alloc_unbound(d, 0, &port) == 0);
	say(GUEST, &port, sizeof(port));
	hear(GUEST, &step, 1); /* backend mapped and bound, then is killed */
	CHECK(lb_dom_gnttab(d)[30].flags & GTF_writing);
	say(GUEST, "k", 1);
	/* The daemon undoes the dead domain's pins and ports shortly. */
	for (tries = 0; tries < 1000 && !end_access(d, 30); tries++)
		usleep(10000);
	CHECK(tries < 1000);
	CHECK(lb_evtchn_status(d, port, &state, &rdom, &(evtchn_port_t){ 0 }) ==
	      0);
	CHECK(state == LB_PORT_UNBOUND);
	lb_dom_leave(d);
}

static void death_backend(void)
{
	struct lb_dom *d = join(0);
	struct gnttab_map_grant_ref m;
	evtchn_port_t gport, port;
	char step;

	hear(BACKEND, &gport, sizeof(gport));
	CHECK(map(d, 1, 30, false, &m) == GNTST_okay);
	CHECK(lb_evtchn_bind_interdomain(d, 1, gport, &port) == 0);
	say(BACKEND, "b", 1);
	hear(BACKEND, &step, 1);
	kill(getpid(), SIGKILL);
}

static void test_domain_death(void)
{
	pid_t g, b;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, chan) == 0);
	g = spawn(death_guest);
	b = spawn(death_backend);
	close(chan[0]);
	close(chan[1]);
	CU_ASSERT_EQUAL(wait_exit(b), 128 + SIGKILL);
	CU_ASSERT_EQUAL(wait_exit(g), 0);
}

/* ---- three domains at once: dom0 serves two guests ------------------ */

static int chan2[2]; /* second guest <-> backend */

static void three_guest(int domid, int fd)
{
	struct lb_dom *d = join(domid);
	char step;

	memset(page(d, 1), domid, XPV_PAGE_SIZE);
	grant(d, 40, 0, 1, false);	/* for dom0 */
	CHECK(write(fd, "g", 1) == 1);
	CHECK(read(fd, &step, 1) == 1);	/* dom0 is done with both */
	CHECK(page(d, 1)[0] == (uint8_t)(domid + 100));
	CHECK(end_access(d, 40));
	lb_dom_leave(d);
}

static void three_guest1(void) { three_guest(1, chan[GUEST]); }
static void three_guest2(void) { three_guest(2, chan2[GUEST]); }

static void three_backend(void)
{
	struct lb_dom *d = join(0);
	struct gnttab_map_grant_ref m1, m2, cross;
	struct lb_dom *g;
	char step;

	CHECK(read(chan[BACKEND], &step, 1) == 1);
	CHECK(read(chan2[BACKEND], &step, 1) == 1);
	CHECK(map(d, 1, 40, false, &m1) == GNTST_okay);
	CHECK(map(d, 2, 40, false, &m2) == GNTST_okay);
	CHECK(((uint8_t *)(uintptr_t)m1.host_addr)[5] == 1);
	CHECK(((uint8_t *)(uintptr_t)m2.host_addr)[5] == 2);
	((uint8_t *)(uintptr_t)m1.host_addr)[0] = 101;
	((uint8_t *)(uintptr_t)m2.host_addr)[0] = 102;
	/* A third domain may not map what was granted to dom0. */
	g = lb_dom_join(dir, 3, 4);
	CHECK(g != NULL);
	CHECK(map(g, 1, 40, false, &cross) == GNTST_general_error);
	lb_dom_leave(g);
	CHECK(unmap(d, &m1) == GNTST_okay && unmap(d, &m2) == GNTST_okay);
	CHECK(write(chan[BACKEND], "d", 1) == 1);
	CHECK(write(chan2[BACKEND], "d", 1) == 1);
	lb_dom_leave(d);
}

static void test_three_domains(void)
{
	pid_t g1, g2, b;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, chan) == 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, chan2) == 0);
	g1 = spawn(three_guest1);
	g2 = spawn(three_guest2);
	b = spawn(three_backend);
	close(chan[0]);
	close(chan[1]);
	close(chan2[0]);
	close(chan2[1]);
	CU_ASSERT_EQUAL(wait_exit(g1), 0);
	CU_ASSERT_EQUAL(wait_exit(g2), 0);
	CU_ASSERT_EQUAL(wait_exit(b), 0);
}

/* ---- the daemon refuses a lying joiner ------------------------------- */

static void test_bad_join(void)
{
	struct lb_dom *d;

	/* No such size: refused before any memory is made. */
	CU_ASSERT_PTR_NULL(lb_dom_join(dir, -1, 0));
	d = lb_dom_join(dir, LB_MAX_DOMS + 3, 4);
	CU_ASSERT_PTR_NULL(d);
	d = lb_dom_join(dir, 3, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NULL(lb_dom_join(dir, 3, 4)); /* taken */
	CU_ASSERT_EQUAL(errno, EEXIST);
	lb_dom_leave(d);
}

static void test_hostile_ctl(void)
{
	struct lb_dom *d = lb_dom_join(dir, -1, 4);
	struct lb_ctl_msg m = { .op = LB_CTL_JOIN, .domid = -1,
				.nr_pages = 1024 };
	int fds[2] = { -1, -1 }, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	/* A second JOIN on a joined connection, with a memfd too small. */
	fds[0] = d->mem_fd;
	fds[1] = d->event_fd;
	CU_ASSERT_EQUAL(lb_ctl_send(d->ctl_fd, &m, fds, 2), 0);
	n = lb_ctl_recv(d->ctl_fd, &m, fds, 2);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(m.status, -EISCONN);
	m = (struct lb_ctl_msg){ .op = 77 };
	CU_ASSERT_EQUAL(lb_ctl_send(d->ctl_fd, &m, NULL, 0), 0);
	CU_ASSERT_EQUAL(lb_ctl_recv(d->ctl_fd, &m, fds, 2), 0);
	CU_ASSERT_EQUAL(m.status, -EINVAL);
	m = (struct lb_ctl_msg){ .op = LB_CTL_GET_DOMAIN, .domid = 60 };
	CU_ASSERT_EQUAL(lb_ctl_send(d->ctl_fd, &m, NULL, 0), 0);
	CU_ASSERT_EQUAL(lb_ctl_recv(d->ctl_fd, &m, fds, 2), 0);
	CU_ASSERT_EQUAL(m.status, -ESRCH);
	lb_dom_leave(d);
}

/* A raw control connection, as a process that never called lb_dom_join. */
static int ctl_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, LB_CTL_SOCKET);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* JOIN with a 4-page memfd carrying @seals (-1: sealing not allowed). */
static int32_t join_with_seals(int seals, int *memfd)
{
	struct lb_ctl_msg m = { .op = LB_CTL_JOIN, .domid = -1, .nr_pages = 4 };
	int ctl = ctl_open(), fds[2], hv = -1, n;

	fds[0] = memfd_create("test", seals < 0 ? 0 : MFD_ALLOW_SEALING);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	CU_ASSERT_FATAL(ctl >= 0 && fds[0] >= 0 && fds[1] >= 0);
	CU_ASSERT_EQUAL(ftruncate(fds[0], 4 * XPV_PAGE_SIZE), 0);
	if (seals > 0)
		CU_ASSERT_EQUAL(fcntl(fds[0], F_ADD_SEALS, seals), 0);
	CU_ASSERT_EQUAL(lb_ctl_send(ctl, &m, fds, 2), 0);
	n = lb_ctl_recv(ctl, &m, &hv, 1);
	if (n == 1)
		close(hv);
	if (!m.status)
		CU_ASSERT_EQUAL(lb_domain_get(lb_daemon_hv(dm), m.domid) !=
					NULL, true);
	*memfd = fds[0];
	close(fds[1]);
	close(ctl);
	return n < 0 ? n : m.status;
}

static void test_unsealed_join(void)
{
	int memfd, i;
	const int bad[] = { -1, 0, F_SEAL_SHRINK | F_SEAL_GROW,
			    F_SEAL_SHRINK | F_SEAL_SEAL,
			    F_SEAL_GROW | F_SEAL_SEAL };
	struct lb_dom *d;

	/* A memory whose size may still change is refused: peers map it. */
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		CU_ASSERT_EQUAL(join_with_seals(bad[i], &memfd), -EINVAL);
		close(memfd);
	}
	CU_ASSERT_EQUAL(join_with_seals(LB_MEM_SEALS, &memfd), 0);
	close(memfd);
	/* Our own domains come sealed: no shrinking, growing or unsealing. */
	d = lb_dom_join(dir, -1, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(fcntl(d->mem_fd, F_GET_SEALS), LB_MEM_SEALS);
	CU_ASSERT_EQUAL(ftruncate(d->mem_fd, XPV_PAGE_SIZE), -1);
	CU_ASSERT_EQUAL(errno, EPERM);
	CU_ASSERT_EQUAL(ftruncate(d->mem_fd, 8 * XPV_PAGE_SIZE), -1);
	CU_ASSERT_EQUAL(fcntl(d->mem_fd, F_ADD_SEALS, F_SEAL_WRITE), -1);
	/* Ballooning punches holes: the seals leave that alone. */
	CU_ASSERT_EQUAL(fallocate(d->mem_fd, FALLOC_FL_PUNCH_HOLE |
				  FALLOC_FL_KEEP_SIZE, XPV_PAGE_SIZE,
				  XPV_PAGE_SIZE), 0);
	lb_dom_leave(d);
}

static CU_TestInfo loopback_tests[] = {
	{ "grant map: rw, ro, foreign, revoked, busy", test_grant_map },
	{ "grant copy: gref and gmfn, bad args", test_grant_copy },
	{ "event channels: ping-pong, mask, close", test_evtchn },
	{ "a dead domain's pins and ports are undone", test_domain_death },
	{ "dom0 serving two guests at once", test_three_domains },
	{ "join: bad sizes and taken domids", test_bad_join },
	{ "control socket: hostile requests", test_hostile_ctl },
	{ "join: a memfd without size seals is refused", test_unsealed_join },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "loopback", setup, teardown, NULL, NULL, loopback_tests },
	CU_SUITE_INFO_NULL,
};
