// SPDX-License-Identifier: MIT
/*
 * os.h's grant and event channel hooks for a process that is a loopback
 * domain, and its upcall thread: it sleeps on the domain's kick and runs the
 * core's 2-level demux, as a vCPU takes Xen's event upcall.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/user/user.h"
#include "xenpv/compiler.h"
#include "xenpv/evtchn.h"
#include "xenpv/os.h"

/* Xen keeps the first entries for the toolstack (GNTTAB_NR_RESERVED_ENTRIES). */
#define USER_GNT_RESERVED 8

static struct lb_dom *dom;
static struct xpv_evtchn_demux demux;
static pthread_t upcall_tid;
static volatile int upcall_stop;
static uint64_t nr_upcalls, nr_events;

static pthread_mutex_t gnt_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *gnt_claimed;

struct lb_dom *xpv_user_dom(void) { return dom; }
int xpv_user_domid(void) { return dom ? lb_dom_id(dom) : -1; }

void xpv_user_upcall_stats(uint64_t *upcalls, uint64_t *events)
{
	*upcalls = __atomic_load_n(&nr_upcalls, __ATOMIC_RELAXED);
	*events = __atomic_load_n(&nr_events, __ATOMIC_RELAXED);
}

static void *upcall_thread(void *arg)
{
	while (!upcall_stop) {
		unsigned int n;

		if (lb_dom_wait_kick(dom, -1) < 0)
			break;
		n = xpv_evtchn_demux_run(&demux, 0);
		__atomic_fetch_add(&nr_upcalls, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&nr_events, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

int xpv_user_init(const char *dir, int domid, unsigned int nr_pages)
{
	int err;

	if (!dir)
		dir = lb_default_dir();
	dom = lb_dom_join(dir, domid, nr_pages);
	if (!dom)
		return -errno;
	gnt_claimed = calloc(lb_dom_gnttab_size(dom), 1);
	err = gnt_claimed ? xpv_evtchn_demux_init(&demux,
						  lb_dom_shared_info(dom),
						  lb_dom_nr_ports(dom))
			  : -ENOMEM;
	if (!err)
		err = -pthread_create(&upcall_tid, NULL, upcall_thread, NULL);
	if (!err)
		err = xpv_user_xs_open(dir);
	if (err)
		xpv_user_exit();
	return err;
}

void xpv_user_exit(void)
{
	uint64_t one = 1;

	xpv_user_xs_close();
	if (upcall_tid) {
		upcall_stop = 1;
		if (write(lb_dom_event_fd(dom), &one, sizeof(one)) < 0)
			abort();
		pthread_join(upcall_tid, NULL);
		upcall_tid = 0;
		upcall_stop = 0;
	}
	xpv_evtchn_demux_destroy(&demux);
	lb_dom_leave(dom);
	dom = NULL;
	free(gnt_claimed);
	gnt_claimed = NULL;
	xpv_user_pages_reset();
}

/* ---- grant table entries: the real v1 protocol on our own table ------ */

int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n)
{
	unsigned int got = 0, r, size = lb_dom_gnttab_size(dom);

	pthread_mutex_lock(&gnt_lock);
	for (r = USER_GNT_RESERVED; r < size && got < n; r++) {
		if (!gnt_claimed[r]) {
			gnt_claimed[r] = 1;
			refs[got++] = r;
		}
	}
	pthread_mutex_unlock(&gnt_lock);
	return got;
}

void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&gnt_lock);
	for (i = 0; i < n; i++)
		if (refs[i] < lb_dom_gnttab_size(dom))
			gnt_claimed[refs[i]] = 0;
	pthread_mutex_unlock(&gnt_lock);
}

void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly)
{
	grant_entry_v1_t *e = &lb_dom_gnttab(dom)[ref];

	e->frame = gfn;
	e->domid = domid;
	/* The other end may map as soon as it sees the flags: publish last. */
	__atomic_store_n(&e->flags,
			 GTF_permit_access | (readonly ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
}

int xpv_os_gnttab_end(grant_ref_t ref, bool readonly)
{
	grant_entry_v1_t *e = &lb_dom_gnttab(dom)[ref];
	uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XPV_EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return 0;
}

/* ---- event channels -------------------------------------------------- */

int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	return lb_evtchn_alloc_unbound(dom, remote, port);
}

int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port)
{
	return lb_evtchn_bind_interdomain(dom, remote, remote_port, port);
}

int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg)
{
	int err = xpv_evtchn_demux_set_handler(&demux, port, handler, arg);

	return err ? err : lb_evtchn_unmask(dom, port);
}

void xpv_os_evtchn_notify(evtchn_port_t port)
{
	lb_evtchn_send(dom, port);
}

void xpv_os_evtchn_mask(evtchn_port_t port)
{
	xpv_evtchn_2l_mask(lb_dom_shared_info(dom), port);
}

void xpv_os_evtchn_unmask(evtchn_port_t port)
{
	lb_evtchn_unmask(dom, port);
}

void xpv_os_evtchn_close(evtchn_port_t port)
{
	xpv_evtchn_2l_mask(lb_dom_shared_info(dom), port);
	xpv_evtchn_demux_clear_handler(&demux, port);
	lb_evtchn_close(dom, port);
}
