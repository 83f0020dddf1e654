// SPDX-License-Identifier: MIT
/*
 * 2-level event channels on the loopback: EVTCHNOP_alloc_unbound,
 * bind_interdomain, send, close, unmask, status.  Pending and mask bits live
 * in each domain's shared_info page; delivery is Xen's: set pending, and kick
 * the vCPU only when an unmasked port makes evtchn_upcall_pending go 0 -> 1.
 * Binding takes both domains' locks; send reads the port word once and takes
 * none.
 */
#include <errno.h>
#include <string.h>

#include "loopback/internal.h"
#include "xenpv/compiler.h"
#include "xenpv/evtchn.h"

/* The loopback runs each domain as one vCPU. */
#define LB_VCPU 0

static lb_port_word_t port_load(struct lb_domain *dom, evtchn_port_t port)
{
	return __atomic_load_n(&dom->ports[port], __ATOMIC_ACQUIRE);
}

static void port_store(struct lb_domain *dom, evtchn_port_t port,
		       lb_port_word_t w)
{
	__atomic_store_n(&dom->ports[port], w, __ATOMIC_RELEASE);
}

/* A free port above 0 (Xen never hands out port 0), with @dom locked. */
static int port_alloc(struct lb_domain *dom)
{
	evtchn_port_t p;

	for (p = 1; p < LB_NR_PORTS; p++) {
		if (lb_port_state(port_load(dom, p)) == LB_PORT_FREE)
			return p;
	}
	return -ENOSPC;
}

/* Xen raises an event on a port; kicks the vCPU if that is newly needed. */
static void raise_event(struct lb_dom *d, unsigned int domid,
			struct lb_domain *dom, evtchn_port_t port)
{
	if (xpv_evtchn_2l_set_pending(&dom->shared_info, LB_VCPU, port))
		lb_kick(d, domid);
}

int lb_evtchn_alloc_unbound(struct lb_dom *d, domid_t remote,
			    evtchn_port_t *port)
{
	struct lb_domain *self = d->self;
	int p;

	/* Like Xen, the remote domain need not exist yet: it is only a name. */
	if (remote == DOMID_SELF)
		remote = d->id;
	lb_lock(self);
	p = port_alloc(self);
	if (p > 0) {
		xpv_set_bit(p, self->shared_info.evtchn_mask);
		xpv_clear_bit(p, self->shared_info.evtchn_pending);
		port_store(self, p, lb_port_pack(LB_PORT_UNBOUND, remote, 0));
		*port = p;
	}
	lb_unlock(self);
	return p < 0 ? p : 0;
}

static int bind_locked(struct lb_dom *d, struct lb_domain *rdom, domid_t remote,
		       evtchn_port_t rport)
{
	lb_port_word_t rw = port_load(rdom, rport);
	int p;

	if (lb_port_state(rw) != LB_PORT_UNBOUND || lb_port_dom(rw) != d->id)
		return -EINVAL;
	p = port_alloc(d->self);
	if (p < 0)
		return p;
	xpv_set_bit(p, d->self->shared_info.evtchn_mask);
	xpv_clear_bit(p, d->self->shared_info.evtchn_pending);
	port_store(d->self, p, lb_port_pack(LB_PORT_INTERDOMAIN, remote, rport));
	port_store(rdom, rport, lb_port_pack(LB_PORT_INTERDOMAIN, d->id, p));
	return p;
}

int lb_evtchn_bind_interdomain(struct lb_dom *d, domid_t remote,
			       evtchn_port_t remote_port, evtchn_port_t *port)
{
	struct lb_domain *rdom;
	int p;

	if (remote == DOMID_SELF)
		remote = d->id;
	rdom = lb_domain_get(d->hv, remote);
	if (!rdom)
		return -ESRCH;
	if (remote_port == 0 || remote_port >= LB_NR_PORTS)
		return -EINVAL;
	lb_lock_two(d->self, rdom);
	p = bind_locked(d, rdom, remote, remote_port);
	lb_unlock_two(d->self, rdom);
	if (p < 0)
		return p;
	*port = p;
	/* As Xen does: the new port starts pending, so no early notify is lost. */
	raise_event(d, d->id, d->self, p);
	return 0;
}

int lb_evtchn_send(struct lb_dom *d, evtchn_port_t port)
{
	struct lb_domain *rdom;
	lb_port_word_t w;

	if (port >= LB_NR_PORTS)
		return -EINVAL;
	w = port_load(d->self, port);
	if (lb_port_state(w) == LB_PORT_UNBOUND)
		return 0; /* Xen drops a send on an unbound port silently */
	if (lb_port_state(w) != LB_PORT_INTERDOMAIN)
		return -EINVAL;
	rdom = lb_domain_get(d->hv, lb_port_dom(w));
	if (!rdom)
		return 0;
	__atomic_fetch_add(&d->self->stats.sends, 1, __ATOMIC_RELAXED);
	raise_event(d, lb_port_dom(w), rdom, lb_port_remote(w));
	return 0;
}

/* Closes @port of @dom (locked with its peer); the peer's end goes unbound. */
static void close_locked(struct lb_hv *hv, unsigned int domid,
			 evtchn_port_t port)
{
	struct lb_domain *dom = &hv->doms[domid];
	lb_port_word_t w = port_load(dom, port);

	if (lb_port_state(w) == LB_PORT_INTERDOMAIN) {
		struct lb_domain *rdom = &hv->doms[lb_port_dom(w)];
		evtchn_port_t rp = lb_port_remote(w);
		lb_port_word_t rw = port_load(rdom, rp);

		if (lb_port_state(rw) == LB_PORT_INTERDOMAIN &&
		    lb_port_dom(rw) == domid && lb_port_remote(rw) == port)
			port_store(rdom, rp,
				   lb_port_pack(LB_PORT_UNBOUND, domid, 0));
	}
	port_store(dom, port, lb_port_pack(LB_PORT_FREE, 0, 0));
	xpv_clear_bit(port, dom->shared_info.evtchn_pending);
}

/* Locks @dom and, for an interdomain port, its peer. */
static struct lb_domain *lock_port(struct lb_hv *hv, struct lb_domain *dom,
				   evtchn_port_t port)
{
	for (;;) {
		lb_port_word_t w = port_load(dom, port);
		struct lb_domain *peer = dom;

		if (lb_port_state(w) == LB_PORT_INTERDOMAIN)
			peer = &hv->doms[lb_port_dom(w)];
		lb_lock_two(dom, peer);
		if (port_load(dom, port) == w)
			return peer;
		lb_unlock_two(dom, peer);
	}
}

int lb_evtchn_close(struct lb_dom *d, evtchn_port_t port)
{
	struct lb_domain *peer;

	if (port == 0 || port >= LB_NR_PORTS)
		return -EINVAL;
	peer = lock_port(d->hv, d->self, port);
	if (lb_port_state(port_load(d->self, port)) == LB_PORT_FREE) {
		lb_unlock_two(d->self, peer);
		return -EINVAL;
	}
	close_locked(d->hv, d->id, port);
	lb_unlock_two(d->self, peer);
	return 0;
}

void lb_evtchn_close_all(struct lb_hv *hv, unsigned int domid)
{
	struct lb_domain *dom = &hv->doms[domid];
	evtchn_port_t p;

	for (p = 1; p < LB_NR_PORTS; p++) {
		struct lb_domain *peer;

		if (lb_port_state(port_load(dom, p)) == LB_PORT_FREE)
			continue;
		peer = lock_port(hv, dom, p);
		close_locked(hv, domid, p);
		lb_unlock_two(dom, peer);
	}
}

int lb_evtchn_unmask(struct lb_dom *d, evtchn_port_t port)
{
	if (port >= LB_NR_PORTS)
		return -EINVAL;
	if (xpv_evtchn_2l_unmask(&d->self->shared_info, LB_VCPU, port))
		lb_kick(d, d->id);
	return 0;
}

int lb_evtchn_status(struct lb_dom *d, evtchn_port_t port,
		     unsigned int *state, domid_t *remote_dom,
		     evtchn_port_t *remote_port)
{
	lb_port_word_t w;

	if (port >= LB_NR_PORTS)
		return -EINVAL;
	w = port_load(d->self, port);
	*state = lb_port_state(w);
	*remote_dom = lb_port_dom(w);
	*remote_port = lb_port_remote(w);
	return 0;
}

/* ---- VIRQs: EVTCHNOP_bind_virq and the hypervisor raising one ------- */

void lb_virq_reset(struct lb_domain *dom)
{
	memset(dom->virq_port, 0, sizeof(dom->virq_port));
}

/* The port @virq is bound to, if that binding still stands. */
static evtchn_port_t virq_port_get(struct lb_domain *dom, uint32_t virq)
{
	evtchn_port_t p = __atomic_load_n(&dom->virq_port[virq],
					  __ATOMIC_ACQUIRE);
	lb_port_word_t w;

	if (p == 0 || p >= LB_NR_PORTS)
		return 0;
	w = port_load(dom, p);
	/* A closed (and maybe reused) port no longer carries the VIRQ. */
	if (lb_port_state(w) != LB_PORT_VIRQ || lb_port_dom(w) != virq)
		return 0;
	return p;
}

int lb_evtchn_bind_virq(struct lb_dom *d, uint32_t virq, uint32_t vcpu,
			evtchn_port_t *port)
{
	struct lb_domain *self = d->self;
	int p;

	if (virq >= NR_VIRQS || vcpu != LB_VCPU)
		return -EINVAL;
	lb_lock(self);
	p = virq_port_get(self, virq) ? -EEXIST : port_alloc(self);
	if (p > 0) {
		xpv_set_bit(p, self->shared_info.evtchn_mask);
		xpv_clear_bit(p, self->shared_info.evtchn_pending);
		port_store(self, p, lb_port_pack(LB_PORT_VIRQ, virq, vcpu));
		__atomic_store_n(&self->virq_port[virq], p, __ATOMIC_RELEASE);
		*port = p;
	}
	lb_unlock(self);
	return p < 0 ? p : 0;
}

int lb_virq_raise(struct lb_dom *d, unsigned int domid, uint32_t virq)
{
	struct lb_domain *dom = lb_domain_get(d->hv, domid);
	evtchn_port_t p;

	if (!dom)
		return -ESRCH;
	if (virq >= NR_VIRQS)
		return -EINVAL;
	p = virq_port_get(dom, virq);
	if (!p)
		return -ENOENT;
	raise_event(d, domid, dom, p);
	return 0;
}
