/* SPDX-License-Identifier: MIT */
/*
 * The userspace host of netfront: a process that is a loopback domain runs
 * one vif and bridges it to a TAP device, so a real Linux network stack
 * sits on the guest side.  Frames read from the TAP (with a virtio_net_hdr
 * for checksum and GSO offload) go out on the tx ring; frames from the rx
 * ring are written to the TAP.  The TAP's offloads follow what each
 * connection agreed.  xenstore work (watch events, the kick) is done on
 * the main loop's thread only; the data path runs there (tx) and on the
 * upcall thread (rx, completions).
 */
#ifndef XENPV_NETFRONT_USER_H
#define XENPV_NETFRONT_USER_H

#include <signal.h>

#include "drivers/netfront/netfront.h"

struct xpv_nfu_opts {
	const char *dir;	/* loopback directory */
	int domid;
	unsigned int devid;
	const char *tap;	/* TAP name: created, or attached to */
	unsigned int queues;	/* most to use; 0: one per CPU */
	unsigned int bufs;	/* rx and tx buffers per queue (0: fit) */
	uint32_t features;	/* XPV_NETFRONT_F_* offered */
	bool verbose;
};

struct xpv_nfu_stats {
	struct xpv_netfront_stats nf;
	unsigned long long tap_rx, tap_tx;	/* frames read / written */
	unsigned long long tap_drops;		/* refused or not connected */
	unsigned long long csum_sw;		/* checksums finished here */
};

/*
 * Run until *stop is set (a signal handler may set it): join, open the TAP,
 * connect, serve, reconnect whenever the backend restarts; then close.
 * Returns 0 or -errno; *st gets the final counters.
 */
int xpv_nfu_run(const struct xpv_nfu_opts *o, volatile sig_atomic_t *stop,
		struct xpv_nfu_stats *st);

#endif
