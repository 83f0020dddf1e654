/* SPDX-License-Identifier: MIT */
/*
 * The loopback Xen ABI as seen by a domain: a process that joined the
 * loopback hypervisor (xenpv-loopback) with a memfd as its memory.  The grant
 * and event channel operations take Xen's own argument structs and return
 * Xen's own codes (GNTST_* in each op's status, -errno for EVTCHNOP).
 */
#ifndef XENPV_LOOPBACK_H
#define XENPV_LOOPBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "xenpv/xen.h"

struct lb_dom;
struct lb_hv;

/* $XENPV_LOOPBACK_DIR, else /run/xenpv-loopback. */
const char *lb_default_dir(void);

/*
 * Joins the hypervisor whose control socket is in @dir as domain @domid
 * (-1: the lowest free domid above 0) with @nr_pages pages of memory.
 * Returns NULL with errno set on failure.  The domain lives until
 * lb_dom_leave or until this process exits.
 */
struct lb_dom *lb_dom_join(const char *dir, int domid, unsigned int nr_pages);
void lb_dom_leave(struct lb_dom *d);

domid_t lb_dom_id(const struct lb_dom *d);
void *lb_dom_mem(const struct lb_dom *d);
unsigned int lb_dom_nr_pages(const struct lb_dom *d);
struct shared_info *lb_dom_shared_info(const struct lb_dom *d);
grant_entry_v1_t *lb_dom_gnttab(const struct lb_dom *d);
unsigned int lb_dom_gnttab_size(const struct lb_dom *d);
unsigned int lb_dom_nr_ports(const struct lb_dom *d);
struct lb_hv *lb_dom_hv(const struct lb_dom *d);

/*
 * The domain's kick: readable when an event made evtchn_upcall_pending go
 * from 0 to 1 (Xen's vcpu_kick).  Poll it, then run the upcall demux.
 */
int lb_dom_event_fd(const struct lb_dom *d);
/* Blocks until kicked or @timeout_ms passes (-1: forever); 1, 0 or -errno. */
int lb_dom_wait_kick(struct lb_dom *d, int timeout_ms);

/* GNTTABOP_map_grant_ref: host_addr 0 lets the loopback pick the address. */
void lb_gnttab_map(struct lb_dom *d, struct gnttab_map_grant_ref *ops,
		   unsigned int count);
void lb_gnttab_unmap(struct lb_dom *d, struct gnttab_unmap_grant_ref *ops,
		     unsigned int count);
void lb_gnttab_copy(struct lb_dom *d, struct gnttab_copy *ops,
		    unsigned int count);
/* Grants of other domains this domain has mapped now. */
unsigned int lb_gnttab_mapped_count(struct lb_dom *d);

int lb_evtchn_alloc_unbound(struct lb_dom *d, domid_t remote,
			    evtchn_port_t *port);
int lb_evtchn_bind_interdomain(struct lb_dom *d, domid_t remote,
			       evtchn_port_t remote_port, evtchn_port_t *port);
int lb_evtchn_send(struct lb_dom *d, evtchn_port_t port);
int lb_evtchn_close(struct lb_dom *d, evtchn_port_t port);
/* EVTCHNOP_unmask: clears the mask and re-raises a pending event. */
int lb_evtchn_unmask(struct lb_dom *d, evtchn_port_t port);
int lb_evtchn_status(struct lb_dom *d, evtchn_port_t port,
		     unsigned int *state, domid_t *remote_dom,
		     evtchn_port_t *remote_port);

#endif
