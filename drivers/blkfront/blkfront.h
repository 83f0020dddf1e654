/* SPDX-License-Identifier: MIT */
/*
 * The portable Xen block frontend (xen/io/blkif.h): one struct xpv_blkfront
 * per virtual disk, no global state.  blkfront.c is the data path (build
 * ring requests, take responses), blkfront_xs.c the negotiation through
 * xenstore; both run on os.h only.  A host glue (blkfront_user.c for a
 * loopback process, a blk-mq driver in a kernel) owns the threads:
 *
 *  - it watches xpv_blkfront_backend_state_path() and calls
 *    xpv_blkfront_otherend_changed() when it fires;
 *  - it calls xpv_blkfront_work() soon after the kick callback asks;
 *  - those two, xpv_blkfront_close() and xpv_blkfront_finish() are called
 *    one at a time (they may sleep on xenstore); submit, stats and the
 *    event handler may run at any time beside them.
 *
 * Completions (req->done) run from the event handler or from those calls,
 * never with a blkfront lock held, so done() may submit again.
 */
#ifndef XENPV_BLKFRONT_H
#define XENPV_BLKFRONT_H

#include "xenpv/gntalloc.h"
#include "xenpv/os.h"
#include "xenpv/ring.h"
#include "xenpv/xenbus.h"

#define XPV_BLKFRONT_MAX_QUEUES 8u
/* Segments in one ring request: one indirect page's worth at most. */
#define XPV_BLKFRONT_SEGS_PER_IND                                              \
	(XPV_PAGE_SIZE / sizeof(struct blkif_request_segment))
#define XPV_BLKFRONT_MAX_SEGS 512u
#define XPV_BLKFRONT_MAX_IND                                                   \
	((XPV_BLKFRONT_MAX_SEGS + XPV_BLKFRONT_SEGS_PER_IND - 1) /             \
	 XPV_BLKFRONT_SEGS_PER_IND)
#define XPV_BLKFRONT_PATH_MAX 128u
#define XPV_BLKFRONT_SECTOR 512u

struct xpv_blkfront_opts {
	unsigned int max_queues;	 /* 1..XPV_BLKFRONT_MAX_QUEUES */
	unsigned int max_ring_order;	 /* 0..XPV_RING_MAX_ORDER */
	bool persistent;		 /* offer and use persistent grants */
	bool indirect;			 /* use BLKIF_OP_INDIRECT if offered */
	unsigned int max_indirect_segs;	 /* 12..XPV_BLKFRONT_MAX_SEGS */
	unsigned int max_grants;	 /* grant refs this device may hold */
	uint64_t max_discard_sectors;	 /* per ring request */
	unsigned int connect_timeout_ms; /* for hosts that wait on open */
};

void xpv_blkfront_default_opts(struct xpv_blkfront_opts *o);

/* What the backend offered on the current connection. */
struct xpv_blkfront_info {
	uint64_t sectors;	  /* 512-byte units */
	unsigned int sector_size; /* logical, bytes */
	unsigned int physical_sector_size;
	unsigned int vdisk_info; /* VDISK_* bits */
	bool readonly, cdrom, removable;
	bool flush, barrier, discard, discard_secure;
	uint32_t discard_granularity; /* bytes */
	uint32_t discard_alignment;   /* bytes, < granularity */
	bool persistent;	      /* both ends agreed */
	unsigned int max_segs;	      /* per ring request */
	unsigned int nr_queues;
	unsigned int ring_order;
};

struct xpv_blkfront_stats {
	unsigned int gnt_refs;	      /* claimed from the host */
	unsigned int gnt_outstanding; /* out, granted or deferred */
	unsigned int gnt_deferred;    /* revoked while the peer mapped */
	unsigned long long busy_ends;
	unsigned long long ring_reqs; /* ring requests pushed */
	unsigned long long indirect_reqs;
	unsigned long long persistent_pages;  /* pool pages ever granted */
	unsigned long long persistent_reuses; /* segments on a reused page */
	unsigned long long completed;	      /* caller requests finished */
	unsigned long long failed;	      /* ... with an error */
	unsigned long long reissued;	      /* re-queued by a reconnect */
	unsigned long long reconnects; /* connections made after the first */
	unsigned long long discard_skipped; /* discards too small to send */
	bool broken;
};

enum xpv_blkfront_op {
	XPV_BLKFRONT_READ,
	XPV_BLKFRONT_WRITE,
	XPV_BLKFRONT_FLUSH,
	XPV_BLKFRONT_DISCARD,
};

/*
 * A piece of a data buffer inside one page: @addr and @len are multiples
 * of 512 and do not cross a page boundary.  Without persistent grants the
 * page itself is granted, so it must be guest memory.
 */
struct xpv_blkfront_seg {
	void *addr;
	uint32_t len;
};

/*
 * A caller's request.  READ/WRITE cover the segments from @sector (512-byte
 * units, aligned to the logical sector size, as is the total length);
 * DISCARD covers @nr_sectors and is trimmed to whole discard extents;
 * FLUSH has no data.  blkfront splits it into ring requests as the
 * connection allows and re-issues it whole after a reconnect; done() gets
 * 0 or a negative errno.
 */
struct xpv_blkfront_req {
	enum xpv_blkfront_op op;
	uint64_t sector;
	uint64_t nr_sectors;
	bool secure;
	const struct xpv_blkfront_seg *segs;
	unsigned int nr_segs;
	unsigned int queue; /* preferred queue, modulo nr_queues */
	void (*done)(struct xpv_blkfront_req *req, int status);
	void *priv;

	/* Private to blkfront. */
	struct xpv_blkfront_req *next;
	unsigned int seg_pos;  /* next segment to send */
	uint64_t pos, end;     /* sectors: next to send, limit */
	unsigned int inflight; /* ring requests out */
	int err;
	bool started, all_sent, marked;
};

struct xpv_blkfront_pgnt {
	void *page;
	grant_ref_t ref;
	struct xpv_blkfront_pgnt *next;
};

/* What a ring request in flight holds, by its id. */
struct xpv_blkfront_shadow {
	struct xpv_blkfront_req *req;
	uint8_t op; /* as pushed */
	uint8_t indirect_op;
	unsigned int first_seg, nr_segs, nr_grants;
	unsigned int nr_ind;
	struct xpv_blkfront_pgnt *ind[XPV_BLKFRONT_MAX_IND];
};

struct xpv_blkfront;

struct xpv_blkfront_queue {
	struct xpv_blkfront *dev;
	unsigned int idx;
	struct xpv_os_lock *lock;
	bool live; /* requests may be pushed */
	bool dead; /* the backend broke the protocol */
	const char *why;
	blkif_front_ring_t ring;
	void *sring;
	unsigned int nr_pages;
	grant_ref_t ring_refs[XPV_RING_MAX_PAGES];
	evtchn_port_t port;
	bool port_open;
	struct xpv_ring_ids ids;
	struct xpv_blkfront_shadow *shadow; /* [ids.nr] */
	grant_ref_t *grefs;		/* [ids.nr * max_segs], direct mode */
	struct xpv_blkfront_pgnt **pgs; /* [ids.nr * max_segs], persistent */
	unsigned int gnt_budget, gnt_used;
	struct xpv_blkfront_pgnt *pool; /* free persistent pages, LIFO */
	unsigned int pool_total;
	struct xpv_blkfront_pgnt *ind_free; /* indirect pages, direct mode */
	struct xpv_blkfront_req *wait_head, *wait_tail;
};

typedef void (*xpv_blkfront_kick_fn)(struct xpv_blkfront *dev, void *arg);

struct xpv_blkfront {
	unsigned int devid;
	char node[48]; /* device/vbd/<devid> */
	char backend[XPV_BLKFRONT_PATH_MAX];
	char backend_state[XPV_BLKFRONT_PATH_MAX + 8];
	domid_t backend_id;
	struct xpv_blkfront_opts opts;
	xpv_blkfront_kick_fn kick;
	void *kick_arg;
	enum xenbus_state state; /* ours, as last written */
	unsigned int nr_rings;	 /* queues with a ring set up */
	unsigned int conn_order; /* ring-page-order in use */
	bool published;		 /* ring nodes were written */

	struct xpv_os_lock *lock; /* the fields below; before q->lock */
	bool connected, closing, broken, failed_done, ever_connected;
	char why[128];
	struct xpv_blkfront_info info;
	unsigned int nr_queues; /* 0 while not connected */
	struct xpv_blkfront_req *pend_head, *pend_tail;
	struct xpv_blkfront_stats st;

	struct xpv_gntalloc gnt;
	struct xpv_blkfront_queue q[XPV_BLKFRONT_MAX_QUEUES];
};

/* ---- device life (blkfront_xs.c) ---------------------------------------- */

/*
 * A frontend for device/vbd/@devid of this domain: reads the toolstack's
 * backend and backend-id nodes and claims the grant refs.  @o NULL:
 * defaults.  @kick asks the host to call xpv_blkfront_work() soon.
 */
struct xpv_blkfront *xpv_blkfront_create(unsigned int devid,
					 const struct xpv_blkfront_opts *o,
					 xpv_blkfront_kick_fn kick, void *arg,
					 int *err);
/* After xpv_blkfront_finish(): frees everything (leaked refs are logged). */
void xpv_blkfront_destroy(struct xpv_blkfront *dev);
const char *xpv_blkfront_backend_state_path(const struct xpv_blkfront *dev);
/* Read the backend's state and step the xenbus state machine. */
void xpv_blkfront_otherend_changed(struct xpv_blkfront *dev);
/* Deferred work from the data path: a broken device is failed here. */
void xpv_blkfront_work(struct xpv_blkfront *dev);
/* Orderly close: no new requests, state Closing. */
void xpv_blkfront_close(struct xpv_blkfront *dev);
/*
 * After close (once the backend is Closed, or on a timeout): tear down,
 * fail what is left with -XPV_EIO, write Closed.  Returns the refs still
 * out (deferred ones the peer maps); call again later to retry them.
 */
unsigned int xpv_blkfront_finish(struct xpv_blkfront *dev);

enum xenbus_state xpv_blkfront_state(struct xpv_blkfront *dev);
bool xpv_blkfront_connected(struct xpv_blkfront *dev);
bool xpv_blkfront_broken(struct xpv_blkfront *dev);
/* The last connection's parameters: 0, or -XPV_EAGAIN before the first. */
int xpv_blkfront_get_info(struct xpv_blkfront *dev,
			  struct xpv_blkfront_info *info);
void xpv_blkfront_stats(struct xpv_blkfront *dev,
			struct xpv_blkfront_stats *st);

/* ---- data path (blkfront.c) --------------------------------------------- */

/*
 * Queue @req.  0: done() will be called (possibly already was).  A request
 * refused outright returns -errno and done() is not called: -XPV_EINVAL
 * (malformed), -XPV_ESHUTDOWN (closing), -XPV_EIO (broken).
 */
int xpv_blkfront_submit(struct xpv_blkfront *dev, struct xpv_blkfront_req *req);

/*
 * The pure check of a response copied out of the ring against the shadow
 * table: the id is in range and in flight, the operation is the one sent
 * (or the inner one of an indirect request), the status is a BLKIF_RSP_*
 * value.  0, or -XPV_EPROTO with *why set.
 */
int xpv_blkfront_check_rsp(const struct blkif_response *rsp,
			   const struct xpv_ring_ids *ids,
			   const struct xpv_blkfront_shadow *shadow,
			   const char **why);

/* ---- between the two halves --------------------------------------------- */

/* Event channel handler of a queue (arg: the queue). */
void xpv_blkfront_interrupt(evtchn_port_t port, void *arg);
/* Allocate the per-request state of a connected queue; 0 or -errno. */
int xpv_blkfront_queue_setup(struct xpv_blkfront_queue *q);
/*
 * Stop a queue: its in-flight requests and waiting ones are chained onto
 * *@out (reset for a re-issue), every grant they held is ended.
 */
void xpv_blkfront_queue_stop(struct xpv_blkfront_queue *q,
			     struct xpv_blkfront_req **out);
/* Free the per-request state and the persistent pool. */
void xpv_blkfront_queue_free(struct xpv_blkfront_queue *q);
/* Hand the device's pending requests to the live queues. */
void xpv_blkfront_resubmit(struct xpv_blkfront *dev);
/* Complete a chain of requests with @err (outside every lock). */
void xpv_blkfront_fail_chain(struct xpv_blkfront *dev,
			     struct xpv_blkfront_req *head, int err);
/* Mark the device broken from the data path; kicks the host once. */
void xpv_blkfront_mark_broken(struct xpv_blkfront *dev, const char *why);

#endif
