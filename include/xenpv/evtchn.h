/* SPDX-License-Identifier: MIT */
/*
 * The 2-level event channel ABI on a struct shared_info (the real layout):
 * both sides of it.
 *
 * Guest side: a demultiplexer that turns one upcall on a vCPU into handler
 * calls, one per pending, unmasked port, fairly, plus mask/unmask on the
 * shared page.  Hypervisor side: set_pending, as Xen's evtchn_2l_set_pending,
 * for the loopback hypervisor.
 *
 * The shared page is written concurrently by both sides; every access to it
 * here is atomic.  xpv_evtchn_demux_run may run on one thread per vCPU while
 * set_pending runs on others; handlers may be set and cleared meanwhile.
 */
#ifndef XENPV_EVTCHN_H
#define XENPV_EVTCHN_H

#include "xenpv/os.h"

#define XPV_EVTCHN_BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define XPV_EVTCHN_MAX_VCPUS XEN_LEGACY_MAX_VCPUS

struct xpv_evtchn_slot {
	xpv_evtchn_handler_t fn;
	void *arg;
	unsigned int calls;	/* handler calls in progress */
	unsigned int vcpu;	/* the vCPU whose upcall serves this port */
};

/* Where the next scan on a vCPU starts: just after the last port served. */
struct xpv_evtchn_cursor {
	unsigned int word;
	unsigned int bit;
};

struct xpv_evtchn_demux {
	struct shared_info *s;
	unsigned int nr_ports;
	struct xpv_evtchn_slot *slots;
	struct xpv_evtchn_cursor cursor[XPV_EVTCHN_MAX_VCPUS];
	unsigned long long nr_handled;	/* handler calls */
	unsigned long long nr_spurious;	/* pending ports with no handler */
};

/* 0, -XPV_EINVAL (no page, nr_ports 0 or too many), -XPV_ENOMEM. */
int xpv_evtchn_demux_init(struct xpv_evtchn_demux *d, struct shared_info *s,
			  unsigned int nr_ports);
void xpv_evtchn_demux_destroy(struct xpv_evtchn_demux *d);
/*
 * 0, -XPV_EINVAL (port out of range, no fn), -XPV_EBUSY (port has a
 * handler: clear it first).
 */
int xpv_evtchn_demux_set_handler(struct xpv_evtchn_demux *d,
				 evtchn_port_t port, xpv_evtchn_handler_t fn,
				 void *arg);
/*
 * Remove the port's handler and wait for calls of it in progress on other
 * threads to return, so its arg may be freed afterwards.  Must not be
 * called from that port's own handler.
 */
void xpv_evtchn_demux_clear_handler(struct xpv_evtchn_demux *d,
				    evtchn_port_t port);
/*
 * Which vCPU's upcall serves @port (0 until set): the vCPU Xen notifies
 * for it (EVTCHNOP_bind_virq/bind_ipi/bind_vcpu).  Ports share selector
 * words, so without this one vCPU's upcall would run handlers of ports
 * bound to another, concurrently with that vCPU.  0 or -XPV_EINVAL.
 */
int xpv_evtchn_demux_set_vcpu(struct xpv_evtchn_demux *d, evtchn_port_t port,
			      unsigned int vcpu);
/* The vCPU serving @port; ports past the table: vCPU 0. */
unsigned int xpv_evtchn_demux_vcpu(const struct xpv_evtchn_demux *d,
				   evtchn_port_t port);
/*
 * Serve one upcall on @vcpu: clear evtchn_upcall_pending, take
 * evtchn_pending_sel, call the handler of each port of this vCPU pending
 * and not masked (its pending bit cleared first), starting after the last
 * port served on this vCPU, and repeat until evtchn_upcall_pending stays
 * clear.  Ports of other vCPUs are left pending for their own upcalls.
 * Pending ports with no handler are cleared and counted as spurious.
 * Returns the events handled (spurious ones included).
 */
unsigned int xpv_evtchn_demux_run(struct xpv_evtchn_demux *d,
				  unsigned int vcpu);

/*
 * The hypervisor's side (Xen's evtchn_2l_set_pending): mark @port pending;
 * if that set the bit and the port is unmasked, flag its word in @vcpu's
 * pending_sel and, if that was new, evtchn_upcall_pending.  Returns true if
 * evtchn_upcall_pending went 0 -> 1: the vCPU must be kicked.
 */
bool xpv_evtchn_2l_set_pending(struct shared_info *s, unsigned int vcpu,
			       evtchn_port_t port);
/* Guest side, on the shared page. */
void xpv_evtchn_2l_mask(struct shared_info *s, evtchn_port_t port);
/*
 * Clear the mask; if the port was pending meanwhile, re-raise it on @vcpu
 * as Xen's unmask does (an edge lost while masked).  Returns true if
 * evtchn_upcall_pending went 0 -> 1: the caller must force an upcall.
 */
bool xpv_evtchn_2l_unmask(struct shared_info *s, unsigned int vcpu,
			  evtchn_port_t port);
void xpv_evtchn_2l_mask_all(struct shared_info *s);
bool xpv_evtchn_2l_is_pending(const struct shared_info *s, evtchn_port_t port);
void xpv_evtchn_2l_clear_pending(struct shared_info *s, evtchn_port_t port);

#endif
