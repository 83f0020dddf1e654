/* SPDX-License-Identifier: MIT */
/*
 * The libaio engine of the userspace backends (blkback's rings, the device
 * model's disk): one io context and one eventfd per engine.  Callers own
 * their requests (struct xpv_aio_req, embedded in their own request) and
 * the buffers and iovecs behind them until the request completes.
 *
 *   prep (rw or fsync) -> queue (batched, bounded by the depth)
 *   -> flush (one io_submit for the whole batch)
 *   -> the event fd becomes readable -> reap (never blocks)
 *
 * Every request ends through reap, even one the kernel refused at submit
 * time: that one comes back with the error, so callers have a single
 * completion path.  An fdatasync the kernel refuses to do asynchronously
 * is done synchronously instead.  Nothing here is thread-safe: one engine
 * per thread.
 */
#ifndef XENPV_BACKEND_AIO_H
#define XENPV_BACKEND_AIO_H

#include <libaio.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct xpv_aio;

struct xpv_aio_req {
	struct iocb cb;			/* first: io_event.obj points here */
	void *cookie;
	struct xpv_aio_req *next;	/* on the refused list */
	long res;
};

/* A finished request: @res is bytes moved or -errno. */
typedef void (*xpv_aio_done_fn)(void *cookie, long res);
/* Where the engine reports what it did instead of what was asked. */
typedef void (*xpv_aio_log_fn)(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Most requests queued or in flight at once; limit of @depth. */
#define XPV_AIO_MAX_DEPTH 4096u

/* @depth requests queued or in flight at most; NULL with errno on failure. */
struct xpv_aio *xpv_aio_new(unsigned int depth);
/* Waits for what the kernel still owns, then frees; queued ones are dropped. */
void xpv_aio_free(struct xpv_aio *a);
/* Readable when something is ready to reap: poll or epoll it. */
int xpv_aio_event_fd(const struct xpv_aio *a);
/* Queued, in the kernel, or refused and not yet reaped. */
unsigned int xpv_aio_inflight(const struct xpv_aio *a);

/* A preadv (@write false) or pwritev of @iov on @fd at byte @off. */
void xpv_aio_prep_rw(struct xpv_aio *a, struct xpv_aio_req *r, int fd,
		     bool write, uint64_t off, const struct iovec *iov,
		     unsigned int niov, void *cookie);
void xpv_aio_prep_fsync(struct xpv_aio *a, struct xpv_aio_req *r, int fd,
			void *cookie);
bool xpv_aio_req_is_fsync(const struct xpv_aio_req *r);
/* Adds a prepared request to the batch: 0, or -EAGAIN when at the depth. */
int xpv_aio_queue(struct xpv_aio *a, struct xpv_aio_req *r);
/*
 * Submits the batch.  What the kernel has no room for stays queued for the
 * next flush (after a reap); returns how many that is.
 */
unsigned int xpv_aio_flush(struct xpv_aio *a);
/* Calls @done for each finished request; returns how many, or -errno. */
int xpv_aio_reap(struct xpv_aio *a, xpv_aio_done_fn done);

/*
 * Opens @path with @flags, with O_DIRECT if @direct; a filesystem that
 * refuses O_DIRECT gets buffered I/O, said through @log (NULL: stderr).
 * *@is_direct tells which.  The fd, or -errno.
 */
int xpv_aio_open(const char *path, int flags, bool direct, bool *is_direct,
		 xpv_aio_log_fn log);
/* Whether @iov at @off meets O_DIRECT's alignment of @align bytes. */
bool xpv_aio_aligned(const struct iovec *iov, unsigned int niov, uint64_t off,
		     unsigned int align);

#endif
