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

/* ---- memory reservation (loopback/memory.c) ------------------------- */

/*
 * HYPERVISOR_memory_op for XENMEM_decrease_reservation,
 * XENMEM_populate_physmap (struct xen_memory_reservation: returns the
 * extents done), XENMEM_current_reservation and XENMEM_maximum_reservation
 * (domid_t: returns pages); other commands -ENOSYS.  A released page is a
 * hole punched in the domain's memfd and is inaccessible until populated.
 */
long lb_memory_op(struct lb_dom *d, unsigned int cmd, void *arg);
/* Toolstack (XEN_DOMCTL_max_mem): the most pages @domid may hold. */
int lb_mem_set_max(struct lb_hv *hv, unsigned int domid, uint32_t max_pages);
/* The host's free pool populate draws on, in pages. */
void lb_mem_pool_set(struct lb_hv *hv, uint64_t free_pages);
uint64_t lb_mem_pool_free(struct lb_hv *hv);
/* Reservation of @domid: tot_pages and max_pages; -ESRCH if not alive. */
int lb_mem_reservation(struct lb_hv *hv, unsigned int domid, uint32_t *tot,
		       uint32_t *max);
/* Bytes of host memory backing this domain now (its memfd's blocks). */
int64_t lb_dom_mem_resident(const struct lb_dom *d);

/* ---- VIRQs (loopback/evtchn.c) --------------------------------------- */

/* EVTCHNOP_bind_virq: -EINVAL (virq, vcpu), -EEXIST (bound already). */
int lb_evtchn_bind_virq(struct lb_dom *d, uint32_t virq, uint32_t vcpu,
			evtchn_port_t *port);
/* Xen's send_guest_global_virq to @domid; 0, or -ENOENT if not bound. */
int lb_virq_raise(struct lb_dom *d, unsigned int domid, uint32_t virq);

/* ---- machine check (loopback/mca.c) ---------------------------------- */

/* HYPERVISOR_mca: XEN_MC_fetch (and ACK) on the caller's queues. */
int lb_mca_op(struct lb_dom *d, struct xen_mc *mc);
/*
 * The injector (xen-mceinj): commit @mi to queue @which (LB_MCA_URGENT or
 * LB_MCA_NONURGENT) of @domid and raise its VIRQ_MCA.  -ENOSPC when that
 * queue is full: nothing queued is overwritten, the refusal is counted and
 * the queue's overflow flag set.  -ESRCH, -EINVAL.
 */
int lb_mca_inject(struct lb_dom *d, unsigned int domid, unsigned int which,
		  const struct mc_info *mi);

struct lb_mca_qstat {
	uint32_t queued, size, overflow;
	uint64_t committed, acked, refused;
};
int lb_mca_stat(struct lb_hv *hv, unsigned int domid, unsigned int which,
		struct lb_mca_qstat *st);
/* One machine check as xen-mceinj describes it. */
struct lb_mce_spec {
	bool uncorrected;
	uint16_t bank;
	uint64_t addr;		/* physical address (here: gfn << 12) */
	uint16_t domid;		/* owner of @addr (mc_domid) */
	uint16_t cpu;
	uint64_t misc;
};
/* Xen's telemetry for @spec: an mcinfo_global and one mcinfo_bank. */
void lb_mca_build(struct mc_info *mi, const struct lb_mce_spec *spec);

/* XEN_SYSCTL_page_offline_op for @mfn, owned by @domid: 0, -ENOSPC. */
int lb_mca_page_offline(struct lb_hv *hv, unsigned int domid, uint64_t mfn);
/* Pages of @domid offlined so far (up to @max into @mfns); the count. */
unsigned int lb_mca_offlined(struct lb_hv *hv, unsigned int domid,
			     uint64_t *mfns, unsigned int max);

#endif
