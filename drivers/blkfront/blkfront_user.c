// SPDX-License-Identifier: MIT
/*
 * The userspace host of blkfront: one thread per device follows xenstore
 * (the watch callback only flags work, so it never waits on anything), and
 * every call into the xenbus side happens on that thread or under the same
 * mutex.  Requests are wrapped with their segment list and, for memory that
 * is not the domain's own or not sector-aligned, a bounce buffer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/blkfront/blkfront_user.h"
#include "os/user/user.h"
#include "xenpv/os.h"

#define BD_CLOSE_WAIT_NS (3ull * 1000000000ull)
#define BD_DEFERRED_TRIES 100

struct xpv_blkdev {
	struct xpv_blkfront *fe;
	pthread_mutex_t op_mu; /* serialises the xenbus side */
	pthread_mutex_t ev_mu; /* the flags below */
	pthread_cond_t ev_cv;
	bool ev_changed, ev_work, ev_stop;
	pthread_t thr;
	bool thr_started;
	struct xpv_os_watch *watch;
	struct xpv_os_waitq *wq;    /* state changes */
	struct xpv_os_waitq *io_wq; /* synchronous I/O */
	unsigned int rr;
	bool closed;
	struct xpv_blkfront_stats final;
	struct xpv_blkfront_info info;
	bool have_info;
	struct xpv_blkdev *next_closed;
};

static pthread_mutex_t closed_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xpv_blkdev *closed_list;

struct bd_io {
	struct xpv_blkfront_req fr;
	struct xpv_blkdev_io *io;
	void *bounce;
	size_t bounce_len;
	struct xpv_blkfront_seg segs[];
};

/* ---- the device thread ------------------------------------------------- */

static void bd_flag(struct xpv_blkdev *d, bool changed)
{
	pthread_mutex_lock(&d->ev_mu);
	if (changed)
		d->ev_changed = true;
	else
		d->ev_work = true;
	pthread_cond_signal(&d->ev_cv);
	pthread_mutex_unlock(&d->ev_mu);
}

static void bd_watch_cb(const char *path, void *arg)
{
	bd_flag(arg, true);
}

static void bd_kick(struct xpv_blkfront *fe, void *arg)
{
	bd_flag(arg, false);
}

static void *bd_thread(void *arg)
{
	struct xpv_blkdev *d = arg;
	bool changed, work;

	pthread_mutex_lock(&d->ev_mu);
	while (!d->ev_stop) {
		if (!d->ev_changed && !d->ev_work) {
			pthread_cond_wait(&d->ev_cv, &d->ev_mu);
			continue;
		}
		changed = d->ev_changed;
		work = d->ev_work;
		d->ev_changed = d->ev_work = false;
		pthread_mutex_unlock(&d->ev_mu);
		pthread_mutex_lock(&d->op_mu);
		if (changed)
			xpv_blkfront_otherend_changed(d->fe);
		else if (work)
			xpv_blkfront_work(d->fe);
		pthread_mutex_unlock(&d->op_mu);
		xpv_os_wake(d->wq);
		pthread_mutex_lock(&d->ev_mu);
	}
	pthread_mutex_unlock(&d->ev_mu);
	return NULL;
}

static void bd_stop_thread(struct xpv_blkdev *d)
{
	if (d->watch) {
		xpv_os_xs_unwatch(d->watch);
		d->watch = NULL;
	}
	if (!d->thr_started)
		return;
	pthread_mutex_lock(&d->ev_mu);
	d->ev_stop = true;
	pthread_cond_signal(&d->ev_cv);
	pthread_mutex_unlock(&d->ev_mu);
	pthread_join(d->thr, NULL);
	d->thr_started = false;
}

/* ---- open / close ------------------------------------------------------ */

static bool bd_settled(void *arg)
{
	struct xpv_blkdev *d = arg;
	enum xenbus_state s = xpv_blkfront_state(d->fe);

	return xpv_blkfront_connected(d->fe) || xpv_blkfront_broken(d->fe) ||
	       s == XenbusStateClosing || s == XenbusStateClosed;
}

static bool bd_closed(void *arg)
{
	struct xpv_blkdev *d = arg;

	return xpv_blkfront_state(d->fe) == XenbusStateClosed;
}

static void bd_free(struct xpv_blkdev *d)
{
	xpv_os_waitq_free(d->wq);
	xpv_os_waitq_free(d->io_wq);
	pthread_mutex_destroy(&d->op_mu);
	pthread_mutex_destroy(&d->ev_mu);
	pthread_cond_destroy(&d->ev_cv);
	free(d);
}

static int bd_start(struct xpv_blkdev *d, unsigned int vdev,
		    const struct xpv_blkfront_opts *o)
{
	int err;

	d->fe = xpv_blkfront_create(vdev, o, bd_kick, d, &err);
	if (!d->fe)
		return err;
	err = -pthread_create(&d->thr, NULL, bd_thread, d);
	if (err)
		return err;
	d->thr_started = true;
	/* A new watch fires once, but look at least once in any case. */
	bd_flag(d, true);
	d->watch = xpv_os_xs_watch(xpv_blkfront_backend_state_path(d->fe),
				   bd_watch_cb, d);
	if (!d->watch)
		return -EIO;
	if (xpv_os_wait(d->wq, bd_settled, d,
			(uint64_t)o->connect_timeout_ms * 1000000ull))
		return -ETIMEDOUT;
	if (!xpv_blkfront_connected(d->fe))
		return xpv_blkfront_broken(d->fe) ? -EIO : -ECONNREFUSED;
	return 0;
}

struct xpv_blkdev *xpv_blkdev_open(unsigned int vdev,
				   const struct xpv_blkfront_opts *opts,
				   int *err)
{
	struct xpv_blkfront_opts o;
	struct xpv_blkdev *d = calloc(1, sizeof(*d));
	int e;

	if (opts)
		o = *opts;
	else
		xpv_blkfront_default_opts(&o);
	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&d->op_mu, NULL);
	pthread_mutex_init(&d->ev_mu, NULL);
	pthread_cond_init(&d->ev_cv, NULL);
	d->wq = xpv_os_waitq_new();
	d->io_wq = xpv_os_waitq_new();
	e = d->wq && d->io_wq ? bd_start(d, vdev, &o) : -ENOMEM;
	if (e) {
		if (d->fe)
			xpv_blkdev_close(d);
		else
			bd_stop_thread(d);
		pthread_mutex_lock(&closed_mu);
		if (closed_list == d)
			closed_list = d->next_closed;
		pthread_mutex_unlock(&closed_mu);
		bd_free(d);
		*err = e;
		return NULL;
	}
	*err = 0;
	return d;
}

/* Give the backend a moment to unmap what it still maps. */
static void bd_drain_grants(struct xpv_blkdev *d)
{
	unsigned int left, tries;

	pthread_mutex_lock(&d->op_mu);
	left = xpv_blkfront_finish(d->fe);
	pthread_mutex_unlock(&d->op_mu);
	for (tries = 0; left && tries < BD_DEFERRED_TRIES; tries++) {
		usleep(10000);
		left = xpv_gntalloc_retry_deferred(&d->fe->gnt);
	}
}

void xpv_blkdev_close(struct xpv_blkdev *d)
{
	if (!d || d->closed)
		return;
	pthread_mutex_lock(&d->op_mu);
	xpv_blkfront_close(d->fe);
	pthread_mutex_unlock(&d->op_mu);
	xpv_os_wait(d->wq, bd_closed, d, BD_CLOSE_WAIT_NS);
	bd_stop_thread(d);
	bd_drain_grants(d);
	xpv_blkfront_stats(d->fe, &d->final);
	d->have_info = xpv_blkfront_get_info(d->fe, &d->info) == 0;
	xpv_blkfront_destroy(d->fe);
	d->fe = NULL;
	d->closed = true;
	pthread_mutex_lock(&closed_mu);
	d->next_closed = closed_list;
	closed_list = d;
	pthread_mutex_unlock(&closed_mu);
}

void xpv_blkdev_destroy(struct xpv_blkdev *d)
{
	struct xpv_blkdev **p;

	if (!d)
		return;
	xpv_blkdev_close(d);
	pthread_mutex_lock(&closed_mu);
	for (p = &closed_list; *p; p = &(*p)->next_closed) {
		if (*p == d) {
			*p = d->next_closed;
			break;
		}
	}
	pthread_mutex_unlock(&closed_mu);
	bd_free(d);
}

/* ---- queries ----------------------------------------------------------- */

int xpv_blkdev_info(struct xpv_blkdev *d, struct xpv_blkfront_info *info)
{
	if (d->closed) {
		if (!d->have_info)
			return -EAGAIN;
		*info = d->info;
		return 0;
	}
	return xpv_blkfront_get_info(d->fe, info);
}

uint64_t xpv_blkdev_size(struct xpv_blkdev *d)
{
	struct xpv_blkfront_info in;

	return xpv_blkdev_info(d, &in) ? 0 : in.sectors * XPV_BLKFRONT_SECTOR;
}

unsigned int xpv_blkdev_sector_size(struct xpv_blkdev *d)
{
	struct xpv_blkfront_info in;

	return xpv_blkdev_info(d, &in) ? XPV_BLKFRONT_SECTOR : in.sector_size;
}

bool xpv_blkdev_readonly(struct xpv_blkdev *d)
{
	struct xpv_blkfront_info in;

	return xpv_blkdev_info(d, &in) == 0 && in.readonly;
}

struct xpv_blkfront *xpv_blkdev_frontend(struct xpv_blkdev *d)
{
	return d->fe;
}

void xpv_blkdev_stats(struct xpv_blkdev *d, struct xpv_blkfront_stats *st)
{
	if (d->closed)
		*st = d->final;
	else
		xpv_blkfront_stats(d->fe, st);
}

/* ---- memory ------------------------------------------------------------- */

void *xpv_blkdev_alloc(size_t bytes)
{
	size_t pages = (bytes + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE;

	if (!pages || pages > UINT32_MAX)
		return NULL;
	return xpv_os_pages_alloc((unsigned int)pages);
}

void xpv_blkdev_free(void *p, size_t bytes)
{
	size_t i, pages = (bytes + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE;

	for (i = 0; p && i < pages; i++)
		xpv_os_page_free((char *)p + i * XPV_PAGE_SIZE);
}

/* Can the pages of [buf, buf + len) be granted as they are? */
static bool bd_in_domain(const void *buf, size_t len, unsigned int ss)
{
	struct lb_dom *dom = xpv_user_dom();
	const char *base = dom ? lb_dom_mem(dom) : NULL;
	size_t size = dom ? (size_t)lb_dom_nr_pages(dom) * XPV_PAGE_SIZE : 0;
	const char *p = buf;

	return base && p >= base && len <= size &&
	       (size_t)(p - base) <= size - len && (uintptr_t)p % ss == 0;
}

/* ---- I/O ---------------------------------------------------------------- */

static void bd_done(struct xpv_blkfront_req *fr, int status)
{
	struct bd_io *b = fr->priv;
	struct xpv_blkdev_io *io = b->io;

	if (b->bounce) {
		if (!status && io->op == XPV_BLKDEV_READ)
			memcpy(io->buf, b->bounce, io->len);
		xpv_blkdev_free(b->bounce, b->bounce_len);
	}
	free(b);
	io->status = status;
	io->done(io);
}

/* Cut [buf, buf + len) into per-page segments. */
static unsigned int bd_segments(struct xpv_blkfront_seg *segs, char *buf,
				size_t len)
{
	unsigned int n = 0;
	size_t room;

	while (len) {
		room = XPV_PAGE_SIZE - ((uintptr_t)buf & (XPV_PAGE_SIZE - 1));
		segs[n].addr = buf;
		segs[n].len = (uint32_t)(len < room ? len : room);
		buf += segs[n].len;
		len -= segs[n].len;
		n++;
	}
	return n;
}

static struct bd_io *bd_wrap_rw(struct xpv_blkdev_io *io, unsigned int ss)
{
	bool direct = bd_in_domain(io->buf, io->len, ss);
	size_t nsegs = io->len / XPV_PAGE_SIZE + 2;
	struct bd_io *b;
	char *data = io->buf;

	if (!io->buf || !io->len || io->len % ss || io->offset % ss ||
	    io->len > UINT32_MAX)
		return NULL;
	b = calloc(1, sizeof(*b) + nsegs * sizeof(b->segs[0]));
	if (!b)
		return NULL;
	if (!direct) {
		b->bounce_len = io->len;
		b->bounce = xpv_blkdev_alloc(io->len);
		if (!b->bounce) {
			free(b);
			return NULL;
		}
		if (io->op == XPV_BLKDEV_WRITE)
			memcpy(b->bounce, io->buf, io->len);
		data = b->bounce;
	}
	b->fr.op = io->op == XPV_BLKDEV_WRITE ? XPV_BLKFRONT_WRITE
					      : XPV_BLKFRONT_READ;
	b->fr.sector = io->offset / XPV_BLKFRONT_SECTOR;
	b->fr.segs = b->segs;
	b->fr.nr_segs = bd_segments(b->segs, data, io->len);
	return b;
}

static struct bd_io *bd_wrap(struct xpv_blkdev_io *io, unsigned int ss)
{
	struct bd_io *b = NULL;

	switch (io->op) {
	case XPV_BLKDEV_READ:
	case XPV_BLKDEV_WRITE:
		return bd_wrap_rw(io, ss);
	case XPV_BLKDEV_FLUSH:
		b = calloc(1, sizeof(*b));
		if (b)
			b->fr.op = XPV_BLKFRONT_FLUSH;
		return b;
	case XPV_BLKDEV_DISCARD:
		if (io->offset % XPV_BLKFRONT_SECTOR ||
		    io->len % XPV_BLKFRONT_SECTOR)
			return NULL;
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->fr.op = XPV_BLKFRONT_DISCARD;
		b->fr.sector = io->offset / XPV_BLKFRONT_SECTOR;
		b->fr.nr_sectors = io->len / XPV_BLKFRONT_SECTOR;
		return b;
	}
	return NULL;
}

int xpv_blkdev_submit(struct xpv_blkdev *d, struct xpv_blkdev_io *io)
{
	struct bd_io *b;
	int err;

	if (!d || !io || !io->done)
		return -EINVAL;
	if (d->closed)
		return -ESHUTDOWN;
	b = bd_wrap(io, xpv_blkdev_sector_size(d));
	if (!b)
		return -EINVAL;
	b->io = io;
	b->fr.done = bd_done;
	b->fr.priv = b;
	b->fr.queue = __atomic_fetch_add(&d->rr, 1, __ATOMIC_RELAXED);
	io->status = 0;
	err = xpv_blkfront_submit(d->fe, &b->fr);
	if (err) {
		xpv_blkdev_free(b->bounce, b->bounce_len);
		free(b);
	}
	return err;
}

struct bd_sync {
	struct xpv_os_waitq *wq;
	int done;
};

static void bd_sync_done(struct xpv_blkdev_io *io)
{
	struct bd_sync *s = io->ctx;

	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	xpv_os_wake(s->wq);
}

static bool bd_sync_cond(void *arg)
{
	struct bd_sync *s = arg;

	return __atomic_load_n(&s->done, __ATOMIC_ACQUIRE);
}

static int bd_sync_io(struct xpv_blkdev *d, int op, void *buf, size_t len,
		      uint64_t off)
{
	struct bd_sync s = {.wq = d->io_wq};
	struct xpv_blkdev_io io = {.op = op,
				   .buf = buf,
				   .len = len,
				   .offset = off,
				   .done = bd_sync_done,
				   .ctx = &s};
	int err = xpv_blkdev_submit(d, &io);

	if (err)
		return err;
	xpv_os_wait(d->io_wq, bd_sync_cond, &s, 0);
	return io.status;
}

int xpv_blkdev_pread(struct xpv_blkdev *d, void *buf, size_t len, uint64_t off)
{
	return bd_sync_io(d, XPV_BLKDEV_READ, buf, len, off);
}

int xpv_blkdev_pwrite(struct xpv_blkdev *d, const void *buf, size_t len,
		      uint64_t off)
{
	return bd_sync_io(d, XPV_BLKDEV_WRITE, (void *)buf, len, off);
}

int xpv_blkdev_flush(struct xpv_blkdev *d)
{
	return bd_sync_io(d, XPV_BLKDEV_FLUSH, NULL, 0, 0);
}

int xpv_blkdev_discard(struct xpv_blkdev *d, uint64_t off, uint64_t len)
{
	return bd_sync_io(d, XPV_BLKDEV_DISCARD, NULL, (size_t)len, off);
}
