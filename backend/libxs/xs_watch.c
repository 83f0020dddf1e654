// SPDX-License-Identifier: MIT
/*
 * Watches: registering them, the bounded queue of fired events the reader
 * fills, the pipe that makes xs_fileno() pollable, and handing events out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/libxs/libxs.h"

/* Called with h->lock held: one byte in the pipe while there is news. */
void xpv_libxs_pipe_sync(struct xs_handle *h)
{
	bool want = h->wq_head || h->dead;
	char c[16] = { 0 };

	if (h->watch_pipe[0] < 0 || want == h->pipe_marked)
		return;
	if (want) {
		if (write(h->watch_pipe[1], c, 1) == 1 || errno == EAGAIN)
			h->pipe_marked = true;
		return;
	}
	/* Both ends are non-blocking: a byte the application took is fine. */
	while (read(h->watch_pipe[0], c, sizeof(c)) > 0)
		;
	h->pipe_marked = false;
}

/* Reader side: queue a WATCH_EVENT body, or drop it if it is malformed. */
void xpv_libxs_queue_event(struct xs_handle *h, const char *body, uint32_t len)
{
	struct xpv_libxs_wev *ev = NULL;

	/* Path and token, each terminated: anything less is not an event. */
	if (xpv_xs_count_strings(body, len) < 2)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->wq_count < XPV_LIBXS_WATCH_QUEUE_MAX &&
	    len <= XPV_LIBXS_WATCH_BYTES_MAX - h->wq_bytes)
		ev = malloc(sizeof(*ev) + len);
	if (!ev) {
		h->wq_dropped++;
		pthread_mutex_unlock(&h->lock);
		return;
	}
	ev->next = NULL;
	ev->len = len;
	memcpy(ev->body, body, len);
	if (h->wq_tail)
		h->wq_tail->next = ev;
	else
		h->wq_head = ev;
	h->wq_tail = ev;
	h->wq_count++;
	h->wq_bytes += len;
	xpv_libxs_pipe_sync(h);
	pthread_cond_signal(&h->watch_cv);
	pthread_mutex_unlock(&h->lock);
}

void xpv_libxs_free_events(struct xs_handle *h)
{
	struct xpv_libxs_wev *ev, *next;

	for (ev = h->wq_head; ev; ev = next) {
		next = ev->next;
		free(ev);
	}
	h->wq_head = h->wq_tail = NULL;
	h->wq_count = h->wq_bytes = 0;
}

static bool libxs_bool(void *reply)
{
	if (!reply)
		return false;
	free(reply);
	return true;
}

static bool libxs_watch_msg(struct xs_handle *h, uint32_t type,
			    const char *path, const char *token)
{
	struct xpv_xs_msg m;

	xpv_xs_msg_init(&m, type, 0, XBT_NULL);
	if (xpv_xs_msg_append_str(&m, path) < 0 ||
	    xpv_xs_msg_append_str(&m, token) < 0) {
		errno = E2BIG;
		return false;
	}
	return libxs_bool(xpv_libxs_talk(h, &m, NULL));
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	int err;

	/* From the first watch on, events may come at any time. */
	pthread_mutex_lock(&h->req_lock);
	err = xpv_libxs_start_reader(h);
	pthread_mutex_unlock(&h->req_lock);
	if (err) {
		errno = -err;
		return false;
	}
	return libxs_watch_msg(h, XS_WATCH, path, token);
}

static bool libxs_event_matches(const struct xpv_libxs_wev *ev,
				const char *path, const char *token)
{
	const char *epath = ev->body;
	const char *etoken = epath + strlen(epath) + 1;

	return !strcmp(etoken, token) && xs_path_is_subpath(path, epath);
}

/* XS_UNWATCH_FILTER: drop queued events the removed watch produced. */
static void libxs_filter_events(struct xs_handle *h, const char *path,
				const char *token)
{
	struct xpv_libxs_wev **pp, *ev;

	pthread_mutex_lock(&h->lock);
	h->wq_tail = NULL;
	for (pp = &h->wq_head; (ev = *pp);) {
		if (libxs_event_matches(ev, path, token)) {
			*pp = ev->next;
			h->wq_count--;
			h->wq_bytes -= ev->len;
			free(ev);
		} else {
			h->wq_tail = ev;
			pp = &ev->next;
		}
	}
	xpv_libxs_pipe_sync(h);
	pthread_mutex_unlock(&h->lock);
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	bool ok = libxs_watch_msg(h, XS_UNWATCH, path, token);
	int saved = errno;

	if (h->unwatch_filter)
		libxs_filter_events(h, path, token);
	errno = saved;
	return ok;
}

int xs_fileno(struct xs_handle *h)
{
	int fd;

	pthread_mutex_lock(&h->lock);
	if (h->watch_pipe[0] < 0) {
		if (pipe2(h->watch_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
			h->watch_pipe[0] = h->watch_pipe[1] = -1;
			pthread_mutex_unlock(&h->lock);
			return -1;
		}
		h->pipe_marked = false;
		xpv_libxs_pipe_sync(h);
	}
	fd = h->watch_pipe[0];
	pthread_mutex_unlock(&h->lock);
	return fd;
}

/* One malloc block: the string pointers, then a copy of the body. */
static char **libxs_event_vector(const struct xpv_libxs_wev *ev,
				 unsigned int *num)
{
	unsigned int n = (unsigned int)xpv_xs_count_strings(ev->body, ev->len);
	char **vec, *p;
	unsigned int i;

	vec = malloc(n * sizeof(char *) + ev->len);
	if (!vec)
		return NULL;
	p = (char *)(vec + n);
	memcpy(p, ev->body, ev->len);
	for (i = 0; i < n; i++) {
		vec[i] = p;
		p += strlen(p) + 1;
	}
	*num = n;
	return vec;
}

static char **libxs_next_event(struct xs_handle *h, unsigned int *num,
			       bool block)
{
	struct xpv_libxs_wev *ev;
	char **vec;
	int err = 0;

	pthread_mutex_lock(&h->lock);
	while (block && !h->wq_head && !h->dead)
		pthread_cond_wait(&h->watch_cv, &h->lock);
	ev = h->wq_head;
	if (ev) {
		h->wq_head = ev->next;
		if (!h->wq_head)
			h->wq_tail = NULL;
		h->wq_count--;
		h->wq_bytes -= ev->len;
		xpv_libxs_pipe_sync(h);
	} else {
		err = h->dead ? h->dead : EAGAIN;
	}
	pthread_mutex_unlock(&h->lock);
	if (!ev) {
		errno = err;
		return NULL;
	}
	vec = libxs_event_vector(ev, num);
	xpv_libxs_free(ev);
	if (!vec)
		errno = ENOMEM;
	return vec;
}

char **xs_check_watch(struct xs_handle *h)
{
	unsigned int num;

	return libxs_next_event(h, &num, false);
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	unsigned int n;

	return libxs_next_event(h, num ? num : &n, true);
}
