// SPDX-License-Identifier: MIT
/*
 * The device model's side of the ioreq page: map it, bind the channels,
 * serve READY slots.  The slot is written by the guest, so each request is
 * copied out once and checked before it is acted on; a bad one is answered
 * (reads as all ones) so that no vCPU is left blocked.
 */
#include <errno.h>
#include <string.h>

#include "loopback/ioreq.h"
#include "xenpv/compiler.h"

#define SLOT_FLAGS_OFF 30
#define FLAGS_STATE_MASK 0x0f

static uint8_t *slot_flags(ioreq_t *slot)
{
	return (uint8_t *)slot + SLOT_FLAGS_OFF;
}

static void slot_store_state(ioreq_t *slot, uint8_t flags, unsigned int st)
{
	__atomic_store_n(slot_flags(slot), (flags & ~FLAGS_STATE_MASK) | st,
			 __ATOMIC_RELEASE);
}

/* A rep string whose buffer lb_ioreq_check_req found at @buf. */
static int serve_rep(struct lb_ioreq_server *s, const ioreq_t *r,
		     lb_ioreq_handler h, uint8_t *buf)
{
	uint64_t i;

	for (i = 0; i < r->count; i++) {
		uint64_t step = r->df ? r->count - 1 - i : i, val = 0, addr;
		uint8_t *p = buf + step * r->size;
		int err;

		addr = r->addr;
		if (r->type == IOREQ_TYPE_COPY)
			addr += r->df ? -(i * r->size) : i * r->size;
		if (r->dir == IOREQ_WRITE)
			memcpy(&val, p, r->size);
		err = h(s->arg, r, addr, &val);
		if (err)
			return err;
		if (r->dir == IOREQ_READ)
			memcpy(p, &val, r->size);
	}
	return 0;
}

static void serve_slot(struct lb_ioreq_server *s, unsigned int vcpu)
{
	ioreq_t *slot = &s->page->vcpu_ioreq[vcpu], r;
	lb_ioreq_handler h;
	uint64_t val, lo = 0;
	int err = -EINVAL;

	if ((__atomic_load_n(slot_flags(slot), __ATOMIC_ACQUIRE) &
	     FLAGS_STATE_MASK) != STATE_IOREQ_READY)
		return;
	memcpy(&r, slot, sizeof(r));
	slot_store_state(slot, ((uint8_t *)&r)[SLOT_FLAGS_OFF],
			 STATE_IOREQ_INPROCESS);
	s->stats.ioreqs++;
	h = r.type == IOREQ_TYPE_PIO ? s->pio : s->mmio;
	if (h)
		err = lb_ioreq_check_req(&r, s->guest_bytes, &lo);
	if (!err) {
		s->stats.reps += r.count;
		if (r.data_is_ptr) {
			err = serve_rep(s, &r, h, s->guest_mem + lo);
		} else {
			val = r.data;
			err = h(s->arg, &r, r.addr, &val);
			if (!err && r.dir == IOREQ_READ)
				XPV_WRITE_ONCE(slot->data, val);
		}
	}
	if (err) {
		s->stats.errors++;
		if (r.dir == IOREQ_READ && !r.data_is_ptr)
			XPV_WRITE_ONCE(slot->data, ~0ull);
	}
	slot_store_state(slot, ((uint8_t *)&r)[SLOT_FLAGS_OFF],
			 STATE_IORESP_READY);
	s->stats.notify_sent++;
	lb_evtchn_send(s->d, s->vcpu_port[vcpu]);
}

static void server_event(evtchn_port_t port, void *arg)
{
	struct lb_ioreq_server *s = arg;
	unsigned int v;

	s->stats.events++;
	for (v = 0; v < s->nr_vcpus; v++) {
		if (s->vcpu_port[v] == port)
			serve_slot(s, v);
	}
}

static void server_irq_event(evtchn_port_t port, void *arg)
{
	struct lb_ioreq_server *s = arg;

	s->stats.events++;	/* an IRQ line has nothing to say back */
}

static int bind_port(struct lb_ioreq_server *s, uint32_t remote,
		     xpv_evtchn_handler_t fn, evtchn_port_t *port)
{
	int err;

	if (remote == 0 || remote >= lb_dom_nr_ports(s->d))
		return -EINVAL;
	err = lb_evtchn_bind_interdomain(s->d, s->guest, remote, port);
	if (!err)
		err = xpv_evtchn_demux_set_handler(&s->dx, *port, fn, s);
	if (!err)
		err = lb_evtchn_unmask(s->d, *port);
	return err;
}

static int server_bind(struct lb_ioreq_server *s,
		       const struct lb_ioreq_platform *plat)
{
	unsigned int v, irq;
	int err;

	for (v = 0; v < s->nr_vcpus; v++) {
		uint32_t p = XPV_READ_ONCE(s->page->vcpu_ioreq[v].vp_eport);

		err = bind_port(s, p, server_event, &s->vcpu_port[v]);
		if (err)
			return err;
	}
	for (irq = 0; irq < LB_IOREQ_NR_IRQS; irq++) {
		if (!plat->irq_port[irq])
			continue;
		err = bind_port(s, plat->irq_port[irq], server_irq_event,
				&s->irq_port[irq]);
		if (err)
			return err;
	}
	return 0;
}

int lb_ioreq_server_init(struct lb_ioreq_server *s, struct lb_dom *d,
			 domid_t guest, uint64_t gfn, lb_ioreq_handler pio,
			 lb_ioreq_handler mmio, void *arg)
{
	struct lb_ioreq_platform plat;
	unsigned int v;
	int err;

	memset(s, 0, sizeof(*s));
	s->d = d;
	s->guest = guest;
	s->pio = pio;
	s->mmio = mmio;
	s->arg = arg;
	err = lb_foreign_memory(d, guest, &s->guest_mem, &s->guest_bytes);
	if (err)
		return err;
	if (gfn >= s->guest_bytes / XPV_PAGE_SIZE)
		return -EINVAL;
	s->page = (shared_iopage_t *)(s->guest_mem + gfn * XPV_PAGE_SIZE);
	memcpy(&plat, (uint8_t *)s->page + LB_IOREQ_PLATFORM_OFF, sizeof(plat));
	if (plat.magic != LB_IOREQ_PLATFORM_MAGIC || plat.nr_vcpus == 0 ||
	    plat.nr_vcpus > LB_IOREQ_MAX_VCPUS)
		return -EPROTO;
	s->nr_vcpus = plat.nr_vcpus;
	err = xpv_evtchn_demux_init(&s->dx, lb_dom_shared_info(d),
				    lb_dom_nr_ports(d));
	if (err)
		return err;
	err = server_bind(s, &plat);
	if (err) {
		lb_ioreq_server_destroy(s);
		return err;
	}
	for (v = 0; v < s->nr_vcpus; v++)
		lb_evtchn_send(d, s->vcpu_port[v]);
	return 0;
}

static void server_close(struct lb_ioreq_server *s, evtchn_port_t *port)
{
	if (!*port)
		return;
	xpv_evtchn_demux_clear_handler(&s->dx, *port);
	lb_evtchn_close(s->d, *port);
	*port = 0;
}

void lb_ioreq_server_destroy(struct lb_ioreq_server *s)
{
	unsigned int i;

	if (!s->d)
		return;
	for (i = 0; i < LB_IOREQ_MAX_VCPUS; i++)
		server_close(s, &s->vcpu_port[i]);
	for (i = 0; i < LB_IOREQ_NR_IRQS; i++)
		server_close(s, &s->irq_port[i]);
	if (s->dx.slots)
		xpv_evtchn_demux_destroy(&s->dx);
	s->d = NULL;
}

unsigned int lb_ioreq_server_run(struct lb_ioreq_server *s)
{
	return xpv_evtchn_demux_run(&s->dx, 0);
}

void lb_ioreq_set_irq(struct lb_ioreq_server *s, unsigned int irq, bool level)
{
	uint32_t bit = 1u << irq;

	if (irq >= LB_IOREQ_NR_IRQS || !s->irq_port[irq])
		return;
	if (!level) {
		s->irq_level &= ~bit;
		return;
	}
	if (s->irq_level & bit)
		return;
	s->irq_level |= bit;
	s->stats.irqs++;
	s->stats.notify_sent++;
	lb_evtchn_send(s->d, s->irq_port[irq]);
}
