/* SPDX-License-Identifier: MIT */
/*
 * xenpv-netback internals: a daemon (struct xpv_netback) serving every vif
 * the toolstack put under its backend/vif, each with 1..N queues, each
 * queue a tx ring, an rx ring and one fd of a multi-queue TAP device.  One
 * thread runs everything from one epoll: the xenstore watch fd, the event
 * channel fd, the TAP fds and a signalfd.
 */
#ifndef XENPV_NETBACK_H
#define XENPV_NETBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "backend/netback/pkt.h"
#include "backend/tap/tap.h"
#include "backend/xenops.h"
#include "xenpv/ring.h"

#define XPV_NETBACK_MAX_QUEUES 8u
#define XPV_NETBACK_PATH_MAX 160
/* Packets a queue handles per turn before the others get theirs. */
#define XPV_NETBACK_BUDGET 64u
/* Slots of one tx packet we may need to see at once: data and extras. */
#define XPV_NETBACK_TX_WINDOW 32u
/* Slots of a one-page tx ring, the most one packet can span. */
#define XPV_NETBACK_TX_RING __CONST_RING_SIZE(netif_tx, XPV_PAGE_SIZE)
/* Grant copy segments of one packet: a split at each local page edge. */
#define XPV_NETBACK_MAX_SEGS (2u * (XPV_NETBACK_MAX_SLOTS + 1u))

struct xpv_netback_cfg {
	const char *dir;	/* loopback directory */
	const char *provider;	/* xenops provider, NULL: env */
	int domid;		/* the domain we serve as */
	const char *tap_prefix; /* TAP name: <prefix><domid>.<id> */
	unsigned int max_queues;
	bool no_offload; /* advertise no SG/GSO/csum offload */
	const char *be_type;	/* backend/<be_type>: NULL is "vif" */
};

enum xpv_netback_ep_kind { NB_EP_XS, NB_EP_EVTCHN, NB_EP_TAP, NB_EP_SIGNAL };
struct xpv_netback_ep {
	enum xpv_netback_ep_kind kind;
	void *p;
};

struct xpv_netback_vif;

struct xpv_netback_qstats {
	uint64_t tx_packets, tx_bytes, tx_errors;
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
};

struct xpv_netback_queue {
	struct xpv_netback_vif *vif;
	unsigned int idx;
	int tap_fd;
	struct xpv_netback_ep ep;
	bool tap_armed; /* EPOLLIN registered for the TAP */
	bool connected;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	void *tx_sring, *rx_sring;	/* mapped ring pages */
	evtchn_port_t tx_port, rx_port; /* local; equal when not split */
	bool tx_bound, rx_bound;
	bool tx_work, rx_work; /* an event or a TAP wakeup to serve */
	bool rx_stalled;       /* waiting for rx requests */
	/* One frame read from the TAP and not yet delivered. */
	struct virtio_net_hdr rx_hdr;
	size_t rx_len;
	bool rx_have;
	uint8_t *rx_buf; /* page aligned, MAX_FRAME rounded up */
	uint8_t *tx_buf;
	struct netif_tx_request tx_slots[XPV_NETBACK_TX_RING];
	struct xpv_xenops_copy segs[XPV_NETBACK_MAX_SEGS];
	struct xpv_netback_qstats st;
};

struct xpv_netback;

struct xpv_netback_vif {
	struct xpv_netback *nb;
	struct xpv_netback_vif *next;
	domid_t fe_domid;
	unsigned int devid;
	char be_path[XPV_NETBACK_PATH_MAX], fe_path[XPV_NETBACK_PATH_MAX];
	char tap_name[XPV_TAP_NAME_MAX];
	int state; /* our XenbusState */
	bool fe_watched, stale, broken, offline;
	/* Not yet seen the frontend outside Connected since we started. */
	bool fresh;
	uint32_t fe_gen;	 /* the frontend incarnation we serve */
	unsigned int max_queues; /* what we advertised */
	unsigned int nr_queues;	 /* what the frontend asked for */
	struct xpv_netback_rx_features rxf;
	struct xpv_netback_tx_limits txl;
	char reason[96];	     /* why the vif is broken */
	struct xpv_netback_queue *q; /* max_queues of them */
	uint64_t connects;
};

struct xpv_netback {
	struct xpv_netback_cfg cfg;
	struct xpv_xenops *x;
	struct xs_handle *xs;
	int epfd, sigfd;
	struct xpv_netback_ep ep_xs, ep_evtchn, ep_sig;
	char be_root[XPV_NETBACK_PATH_MAX]; /* .../backend/vif */
	struct xpv_netback_vif *vifs;
	/* Local port -> queue; ports a queue does not own are NULL. */
	struct xpv_netback_queue **port_q;
	unsigned int nr_port_q;
	bool stop;
	uint64_t rate_tokens; /* log lines left in this second */
	uint64_t rate_second;
};

/* ---- nb_server.c ------------------------------------------------------- */

int xpv_netback_open(struct xpv_netback *nb, const struct xpv_netback_cfg *c);
/* Serves until SIGINT/SIGTERM; 0 or -errno. */
int xpv_netback_run(struct xpv_netback *nb);
void xpv_netback_close(struct xpv_netback *nb);
/* Logs a reason a peer gave us, at most a few lines a second. */
void xpv_netback_log_peer(struct xpv_netback *nb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int xpv_netback_port_set(struct xpv_netback *nb, evtchn_port_t port,
			 struct xpv_netback_queue *q);
/* Ports bound for queues now: a leak check after disconnects. */
unsigned int xpv_netback_ports_bound(struct xpv_netback *nb);
void xpv_netback_tap_arm(struct xpv_netback_queue *q, bool on);

/* ---- nb_vif.c, nb_conn.c ---------------------------------------------- */

/* Strict decimal node <dir>/<node> up to @max: 0, -ENOENT, -EINVAL. */
int xpv_netback_xs_uint(struct xpv_netback *nb, const char *dir,
			const char *node, uint64_t max, uint64_t *out);
/* A feature flag: "1" on; absent or anything else off. */
bool xpv_netback_xs_flag(struct xpv_netback *nb, const char *dir,
			 const char *node);
int xpv_netback_xs_printf(struct xpv_netback *nb, const char *dir,
			  const char *node, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void xpv_netback_vif_set_state(struct xpv_netback_vif *v, int state);

struct xpv_netback_vif *xpv_netback_vif_new(struct xpv_netback *nb, domid_t fe,
					    unsigned int devid);
void xpv_netback_vif_free(struct xpv_netback_vif *v);
/* Re-read the frontend's state and move ours; after any xenstore change. */
void xpv_netback_vif_update(struct xpv_netback_vif *v);
/* The data path found the frontend broken: error node, Closing. */
void xpv_netback_vif_fail(struct xpv_netback_vif *v, const char *why);
void xpv_netback_vif_disconnect(struct xpv_netback_vif *v);

/* ---- nb_tx.c, nb_rx.c: the data path of one queue ---------------------- */

/* Serve the tx ring; true if the budget ran out with work left. */
bool xpv_netback_tx_run(struct xpv_netback_queue *q);
/* Move frames from the TAP to the rx ring; true if work is left. */
bool xpv_netback_rx_run(struct xpv_netback_queue *q);

#endif
