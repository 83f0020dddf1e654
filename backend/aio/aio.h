/* SPDX-License-Identifier: MIT */
/*
 * A small libaio engine for userspace backends: one io context, an eventfd
 * that becomes readable when completions are waiting, and a fixed pool of
 * request slots so memory stays bounded.  Each request carries the caller's
 * cookie back with its result.  Nothing here is thread-safe: one engine per
 * thread.
 */
#ifndef XENPV_BACKEND_AIO_H
#define XENPV_BACKEND_AIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct xpv_aio;

/* A finished request: @res is bytes moved or -errno. */
typedef void (*xpv_aio_done_fn)(void *cookie, long res);

/* @depth requests in flight at most; NULL with errno on failure. */
struct xpv_aio *xpv_aio_new(unsigned int depth);
void xpv_aio_free(struct xpv_aio *a);
/* Readable when completions are waiting: poll it, then xpv_aio_reap. */
int xpv_aio_event_fd(const struct xpv_aio *a);
/*
 * Queues a preadv (@write false) or pwritev on @fd at @off.  The iovec is
 * copied.  0, -EAGAIN (all slots busy), -EINVAL (niov 0 or too many) or the
 * errno io_submit gave.
 */
int xpv_aio_submit(struct xpv_aio *a, int fd, bool write, uint64_t off,
		   const struct iovec *iov, unsigned int niov, void *cookie);
/* fdatasync through the same queue, so it orders behind nothing. */
int xpv_aio_fsync(struct xpv_aio *a, int fd, void *cookie);
/* Calls @done for each completed request; returns how many, or -errno. */
int xpv_aio_reap(struct xpv_aio *a, xpv_aio_done_fn done);
unsigned int xpv_aio_inflight(const struct xpv_aio *a);

/* Most iovec entries one request may carry. */
#define XPV_AIO_MAX_IOV 256

#endif
