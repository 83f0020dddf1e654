// SPDX-License-Identifier: MIT
/*
 * The connection to xenstored: where the socket is, opening and closing a
 * handle, reading whole messages off the stream (the caller or the reader
 * thread), and matching the one reply we wait for to its request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend/libxs/libxs.h"

void xpv_libxs_free(void *p)
{
	int saved = errno;

	free(p);
	errno = saved;
}

/* ---- where the daemon is --------------------------------------------- */

const char *xs_daemon_rundir(void)
{
	const char *s = getenv("XENSTORED_RUNDIR");

	return s ? s : "/var/run/xenstored";
}

const char *xs_daemon_socket(void)
{
	static char buf[PATH_MAX];
	const char *s = getenv("XENSTORED_PATH");
	int n;

	if (s)
		return s;
	n = snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
	if (n < 0 || n >= (int)sizeof(buf))
		return NULL;
	return buf;
}

/* The read-only socket is gone from xenstored; both names mean one socket. */
const char *xs_daemon_socket_ro(void)
{
	return xs_daemon_socket();
}

static const char *libxs_domain_dev(void)
{
	const char *s = getenv("XENSTORED_PATH");

	if (s)
		return s;
	if (access("/dev/xen/xenbus", F_OK) == 0)
		return "/dev/xen/xenbus";
	return "/proc/xen/xenbus";
}

/* ---- opening and closing --------------------------------------------- */

static int libxs_connect(const char *path, bool *is_socket)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len;
	struct stat st;
	int fd, saved;

	if (!path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(path, &st) != 0)
		return -1;
	*is_socket = S_ISSOCK(st.st_mode);
	if (!*is_socket)
		return open(path, O_RDWR | O_CLOEXEC);
	len = strlen(path);
	if (len >= sizeof(addr.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(addr.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* A handle on an open connection (tests and fuzzing hand in a socketpair). */
struct xs_handle *xpv_libxs_open_fd(int fd, bool is_socket)
{
	struct xs_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	h->fd = fd;
	h->is_socket = is_socket;
	h->watch_pipe[0] = h->watch_pipe[1] = -1;
	h->stop_pipe[0] = h->stop_pipe[1] = -1;
	h->next_req_id = 1;
	pthread_mutex_init(&h->req_lock, NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->reply_cv, NULL);
	pthread_cond_init(&h->watch_cv, NULL);
	xpv_xs_reader_init(&h->rd, XENSTORE_PAYLOAD_MAX);
	return h;
}

static struct xs_handle *libxs_handle_new(const char *path)
{
	struct xs_handle *h;
	bool is_socket = false;
	int fd;

	fd = libxs_connect(path, &is_socket);
	if (fd < 0)
		return NULL;
	h = xpv_libxs_open_fd(fd, is_socket);
	if (!h)
		close(fd);
	return h;
}

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h;

	/* The socket first, then the xenbus device, like libxenstore. */
	h = libxs_handle_new(xs_daemon_socket());
	if (!h)
		h = libxs_handle_new(libxs_domain_dev());
	if (h && (flags & XS_UNWATCH_FILTER))
		h->unwatch_filter = true;
	return h;
}

struct xs_handle *xs_daemon_open(void)
{
	return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
	return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
	return xs_open(0);
}

static void libxs_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void libxs_release(struct xs_handle *h)
{
	xpv_libxs_free_events(h);
	free(h->reply);
	libxs_close_fd(&h->fd);
	libxs_close_fd(&h->watch_pipe[0]);
	libxs_close_fd(&h->watch_pipe[1]);
	libxs_close_fd(&h->stop_pipe[0]);
	libxs_close_fd(&h->stop_pipe[1]);
	free(h);
}

/* After fork() the reader thread does not exist in the child: just free. */
void xs_daemon_destroy_postfork(struct xs_handle *h)
{
	if (h)
		libxs_release(h);
}

void xs_daemon_close(struct xs_handle *h)
{
	char c = 0;

	if (!h)
		return;
	if (h->thread_running) {
		while (write(h->stop_pipe[1], &c, 1) < 0 && errno == EINTR)
			;
		pthread_join(h->thread, NULL);
		h->thread_running = false;
	}
	pthread_mutex_destroy(&h->req_lock);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->reply_cv);
	pthread_cond_destroy(&h->watch_cv);
	libxs_release(h);
}

void xs_close(struct xs_handle *h)
{
	xs_daemon_close(h);
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (unsigned int)n;
	}
	return true;
}

/* ---- reading the stream ---------------------------------------------- */

/*
 * Refills h->in.  With @poll_stop the wait also watches the stop pipe and
 * returns -ECANCELED when it fires.  0 may mean "nothing yet": call again.
 */
static int libxs_fill(struct xs_handle *h, bool poll_stop)
{
	struct pollfd p[2] = {
		{ .fd = h->fd, .events = POLLIN },
		{ .fd = h->stop_pipe[0], .events = POLLIN },
	};
	ssize_t n;

	if (poll(p, poll_stop ? 2 : 1, -1) < 0)
		return errno == EINTR ? 0 : -EIO;
	if (poll_stop && p[1].revents)
		return -ECANCELED;
	if (!p[0].revents)
		return 0;
	n = read(h->fd, h->in, sizeof(h->in));
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -EIO;
	if (n == 0)
		return -EIO; /* the daemon hung up */
	h->in_pos = 0;
	h->in_len = (uint32_t)n;
	return 0;
}

/*
 * Reads until h->rd holds one whole message.  Any error other than
 * -ECANCELED leaves the stream out of sync: the connection is lost.
 */
int xpv_libxs_read_msg(struct xs_handle *h, bool poll_stop)
{
	bool complete = false;
	int n;

	for (;;) {
		if (h->in_pos < h->in_len) {
			n = xpv_xs_reader_feed(&h->rd, h->in + h->in_pos,
					       h->in_len - h->in_pos,
					       &complete);
			if (n < 0)
				return -EBADMSG;
			h->in_pos += (uint32_t)n;
			if (complete)
				return 0;
			continue;
		}
		n = libxs_fill(h, poll_stop);
		if (n < 0)
			return n;
	}
}

void xpv_libxs_fail(struct xs_handle *h, int err)
{
	pthread_mutex_lock(&h->lock);
	if (!h->dead)
		h->dead = err;
	xpv_libxs_pipe_sync(h);
	pthread_cond_broadcast(&h->reply_cv);
	pthread_cond_broadcast(&h->watch_cv);
	pthread_mutex_unlock(&h->lock);
}

static void libxs_store_reply(struct xs_handle *h, const struct xpv_xs_msg *m)
{
	h->reply = malloc(m->hdr.len + 1);
	if (h->reply) {
		memcpy(h->reply, m->body, m->hdr.len);
		h->reply[m->hdr.len] = '\0';
		h->reply_len = m->hdr.len;
		h->reply_type = m->hdr.type;
	} else {
		h->reply_err = ENOMEM;
	}
	h->waiting = false;
	pthread_cond_broadcast(&h->reply_cv);
}

/* Hands h->rd's message to its owner; -EBADMSG if it breaks the protocol. */
int xpv_libxs_dispatch(struct xs_handle *h)
{
	const struct xpv_xs_msg *m = &h->rd.msg;
	int ret = 0;

	if (m->hdr.type == XS_WATCH_EVENT) {
		xpv_libxs_queue_event(h, m->body, m->hdr.len);
	} else {
		pthread_mutex_lock(&h->lock);
		/* A reply nobody waits for, or for another request. */
		if (!h->waiting || m->hdr.req_id != h->req_id)
			ret = -EBADMSG;
		else
			libxs_store_reply(h, m);
		pthread_mutex_unlock(&h->lock);
	}
	xpv_xs_reader_reset(&h->rd);
	return ret;
}

static void *libxs_reader(void *arg)
{
	struct xs_handle *h = arg;
	int err;

	do {
		err = xpv_libxs_read_msg(h, true);
		if (!err)
			err = xpv_libxs_dispatch(h);
	} while (!err);
	if (err != -ECANCELED)
		xpv_libxs_fail(h, -err);
	return NULL;
}

/* Called with req_lock held, so no caller is reading the stream. */
int xpv_libxs_start_reader(struct xs_handle *h)
{
	sigset_t all, old;
	int err;

	if (h->thread_running)
		return 0;
	if (h->stop_pipe[0] < 0 && pipe2(h->stop_pipe, O_CLOEXEC) < 0) {
		err = errno;
		h->stop_pipe[0] = h->stop_pipe[1] = -1;
		return -err;
	}
	/* The application's signals stay with the application's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&h->thread, NULL, libxs_reader, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	h->thread_running = true;
	return 0;
}

/* ---- one request, one reply ------------------------------------------ */

static int libxs_send_bytes(struct xs_handle *h, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		if (h->is_socket)
			n = send(h->fd, p, len, MSG_NOSIGNAL);
		else
			n = write(h->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int libxs_send(struct xs_handle *h, struct xpv_xs_msg *req)
{
	int err;

	pthread_mutex_lock(&h->lock);
	err = h->dead;
	if (!err) {
		h->req_id = h->next_req_id++;
		req->hdr.req_id = h->req_id;
		h->waiting = true;
	}
	pthread_mutex_unlock(&h->lock);
	if (err)
		return err;
	err = libxs_send_bytes(h, (const char *)req, xpv_xs_msg_wire_len(req));
	if (err) {
		/* Part of a message may be out: the stream is unusable. */
		xpv_libxs_fail(h, err);
		pthread_mutex_lock(&h->lock);
		h->waiting = false;
		pthread_mutex_unlock(&h->lock);
	}
	return err;
}

/* Without a reader thread, the caller reads until its reply is in. */
static void libxs_pump(struct xs_handle *h)
{
	bool done;
	int err;

	for (;;) {
		pthread_mutex_lock(&h->lock);
		done = !h->waiting || h->dead;
		pthread_mutex_unlock(&h->lock);
		if (done)
			return;
		err = xpv_libxs_read_msg(h, false);
		if (!err)
			err = xpv_libxs_dispatch(h);
		if (err) {
			xpv_libxs_fail(h, -err);
			return;
		}
	}
}

static int libxs_wait(struct xs_handle *h, char **body, uint32_t *len,
		      uint32_t *type)
{
	int err;

	if (!h->thread_running)
		libxs_pump(h);
	pthread_mutex_lock(&h->lock);
	while (h->waiting && !h->dead)
		pthread_cond_wait(&h->reply_cv, &h->lock);
	if (h->waiting) {
		err = h->dead;
		h->waiting = false;
	} else {
		err = h->reply_err;
		*body = h->reply;
		*len = h->reply_len;
		*type = h->reply_type;
		h->reply = NULL;
		h->reply_err = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return err;
}

bool xpv_libxs_one_string(const char *body, uint32_t len)
{
	const char *nul = memchr(body, '\0', len);

	return !nul || nul == body + len - 1;
}

static int libxs_error_errno(const char *body, uint32_t len)
{
	if (!xpv_libxs_one_string(body, len))
		return EINVAL;
	return xpv_xs_errno_from_name(body, (uint32_t)strlen(body));
}

/*
 * Sends @req and waits for its reply.  Returns the reply body (malloc'd,
 * NUL-terminated one past *len), or NULL with errno: the daemon's error for
 * an ERROR reply, EBADMSG when the daemon broke the protocol.
 */
void *xpv_libxs_talk(struct xs_handle *h, struct xpv_xs_msg *req,
		     unsigned int *len)
{
	char *body = NULL;
	uint32_t blen = 0, type = 0;
	int err;

	pthread_mutex_lock(&h->req_lock);
	err = libxs_send(h, req);
	if (!err)
		err = libxs_wait(h, &body, &blen, &type);
	pthread_mutex_unlock(&h->req_lock);
	if (err) {
		errno = err;
		return NULL;
	}
	if (type == req->hdr.type) {
		if (len)
			*len = blen;
		return body;
	}
	if (type == XS_ERROR) {
		err = libxs_error_errno(body, blen);
	} else {
		err = EBADMSG;
		xpv_libxs_fail(h, err);
	}
	free(body);
	errno = err;
	return NULL;
}

void *xpv_libxs_single(struct xs_handle *h, xs_transaction_t t,
		       uint32_t type, const char *arg, unsigned int *len)
{
	struct xpv_xs_msg m;

	xpv_xs_msg_init(&m, type, 0, t);
	if (xpv_xs_msg_append_str(&m, arg) < 0) {
		errno = E2BIG;
		return NULL;
	}
	return xpv_libxs_talk(h, &m, len);
}
