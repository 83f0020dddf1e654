/* SPDX-License-Identifier: MIT */
/*
 * The userspace host of the NE2000 driver: a process that is an HVM-style
 * loopback domain (an ioreq page, the NIC's interrupt line as an event
 * channel) runs the driver against the device model and bridges it to a
 * TAP device, so a real Linux network stack sits on the guest side.  The
 * TAP takes the card's station address.  One thread does everything, as
 * one vCPU would.
 */
#ifndef XENPV_EMUNIC_USER_H
#define XENPV_EMUNIC_USER_H

#include <signal.h>

#include "drivers/emunic/emunic.h"
#include "loopback/ioreq.h"

#define XPV_EMUNIC_USER_PAGES 16
#define XPV_EMUNIC_USER_IOREQ_GFN 1
#define XPV_EMUNIC_USER_DMA_GFN 2

struct xpv_emunic_user_opts {
	const char *dir;	/* loopback directory, NULL: default */
	int domid;		/* -1: any */
	const char *tap;	/* TAP name: created, or attached to */
	int dm_wait_ms;		/* wait for the device model, -1: ever */
	bool verbose;
};

struct xpv_emunic_user_stats {
	struct xpv_emunic_stats nic;
	struct lb_ioreq_stats io;	/* exits and events of this vCPU */
	unsigned long long tap_rx, tap_tx, tap_drops;
	double cpu_user_s, cpu_sys_s;
};

/*
 * Joins, opens the TAP, publishes the ioreq page (the device model may be
 * started once @ready is called with the domid), waits for the model,
 * brings the card up and bridges until *stop or the model goes away.
 * 0 or -errno; *st gets the final counters.
 */
int xpv_emunic_user_run(const struct xpv_emunic_user_opts *o,
			volatile sig_atomic_t *stop,
			void (*ready)(int domid),
			struct xpv_emunic_user_stats *st);

#endif
