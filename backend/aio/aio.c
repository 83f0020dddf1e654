// SPDX-License-Identifier: MIT
/* The libaio engine: a slot pool over one io context and one eventfd. */
#include <errno.h>
#include <libaio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backend/aio/aio.h"

struct xpv_aio_slot {
	struct iocb cb;		/* first: io_event.obj points here */
	void *cookie;
	struct xpv_aio_slot *next_free;
	struct iovec iov[XPV_AIO_MAX_IOV];
};

struct xpv_aio {
	io_context_t ctx;
	int efd;
	unsigned int depth, inflight;
	struct xpv_aio_slot *free;
	struct xpv_aio_slot *slots;
	struct io_event *events;
};

struct xpv_aio *xpv_aio_new(unsigned int depth)
{
	struct xpv_aio *a;
	unsigned int i;
	int err;

	if (!depth || depth > 4096) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->efd = -1;
	a->depth = depth;
	a->slots = calloc(depth, sizeof(*a->slots));
	a->events = calloc(depth, sizeof(*a->events));
	if (!a->slots || !a->events)
		goto fail;
	a->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (a->efd < 0)
		goto fail;
	err = io_setup(depth, &a->ctx);
	if (err < 0) {
		errno = -err;
		goto fail;
	}
	for (i = 0; i < depth; i++) {
		a->slots[i].next_free = a->free;
		a->free = &a->slots[i];
	}
	return a;
fail:
	err = errno;
	if (a->efd >= 0)
		close(a->efd);
	free(a->slots);
	free(a->events);
	free(a);
	errno = err;
	return NULL;
}

void xpv_aio_free(struct xpv_aio *a)
{
	if (!a)
		return;
	/* Wait for what the kernel still writes into: it may be our slots. */
	while (a->inflight) {
		int n = io_getevents(a->ctx, 1, a->depth, a->events, NULL);

		if (n < 0 && n != -EINTR)
			break;
		if (n > 0)
			a->inflight -= n;
	}
	io_destroy(a->ctx);
	close(a->efd);
	free(a->slots);
	free(a->events);
	free(a);
}

int xpv_aio_event_fd(const struct xpv_aio *a)
{
	return a->efd;
}

unsigned int xpv_aio_inflight(const struct xpv_aio *a)
{
	return a->inflight;
}

static int queue(struct xpv_aio *a, struct xpv_aio_slot *s, void *cookie)
{
	struct iocb *cbs[1] = { &s->cb };
	int r;

	s->cookie = cookie;
	io_set_eventfd(&s->cb, a->efd);
	do
		r = io_submit(a->ctx, 1, cbs);
	while (r == -EINTR);
	if (r != 1) {
		s->next_free = a->free;
		a->free = s;
		return r < 0 ? r : -EIO;
	}
	a->inflight++;
	return 0;
}

int xpv_aio_submit(struct xpv_aio *a, int fd, bool write, uint64_t off,
		   const struct iovec *iov, unsigned int niov, void *cookie)
{
	struct xpv_aio_slot *s = a->free;

	if (!niov || niov > XPV_AIO_MAX_IOV)
		return -EINVAL;
	if (!s)
		return -EAGAIN;
	a->free = s->next_free;
	memcpy(s->iov, iov, niov * sizeof(*iov));
	if (write)
		io_prep_pwritev(&s->cb, fd, s->iov, niov, (long long)off);
	else
		io_prep_preadv(&s->cb, fd, s->iov, niov, (long long)off);
	return queue(a, s, cookie);
}

int xpv_aio_fsync(struct xpv_aio *a, int fd, void *cookie)
{
	struct xpv_aio_slot *s = a->free;

	if (!s)
		return -EAGAIN;
	a->free = s->next_free;
	io_prep_fdsync(&s->cb, fd);
	return queue(a, s, cookie);
}

int xpv_aio_reap(struct xpv_aio *a, xpv_aio_done_fn done)
{
	struct timespec zero = { 0, 0 };
	uint64_t v;
	int n, i, total = 0;

	if (read(a->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	while (a->inflight) {
		n = io_getevents(a->ctx, 0, a->depth, a->events, &zero);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? n : total;
		for (i = 0; i < n; i++) {
			struct xpv_aio_slot *s = (void *)a->events[i].obj;
			long res = (long)a->events[i].res;

			a->inflight--;
			s->next_free = a->free;
			a->free = s;
			done(s->cookie, res);
		}
		total += n;
	}
	return total;
}
