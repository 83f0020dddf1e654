// SPDX-License-Identifier: MIT
/*
 * blkfront negotiation through xenstore (xen/io/blkif.h): the backend's
 * offer is read afresh on every connection, the rings and event channels
 * are published in one transaction, and the xenbus state machine
 * (core/xenbus.c) decides what a change of the backend's state means.
 * Everything read from the backend's directory is checked and bounded.
 */
#include "drivers/blkfront/blkfront.h"
#include "xenpv/compiler.h"
#include "xenpv/xs_wire.h"

#define BF_XS_VAL 64u
#define BF_XS_PATH (XPV_BLKFRONT_PATH_MAX + 32u)
#define BF_TX_TRIES 16
#define BF_MAX_SECTORS (1ull << 48)
#define BF_MAX_GRANULARITY (1u << 30)

void xpv_blkfront_default_opts(struct xpv_blkfront_opts *o)
{
	o->max_queues = 4;
	o->max_ring_order = 2;
	o->persistent = true;
	o->indirect = true;
	o->max_indirect_segs = 256;
	o->max_grants = 1024;
	o->max_discard_sectors = 1u << 21;
	o->connect_timeout_ms = 10000;
}

static void bf_clamp_opts(struct xpv_blkfront_opts *o)
{
	if (o->max_queues < 1)
		o->max_queues = 1;
	if (o->max_queues > XPV_BLKFRONT_MAX_QUEUES)
		o->max_queues = XPV_BLKFRONT_MAX_QUEUES;
	if (o->max_ring_order > XPV_RING_MAX_ORDER)
		o->max_ring_order = XPV_RING_MAX_ORDER;
	if (o->max_indirect_segs > XPV_BLKFRONT_MAX_SEGS)
		o->max_indirect_segs = XPV_BLKFRONT_MAX_SEGS;
	if (o->max_grants > XPV_GNTALLOC_MAX_REFS)
		o->max_grants = XPV_GNTALLOC_MAX_REFS;
	if (!o->max_discard_sectors)
		o->max_discard_sectors = 1;
}

/* ---- xenstore helpers ---------------------------------------------------- */

static int bf_read(xpv_xbt_t t, const char *dir, const char *node, char *buf,
		   size_t size)
{
	char path[BF_XS_PATH];
	int n = xpv_xenbus_join(path, sizeof(path), dir, node);

	if (n < 0)
		return n;
	return xpv_os_xs_read(t, path, buf, size);
}

/* 0, -XPV_ENOENT (absent) or -XPV_EINVAL (not a number <= @max). */
static int bf_read_uint(const char *dir, const char *node, uint64_t max,
			uint64_t *out)
{
	char buf[BF_XS_VAL];
	int n = bf_read(XPV_XBT_NIL, dir, node, buf, sizeof(buf));

	if (n == -XPV_ENOENT)
		return n;
	if (n < 0 || xpv_xs_parse_uint(buf, (uint32_t)n, max, out))
		return -XPV_EINVAL;
	return 0;
}

/* A backend's 0/1 feature flag; anything unreadable means "off". */
static bool bf_read_bool(const char *dir, const char *node)
{
	uint64_t v = 0;

	return bf_read_uint(dir, node, 0xffffffffu, &v) == 0 && v != 0;
}

static uint64_t bf_read_dflt(const char *dir, const char *node, uint64_t max,
			     uint64_t dflt, int *err)
{
	uint64_t v;
	int r = bf_read_uint(dir, node, max, &v);

	if (r == -XPV_ENOENT)
		return dflt;
	if (r && !*err)
		*err = r;
	return r ? dflt : v;
}

static int bf_write_uint(xpv_xbt_t t, const char *dir, const char *node,
			 unsigned long long v)
{
	char path[BF_XS_PATH], val[24];
	int n = xpv_xenbus_join(path, sizeof(path), dir, node);

	if (n < 0)
		return n;
	xpv_os_snprintf(val, sizeof(val), "%llu", v);
	return xpv_os_xs_write(t, path, val);
}

static void bf_set_state(struct xpv_blkfront *dev, enum xenbus_state s)
{
	int err = bf_write_uint(XPV_XBT_NIL, dev->node, "state", s);

	if (err)
		xpv_warn("blkfront %s: writing state %s: %d\n", dev->node,
			 xpv_xenbus_state_name(s), err);
	else
		xpv_dbg("blkfront %s: state %s -> %s\n", dev->node,
			xpv_xenbus_state_name(dev->state),
			xpv_xenbus_state_name(s));
	dev->state = s;
}

/* ---- create / destroy ------------------------------------------------------
 */

static int bf_read_backend(struct xpv_blkfront *dev)
{
	uint64_t id;
	int n;

	n = bf_read(XPV_XBT_NIL, dev->node, "backend", dev->backend,
		    sizeof(dev->backend));
	if (n < 0)
		return n;
	/* The toolstack wrote it, but it still names where we will look. */
	if (n < 2 || dev->backend[0] != '/' || !xpv_xs_path_valid(dev->backend))
		return -XPV_EINVAL;
	if (bf_read_uint(dev->node, "backend-id", DOMID_FIRST_RESERVED - 1,
			 &id))
		return -XPV_EINVAL;
	dev->backend_id = (domid_t)id;
	n = xpv_xenbus_join(dev->backend_state, sizeof(dev->backend_state),
			    dev->backend, "state");
	return n < 0 ? n : 0;
}

static int bf_alloc(struct xpv_blkfront *dev)
{
	unsigned int i;

	dev->lock = xpv_os_lock_new();
	if (!dev->lock)
		return -XPV_ENOMEM;
	for (i = 0; i < XPV_BLKFRONT_MAX_QUEUES; i++) {
		dev->q[i].dev = dev;
		dev->q[i].idx = i;
		dev->q[i].lock = xpv_os_lock_new();
		if (!dev->q[i].lock)
			return -XPV_ENOMEM;
	}
	return 0;
}

static void bf_free(struct xpv_blkfront *dev)
{
	unsigned int i;

	for (i = 0; i < XPV_BLKFRONT_MAX_QUEUES; i++)
		if (dev->q[i].lock)
			xpv_os_lock_free(dev->q[i].lock);
	if (dev->lock)
		xpv_os_lock_free(dev->lock);
	xpv_os_free(dev);
}

struct xpv_blkfront *xpv_blkfront_create(unsigned int devid,
					 const struct xpv_blkfront_opts *o,
					 xpv_blkfront_kick_fn kick, void *arg,
					 int *errp)
{
	struct xpv_blkfront *dev = xpv_os_zalloc(sizeof(*dev));
	int err;

	if (!dev) {
		*errp = -XPV_ENOMEM;
		return NULL;
	}
	if (o)
		dev->opts = *o;
	else
		xpv_blkfront_default_opts(&dev->opts);
	bf_clamp_opts(&dev->opts);
	dev->devid = devid;
	dev->kick = kick;
	dev->kick_arg = arg;
	err = xpv_xenbus_frontend_path(dev->node, sizeof(dev->node), "vbd",
				       devid);
	if (err >= 0)
		err = bf_alloc(dev);
	if (!err)
		err = bf_read_backend(dev);
	if (!err)
		err = xpv_gntalloc_init(&dev->gnt, dev->opts.max_grants);
	if (err) {
		bf_free(dev);
		*errp = err;
		return NULL;
	}
	bf_set_state(dev, XenbusStateInitialising);
	*errp = 0;
	return dev;
}

void xpv_blkfront_destroy(struct xpv_blkfront *dev)
{
	if (!dev)
		return;
	xpv_blkfront_finish(dev);
	xpv_gntalloc_destroy(&dev->gnt);
	bf_free(dev);
}

const char *xpv_blkfront_backend_state_path(const struct xpv_blkfront *dev)
{
	return dev->backend_state;
}

/* ---- rings -----------------------------------------------------------------
 */

static void bf_ring_free(struct xpv_blkfront_queue *q)
{
	unsigned int i;

	if (q->port_open) {
		/* Waits for a handler call in progress to return. */
		xpv_os_evtchn_close(q->port);
		q->port_open = false;
	}
	for (i = 0; i < q->nr_pages; i++)
		xpv_gntalloc_end_put(&q->dev->gnt, q->ring_refs[i],
				     (char *)q->sring + i * XPV_PAGE_SIZE);
	q->nr_pages = 0;
	q->sring = NULL;
}

static int bf_ring_alloc(struct xpv_blkfront_queue *q, unsigned int order)
{
	struct xpv_blkfront *dev = q->dev;
	unsigned int i, pages = 1u << order;
	int err;

	q->sring = xpv_os_pages_alloc(pages);
	if (!q->sring)
		return -XPV_ENOMEM;
	XPV_RING_FRONT_INIT(&q->ring, (struct blkif_sring *)q->sring,
			    pages * XPV_PAGE_SIZE);
	err = xpv_gntalloc_get(&dev->gnt, q->ring_refs, pages);
	if (err) {
		for (i = 0; i < pages; i++)
			xpv_os_page_free((char *)q->sring + i * XPV_PAGE_SIZE);
		q->sring = NULL;
		return err;
	}
	for (i = 0; i < pages; i++)
		xpv_gntalloc_grant(&dev->gnt, q->ring_refs[i], dev->backend_id,
				   (char *)q->sring + i * XPV_PAGE_SIZE, false);
	q->nr_pages = pages;
	err = xpv_os_evtchn_alloc_unbound(dev->backend_id, &q->port);
	if (err)
		return err;
	err = xpv_os_evtchn_bind_handler(q->port, xpv_blkfront_interrupt, q);
	if (err) {
		xpv_os_evtchn_close(q->port);
		return err;
	}
	q->port_open = true;
	return 0;
}

/*
 * Stop every queue, end every grant, and keep the requests for the next
 * connection (@keep) or fail them with -XPV_EIO.
 */
static void bf_teardown(struct xpv_blkfront *dev, bool keep)
{
	struct xpv_blkfront_req *chain = NULL, *r, *fail = NULL;
	unsigned long long n = 0;
	unsigned int i;

	xpv_os_lock(dev->lock);
	dev->connected = false;
	__atomic_store_n(&dev->nr_queues, 0, __ATOMIC_RELEASE);
	xpv_os_unlock(dev->lock);
	for (i = 0; i < dev->nr_rings; i++) {
		xpv_blkfront_queue_stop(&dev->q[i], &chain);
		bf_ring_free(&dev->q[i]);
		xpv_blkfront_queue_free(&dev->q[i]);
	}
	dev->nr_rings = 0;
	for (r = chain; r; r = r->next)
		n++;
	xpv_os_lock(dev->lock);
	if (chain) {
		/* What was in flight is older than what waits: it goes first.
		 */
		for (r = chain; r->next; r = r->next)
			;
		r->next = dev->pend_head;
		if (!dev->pend_head)
			dev->pend_tail = r;
		dev->pend_head = chain;
	}
	if (keep) {
		dev->st.reissued += n;
	} else {
		fail = dev->pend_head;
		dev->pend_head = dev->pend_tail = NULL;
	}
	xpv_os_unlock(dev->lock);
	xpv_blkfront_fail_chain(dev, fail, -XPV_EIO);
	xpv_gntalloc_retry_deferred(&dev->gnt);
}

/* ---- connect: rings and event channels out ---------------------------------
 */

static int bf_publish_queue(xpv_xbt_t t, struct xpv_blkfront *dev,
			    struct xpv_blkfront_queue *q, unsigned int nq)
{
	char dir[BF_XS_PATH], name[24];
	unsigned int i;
	int err = 0;

	if (nq == 1)
		xpv_os_snprintf(dir, sizeof(dir), "%s", dev->node);
	else
		xpv_os_snprintf(dir, sizeof(dir), "%s/queue-%u", dev->node,
				q->idx);
	for (i = 0; !err && i < q->nr_pages; i++) {
		if (q->nr_pages == 1)
			xpv_os_snprintf(name, sizeof(name), "ring-ref");
		else
			xpv_os_snprintf(name, sizeof(name), "ring-ref%u", i);
		err = bf_write_uint(t, dir, name, q->ring_refs[i]);
	}
	if (!err)
		err = bf_write_uint(t, dir, "event-channel", q->port);
	return err;
}

/* Nodes of the previous connection that this one would not overwrite. */
static void bf_unpublish(xpv_xbt_t t, struct xpv_blkfront *dev)
{
	static const char *const nodes[] = {
		"ring-ref",	   "event-channel",  "multi-queue-num-queues",
		"ring-page-order", "num-ring-pages",
	};
	char path[BF_XS_PATH];
	unsigned int i;

	if (!dev->published)
		return;
	for (i = 0; i < XPV_ARRAY_SIZE(nodes); i++) {
		xpv_xenbus_join(path, sizeof(path), dev->node, nodes[i]);
		xpv_os_xs_rm(t, path);
	}
	for (i = 0; i < XPV_RING_MAX_PAGES; i++) {
		xpv_os_snprintf(path, sizeof(path), "%s/ring-ref%u", dev->node,
				i);
		xpv_os_xs_rm(t, path);
	}
	for (i = 0; i < XPV_BLKFRONT_MAX_QUEUES; i++) {
		xpv_os_snprintf(path, sizeof(path), "%s/queue-%u", dev->node,
				i);
		xpv_os_xs_rm(t, path);
	}
}

static int bf_publish_tx(xpv_xbt_t t, struct xpv_blkfront *dev)
{
	char path[BF_XS_PATH];
	unsigned int i, nq = dev->nr_rings, order = dev->conn_order;
	int err = 0;

	bf_unpublish(t, dev);
	for (i = 0; !err && i < nq; i++)
		err = bf_publish_queue(t, dev, &dev->q[i], nq);
	if (!err && nq > 1)
		err = bf_write_uint(t, dev->node, "multi-queue-num-queues", nq);
	if (!err && order > 0)
		err = bf_write_uint(t, dev->node, "ring-page-order", order);
	if (!err && order > 0)
		err = bf_write_uint(t, dev->node, "num-ring-pages",
				    1u << order);
	if (!err)
		err = bf_write_uint(t, dev->node, "feature-persistent",
				    dev->opts.persistent);
	if (!err) {
		xpv_xenbus_join(path, sizeof(path), dev->node, "protocol");
		err = xpv_os_xs_write(t, path, XEN_IO_PROTO_ABI_NATIVE);
	}
	if (!err)
		err = bf_write_uint(t, dev->node, "state",
				    XenbusStateInitialised);
	return err;
}

static int bf_publish(struct xpv_blkfront *dev)
{
	xpv_xbt_t t;
	int err, tries;

	for (tries = 0; tries < BF_TX_TRIES; tries++) {
		err = xpv_os_xs_transaction_start(&t);
		if (err)
			return err;
		err = bf_publish_tx(t, dev);
		if (err) {
			xpv_os_xs_transaction_end(t, true);
			return err;
		}
		err = xpv_os_xs_transaction_end(t, false);
		if (err != -XPV_EAGAIN)
			break;
	}
	if (!err)
		dev->published = true;
	return err;
}

static int bf_connect(struct xpv_blkfront *dev)
{
	uint64_t v;
	int peer_order = -1;
	unsigned int i, nq = 1;
	int err;

	if (bf_read_uint(dev->backend, "max-ring-page-order", 31, &v) == 0)
		peer_order = (int)v;
	if (bf_read_uint(dev->backend, "multi-queue-max-queues",
			 XPV_BLKFRONT_MAX_QUEUES * 64, &v) == 0 &&
	    v > 0)
		nq = (unsigned int)v;
	if (nq > dev->opts.max_queues)
		nq = dev->opts.max_queues;
	dev->conn_order =
		xpv_ring_pick_order(peer_order, dev->opts.max_ring_order);
	for (i = 0; i < nq; i++) {
		/* Counted first: a half-made ring is torn down too. */
		dev->nr_rings = i + 1;
		err = bf_ring_alloc(&dev->q[i], dev->conn_order);
		if (err)
			return err;
	}
	return bf_publish(dev);
}

/* ---- ready: the backend's offer ---------------------------------------- */

static bool bf_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int bf_read_disk(struct xpv_blkfront *dev, struct xpv_blkfront_info *in)
{
	const char *be = dev->backend;
	char mode[8];
	int err = 0;

	if (bf_read_uint(be, "sectors", BF_MAX_SECTORS, &in->sectors))
		return -XPV_EINVAL;
	in->vdisk_info =
		(unsigned int)bf_read_dflt(be, "info", 0xffffffffu, 0, &err);
	in->sector_size = (unsigned int)bf_read_dflt(be, "sector-size",
						     XPV_PAGE_SIZE, 512, &err);
	in->physical_sector_size = (unsigned int)bf_read_dflt(
		be, "physical-sector-size", 1u << 20, in->sector_size, &err);
	if (err || !bf_pow2(in->sector_size) || in->sector_size < 512 ||
	    !bf_pow2(in->physical_sector_size) ||
	    in->physical_sector_size < in->sector_size ||
	    in->sectors % (in->sector_size / XPV_BLKFRONT_SECTOR))
		return -XPV_EINVAL;
	in->readonly = in->vdisk_info & VDISK_READONLY;
	if (bf_read(XPV_XBT_NIL, be, "mode", mode, sizeof(mode)) == 1 &&
	    mode[0] == 'r')
		in->readonly = true;
	in->cdrom = in->vdisk_info & VDISK_CDROM;
	in->removable = in->vdisk_info & VDISK_REMOVABLE;
	in->flush = bf_read_bool(be, "feature-flush-cache");
	in->barrier = bf_read_bool(be, "feature-barrier");
	return 0;
}

/* Discard parameters; inconsistent ones turn discard off. */
static void bf_read_discard(struct xpv_blkfront *dev,
			    struct xpv_blkfront_info *in)
{
	const char *be = dev->backend;
	uint64_t g, a;
	int err = 0;

	in->discard = bf_read_bool(be, "feature-discard");
	if (!in->discard)
		return;
	g = bf_read_dflt(be, "discard-granularity", BF_MAX_GRANULARITY,
			 in->sector_size, &err);
	a = bf_read_dflt(be, "discard-alignment", 0xffffffffu, 0, &err);
	if (!g)
		g = in->sector_size;
	if (err || g % in->sector_size || a % XPV_BLKFRONT_SECTOR) {
		xpv_warn("blkfront %s: bad discard parameters, discard off\n",
			 dev->node);
		in->discard = false;
		return;
	}
	in->discard_granularity = (uint32_t)g;
	in->discard_alignment = (uint32_t)(a % g);
	in->discard_secure = bf_read_bool(be, "discard-secure");
}

static unsigned int bf_per_req(unsigned int segs)
{
	if (segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return segs;
	return segs + (segs + XPV_BLKFRONT_SEGS_PER_IND - 1) /
			      XPV_BLKFRONT_SEGS_PER_IND;
}

/* Segments per request and the grant budget of each queue. */
static int bf_size_queues(struct xpv_blkfront *dev,
			  struct xpv_blkfront_info *in, unsigned int *budget)
{
	struct xpv_gntalloc_stats gs;
	uint64_t v = 0;
	unsigned int segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;

	if (dev->opts.indirect &&
	    bf_read_uint(dev->backend, "feature-max-indirect-segments",
			 0xffffffffu, &v) == 0 &&
	    v > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		segs = dev->opts.max_indirect_segs;
		if (v < segs)
			segs = (unsigned int)v;
		if (segs < BLKIF_MAX_SEGMENTS_PER_REQUEST)
			segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	}
	xpv_gntalloc_stats(&dev->gnt, &gs);
	*budget = gs.nr_free / dev->nr_rings;
	while (segs > BLKIF_MAX_SEGMENTS_PER_REQUEST &&
	       bf_per_req(segs) > *budget)
		segs /= 2;
	if (segs < BLKIF_MAX_SEGMENTS_PER_REQUEST)
		segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (bf_per_req(segs) > *budget)
		return -XPV_ENOSPC;
	in->max_segs = segs;
	return 0;
}

static void bf_go_live(struct xpv_blkfront *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nr_rings; i++) {
		xpv_os_lock(dev->q[i].lock);
		dev->q[i].live = true;
		xpv_os_unlock(dev->q[i].lock);
	}
	xpv_os_lock(dev->lock);
	dev->connected = true;
	if (dev->ever_connected)
		dev->st.reconnects++;
	dev->ever_connected = true;
	__atomic_store_n(&dev->nr_queues, dev->nr_rings, __ATOMIC_RELEASE);
	xpv_os_unlock(dev->lock);
}

static int bf_ready(struct xpv_blkfront *dev)
{
	struct xpv_blkfront_info in;
	unsigned int i, budget;
	int err;

	xpv_memset(&in, 0, sizeof(in));
	err = bf_read_disk(dev, &in);
	if (err)
		return err;
	bf_read_discard(dev, &in);
	in.persistent = dev->opts.persistent &&
			bf_read_bool(dev->backend, "feature-persistent");
	in.nr_queues = dev->nr_rings;
	in.ring_order = dev->conn_order;
	err = bf_size_queues(dev, &in, &budget);
	if (err)
		return err;
	/* No queue is live: nothing reads info meanwhile. */
	dev->info = in;
	for (i = 0; i < dev->nr_rings; i++) {
		dev->q[i].gnt_budget = budget;
		err = xpv_blkfront_queue_setup(&dev->q[i]);
		if (err)
			return err;
	}
	bf_go_live(dev);
	bf_set_state(dev, XenbusStateConnected);
	xpv_blkfront_resubmit(dev);
	return 0;
}

/* ---- the state machine ------------------------------------------------- */

/* xenbus_dev_fatal: "error" node, tear down, fail everything, Closing. */
static void bf_fail(struct xpv_blkfront *dev, int err, const char *why)
{
	char path[BF_XS_PATH], msg[160];

	xpv_os_lock(dev->lock);
	dev->broken = true;
	dev->st.broken = true;
	if (!dev->why[0])
		xpv_os_snprintf(dev->why, sizeof(dev->why), "%s", why);
	xpv_os_unlock(dev->lock);
	if (dev->failed_done)
		return;
	dev->failed_done = true;
	xpv_err("blkfront %s: %s (%d)\n", dev->node, dev->why, err);
	xpv_os_snprintf(msg, sizeof(msg), "%d %s", -err, dev->why);
	if (xpv_xenbus_join(path, sizeof(path), dev->node, "error") > 0)
		xpv_os_xs_write(XPV_XBT_NIL, path, msg);
	bf_teardown(dev, false);
	bf_set_state(dev, xpv_xenbus_fail(dev->state).next);
}

/* Performs @st; false if the machine must stop here. */
static bool bf_act(struct xpv_blkfront *dev, struct xpv_xenbus_step st)
{
	int err = 0;

	switch (st.action) {
	case XPV_XENBUS_NONE:
		break;
	case XPV_XENBUS_CONNECT:
		err = bf_connect(dev);
		if (!err) {
			dev->state = st.next;
			return true;
		}
		break;
	case XPV_XENBUS_READY:
		err = bf_ready(dev);
		if (!err)
			return true;
		break;
	case XPV_XENBUS_DISCONNECT:
	case XPV_XENBUS_RESET:
		bf_teardown(dev, true);
		break;
	case XPV_XENBUS_FAIL:
		bf_fail(dev, -XPV_EPROTO, "backend state is not valid");
		return false;
	}
	if (err) {
		bf_fail(dev, err,
			st.action == XPV_XENBUS_CONNECT
				? "connecting to the backend"
				: "reading the backend's details");
		return false;
	}
	bf_set_state(dev, st.next);
	return true;
}

void xpv_blkfront_otherend_changed(struct xpv_blkfront *dev)
{
	struct xpv_xenbus_step st;
	enum xenbus_state other;
	unsigned int i;
	int err;

	xpv_blkfront_work(dev);
	/* A store that did not answer says nothing: least of all take the
	 * rings down under requests in flight. */
	err = xpv_xenbus_read_state(dev->backend_state, &other);
	if (err == -XPV_EINVAL) {
		bf_fail(dev, -XPV_EPROTO, "backend state node is garbage");
		return;
	}
	if (err) {
		xpv_warn("blkfront %s: reading the backend's state: %d\n",
			 dev->node, err);
		return;
	}
	xpv_dbg("blkfront %s: backend is %s\n", dev->node,
		xpv_xenbus_state_name(other));
	for (i = 0; i <= XPV_XENBUS_MAX_STEPS; i++) {
		st = xpv_xenbus_step(XPV_XENBUS_FRONTEND, dev->state, other);
		if (st.next == dev->state && st.action == XPV_XENBUS_NONE)
			break;
		/* Closed for good: a backend coming back finds no one. */
		if ((dev->closing || dev->failed_done) &&
		    (st.action == XPV_XENBUS_RESET ||
		     st.action == XPV_XENBUS_CONNECT))
			break;
		if (st.action == XPV_XENBUS_DISCONNECT ||
		    st.action == XPV_XENBUS_RESET)
			xpv_info("blkfront %s: backend %s in state %d: "
				 "rings down\n", dev->node, dev->backend_state,
				 (int)other);
		if (!bf_act(dev, st))
			break;
	}
}

void xpv_blkfront_work(struct xpv_blkfront *dev)
{
	bool broken;

	xpv_os_lock(dev->lock);
	broken = dev->broken;
	xpv_os_unlock(dev->lock);
	if (broken && !dev->failed_done)
		bf_fail(dev, -XPV_EPROTO, "backend broke the protocol");
	xpv_gntalloc_retry_deferred(&dev->gnt);
}

void xpv_blkfront_close(struct xpv_blkfront *dev)
{
	struct xpv_xenbus_step st;

	xpv_os_lock(dev->lock);
	dev->closing = true;
	xpv_os_unlock(dev->lock);
	st = xpv_xenbus_close(dev->state);
	if (st.action == XPV_XENBUS_NONE)
		return;
	bf_teardown(dev, true);
	bf_set_state(dev, st.next);
}

unsigned int xpv_blkfront_finish(struct xpv_blkfront *dev)
{
	xpv_os_lock(dev->lock);
	dev->closing = true;
	xpv_os_unlock(dev->lock);
	bf_teardown(dev, false);
	if (dev->state != XenbusStateClosed)
		bf_set_state(dev, XenbusStateClosed);
	xpv_gntalloc_retry_deferred(&dev->gnt);
	return xpv_gntalloc_outstanding(&dev->gnt);
}

/* ---- queries ----------------------------------------------------------- */

enum xenbus_state xpv_blkfront_state(struct xpv_blkfront *dev)
{
	return XPV_READ_ONCE(dev->state);
}

bool xpv_blkfront_connected(struct xpv_blkfront *dev)
{
	bool c;

	xpv_os_lock(dev->lock);
	c = dev->connected;
	xpv_os_unlock(dev->lock);
	return c;
}

bool xpv_blkfront_broken(struct xpv_blkfront *dev)
{
	bool b;

	xpv_os_lock(dev->lock);
	b = dev->broken;
	xpv_os_unlock(dev->lock);
	return b;
}

int xpv_blkfront_get_info(struct xpv_blkfront *dev,
			  struct xpv_blkfront_info *info)
{
	int err = 0;

	xpv_os_lock(dev->lock);
	if (dev->ever_connected)
		*info = dev->info;
	else
		err = -XPV_EAGAIN;
	xpv_os_unlock(dev->lock);
	return err;
}

void xpv_blkfront_stats(struct xpv_blkfront *dev, struct xpv_blkfront_stats *st)
{
	struct xpv_gntalloc_stats gs;

	xpv_os_lock(dev->lock);
	*st = dev->st;
	xpv_os_unlock(dev->lock);
	xpv_gntalloc_stats(&dev->gnt, &gs);
	st->gnt_refs = gs.nr_refs;
	st->gnt_outstanding = gs.nr_refs - gs.nr_free;
	st->gnt_deferred = gs.nr_deferred;
	st->busy_ends = gs.nr_busy_ends;
}
