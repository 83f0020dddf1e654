// SPDX-License-Identifier: MIT
/* The libaio engine: batches of caller-owned iocbs over one context. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend/aio/aio.h"

/* Events taken from the kernel per io_getevents. */
#define AIO_REAP_BATCH 64

struct xpv_aio {
	io_context_t ctx;
	int efd;
	unsigned int depth;
	unsigned int nbatch;		/* queued, not yet submitted */
	unsigned int kernel;		/* submitted, not yet reaped */
	unsigned int nrefused;
	struct iocb **batch;		/* depth entries */
	struct xpv_aio_req *refused, **refused_tail;
};

struct xpv_aio *xpv_aio_new(unsigned int depth)
{
	struct xpv_aio *a;
	int err;

	if (!depth || depth > XPV_AIO_MAX_DEPTH) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->depth = depth;
	a->refused_tail = &a->refused;
	a->batch = calloc(depth, sizeof(*a->batch));
	a->efd = a->batch ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	if (a->efd < 0)
		goto fail;
	err = io_setup(depth, &a->ctx);
	if (err < 0) {
		errno = -err;
		goto fail;
	}
	return a;
fail:
	err = errno;
	if (a->efd >= 0)
		close(a->efd);
	free(a->batch);
	free(a);
	errno = err;
	return NULL;
}

void xpv_aio_free(struct xpv_aio *a)
{
	struct io_event ev[AIO_REAP_BATCH];

	if (!a)
		return;
	/* The kernel may still write into the callers' buffers: let it end. */
	while (a->kernel) {
		int n = io_getevents(a->ctx, 1, AIO_REAP_BATCH, ev, NULL);

		if (n < 0 && n != -EINTR)
			break;
		if (n > 0)
			a->kernel -= n;
	}
	io_destroy(a->ctx);
	close(a->efd);
	free(a->batch);
	free(a);
}

int xpv_aio_event_fd(const struct xpv_aio *a)
{
	return a->efd;
}

unsigned int xpv_aio_inflight(const struct xpv_aio *a)
{
	return a->nbatch + a->kernel + a->nrefused;
}

void xpv_aio_prep_rw(struct xpv_aio *a, struct xpv_aio_req *r, int fd,
		     bool write, uint64_t off, const struct iovec *iov,
		     unsigned int niov, void *cookie)
{
	if (write)
		io_prep_pwritev(&r->cb, fd, iov, (int)niov, (long long)off);
	else
		io_prep_preadv(&r->cb, fd, iov, (int)niov, (long long)off);
	io_set_eventfd(&r->cb, a->efd);
	r->cookie = cookie;
}

void xpv_aio_prep_fsync(struct xpv_aio *a, struct xpv_aio_req *r, int fd,
			void *cookie)
{
	io_prep_fdsync(&r->cb, fd);
	io_set_eventfd(&r->cb, a->efd);
	r->cookie = cookie;
}

bool xpv_aio_req_is_fsync(const struct xpv_aio_req *r)
{
	return r->cb.aio_lio_opcode == IO_CMD_FDSYNC;
}

int xpv_aio_queue(struct xpv_aio *a, struct xpv_aio_req *r)
{
	if (xpv_aio_inflight(a) >= a->depth)
		return -EAGAIN;
	a->batch[a->nbatch++] = &r->cb;
	return 0;
}

static void wake(struct xpv_aio *a)
{
	uint64_t one = 1;

	/* Only fails when the counter is full, and then it is readable. */
	(void)!write(a->efd, &one, sizeof(one));
}

/* Refused at submit time: it ends at the next reap, with the error. */
static void refuse(struct xpv_aio *a, struct iocb *cb, int err)
{
	struct xpv_aio_req *r = (struct xpv_aio_req *)cb;

	/* Some filesystems have no asynchronous fdatasync: do it here. */
	if (cb->aio_lio_opcode == IO_CMD_FDSYNC && err == -EINVAL)
		err = fdatasync(cb->aio_fildes) ? -errno : 0;
	r->res = err;
	r->next = NULL;
	*a->refused_tail = r;
	a->refused_tail = &r->next;
	a->nrefused++;
	wake(a);
}

unsigned int xpv_aio_flush(struct xpv_aio *a)
{
	unsigned int done = 0;

	while (done < a->nbatch) {
		int n = io_submit(a->ctx, a->nbatch - done, a->batch + done);

		if (n > 0) {
			done += n;
			a->kernel += n;
		} else if (n == -EINTR) {
			continue;
		} else if ((n == -EAGAIN || n == 0) && a->kernel) {
			break;	/* room comes back as completions are reaped */
		} else {
			/* Nothing in flight would ever make room: fail it. */
			refuse(a, a->batch[done++], n ? n : -EAGAIN);
		}
	}
	if (done) {
		a->nbatch -= done;
		memmove(a->batch, a->batch + done,
			a->nbatch * sizeof(*a->batch));
	}
	return a->nbatch;
}

static int reap_refused(struct xpv_aio *a, xpv_aio_done_fn done)
{
	struct xpv_aio_req *r = a->refused;
	int n = 0;

	/* @done may queue and refuse more: those wait for the next reap. */
	a->refused = NULL;
	a->refused_tail = &a->refused;
	while (r) {
		struct xpv_aio_req *next = r->next;

		a->nrefused--;
		done(r->cookie, r->res);
		r = next;
		n++;
	}
	return n;
}

int xpv_aio_reap(struct xpv_aio *a, xpv_aio_done_fn done)
{
	struct timespec zero = { 0, 0 };
	struct io_event ev[AIO_REAP_BATCH];
	uint64_t v;
	int n, i, total;

	if (read(a->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	total = reap_refused(a, done);
	while (a->kernel) {
		n = io_getevents(a->ctx, 0, AIO_REAP_BATCH, ev, &zero);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return n;
		a->kernel -= n;
		for (i = 0; i < n; i++) {
			struct xpv_aio_req *r = (void *)ev[i].obj;

			done(r->cookie, (long)ev[i].res);
		}
		total += n;
		if (n < AIO_REAP_BATCH)
			break;
	}
	return total;
}

int xpv_aio_open(const char *path, int flags, bool direct, bool *is_direct,
		 xpv_aio_log_fn log)
{
	int fd;

	flags |= O_CLOEXEC;
	fd = open(path, flags | (direct ? O_DIRECT : 0), 0600);
	*is_direct = direct && fd >= 0;
	if (fd < 0 && direct && errno == EINVAL) {
		if (log)
			log("%s: O_DIRECT refused, using buffered I/O", path);
		else
			fprintf(stderr, "%s: O_DIRECT refused, using buffered "
				"I/O\n", path);
		fd = open(path, flags, 0600);
	}
	return fd < 0 ? -errno : fd;
}

bool xpv_aio_aligned(const struct iovec *iov, unsigned int niov, uint64_t off,
		     unsigned int align)
{
	unsigned int i;

	if (!align || off % align)
		return false;
	for (i = 0; i < niov; i++) {
		if ((uintptr_t)iov[i].iov_base % align ||
		    iov[i].iov_len % align)
			return false;
	}
	return true;
}
