// SPDX-License-Identifier: MIT
/*
 * The ioreq round trip on the loopback (see ioreq.h): the guest vCPU's side
 * and the device model's side of one shared_iopage_t.
 *
 * The state, data_is_ptr, dir and df bitfields share byte 30 of an ioreq_t;
 * both sides hand the slot over by storing that byte atomically, after the
 * other fields (release) and before reading them (acquire).
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

static unsigned int slot_state(ioreq_t *slot)
{
	return __atomic_load_n(slot_flags(slot), __ATOMIC_ACQUIRE) &
	       FLAGS_STATE_MASK;
}

/* Publishes the other fields of @slot, then its new state. */
static void slot_set_state(ioreq_t *slot, uint8_t flags, unsigned int state)
{
	flags = (flags & ~FLAGS_STATE_MASK) | state;
	__atomic_store_n(slot_flags(slot), flags, __ATOMIC_RELEASE);
}

static uint8_t flags_of(const ioreq_t *r)
{
	return ((const uint8_t *)r)[SLOT_FLAGS_OFF];
}

/* ---- guest side ------------------------------------------------------ */

static void guest_vcpu_event(evtchn_port_t port, void *arg)
{
	struct lb_ioreq_guest *g = arg;

	g->stats.events++;
	g->dm_ready = true;
}

static void guest_irq_event(evtchn_port_t port, void *arg)
{
	struct lb_ioreq_guest *g = arg;
	unsigned int irq;

	g->stats.events++;
	for (irq = 0; irq < LB_IOREQ_NR_IRQS; irq++) {
		if (g->plat->irq_port[irq] != port)
			continue;
		g->stats.irqs++;
		if (g->irq_fn[irq])
			g->irq_fn[irq](g->irq_arg[irq], irq);
	}
}

static int guest_port(struct lb_ioreq_guest *g, xpv_evtchn_handler_t fn,
		      evtchn_port_t *port)
{
	int err = lb_evtchn_alloc_unbound(g->d, g->dm, port);

	if (err)
		return err;
	err = xpv_evtchn_demux_set_handler(&g->dx, *port, fn, g);
	if (!err)
		err = lb_evtchn_unmask(g->d, *port);
	return err;
}

int lb_ioreq_guest_init(struct lb_ioreq_guest *g, struct lb_dom *d,
			domid_t dm, uint64_t gfn, uint32_t irq_mask)
{
	uint8_t *page;
	unsigned int irq;
	int err;

	memset(g, 0, sizeof(*g));
	if (gfn >= lb_dom_nr_pages(d))
		return -EINVAL;
	g->dm = dm;
	g->gfn = gfn;
	page = (uint8_t *)lb_dom_mem(d) + gfn * XPV_PAGE_SIZE;
	memset(page, 0, XPV_PAGE_SIZE);
	g->page = (shared_iopage_t *)page;
	g->plat = (struct lb_ioreq_platform *)(page + LB_IOREQ_PLATFORM_OFF);
	err = xpv_evtchn_demux_init(&g->dx, lb_dom_shared_info(d),
				    lb_dom_nr_ports(d));
	if (err)
		return err;
	g->d = d;
	err = guest_port(g, guest_vcpu_event, &g->vcpu_port);
	for (irq = 0; !err && irq < LB_IOREQ_NR_IRQS; irq++) {
		if (irq_mask & (1u << irq))
			err = guest_port(g, guest_irq_event,
					 &g->plat->irq_port[irq]);
	}
	if (err) {
		lb_ioreq_guest_destroy(g);
		return err;
	}
	g->page->vcpu_ioreq[0].vp_eport = g->vcpu_port;
	g->plat->nr_vcpus = 1;
	__atomic_store_n(&g->plat->magic, LB_IOREQ_PLATFORM_MAGIC,
			 __ATOMIC_RELEASE);
	return 0;
}

void lb_ioreq_guest_destroy(struct lb_ioreq_guest *g)
{
	unsigned int irq;

	if (!g->d)
		return;
	if (g->vcpu_port) {
		xpv_evtchn_demux_clear_handler(&g->dx, g->vcpu_port);
		lb_evtchn_close(g->d, g->vcpu_port);
	}
	for (irq = 0; irq < LB_IOREQ_NR_IRQS; irq++) {
		evtchn_port_t p = g->plat->irq_port[irq];

		if (!p)
			continue;
		xpv_evtchn_demux_clear_handler(&g->dx, p);
		lb_evtchn_close(g->d, p);
	}
	memset(g->page, 0, XPV_PAGE_SIZE);
	xpv_evtchn_demux_destroy(&g->dx);
	g->d = NULL;
}

void lb_ioreq_guest_set_irq(struct lb_ioreq_guest *g, unsigned int irq,
			    lb_irq_fn fn, void *arg)
{
	if (irq >= LB_IOREQ_NR_IRQS)
		return;
	g->irq_arg[irq] = arg;
	g->irq_fn[irq] = fn;
}

int lb_ioreq_guest_poll(struct lb_ioreq_guest *g, int timeout_ms)
{
	int r;

	/* Events that came in while we were busy are already pending. */
	if (xpv_evtchn_demux_run(&g->dx, 0))
		return 1;
	g->stats.blocks++;
	r = lb_dom_wait_kick(g->d, timeout_ms);
	if (r <= 0)
		return r;
	xpv_evtchn_demux_run(&g->dx, 0);
	return 1;
}

int lb_ioreq_guest_wait_dm(struct lb_ioreq_guest *g, int timeout_ms)
{
	while (!g->dm_ready) {
		int r = lb_ioreq_guest_poll(g, timeout_ms);

		if (r <= 0)
			return r < 0 ? r : -ETIMEDOUT;
	}
	return 0;
}

/* Blocks the vCPU until the device model answered its slot. */
static int guest_wait_resp(struct lb_ioreq_guest *g, ioreq_t *slot)
{
	for (;;) {
		unsigned int st = slot_state(slot);
		int r;

		if (st == STATE_IORESP_READY)
			return 0;
		if (st != STATE_IOREQ_READY && st != STATE_IOREQ_INPROCESS)
			return -EPROTO;
		r = lb_ioreq_guest_poll(g, LB_IOREQ_TIMEOUT_MS);
		if (r < 0)
			return r;
		if (r == 0 && slot_state(slot) != STATE_IORESP_READY)
			return -ETIMEDOUT;
	}
}

int lb_ioreq_io(struct lb_ioreq_guest *g, uint8_t type, uint8_t dir,
		uint64_t addr, uint32_t size, uint32_t count, bool df,
		uint64_t *data)
{
	ioreq_t *slot = &g->page->vcpu_ioreq[0];
	ioreq_t r = { 0 };
	int err;

	if (!g->dm_ready || slot_state(slot) != STATE_IOREQ_NONE)
		return -EBUSY;
	r.addr = addr;
	r.data = *data;
	r.count = count ? count : 1;
	r.size = size;
	r.vp_eport = g->vcpu_port;
	r.data_is_ptr = count > 0;
	r.dir = dir;
	r.df = df;
	r.type = type;
	r.state = STATE_IOREQ_NONE;
	memcpy(slot, &r, SLOT_FLAGS_OFF);
	slot->type = type;
	slot_set_state(slot, flags_of(&r), STATE_IOREQ_READY);
	g->stats.ioreqs++;
	g->stats.reps += r.count;
	g->stats.notify_sent++;
	err = lb_evtchn_send(g->d, g->vcpu_port);
	if (!err)
		err = guest_wait_resp(g, slot);
	if (err) {
		g->stats.errors++;
		return err;
	}
	if (dir == IOREQ_READ && !r.data_is_ptr)
		*data = XPV_READ_ONCE(slot->data);
	slot_set_state(slot, __atomic_load_n(slot_flags(slot), __ATOMIC_ACQUIRE),
		       STATE_IOREQ_NONE);
	return 0;
}
