/* SPDX-License-Identifier: MIT */
/*
 * The loopback host inside a test process: the hypervisor daemon and
 * xenstored on threads, as xenpv-loopback runs them, so the test (dom0 to
 * xenstored, not a domain) can also reach the hypervisor region directly,
 * the way a toolstack's domctls would.
 */
#ifndef XENPV_TESTS_LB_HOST_H
#define XENPV_TESTS_LB_HOST_H

struct lb_hv;

/* Names the directory the host will serve in (before any fork); returns it. */
const char *lb_host_dir(const char *name);
/* Serves in that directory; 0 or -1. */
int lb_host_start(void);
void lb_host_stop(void);
struct lb_hv *lb_host_hv(void);
/* XENSTORED_PATH is set for libxenstore clients of this process. */

/*
 * A domain process forked before the host's threads exist (a fork beside
 * running threads may inherit a held allocator lock).  It waits until
 * lb_guest_go, then runs @fn with its end of a socketpair and exits 0;
 * lb_guest_cancel ends it unrun.
 */
struct lb_guest {
	int pid;
	int fd; /* the test's end */
};
int lb_guest_prefork(struct lb_guest *g, void (*fn)(int fd));
void lb_guest_go(struct lb_guest *g);
void lb_guest_cancel(struct lb_guest *g);

#endif
