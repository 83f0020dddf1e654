// SPDX-License-Identifier: MIT
/* The NE2000 driver's userspace host (see emunic_user.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend/tap/tap.h"
#include "drivers/emunic/emunic_user.h"
#include "loopback/ioreq_pio.h"

#define IRQ_BIT (1u << XPV_EMUNIC_IRQ)
#define TAP_BURST 8

struct emu_host {
	struct lb_dom *d;
	uint8_t *mem;
	struct lb_ioreq_guest g;
	struct lb_ioreq_pio pio;
	struct xpv_emunic nic;
	bool nic_up;
	int tap;
	char tap_name[XPV_TAP_NAME_MAX];
	struct xpv_emunic_user_stats st;
};

static void to_tap(void *arg, const void *frame, unsigned int len)
{
	struct emu_host *h = arg;

	if (write(h->tap, frame, len) == (ssize_t)len)
		h->st.tap_tx++;
	else
		h->st.tap_drops++;
}

static int host_setup(struct emu_host *h, const struct xpv_emunic_user_opts *o,
		      void (*ready)(int domid))
{
	int err;

	h->tap = -1;
	h->d = lb_dom_join(o->dir ? o->dir : lb_default_dir(), o->domid,
			   XPV_EMUNIC_USER_PAGES);
	if (!h->d)
		return -errno;
	h->mem = lb_dom_mem(h->d);
	err = lb_ioreq_guest_init(&h->g, h->d, 0, XPV_EMUNIC_USER_IOREQ_GFN,
				  IRQ_BIT);
	if (err)
		return err;
	lb_ioreq_pio_init(&h->pio, &h->g, IRQ_BIT);
	h->tap = xpv_tap_open(o->tap, 0, h->tap_name);
	if (h->tap < 0)
		return h->tap;
	if (ready)
		ready(lb_dom_id(h->d));
	return 0;
}

static int host_connect(struct emu_host *h,
			const struct xpv_emunic_user_opts *o,
			volatile sig_atomic_t *stop)
{
	uint64_t pa = XPV_EMUNIC_USER_DMA_GFN * XPV_PAGE_SIZE;
	int waited = 0, err;

	for (;;) {
		err = lb_ioreq_guest_wait_dm(&h->g, 100);
		if (err != -ETIMEDOUT)
			break;
		waited += 100;
		if (*stop || (o->dm_wait_ms >= 0 && waited >= o->dm_wait_ms))
			return -ETIMEDOUT;
	}
	if (err)
		return err;
	err = xpv_emunic_init(&h->nic, &h->pio.ops, h->mem + pa, pa, to_tap,
			      h);
	if (err)
		return err;
	h->nic_up = true;
	/* The guest's interface carries the card's address, as on a guest. */
	err = xpv_tap_set_mac(h->tap_name, h->nic.mac);
	if (o->verbose)
		fprintf(stderr, "emunic: card %02x:%02x:%02x:%02x:%02x:%02x up "
			"as domain %u\n", h->nic.mac[0], h->nic.mac[1],
			h->nic.mac[2], h->nic.mac[3], h->nic.mac[4],
			h->nic.mac[5], lb_dom_id(h->d));
	return err;
}

/* Frames from the TAP onto the wire while a transmit buffer is free. */
static void from_tap(struct emu_host *h)
{
	uint8_t *buf = h->nic.dma + XPV_EMUNIC_TX_OFF;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < TAP_BURST && !xpv_emunic_tx_full(&h->nic); i++) {
		n = read(h->tap, buf, XPV_EMUNIC_RX_OFF - XPV_EMUNIC_TX_OFF);
		if (n <= 0)
			return;
		h->st.tap_rx++;
		if (xpv_emunic_xmit(&h->nic, buf, n))
			h->st.tap_drops++;
	}
}

/* The model is gone when its end of our vCPU channel is. */
static bool dm_alive(struct emu_host *h)
{
	unsigned int state;
	domid_t rd;
	evtchn_port_t rp;

	return lb_evtchn_status(h->d, h->g.vcpu_port, &state, &rd, &rp) == 0 &&
	       state == EVTCHNSTAT_interdomain;
}

/* Handles what is pending, then sleeps for an event or a frame. */
static int host_step(struct emu_host *h)
{
	struct pollfd p[2] = {
		{ .fd = lb_dom_event_fd(h->d), .events = POLLIN },
		{ .fd = xpv_emunic_tx_full(&h->nic) ? -1 : h->tap,
		  .events = POLLIN },
	};
	int r;

	if ((h->pio.fired & IRQ_BIT) || h->nic.more) {
		h->pio.fired &= ~IRQ_BIT;
		xpv_emunic_interrupt(&h->nic);
		return 0;
	}
	r = poll(p, 2, 200);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return dm_alive(h) ? 0 : -ENOTCONN;
	if (p[0].revents & POLLIN) {
		lb_dom_wait_kick(h->d, 0);
		xpv_evtchn_demux_run(&h->g.dx, 0);
	}
	if (p[1].revents & POLLIN)
		from_tap(h);
	return 0;
}

static void host_counters(struct emu_host *h, struct xpv_emunic_user_stats *st)
{
	struct rusage ru;

	*st = h->st;
	st->nic = h->nic.stats;
	st->io = h->g.stats;
	getrusage(RUSAGE_SELF, &ru);
	st->cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	st->cpu_sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void host_teardown(struct emu_host *h)
{
	if (h->nic_up && !h->g.stats.errors)
		xpv_emunic_stop(&h->nic);
	if (h->tap >= 0)
		close(h->tap);
	if (h->d) {
		lb_ioreq_guest_destroy(&h->g);
		lb_dom_leave(h->d);
	}
}

int xpv_emunic_user_run(const struct xpv_emunic_user_opts *o,
			volatile sig_atomic_t *stop,
			void (*ready)(int domid),
			struct xpv_emunic_user_stats *st)
{
	struct emu_host *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	err = host_setup(h, o, ready);
	if (!err)
		err = host_connect(h, o, stop);
	/* A vCPU whose round trip failed has lost its device model. */
	while (!err && !*stop && !h->g.stats.errors)
		err = host_step(h);
	if (!err && h->g.stats.errors)
		err = -ENOTCONN;
	host_counters(h, st);
	host_teardown(h);
	free(h);
	return err;
}
