// SPDX-License-Identifier: MIT
/*
 * The kernel's block devices: the portable blkfront (drivers/blkfront) on
 * this kernel's os.h.  One thread per disk follows xenstore: the watch on
 * the backend's state and the data path's kick only set a flag and wake
 * it, so every xenbus-side call runs on that thread, one at a time, and may
 * sleep.  Reads and writes are synchronous on page-aligned pool memory.
 */
#include "arch-xen/blkdev.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"
#include "xenpv/evtchn.h"

#define KBLK_STALL_NS 5000000000ull
#define KBLK_CLOSE_WAIT_NS 3000000000ull
#define KBLK_MAX_SEGS 64u

struct kblk {
	struct xpv_blkfront *fe;
	struct xpv_os_waitq *wq;
	struct xpv_os_watch *watch;
	volatile bool changed, work, stop, stopped;
	bool started;
};

struct kblk_io {
	struct xpv_blkfront_req fr;
	struct xpv_blkfront_seg segs[KBLK_MAX_SEGS];
	struct xpv_os_waitq *wq;
	volatile int done;
	int status;
};

static bool kblk_due(void *arg)
{
	struct kblk *d = arg;

	return d->changed || d->work || d->stop;
}

static void kblk_thread(void *arg)
{
	struct kblk *d = arg;

	for (;;) {
		xpv_os_wait(d->wq, kblk_due, d, 0);
		if (d->stop)
			break;
		if (d->changed) {
			d->changed = false;
			xpv_blkfront_otherend_changed(d->fe);
		}
		if (d->work) {
			d->work = false;
			xpv_blkfront_work(d->fe);
		}
		xpv_os_wake(d->wq);
	}
	d->stopped = true;
	xpv_os_wake(d->wq);
}

static void kblk_watch(const char *path, void *arg)
{
	struct kblk *d = arg;

	d->changed = true;
	xpv_os_wake(d->wq);
}

static void kblk_kick(struct xpv_blkfront *fe, void *arg)
{
	struct kblk *d = arg;

	d->work = true;
	xpv_os_wake(d->wq);
}

static bool kblk_settled(void *arg)
{
	struct kblk *d = arg;
	enum xenbus_state s = xpv_blkfront_state(d->fe);

	return xpv_blkfront_connected(d->fe) || xpv_blkfront_broken(d->fe) ||
	       s == XenbusStateClosing || s == XenbusStateClosed;
}

static bool kblk_closed(void *arg)
{
	return xpv_blkfront_state(((struct kblk *)arg)->fe) ==
	       XenbusStateClosed;
}

static bool kblk_stopped(void *arg)
{
	return ((struct kblk *)arg)->stopped;
}

static int kblk_start(struct kblk *d, unsigned int vdev, uint64_t timeout_ns)
{
	struct xpv_blkfront_opts o;
	int err;

	xpv_blkfront_default_opts(&o);
	/* Drivers run on vCPU 0 only; leave refs for the other devices. */
	o.max_queues = 1;
	o.max_grants = 512;
	d->fe = xpv_blkfront_create(vdev, &o, kblk_kick, d, &err);
	if (!d->fe)
		return err;
	err = thread_create("blkfront", kblk_thread, d);
	if (err)
		return err;
	d->started = true;
	d->changed = true;
	d->watch = xpv_os_xs_watch(xpv_blkfront_backend_state_path(d->fe),
				   kblk_watch, d);
	if (!d->watch)
		return -XPV_EIO;
	if (xpv_os_wait(d->wq, kblk_settled, d, timeout_ns))
		return -XPV_ETIMEDOUT;
	if (!xpv_blkfront_connected(d->fe))
		return -XPV_EIO;
	return 0;
}

struct kblk *kblk_open(unsigned int vdev, uint64_t timeout_ns, int *err)
{
	struct kblk *d = xpv_os_zalloc(sizeof(*d));

	*err = -XPV_ENOMEM;
	if (!d)
		return NULL;
	d->wq = xpv_os_waitq_new();
	if (!d->wq) {
		xpv_os_free(d);
		return NULL;
	}
	*err = kblk_start(d, vdev, timeout_ns);
	if (*err) {
		kblk_close(d, NULL);
		return NULL;
	}
	return d;
}

/* Closing, Closed, the thread stopped, every grant back (or given up on). */
void kblk_close(struct kblk *d, struct xpv_blkfront_stats *st)
{
	unsigned int left, tries;

	if (!d)
		return;
	if (d->fe) {
		xpv_blkfront_close(d->fe);
		xpv_os_wait(d->wq, kblk_closed, d, KBLK_CLOSE_WAIT_NS);
	}
	xpv_os_xs_unwatch(d->watch);
	if (!d->started)
		d->stopped = true;
	d->stop = true;
	xpv_os_wake(d->wq);
	if (d->fe) {
		xpv_os_wait(d->wq, kblk_stopped, d, KBLK_CLOSE_WAIT_NS);
		left = xpv_blkfront_finish(d->fe);
		for (tries = 0; left && tries < 100; tries++) {
			sleep_until(monotonic_ns() + 10000000ull);
			left = xpv_gntalloc_retry_deferred(&d->fe->gnt);
		}
		if (st)
			xpv_blkfront_stats(d->fe, st);
		if (d->stopped)
			xpv_blkfront_destroy(d->fe);
	}
	/* A thread that never stopped still uses d: leave it. */
	if (d->stopped || !d->fe) {
		xpv_os_waitq_free(d->wq);
		xpv_os_free(d);
	}
}

struct xpv_blkfront *kblk_frontend(struct kblk *d) { return d->fe; }

/*
 * A request unanswered for KBLK_STALL_NS: say where the ring and its event
 * channel stand, then look at the ring as if the event had come, so a lost
 * event shows as such (and is survived) instead of as a silent hang.
 */
static void kblk_stall_report(struct kblk *d)
{
	struct xpv_blkfront_queue *q = &d->fe->q[0];
	const blkif_sring_t *sr = q->ring.sring;
	const struct vcpu_info *v = &shared->vcpu_info[0];

	printk("xenpv: blk: vbd %u stalled: req_prod %u/%u req_event %u "
	       "rsp_prod %u rsp_cons %u rsp_event %u; port %u pending %d "
	       "masked %d; vcpu0 upcall pending %u mask %u sel %lx\n",
	       d->fe->devid, q->ring.req_prod_pvt, sr->req_prod, sr->req_event,
	       sr->rsp_prod, q->ring.rsp_cons, sr->rsp_event, q->port,
	       xpv_evtchn_2l_is_pending(shared, q->port),
	       xpv_test_bit(q->port, shared->evtchn_mask),
	       v->evtchn_upcall_pending, v->evtchn_upcall_mask,
	       (unsigned long)v->evtchn_pending_sel);
}

/* The oldest unanswered request and the grants a backend must map for it. */
static void kblk_stall_request(struct kblk *d)
{
	struct xpv_blkfront_queue *q = &d->fe->q[0];
	const blkif_request_t *r = RING_GET_REQUEST(&q->ring, q->ring.rsp_cons);
	const struct blkif_request_indirect *ind = (const void *)r;
	char e[96];
	unsigned int i;

	if (r->operation != BLKIF_OP_INDIRECT) {
		printk("xenpv: blk: oldest request: op %u, %u segs\n",
		       r->operation, r->nr_segments);
		for (i = 0; i < r->nr_segments && i < 2; i++) {
			gnttab_describe(r->seg[i].gref, e, sizeof(e));
			printk("xenpv: blk:   seg %u: %s\n", i, e);
		}
		return;
	}
	printk("xenpv: blk: oldest request: indirect op %u, %u segs\n",
	       ind->indirect_op, ind->nr_segments);
	gnttab_describe(ind->indirect_grefs[0], e, sizeof(e));
	printk("xenpv: blk:   indirect page 0: %s\n", e);
}

static void kblk_stalled(struct kblk *d, bool report)
{
	struct xpv_blkfront_queue *q = &d->fe->q[0];

	if (!q->ring.sring)
		return;
	if (report) {
		kblk_stall_report(d);
		kblk_stall_request(d);
	}
	xpv_blkfront_interrupt(q->port, q);
}

static void kblk_io_done(struct xpv_blkfront_req *fr, int status)
{
	struct kblk_io *io = fr->priv;

	io->status = status;
	__atomic_store_n(&io->done, 1, __ATOMIC_RELEASE);
	xpv_os_wake(io->wq);
}

static bool kblk_io_done_cond(void *arg)
{
	return __atomic_load_n(&((struct kblk_io *)arg)->done,
			       __ATOMIC_ACQUIRE);
}

/*
 * One request, waited for: @buf page-aligned pool memory, @len a multiple
 * of 512 up to KBLK_MAX_SEGS pages (0 for a flush).
 */
int kblk_rw(struct kblk *d, enum xpv_blkfront_op op, uint64_t sector,
	    void *buf, size_t len)
{
	struct kblk_io *io;
	unsigned int n = 0;
	int err;

	if ((uintptr_t)buf % XPV_PAGE_SIZE || len % XPV_BLKFRONT_SECTOR ||
	    len > KBLK_MAX_SEGS * XPV_PAGE_SIZE)
		return -XPV_EINVAL;
	io = xpv_os_zalloc(sizeof(*io));
	if (!io)
		return -XPV_ENOMEM;
	for (; len; n++) {
		io->segs[n].addr = (uint8_t *)buf + n * XPV_PAGE_SIZE;
		io->segs[n].len = len < XPV_PAGE_SIZE ? len : XPV_PAGE_SIZE;
		len -= io->segs[n].len;
	}
	io->wq = d->wq;
	io->fr = (struct xpv_blkfront_req){ .op = op, .sector = sector,
		.segs = io->segs, .nr_segs = n, .done = kblk_io_done,
		.priv = io };
	err = xpv_blkfront_submit(d->fe, &io->fr);
	if (!err) {
		unsigned int stalls = 0;

		/* Three reports, then one a minute: enough to follow it. */
		while (xpv_os_wait(d->wq, kblk_io_done_cond, io,
				   KBLK_STALL_NS))
			kblk_stalled(d, stalls++ < 3 || stalls % 12 == 0);
		err = io->status;
	}
	xpv_os_free(io);
	return err;
}
