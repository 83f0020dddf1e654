/* SPDX-License-Identifier: MIT */
/*
 * Block I/O for a userspace process that is a loopback domain: the
 * portable blkfront on os/user.  Call xpv_user_init() first; then open
 * device/vbd/<vdev> of this domain, as the toolstack (xenpv-attach) set it
 * up.  Each device has one thread that follows xenstore; completions run on
 * the domain's event upcall thread.
 */
#ifndef XENPV_BLKFRONT_USER_H
#define XENPV_BLKFRONT_USER_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/blkfront/blkfront.h"

struct xpv_blkdev;

enum {
	XPV_BLKDEV_READ,
	XPV_BLKDEV_WRITE,
	XPV_BLKDEV_FLUSH,
	XPV_BLKDEV_DISCARD,
};

/*
 * Connects to device/vbd/@vdev and waits until it is Connected, for at most
 * opts->connect_timeout_ms.  @opts NULL: defaults (xpv_blkfront_default_opts).
 * NULL with *err = -errno on failure (-ETIMEDOUT, -EIO if the backend broke
 * the protocol, -ENOENT if the toolstack nodes are missing).
 */
struct xpv_blkdev *xpv_blkdev_open(unsigned int vdev,
				   const struct xpv_blkfront_opts *opts,
				   int *err);
/*
 * Closing -> Closed; waits a little for the backend to let go of its
 * mappings, ends every grant and fails I/O still in flight with -EIO.  The
 * handle stays valid for xpv_blkdev_stats and the size queries (closed
 * handles are kept until xpv_blkdev_destroy or the process exits).
 */
void xpv_blkdev_close(struct xpv_blkdev *d);
/* Close if needed and free the handle. */
void xpv_blkdev_destroy(struct xpv_blkdev *d);

uint64_t xpv_blkdev_size(struct xpv_blkdev *d); /* bytes */
unsigned int xpv_blkdev_sector_size(struct xpv_blkdev *d);
bool xpv_blkdev_readonly(struct xpv_blkdev *d);
/* Everything the backend offered on the last connection. */
int xpv_blkdev_info(struct xpv_blkdev *d, struct xpv_blkfront_info *info);
/* The portable device, for tests that look inside (NULL once closed). */
struct xpv_blkfront *xpv_blkdev_frontend(struct xpv_blkdev *d);

/*
 * Page-aligned guest memory: a request on it is granted in place (no
 * copy).  Other buffers work too, through a bounce buffer.
 */
void *xpv_blkdev_alloc(size_t bytes);
void xpv_blkdev_free(void *p, size_t bytes);

/*
 * Asynchronous I/O: done(io) is called once, from the event upcall thread
 * (or from the submitting thread if the request ends at once), with
 * io->status 0 or -errno.  READ/WRITE: offset and len are multiples of the
 * sector size; DISCARD: of 512.  The io must stay put until done().
 */
struct xpv_blkdev_io {
	int op;
	void *buf;
	size_t len;
	uint64_t offset;
	void (*done)(struct xpv_blkdev_io *io);
	void *ctx;
	int status;
};

/* 0 (done() will be called) or -errno (it will not). */
int xpv_blkdev_submit(struct xpv_blkdev *d, struct xpv_blkdev_io *io);

int xpv_blkdev_pread(struct xpv_blkdev *d, void *buf, size_t len, uint64_t off);
int xpv_blkdev_pwrite(struct xpv_blkdev *d, const void *buf, size_t len,
		      uint64_t off);
int xpv_blkdev_flush(struct xpv_blkdev *d);
int xpv_blkdev_discard(struct xpv_blkdev *d, uint64_t off, uint64_t len);

/* After close too: gnt_outstanding must then be 0. */
void xpv_blkdev_stats(struct xpv_blkdev *d, struct xpv_blkfront_stats *st);

#endif
