/* SPDX-License-Identifier: MIT */
/*
 * The portable Xen network frontend (xen/io/netif.h): one struct
 * xpv_netfront per vif, no global state.  netfront.c is the data path (tx
 * and rx rings, a grant per buffer, rx-copy mode), netfront_check.c the
 * pure validators of what the backend writes, netfront_xs.c the
 * negotiation through xenstore; all of them run on os.h only.
 *
 * A host glue (netfront_user.c bridges to a TAP device; a net_device with
 * NAPI in a kernel) owns the threads:
 *
 *  - it watches xpv_netfront_backend_state_path() and calls
 *    xpv_netfront_otherend_changed() when it fires;
 *  - it calls xpv_netfront_work() soon after ops->kick asks;
 *  - those two, xpv_netfront_start() and xpv_netfront_close() are called
 *    one at a time (they may sleep on xenstore); xmit, rx_poll, stats and
 *    the event handlers may run at any time beside them.
 *
 * ops->rx runs with the queue's rx lock held and must not call rx_poll;
 * ops->tx_wake and ops->link run with no netfront lock held; ops->kick may
 * run from any context with locks held, so it must only schedule.
 */
#ifndef XENPV_NETFRONT_H
#define XENPV_NETFRONT_H

#include "xenpv/gntalloc.h"
#include "xenpv/os.h"
#include "xenpv/ring.h"
#include "xenpv/xenbus.h"

#define XPV_NETFRONT_MAX_QUEUES 8u
/* Both rings fit one page: 256 slots each. */
#define XPV_NETFRONT_RING_SIZE 256u
#define XPV_NETFRONT_MIN_BUFS 32u
/* Data slots one packet may take, either direction. */
#define XPV_NETFRONT_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Extra info slots per packet: at most one of each known type. */
#define XPV_NETFRONT_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
#define XPV_NETFRONT_MAX_CHAIN \
	(XPV_NETFRONT_MAX_SLOTS + XPV_NETFRONT_MAX_EXTRAS)
#define XPV_NETFRONT_ETH_HLEN 14u
/* tx: the first request's size is 16 bits; rx: 64 KiB GSO plus a header. */
#define XPV_NETFRONT_MAX_TX_FRAME XEN_NETIF_MAX_TX_SIZE
#define XPV_NETFRONT_MAX_RX_FRAME (65535u + XPV_NETFRONT_ETH_HLEN)
#define XPV_NETFRONT_PATH_MAX 128u
#define XPV_NETFRONT_REASON_MAX 96u

/* Offloads, offered in the config and agreed per connection. */
#define XPV_NETFRONT_F_SG (1u << 0)
#define XPV_NETFRONT_F_GSO_TCPV4 (1u << 1)
#define XPV_NETFRONT_F_GSO_TCPV6 (1u << 2)
#define XPV_NETFRONT_F_CSUM (1u << 3)		/* IPv4 TCP/UDP */
#define XPV_NETFRONT_F_IPV6_CSUM (1u << 4)
#define XPV_NETFRONT_F_SPLIT_EVTCHN (1u << 5)
#define XPV_NETFRONT_F_ALL 0x3fu

/* Packet flags. */
/* The L4 checksum field holds the pseudo-header sum only: finish it. */
#define XPV_NETFRONT_PKT_CSUM_BLANK (1u << 0)
/* The data was validated against its checksum. */
#define XPV_NETFRONT_PKT_DATA_VALID (1u << 1)

struct xpv_netfront_frag {
	const void *data;
	uint32_t len;
};

/* One Ethernet frame as a gather list, with its offload metadata. */
struct xpv_netfront_pkt {
	unsigned int nr_frags;
	struct xpv_netfront_frag frags[XPV_NETFRONT_MAX_SLOTS];
	uint32_t len;
	uint16_t flags;		/* XPV_NETFRONT_PKT_* */
	uint8_t gso_type;	/* XEN_NETIF_GSO_TYPE_* */
	uint16_t gso_size;	/* MSS when gso_type is set */
};

struct xpv_netfront_config {
	unsigned int devid;		/* the vif's id under device/vif/ */
	unsigned int max_queues;	/* 1..XPV_NETFRONT_MAX_QUEUES */
	unsigned int rx_bufs;		/* posted per queue, 32..256 */
	unsigned int tx_bufs;		/* slots in flight per queue, 32..256 */
	uint32_t features;		/* XPV_NETFRONT_F_* offered */
};

void xpv_netfront_default_config(struct xpv_netfront_config *c);

struct xpv_netfront_ops {
	/* A received frame; its fragments are valid during the call only. */
	void (*rx)(void *arg, unsigned int queue,
		   const struct xpv_netfront_pkt *pkt);
	/* Optional: defer rx to the host (NAPI); it then calls rx_poll. */
	void (*rx_schedule)(void *arg, unsigned int queue);
	/* @queue has room again after xmit returned -XPV_EAGAIN. */
	void (*tx_wake)(void *arg, unsigned int queue);
	/* Connected with the features in xpv_netfront_info, or gone. */
	void (*link)(void *arg, bool up);
	/* Call xpv_netfront_work() from process context soon. */
	void (*kick)(void *arg);
};

/* What the current connection agreed. */
struct xpv_netfront_info {
	uint8_t mac[6];
	unsigned int mtu;
	unsigned int nr_queues;
	uint32_t tx_features;	/* what we may send */
	uint32_t rx_features;	/* what we said we take */
};

struct xpv_netfront_stats {
	unsigned long long tx_packets, tx_bytes;
	unsigned long long tx_errors;	/* the backend answered an error */
	unsigned long long tx_dropped;	/* lost in flight to a reconnect */
	unsigned long long rx_packets, rx_bytes;
	unsigned long long rx_errors;	/* the backend said error/dropped */
	unsigned long long rx_dropped;	/* refused by the validator */
	unsigned long long protocol_errors;
	unsigned long long connects;
	unsigned int tx_in_flight;	/* data slots now */
	unsigned int rx_posted;
	unsigned int gnt_refs;		/* claimed from the host */
	unsigned int gnt_outstanding;	/* out, granted or deferred now */
	unsigned int gnt_deferred;	/* revoked while the backend mapped */
	unsigned int gnt_leaked;	/* given up for good at destroy */
	unsigned int pages;		/* buffer and ring pages held now */
	bool broken;
	char reason[XPV_NETFRONT_REASON_MAX];	/* the first protocol error */
};

struct xpv_netfront_txbuf {
	void *page;
	grant_ref_t ref;
	bool have_ref;
	bool granted;
	bool head;		/* first data slot of its packet */
};

struct xpv_netfront_rxbuf {
	void *page;
	grant_ref_t ref;
	bool have_ref;
	bool posted;		/* granted and in a request */
};

struct xpv_netfront_qstats {
	unsigned long long tx_packets, tx_bytes, tx_errors, tx_dropped;
	unsigned long long rx_packets, rx_bytes, rx_errors, rx_dropped;
};

struct xpv_netfront;

struct xpv_netfront_queue {
	struct xpv_netfront *nf;
	unsigned int idx;
	struct xpv_os_lock *tx_lock;
	struct xpv_os_lock *rx_lock;
	bool up;		/* rings live; under both locks */
	bool tx_stopped;	/* xmit found no room: wake on completions */
	bool rx_refill;		/* an allocation failed: retry in work */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_sring, *rx_sring;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	evtchn_port_t tx_port, rx_port; /* equal without split channels */
	bool tx_bound, rx_bound;
	struct xpv_ring_ids tx_ids;
	struct xpv_netfront_txbuf *txb;		/* by id */
	struct xpv_netfront_rxbuf rxb[XPV_NETFRONT_RING_SIZE]; /* by slot */
	uint8_t rx_posted[XPV_NETFRONT_RING_SIZE];
	/* Buffers (page and ref, not granted) taken back from consumed slots
	 * for the next slot posted: requests walk all the ring's slots while
	 * only rx_bufs buffers exist. */
	struct xpv_netfront_rxbuf rx_spare[XPV_NETFRONT_RING_SIZE];
	unsigned int rx_nspare;
	unsigned int pages;
	struct xpv_netfront_qstats st;
};

struct xpv_netfront {
	struct xpv_netfront_config cfg;
	const struct xpv_netfront_ops *ops;
	void *arg;
	domid_t backend_id;
	char path[XPV_NETFRONT_PATH_MAX];	/* device/vif/<id> */
	char backend[XPV_NETFRONT_PATH_MAX];
	char state_path[XPV_NETFRONT_PATH_MAX];
	enum xenbus_state state;
	struct xpv_os_lock *lock;	/* broken, reason, info */
	struct xpv_gntalloc gnt;
	bool gnt_ready;
	struct xpv_netfront_info info;
	bool link_up;
	bool broken;
	bool failed;		/* the error node is written */
	bool closed_by_us;	/* xpv_netfront_close: no more connects */
	uint64_t last_reinit;	/* ns: when Closed/Closed last restarted */
	char reason[XPV_NETFRONT_REASON_MAX];
	unsigned long long protocol_errors;
	unsigned long long connects;
	unsigned int gnt_leaked;
	struct xpv_netfront_queue q[XPV_NETFRONT_MAX_QUEUES];
};

/*
 * Set up a device (no xenstore yet): 0, -XPV_EINVAL for a config out of
 * range, -XPV_ENOMEM, -XPV_ENOSPC (no grant refs).
 */
int xpv_netfront_init(struct xpv_netfront *nf,
		      const struct xpv_netfront_config *cfg,
		      const struct xpv_netfront_ops *ops, void *arg);
/*
 * After close (or instead of start): frees everything; returns the grant
 * refs given up for good because the backend still maps them.
 */
unsigned int xpv_netfront_destroy(struct xpv_netfront *nf);

/* ---- xenstore side (netfront_xs.c): one at a time -------------------- */

/* Read the backend's path and id, write state Initialising. */
int xpv_netfront_start(struct xpv_netfront *nf);
const char *xpv_netfront_backend_state_path(const struct xpv_netfront *nf);
/* The backend's state node changed (or may have). */
void xpv_netfront_otherend_changed(struct xpv_netfront *nf);
/* Deferred work: report a protocol error, refill rx, retry grants. */
void xpv_netfront_work(struct xpv_netfront *nf);
/* Orderly close: Closing, tear down, Closed. */
void xpv_netfront_close(struct xpv_netfront *nf);

/* ---- data path (netfront.c): any context ----------------------------- */

/*
 * Send one frame on @queue (modulo the queues connected).  The data is
 * copied before return.  0; -XPV_EAGAIN when the ring or the buffers are
 * full (ops->tx_wake follows); -XPV_ESHUTDOWN when not connected;
 * -XPV_EINVAL for a frame the connection cannot carry (size, fragments,
 * an offload the backend did not agree to); -XPV_ENOMEM.
 */
int xpv_netfront_xmit(struct xpv_netfront *nf, unsigned int queue,
		      const struct xpv_netfront_pkt *pkt);
/*
 * Take up to @budget received frames on @queue (ops->rx each); returns how
 * many.  Fewer than @budget means the ring is drained and re-armed.
 */
unsigned int xpv_netfront_rx_poll(struct xpv_netfront *nf, unsigned int queue,
				  unsigned int budget);
/* Reap tx completions on @queue (the event handler does it too). */
void xpv_netfront_tx_reap(struct xpv_netfront *nf, unsigned int queue);

void xpv_netfront_get_info(struct xpv_netfront *nf,
			   struct xpv_netfront_info *info);
bool xpv_netfront_connected(struct xpv_netfront *nf);
void xpv_netfront_stats(struct xpv_netfront *nf,
			struct xpv_netfront_stats *st);

/*
 * Mark the device broken (a protocol violation by the backend): the data
 * path stops and the next xpv_netfront_work() writes the error node and
 * closes.  The first reason is kept.
 */
void xpv_netfront_fault(struct xpv_netfront *nf, const char *reason);

/* Internal to netfront.c / netfront_xs.c. */
int xpv_netfront_queue_connect(struct xpv_netfront_queue *q, bool split);
void xpv_netfront_queue_teardown(struct xpv_netfront_queue *q);
void xpv_netfront_queue_go(struct xpv_netfront_queue *q);
void xpv_netfront_rx_refill(struct xpv_netfront_queue *q);

#endif
