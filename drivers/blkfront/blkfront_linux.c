// SPDX-License-Identifier: MIT
/*
 * xenpv-blkfront.ko: the portable blkfront (blkfront.c, blkfront_xs.c) as a
 * blk-mq disk on the guest kernel's xenbus.  It binds "vbd" devices as the
 * driver "xenpv-vbd" (the in-tree xen-blkfront must not be loaded beside
 * it) and names its disks xpvd<a..>, so they never clash with xvd*.
 *
 * Threads: the xenstore watch and the data path's kick only set a bit and
 * queue state_work, which makes every xenbus-side call, one at a time under
 * op_mu.  The gendisk is added from disk_work once the first connection is
 * up, one hardware queue per negotiated ring.  Requests are submitted from
 * queue_rq; their completions arrive from the event handler (or at once)
 * outside every blkfront lock and end the request there.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "drivers/blkfront/blkfront.h"

#define XPVBLK_MINORS 16
#define XPVBLK_MAX_SEGS 64u
#define XPVBLK_DEPTH 64u
#define XPVBLK_MAX_INDEX 701 /* xpvdzz */
#define XPVBLK_CLOSE_WAIT (5 * HZ)
#define XPVBLK_DEFERRED_TRIES 100

enum { XPVBLK_CHANGED, XPVBLK_WORK };

static unsigned int max_queues = 4;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "rings (hardware queues) per disk, at most");
static unsigned int max_ring_order = 2;
module_param(max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_order, "log2 of the pages of one ring, at most");
static bool persistent = true;
module_param(persistent, bool, 0444);
MODULE_PARM_DESC(persistent, "offer persistent grants");
static unsigned int max_indirect = 256;
module_param(max_indirect, uint, 0444);
MODULE_PARM_DESC(max_indirect, "segments of an indirect request (0: none)");

static int xpvblk_major;
static DEFINE_IDA(xpvblk_ida);

struct xpvblk_dev {
	struct xenbus_device *xdev;
	struct xpv_blkfront *fe;
	struct xpv_os_watch *watch;
	struct work_struct state_work, disk_work;
	unsigned long flags; /* XPVBLK_CHANGED, XPVBLK_WORK */
	struct mutex op_mu;  /* the xenbus side of fe */
	wait_queue_head_t wq;
	bool removing, disk_added;
	bool quiet; /* no more work: the frontend is being freed */
	int index;
	uint64_t sectors;
	struct blk_mq_tag_set tags;
	struct gendisk *disk;
};

struct xpvblk_cmd {
	struct xpv_blkfront_req fr;
	struct xpv_blkfront_seg segs[XPVBLK_MAX_SEGS];
};

/* ---- data path ----------------------------------------------------------- */

static void xpvblk_done(struct xpv_blkfront_req *fr, int status)
{
	blk_mq_end_request(fr->priv, errno_to_blk_status(status));
}

/*
 * The queue limits keep every piece inside one page and 512-aligned; pieces
 * that touch are merged, so a request needs no more than its physical
 * segments.
 */
static int xpvblk_map(struct request *rq, struct xpvblk_cmd *c)
{
	struct req_iterator it;
	struct bio_vec bv;
	unsigned int n = 0;
	char *prev_end = NULL;

	rq_for_each_segment(bv, rq, it) {
		char *p = (char *)page_address(bv.bv_page) + bv.bv_offset;

		if (n && p == prev_end && offset_in_page(p)) {
			c->segs[n - 1].len += bv.bv_len;
		} else {
			if (n == XPVBLK_MAX_SEGS)
				return -EINVAL;
			c->segs[n].addr = p;
			c->segs[n].len = bv.bv_len;
			n++;
		}
		prev_end = p + bv.bv_len;
	}
	c->fr.segs = c->segs;
	c->fr.nr_segs = n;
	return 0;
}

static int xpvblk_build(struct request *rq, struct xpvblk_cmd *c,
			unsigned int queue)
{
	memset(&c->fr, 0, sizeof(c->fr));
	c->fr.sector = blk_rq_pos(rq);
	c->fr.nr_sectors = blk_rq_sectors(rq);
	c->fr.queue = queue;
	c->fr.done = xpvblk_done;
	c->fr.priv = rq;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		c->fr.op = XPV_BLKFRONT_READ;
		return xpvblk_map(rq, c);
	case REQ_OP_WRITE:
		c->fr.op = XPV_BLKFRONT_WRITE;
		return xpvblk_map(rq, c);
	case REQ_OP_FLUSH:
		c->fr.op = XPV_BLKFRONT_FLUSH;
		c->fr.sector = c->fr.nr_sectors = 0;
		return 0;
	case REQ_OP_SECURE_ERASE:
		c->fr.secure = true;
		fallthrough;
	case REQ_OP_DISCARD:
		c->fr.op = XPV_BLKFRONT_DISCARD;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static blk_status_t xpvblk_queue_rq(struct blk_mq_hw_ctx *hctx,
				    const struct blk_mq_queue_data *bd)
{
	struct xpvblk_dev *d = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct xpvblk_cmd *c = blk_mq_rq_to_pdu(rq);
	int err;

	blk_mq_start_request(rq);
	err = xpvblk_build(rq, c, hctx->queue_num);
	if (!err)
		err = xpv_blkfront_submit(d->fe, &c->fr);
	/* Refused outright: done() was not called and will not be. */
	return err ? errno_to_blk_status(err) : BLK_STS_OK;
}

static const struct blk_mq_ops xpvblk_mq_ops = {
	.queue_rq = xpvblk_queue_rq,
};

static const struct block_device_operations xpvblk_fops = {
	.owner = THIS_MODULE,
};

/* ---- the disk ------------------------------------------------------------ */

static void xpvblk_limits(struct request_queue *q,
			  const struct xpv_blkfront_info *in)
{
	unsigned int segs = min(in->max_segs, XPVBLK_MAX_SEGS);

	blk_queue_logical_block_size(q, in->sector_size);
	blk_queue_physical_block_size(q, in->physical_sector_size);
	blk_queue_max_segments(q, segs);
	blk_queue_max_segment_size(q, PAGE_SIZE);
	blk_queue_segment_boundary(q, PAGE_SIZE - 1);
	blk_queue_max_hw_sectors(q, segs * (PAGE_SIZE >> SECTOR_SHIFT));
	blk_queue_dma_alignment(q, XPV_BLKFRONT_SECTOR - 1);
	blk_queue_write_cache(q, in->flush || in->barrier, false);
	if (in->discard) {
		blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
		q->limits.discard_granularity =
			in->discard_granularity ?: in->sector_size;
		q->limits.discard_alignment = in->discard_alignment;
		if (in->discard_secure)
			blk_queue_max_secure_erase_sectors(
				q, UINT_MAX >> SECTOR_SHIFT);
	}
}

static void xpvblk_name(char *buf, size_t size, int index)
{
	if (index < 26)
		snprintf(buf, size, "xpvd%c", 'a' + index);
	else
		snprintf(buf, size, "xpvd%c%c", 'a' + index / 26 - 1,
			 'a' + index % 26);
}

static int xpvblk_make_disk(struct xpvblk_dev *d,
			    const struct xpv_blkfront_info *in)
{
	struct gendisk *disk;
	int err;

	d->tags.ops = &xpvblk_mq_ops;
	d->tags.nr_hw_queues = in->nr_queues;
	d->tags.queue_depth = XPVBLK_DEPTH;
	d->tags.numa_node = NUMA_NO_NODE;
	d->tags.flags = BLK_MQ_F_SHOULD_MERGE;
	d->tags.cmd_size = sizeof(struct xpvblk_cmd);
	d->tags.driver_data = d;
	err = blk_mq_alloc_tag_set(&d->tags);
	if (err)
		return err;
	disk = blk_mq_alloc_disk(&d->tags, d);
	if (IS_ERR(disk)) {
		blk_mq_free_tag_set(&d->tags);
		return PTR_ERR(disk);
	}
	disk->major = xpvblk_major;
	disk->first_minor = d->index * XPVBLK_MINORS;
	disk->minors = XPVBLK_MINORS;
	disk->fops = &xpvblk_fops;
	disk->private_data = d;
	xpvblk_name(disk->disk_name, DISK_NAME_LEN, d->index);
	xpvblk_limits(disk->queue, in);
	set_capacity(disk, in->sectors);
	set_disk_ro(disk, in->readonly);
	d->sectors = in->sectors;
	d->disk = disk;
	return 0;
}

static void xpvblk_disk_work(struct work_struct *w)
{
	struct xpvblk_dev *d = container_of(w, struct xpvblk_dev, disk_work);
	struct xpv_blkfront_info in;
	int err;

	if (READ_ONCE(d->removing) || d->disk ||
	    xpv_blkfront_get_info(d->fe, &in))
		return;
	err = xpvblk_make_disk(d, &in);
	if (!err) {
		err = device_add_disk(&d->xdev->dev, d->disk, NULL);
		if (err) {
			put_disk(d->disk);
			blk_mq_free_tag_set(&d->tags);
			d->disk = NULL;
		}
	}
	if (err) {
		dev_err(&d->xdev->dev, "adding the disk: %d\n", err);
		return;
	}
	WRITE_ONCE(d->disk_added, true);
	dev_info(&d->xdev->dev, "%s: %llu sectors, %u queue(s), %u segs%s%s\n",
		 d->disk->disk_name, (unsigned long long)in.sectors,
		 in.nr_queues, in.max_segs, in.persistent ? ", persistent" : "",
		 in.readonly ? ", read-only" : "");
}

/* A reconnect may bring a resized disk. */
static void xpvblk_resize(struct xpvblk_dev *d)
{
	struct xpv_blkfront_info in;

	if (!READ_ONCE(d->disk_added) || xpv_blkfront_get_info(d->fe, &in) ||
	    in.sectors == d->sectors)
		return;
	d->sectors = in.sectors;
	set_capacity_and_notify(d->disk, in.sectors);
}

/* ---- the xenbus side ----------------------------------------------------- */

static void xpvblk_state_work(struct work_struct *w)
{
	struct xpvblk_dev *d = container_of(w, struct xpvblk_dev, state_work);
	bool connected;

	mutex_lock(&d->op_mu);
	/* otherend_changed() does the work step first. */
	if (test_and_clear_bit(XPVBLK_CHANGED, &d->flags)) {
		clear_bit(XPVBLK_WORK, &d->flags);
		xpv_blkfront_otherend_changed(d->fe);
	} else if (test_and_clear_bit(XPVBLK_WORK, &d->flags)) {
		xpv_blkfront_work(d->fe);
	}
	/* The bus reads its own copy (waiting for devices at load). */
	d->xdev->state = xpv_blkfront_state(d->fe);
	connected = xpv_blkfront_connected(d->fe);
	if (connected)
		xpvblk_resize(d);
	mutex_unlock(&d->op_mu);
	if (connected && !READ_ONCE(d->removing) && !READ_ONCE(d->disk_added))
		queue_work(system_long_wq, &d->disk_work);
	wake_up_all(&d->wq);
}

static void xpvblk_flag(struct xpvblk_dev *d, int bit)
{
	if (READ_ONCE(d->quiet))
		return;
	set_bit(bit, &d->flags);
	queue_work(system_wq, &d->state_work);
}

static void xpvblk_watch_cb(const char *path, void *arg)
{
	xpvblk_flag(arg, XPVBLK_CHANGED);
}

static void xpvblk_kick(struct xpv_blkfront *fe, void *arg)
{
	xpvblk_flag(arg, XPVBLK_WORK);
}

static int xpvblk_index(unsigned int vdev)
{
	int want = -1, idx = -ENOSPC;

	/* Xen's vbd numbering: extended (1 << 28 | disk << 8), or xvd (202). */
	if (vdev & (1u << 28))
		want = (vdev & ~(1u << 28)) >> 8;
	else if ((vdev >> 8) == 202)
		want = (vdev & 0xff) >> 4;
	if (want >= 0 && want <= XPVBLK_MAX_INDEX)
		idx = ida_alloc_range(&xpvblk_ida, want, want, GFP_KERNEL);
	if (idx < 0)
		idx = ida_alloc_max(&xpvblk_ida, XPVBLK_MAX_INDEX, GFP_KERNEL);
	return idx;
}

static void xpvblk_opts(struct xpv_blkfront_opts *o)
{
	xpv_blkfront_default_opts(o);
	o->max_queues = clamp(max_queues, 1u, num_online_cpus());
	o->max_ring_order = max_ring_order;
	o->persistent = persistent;
	o->indirect = max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (o->indirect)
		o->max_indirect_segs = max_indirect;
}

static int xpvblk_probe(struct xenbus_device *xdev,
			const struct xenbus_device_id *id)
{
	const char *last = strrchr(xdev->nodename, '/');
	struct xpv_blkfront_opts o;
	struct xpvblk_dev *d;
	unsigned int vdev;
	int err;

	if (!last || kstrtouint(last + 1, 10, &vdev))
		return -EINVAL;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->xdev = xdev;
	mutex_init(&d->op_mu);
	init_waitqueue_head(&d->wq);
	INIT_WORK(&d->state_work, xpvblk_state_work);
	INIT_WORK(&d->disk_work, xpvblk_disk_work);
	d->index = xpvblk_index(vdev);
	if (d->index < 0) {
		err = d->index;
		kfree(d);
		return err;
	}
	xpvblk_opts(&o);
	d->fe = xpv_blkfront_create(vdev, &o, xpvblk_kick, d, &err);
	if (!d->fe)
		goto fail;
	dev_set_drvdata(&xdev->dev, d);
	set_bit(XPVBLK_CHANGED, &d->flags);
	d->watch = xpv_os_xs_watch(xpv_blkfront_backend_state_path(d->fe),
				   xpvblk_watch_cb, d);
	if (!d->watch) {
		err = -ENOMEM;
		xpv_blkfront_destroy(d->fe);
		goto fail;
	}
	queue_work(system_wq, &d->state_work);
	return 0;
fail:
	xenbus_dev_fatal(xdev, err, "xenpv-blkfront: setting up");
	ida_free(&xpvblk_ida, d->index);
	kfree(d);
	return err;
}

static bool xpvblk_closed(struct xpvblk_dev *d)
{
	return xpv_blkfront_state(d->fe) == XenbusStateClosed;
}

/* Wait for the backend's Closed, then end what it has unmapped since. */
static void xpvblk_shut(struct xpvblk_dev *d)
{
	unsigned int left, tries;

	mutex_lock(&d->op_mu);
	xpv_blkfront_close(d->fe);
	d->xdev->state = xpv_blkfront_state(d->fe);
	mutex_unlock(&d->op_mu);
	if (!wait_event_timeout(d->wq, xpvblk_closed(d), XPVBLK_CLOSE_WAIT))
		dev_warn(&d->xdev->dev, "backend did not close in time\n");
	xpv_os_xs_unwatch(d->watch);
	d->watch = NULL;
	WRITE_ONCE(d->quiet, true);
	cancel_work_sync(&d->state_work);
	cancel_work_sync(&d->disk_work);
	left = xpv_blkfront_finish(d->fe);
	for (tries = 0; left && tries < XPVBLK_DEFERRED_TRIES; tries++) {
		msleep(10);
		left = xpv_gntalloc_retry_deferred(&d->fe->gnt);
	}
	if (left)
		dev_warn(&d->xdev->dev,
			 "%u grants still mapped by the backend\n", left);
}

/*
 * The transport nodes of our last connection: a driver that publishes
 * fewer (one ring page, one queue) would leave ours for the backend to map.
 */
static void xpvblk_unpublish(struct xenbus_transaction t, const char *dir)
{
	static const char *const nodes[] = {
		"ring-ref", "event-channel", "ring-page-order",
		"num-ring-pages", "multi-queue-num-queues",
	};
	char name[24];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nodes); i++)
		xenbus_rm(t, dir, nodes[i]);
	for (i = 0; i < XPV_RING_MAX_PAGES; i++) {
		snprintf(name, sizeof(name), "ring-ref%u", i);
		xenbus_rm(t, dir, name);
	}
	for (i = 0; i < XPV_BLKFRONT_MAX_QUEUES; i++) {
		snprintf(name, sizeof(name), "queue-%u", i);
		xenbus_rm(t, dir, name);
	}
}

/*
 * With allow_rebind the bus leaves our state node alone: a fresh
 * Initialising, without our transport nodes, lets the next vbd driver
 * connect to the same backend.  The backend must have seen our Closed
 * first (it reads the node, not the event), and nothing is written if the
 * toolstack removed the device.
 */
static void xpvblk_hand_over(struct xpvblk_dev *d)
{
	struct xenbus_device *xdev = d->xdev;
	struct xenbus_transaction t;
	enum xenbus_state be;
	unsigned int waited;
	int err;

	for (waited = 0; waited < XPVBLK_CLOSE_WAIT; waited += HZ / 50) {
		be = xenbus_read_driver_state(d->fe->backend);
		if (be == XenbusStateClosed || be == XenbusStateUnknown)
			break;
		msleep(20);
	}
	do {
		if (xenbus_transaction_start(&t))
			return;
		if (!xenbus_exists(t, xdev->nodename, "state")) {
			xenbus_transaction_end(t, 1);
			return;
		}
		xpvblk_unpublish(t, xdev->nodename);
		xenbus_printf(t, xdev->nodename, "state", "%d",
			      XenbusStateInitialising);
		err = xenbus_transaction_end(t, 0);
	} while (err == -EAGAIN);
	xdev->state = XenbusStateInitialising;
}

static void xpvblk_log_stats(struct xpvblk_dev *d)
{
	struct xpv_blkfront_stats st;

	xpv_blkfront_stats(d->fe, &st);
	dev_info(&d->xdev->dev,
		 "closed: %llu requests (%llu failed), %llu ring requests, "
		 "%llu indirect, %llu persistent pages, %llu reconnects, "
		 "%u grants out, %s\n",
		 st.completed, st.failed, st.ring_reqs, st.indirect_reqs,
		 st.persistent_pages, st.reconnects, st.gnt_outstanding,
		 st.broken ? "broken" : "sound");
}

static void xpvblk_remove(struct xenbus_device *xdev)
{
	struct xpvblk_dev *d = dev_get_drvdata(&xdev->dev);
	bool deleted = false;

	WRITE_ONCE(d->removing, true);
	cancel_work_sync(&d->disk_work);
	/* A live backend finishes the last writes; a dead one cannot. */
	if (d->disk_added && xpv_blkfront_connected(d->fe)) {
		del_gendisk(d->disk);
		deleted = true;
	}
	xpvblk_shut(d);
	if (d->disk_added && !deleted)
		del_gendisk(d->disk);
	if (d->disk) {
		put_disk(d->disk);
		blk_mq_free_tag_set(&d->tags);
	}
	xpvblk_log_stats(d);
	xpvblk_hand_over(d);
	xpv_blkfront_destroy(d->fe);
	ida_free(&xpvblk_ida, d->index);
	kfree(d);
}

static const struct xenbus_device_id xpvblk_ids[] = {
	{ "vbd" },
	{ "" },
};

static struct xenbus_driver xpvblk_driver = {
	.name = "xenpv-vbd",
	.ids = xpvblk_ids,
	.allow_rebind = true,
	.probe = xpvblk_probe,
	.remove = xpvblk_remove,
};

static int __init xpvblk_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	xpvblk_major = register_blkdev(0, "xpvd");
	if (xpvblk_major < 0)
		return xpvblk_major;
	err = xenbus_register_frontend(&xpvblk_driver);
	if (err)
		unregister_blkdev(xpvblk_major, "xpvd");
	return err;
}
module_init(xpvblk_init);

static void __exit xpvblk_exit(void)
{
	xenbus_unregister_driver(&xpvblk_driver);
	unregister_blkdev(xpvblk_major, "xpvd");
	ida_destroy(&xpvblk_ida);
}
module_exit(xpvblk_exit);

MODULE_DESCRIPTION("xenpv block frontend (blk-mq)");
MODULE_LICENSE("Dual MIT/GPL");
