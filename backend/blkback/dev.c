// SPDX-License-Identifier: MIT
/*
 * One vbd device's xenbus life: open the disk and publish features
 * (InitWait), read the frontend's transport parameters and map its rings
 * (Connected), tear down on Closing/Closed or when the frontend's domain
 * dies.  Everything is negotiated again on every connect.  The toolstack's
 * nodes in our backend directory are trusted; the frontend's are not.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "backend/blkback/blkback.h"
#include "xenpv/ring.h"

static char *dev_read(struct bb_dev *dev, bool fe, const char *node)
{
	char path[BB_PATH_MAX + 64];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", fe ? dev->fe_path : dev->be_path,
		 node);
	return xs_read(dev->bb->xs, XBT_NULL, path, &len);
}

/* A decimal the peer wrote: all digits, no sign, within @max. */
static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 20)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned int)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned int)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Reads a number node; @def if absent, -errno if present but bad. */
static int dev_read_uint(struct bb_dev *dev, bool fe, const char *node,
			 unsigned long long max, unsigned long long def,
			 unsigned long long *out)
{
	char *s = dev_read(dev, fe, node);
	int err;

	if (!s) {
		*out = def;
		return 0;
	}
	err = parse_uint(s, max, out);
	free(s);
	return err;
}

static int dev_write(struct bb_dev *dev, xs_transaction_t t, const char *node,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int dev_write(struct bb_dev *dev, xs_transaction_t t, const char *node,
		     const char *fmt, ...)
{
	char path[BB_PATH_MAX + 64], val[64];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dev->be_path, node);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(dev->bb->xs, t, path, val, strlen(val)) ? 0 : -errno;
}

static void dev_switch(struct bb_dev *dev, int state)
{
	if (dev->state == state)
		return;
	bb_log("%s: state %d -> %d", dev->be_path, dev->state, state);
	dev->state = state;
	if (dev_write(dev, XBT_NULL, "state", "%d", state))
		bb_log("%s: cannot write state %d", dev->be_path, state);
}

/* xenbus_dev_fatal: say why in "error", then close. */
static void dev_fatal(struct bb_dev *dev, int err, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%d %s", -err, what);
	bb_log("%s: %s", dev->be_path, msg);
	dev_write(dev, XBT_NULL, "error", "%s", msg);
	dev_switch(dev, XenbusStateClosing);
}

static void dev_disconnect(struct bb_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nr_rings; i++)
		bb_ring_disconnect(&dev->rings[i]);
	free(dev->rings);
	dev->rings = NULL;
	dev->nr_rings = 0;
}

void bb_dev_broken(struct bb_dev *dev, const char *why)
{
	bb_log("%s: frontend broke the protocol: %s", dev->be_path, why);
	dev->dirty = true;
}


/* Opens the disk named by the toolstack and publishes what we offer. */
static int dev_open(struct bb_dev *dev)
{
	const struct bb_cfg *cfg = &dev->bb->cfg;
	char *params = dev_read(dev, false, "params");
	char *mode = dev_read(dev, false, "mode");
	char *type = dev_read(dev, true, "device-type");
	unsigned long long rem = 0;
	int err = -ENOENT;

	dev->readonly = mode && strchr(mode, 'w') == NULL;
	dev->cdrom = type && !strcmp(type, "cdrom");
	dev_read_uint(dev, false, "removable", 1, 0, &rem);
	dev->removable = rem;
	if (params)
		err = bb_disk_open(&dev->disk, params, dev->readonly, cfg);
	if (err)
		bb_log("%s: cannot open \"%s\": %s", dev->be_path,
		       params ? params : "", strerror(-err));
	free(params);
	free(mode);
	free(type);
	if (!err)
		dev->opened = true;
	return err;
}

static int dev_publish_features(struct bb_dev *dev, xs_transaction_t t)
{
	const struct bb_cfg *cfg = &dev->bb->cfg;
	const struct bb_disk *d = &dev->disk;
	bool rw = !dev->readonly;
	int err = 0;

	err |= dev_write(dev, t, "feature-flush-cache", "%d", rw);
	err |= dev_write(dev, t, "feature-barrier", "%d", rw);
	err |= dev_write(dev, t, "feature-discard", "%d", rw && d->discard);
	if (rw && d->discard) {
		err |= dev_write(dev, t, "discard-granularity", "%u",
				 d->discard_gran);
		err |= dev_write(dev, t, "discard-alignment", "0");
		err |= dev_write(dev, t, "discard-secure", "0");
	}
	err |= dev_write(dev, t, "feature-persistent", "%d",
			 cfg->max_pgrants > 0);
	if (cfg->max_indirect)
		err |= dev_write(dev, t, "feature-max-indirect-segments", "%u",
				 cfg->max_indirect);
	err |= dev_write(dev, t, "max-ring-page-order", "%u",
			 cfg->max_ring_order);
	err |= dev_write(dev, t, "multi-queue-max-queues", "%u",
			 cfg->max_queues);
	return err ? -EIO : 0;
}

static int dev_publish_connect(struct bb_dev *dev, xs_transaction_t t)
{
	const struct bb_disk *d = &dev->disk;
	unsigned int info = (dev->readonly ? VDISK_READONLY : 0) |
			    (dev->cdrom ? VDISK_CDROM : 0) |
			    (dev->removable ? VDISK_REMOVABLE : 0);
	int err = 0;

	/* 512-byte units whatever sector-size says, as Linux's blkback and
	 * blkfront use it (blkif.h's text says sector-size units). */
	err |= dev_write(dev, t, "sectors", "%" PRIu64, d->size / 512);
	err |= dev_write(dev, t, "info", "%u", info);
	err |= dev_write(dev, t, "sector-size", "%u", d->lbs);
	err |= dev_write(dev, t, "physical-sector-size", "%u", d->pbs);
	err |= dev_write(dev, t, "state", "%d", XenbusStateConnected);
	return err ? -EIO : 0;
}

/* Runs @fn in a transaction, retried while it conflicts. */
static int dev_txn(struct bb_dev *dev,
		   int (*fn)(struct bb_dev *dev, xs_transaction_t t))
{
	int tries, err = -EAGAIN;

	for (tries = 0; tries < 16 && err == -EAGAIN; tries++) {
		xs_transaction_t t = xs_transaction_start(dev->bb->xs);

		if (t == XBT_NULL)
			return -errno;
		err = fn(dev, t);
		if (!xs_transaction_end(dev->bb->xs, t, err != 0))
			err = err ? err : -errno;
	}
	return err;
}

static void dev_initwait(struct bb_dev *dev)
{
	int err;

	if (!dev->opened && (err = dev_open(dev)) != 0)
		return dev_fatal(dev, err, "opening the backing store");
	err = dev_txn(dev, dev_publish_features);
	if (err)
		return dev_fatal(dev, err, "writing features");
	dev_switch(dev, XenbusStateInitWait);
}

/* One queue's ring refs and event channel, from the frontend's nodes. */
static int dev_read_queue(struct bb_dev *dev, unsigned int q, unsigned int nq,
			  unsigned int order, grant_ref_t *refs,
			  evtchn_port_t *port)
{
	unsigned long long v;
	char node[64], sub[24] = "";
	unsigned int i;
	int err;

	if (nq > 1)
		snprintf(sub, sizeof(sub), "queue-%u/", q);
	for (i = 0; i < (1u << order); i++) {
		if (order)
			snprintf(node, sizeof(node), "%sring-ref%u", sub, i);
		else
			snprintf(node, sizeof(node), "%sring-ref", sub);
		err = dev_read_uint(dev, true, node, UINT32_MAX, ~0ull, &v);
		if (err || v == ~0ull)
			return err ? err : -ENOENT;
		refs[i] = v;
	}
	snprintf(node, sizeof(node), "%sevent-channel", sub);
	err = dev_read_uint(dev, true, node, UINT32_MAX, ~0ull, &v);
	if (err || v == ~0ull)
		return err ? err : -ENOENT;
	*port = v;
	return 0;
}

/* The frontend's choices, each checked against what we offered. */
static int dev_read_params(struct bb_dev *dev, unsigned long long *nq,
			   unsigned long long *order, enum xpv_blkif_abi *abi)
{
	const struct bb_cfg *cfg = &dev->bb->cfg;
	unsigned long long persist;
	char *proto;
	int err;

	err = dev_read_uint(dev, true, "multi-queue-num-queues",
			    cfg->max_queues, 1, nq);
	if (err || *nq == 0)
		return -EINVAL;
	err = dev_read_uint(dev, true, "ring-page-order", cfg->max_ring_order,
			    0, order);
	if (err)
		return -EINVAL;
	proto = dev_read(dev, true, "protocol");
	err = xpv_blkif_parse_protocol(proto, abi);
	free(proto);
	if (err)
		return err;
	err = dev_read_uint(dev, true, "feature-persistent", ~0ull, 0,
			    &persist);
	dev->persistent = !err && persist && cfg->max_pgrants;
	return 0;
}

static void dev_set_limits(struct bb_dev *dev)
{
	struct xpv_blkback_limits *l = &dev->lim;

	l->nr_sectors = dev->disk.size / 512;
	l->sector_size = dev->disk.lbs;
	l->max_indirect = dev->bb->cfg.max_indirect;
	l->readonly = dev->readonly;
	l->flush = l->barrier = !dev->readonly;
	l->discard = !dev->readonly && dev->disk.discard;
}

static int dev_connect_rings(struct bb_dev *dev, unsigned int nq,
			     unsigned int order, enum xpv_blkif_abi abi)
{
	grant_ref_t refs[XPV_RING_MAX_PAGES];
	evtchn_port_t port;
	unsigned int q;
	int err;

	dev->rings = calloc(nq, sizeof(*dev->rings));
	if (!dev->rings)
		return -ENOMEM;
	dev->nr_rings = nq;
	for (q = 0; q < nq; q++) {
		struct bb_ring *r = &dev->rings[q];

		r->dev = dev;
		r->idx = q;
		r->abi = abi;
	}
	for (q = 0; q < nq; q++) {
		err = dev_read_queue(dev, q, nq, order, refs, &port);
		if (!err)
			err = bb_ring_connect(&dev->rings[q], refs, 1u << order,
					      port);
		if (err)
			return err;
	}
	return 0;
}

static void dev_connect(struct bb_dev *dev)
{
	unsigned long long nq, order;
	enum xpv_blkif_abi abi;
	unsigned int q;
	uint32_t gen = 0;
	int err;

	err = dev_read_params(dev, &nq, &order, &abi);
	if (err)
		return dev_fatal(dev, err, "reading frontend parameters");
	err = bb_disk_refresh(&dev->disk);
	if (err)
		return dev_fatal(dev, err, "sizing the backing store");
	dev_set_limits(dev);
	err = dev_connect_rings(dev, nq, order, abi);
	if (err) {
		dev_disconnect(dev);
		return dev_fatal(dev, err, "mapping ring");
	}
	err = dev_txn(dev, dev_publish_connect);
	if (err) {
		dev_disconnect(dev);
		return dev_fatal(dev, err, "writing connection details");
	}
	if (xpv_xenops_domain_alive(dev->bb->x, dev->fe_domid, &gen) > 0)
		dev->fe_gen = gen;
	dev->state = XenbusStateConnected;
	bb_log("%s: connected: %llu queue(s) of %u pages, %s, persistent %s",
	       dev->be_path, nq, 1u << order,
	       abi == XPV_BLKIF_X86_32 ? "x86_32" : "x86_64",
	       dev->persistent ? "on" : "off");
	for (q = 0; q < dev->nr_rings; q++)
		bb_ring_run(&dev->rings[q]);
}

static bool dev_ring_broken(const struct bb_dev *dev)
{
	unsigned int q;

	for (q = 0; q < dev->nr_rings; q++)
		if (dev->rings[q].broken)
			return true;
	return false;
}

/* The frontend we were connected to is gone: be ready for the next one. */
static void dev_frontend_gone(struct bb_dev *dev, bool online)
{
	if (dev->nr_rings)
		bb_log("%s: frontend domain %u gone, releasing its grants",
		       dev->be_path, dev->fe_domid);
	dev_disconnect(dev);
	dev->stale = true;
	if (!online)
		dev_switch(dev, XenbusStateClosed);
	else if (dev->state != XenbusStateInitWait)
		dev_initwait(dev);
}

static void dev_follow(struct bb_dev *dev, unsigned long long fe, bool online)
{
	switch (fe) {
	case XenbusStateInitialising:
		dev->stale = false;
		if (dev->state == XenbusStateInitWait)
			break;
		dev_disconnect(dev);
		if (online)
			dev_initwait(dev);
		else
			dev_switch(dev, XenbusStateClosed);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->state == XenbusStateInitialising)
			dev_initwait(dev);
		if (dev->state != XenbusStateInitWait ||
		    (fe == XenbusStateConnected && dev->stale))
			break;
		dev->stale = false;
		dev_connect(dev);
		break;
	case XenbusStateClosing:
		dev_disconnect(dev);
		if (dev->state != XenbusStateClosed)
			dev_switch(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		dev_disconnect(dev);
		dev_switch(dev, XenbusStateClosed);
		break;
	default:
		if (dev->state == XenbusStateInitialising && online)
			dev_initwait(dev);
		else if (!online)
			dev_frontend_gone(dev, false);
		break;
	}
}

void bb_dev_update(struct bb_dev *dev)
{
	unsigned long long fe = XenbusStateUnknown, online = 0;
	uint32_t gen = 0;
	char *s;
	int alive;

	dev->dirty = false;
	s = dev_read(dev, false, "frontend");
	if (!s)
		return bb_dev_destroy(dev);
	free(s);
	if (dev_ring_broken(dev)) {
		dev_disconnect(dev);
		dev->stale = true;
		return dev_fatal(dev, -EPROTO, "ring protocol violation");
	}
	dev_read_uint(dev, false, "online", 1, 0, &online);
	alive = xpv_xenops_domain_alive(dev->bb->x, dev->fe_domid, &gen);
	if (alive <= 0 || (dev->nr_rings && gen != dev->fe_gen)) {
		dev_frontend_gone(dev, online);
		if (alive <= 0)
			return;
	}
	if (dev_read_uint(dev, true, "state", XenbusStateReconfigured,
			  XenbusStateUnknown, &fe))
		fe = XenbusStateUnknown;
	dev_follow(dev, fe, online);
}

static int dev_watch_frontend(struct bb_dev *dev)
{
	char path[BB_PATH_MAX + 8], token[48];

	snprintf(path, sizeof(path), "%s/state", dev->fe_path);
	snprintf(token, sizeof(token), "fe/%u/%u", dev->fe_domid, dev->vdev);
	if (!xs_watch(dev->bb->xs, path, token))
		return -errno;
	dev->fe_watched = true;
	return 0;
}

/* The frontend path the toolstack gave must be that domain's vbd. */
static int dev_init_paths(struct bb_dev *dev)
{
	unsigned long long id;
	char *fe, prefix[64];

	if (snprintf(dev->be_path, sizeof(dev->be_path), "%s/%u/%u",
		     dev->bb->base, dev->fe_domid,
		     dev->vdev) >= (int)sizeof(dev->be_path))
		return -ENAMETOOLONG;
	if (dev_read_uint(dev, false, "frontend-id", UINT16_MAX, ~0ull, &id) ||
	    id != dev->fe_domid)
		return -EINVAL;
	fe = dev_read(dev, false, "frontend");
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/device/",
		 dev->fe_domid);
	if (!fe || strncmp(fe, prefix, strlen(prefix)) ||
	    strlen(fe) >= sizeof(dev->fe_path)) {
		free(fe);
		return -EINVAL;
	}
	strcpy(dev->fe_path, fe);
	free(fe);
	return 0;
}

struct bb_dev *bb_dev_new(struct bb *bb, domid_t fe, unsigned int vdev)
{
	struct bb_dev *dev = calloc(1, sizeof(*dev));
	char *st;

	if (!dev)
		return NULL;
	dev->bb = bb;
	dev->fe_domid = fe;
	dev->vdev = vdev;
	dev->disk.fd = -1;
	dev->state = XenbusStateInitialising;
	if (dev_init_paths(dev) || dev_watch_frontend(dev)) {
		free(dev);
		return NULL;
	}
	/* A backend before us had it: that connection died with it. */
	st = dev_read(dev, false, "state");
	dev->stale = st && strcmp(st, "1");
	free(st);
	dev->next = bb->devs;
	bb->devs = dev;
	dev->dirty = true;
	bb_log("%s: new device, frontend %s", dev->be_path, dev->fe_path);
	return dev;
}

void bb_dev_destroy(struct bb_dev *dev)
{
	struct bb_dev **pp;
	char path[BB_PATH_MAX + 8], token[48];

	dev_disconnect(dev);
	if (dev->fe_watched) {
		snprintf(path, sizeof(path), "%s/state", dev->fe_path);
		snprintf(token, sizeof(token), "fe/%u/%u", dev->fe_domid,
			 dev->vdev);
		xs_unwatch(dev->bb->xs, path, token);
	}
	bb_disk_close(&dev->disk);
	for (pp = &dev->bb->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	bb_log("%s: device removed", dev->be_path);
	free(dev);
}
