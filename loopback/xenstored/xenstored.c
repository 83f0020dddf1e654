// SPDX-License-Identifier: MIT
/*
 * The daemon object and its loop: one thread polls the listening socket,
 * every connection and an eventfd through which other threads hand over
 * stop requests, dead domains and new connections.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <fcntl.h>
#include <unistd.h>

#include "loopback/xenstored/xsd_priv.h"

struct xsd_pending {
	struct xsd_pending *next;
	int fd;
	unsigned int domid;
};

#define XSD_MIN_OUT (2 * (XPV_XS_HDR_SIZE + XENSTORE_PAYLOAD_MAX))

void xsd_limits_default(struct xsd_limits *lim)
{
	/* The real one's default quotas where it has one. */
	lim->nodes_per_domain = 1000;
	lim->watches_per_conn = 128;
	lim->tx_per_conn = 10;
	lim->tx_nodes = 1024;
	lim->perms_per_node = 5;
	lim->max_payload = XENSTORE_PAYLOAD_MAX;
	lim->max_out_bytes = 1u << 20;
	lim->max_conns = 1024;
}

struct xsd *xsd_new(const struct xsd_limits *lim,
		    const struct xsd_hooks *hooks)
{
	struct xsd *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	if (lim)
		x->lim = *lim;
	else
		xsd_limits_default(&x->lim);
	if (x->lim.max_payload > XENSTORE_PAYLOAD_MAX)
		x->lim.max_payload = XENSTORE_PAYLOAD_MAX;
	/* Room for a reply at least, or nothing would ever be read. */
	if (x->lim.max_out_bytes < XSD_MIN_OUT)
		x->lim.max_out_bytes = XSD_MIN_OUT;
	if (hooks)
		x->hooks = *hooks;
	x->listen_fd = -1;
	x->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	x->dom_nodes = calloc(XSD_NR_DOMIDS, sizeof(*x->dom_nodes));
	x->introduced = calloc(XSD_NR_DOMIDS / 8, 1);
	x->released = calloc(XSD_NR_DOMIDS / 8, 1);
	pthread_mutex_init(&x->lock, NULL);
	if (x->wake_fd < 0 || !x->dom_nodes || !x->introduced ||
	    !x->released || xsd_store_init(x)) {
		xsd_free(x);
		return NULL;
	}
	return x;
}

int xsd_listen(struct xsd *x, const char *socket_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, err;

	if (x->listen_fd >= 0)
		return -EBUSY;
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, socket_path);
	if (!lstat(socket_path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(socket_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	x->sock_path = strdup(socket_path);
	x->listen_fd = fd;
	return 0;
}

static void xsd_wake(struct xsd *x)
{
	uint64_t one = 1;

	if (write(x->wake_fd, &one, sizeof(one)) < 0) {
		/* Counter full: the loop is awake anyway. */
	}
}

int xsd_add_connection(struct xsd *x, int fd, unsigned int domid)
{
	struct xsd_pending *p;

	if (domid >= XSD_NR_DOMIDS) {
		close(fd);
		return -EINVAL;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	p->fd = fd;
	p->domid = domid;
	pthread_mutex_lock(&x->lock);
	p->next = x->pending;
	x->pending = p;
	pthread_mutex_unlock(&x->lock);
	xsd_wake(x);
	return 0;
}

void xsd_stop(struct xsd *x)
{
	pthread_mutex_lock(&x->lock);
	x->stop_req = true;
	pthread_mutex_unlock(&x->lock);
	xsd_wake(x);
}

void xsd_domain_released(struct xsd *x, unsigned int domid)
{
	if (domid == 0 || domid >= XSD_NR_DOMIDS)
		return;
	pthread_mutex_lock(&x->lock);
	xsd_set_bit(x->released, domid, true);
	x->any_released = true;
	pthread_mutex_unlock(&x->lock);
	xsd_wake(x);
}

/* The domain is gone: its connections, watches and transactions too. */
void xsd_release_domain(struct xsd *x, unsigned int domid)
{
	struct xsd_conn *c;

	xsd_set_bit(x->introduced, domid, false);
	for (c = x->conns; c; c = c->next)
		if (c->domid == domid && domid != XSD_PRIV_DOMID)
			xsd_conn_kill(c);
	xsd_fire(x, "@releaseDomain", false, NULL, 0);
}

static void xsd_adopt(struct xsd *x, struct xsd_pending *p)
{
	struct xsd_pending *next;

	for (; p; p = next) {
		next = p->next;
		if (x->nconns >= x->lim.max_conns ||
		    !xsd_conn_new(x, p->fd, p->domid))
			close(p->fd);
		free(p);
	}
}

/* Takes what other threads queued; false when asked to stop. */
static bool xsd_take_requests(struct xsd *x)
{
	struct xsd_pending *p;
	unsigned int d;
	bool stop, any;
	uint8_t rel[XSD_NR_DOMIDS / 8];

	pthread_mutex_lock(&x->lock);
	stop = x->stop_req;
	x->stop_req = false;
	p = x->pending;
	x->pending = NULL;
	any = x->any_released;
	if (any) {
		memcpy(rel, x->released, sizeof(rel));
		memset(x->released, 0, sizeof(rel));
		x->any_released = false;
	}
	pthread_mutex_unlock(&x->lock);
	xsd_adopt(x, p);
	for (d = 1; any && d < XSD_NR_DOMIDS; d++)
		if (xsd_bit(rel, d))
			xsd_release_domain(x, d);
	return !stop;
}

static void xsd_accept(struct xsd *x)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, domid;

	for (;;) {
		domid = -1;
		fd = accept4(x->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (x->hooks.domid_of_pid &&
		    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
			domid = x->hooks.domid_of_pid(x->hooks.arg, cred.pid);
		if (domid < 0)
			domid = XSD_PRIV_DOMID;
		if (domid >= (int)XSD_NR_DOMIDS ||
		    x->nconns >= x->lim.max_conns ||
		    !xsd_conn_new(x, fd, (unsigned int)domid))
			close(fd);
	}
}

struct xsd_pollset {
	struct pollfd *pfd;
	struct xsd_conn **conn;
	size_t cap, n;
};

static int xsd_pollset_add(struct xsd_pollset *ps, int fd, short events,
			   struct xsd_conn *c)
{
	void *p, *q;
	size_t cap;

	if (ps->n == ps->cap) {
		cap = ps->cap ? ps->cap * 2 : 16;
		p = realloc(ps->pfd, cap * sizeof(*ps->pfd));
		if (p)
			ps->pfd = p;
		q = realloc(ps->conn, cap * sizeof(*ps->conn));
		if (q)
			ps->conn = q;
		if (!p || !q)
			return -ENOMEM;
		ps->cap = cap;
	}
	ps->pfd[ps->n] = (struct pollfd){ .fd = fd, .events = events };
	ps->conn[ps->n++] = c;
	return 0;
}

static int xsd_pollset_build(struct xsd *x, struct xsd_pollset *ps)
{
	struct xsd_conn *c;
	short ev;
	int err;

	ps->n = 0;
	err = xsd_pollset_add(ps, x->wake_fd, POLLIN, NULL);
	if (!err && x->listen_fd >= 0)
		err = xsd_pollset_add(ps, x->listen_fd,
				      x->nconns < x->lim.max_conns ? POLLIN : 0,
				      NULL);
	for (c = x->conns; c && !err; c = c->next) {
		if (c->dead || c->fd < 0)
			continue;
		ev = (xsd_conn_want_read(c) ? POLLIN : 0) |
		     (c->out_head ? POLLOUT : 0);
		err = xsd_pollset_add(ps, c->fd, ev, c);
	}
	return err;
}

static void xsd_pollset_serve(struct xsd *x, struct xsd_pollset *ps)
{
	uint64_t cnt;
	size_t i;
	short re;

	for (i = 0; i < ps->n; i++) {
		re = ps->pfd[i].revents;
		if (!re)
			continue;
		if (!ps->conn[i]) {
			if (ps->pfd[i].fd == x->wake_fd) {
				if (read(x->wake_fd, &cnt, sizeof(cnt)) < 0)
					cnt = 0;
			} else {
				xsd_accept(x);
			}
			continue;
		}
		if (re & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			xsd_conn_read(ps->conn[i]);
		if (re & (POLLHUP | POLLERR | POLLNVAL) &&
		    !(re & POLLIN) && !ps->conn[i]->dead)
			xsd_conn_kill(ps->conn[i]);
		if (re & POLLOUT)
			xsd_conn_write(ps->conn[i]);
	}
}

int xsd_run(struct xsd *x, volatile int *stop)
{
	struct xsd_pollset ps = { 0 };
	int err = 0, rc;

	while (!(stop && *stop) && xsd_take_requests(x)) {
		err = xsd_pollset_build(x, &ps);
		if (err)
			break;
		/* With a flag to watch, look at it now and then. */
		rc = poll(ps.pfd, ps.n, stop ? 200 : -1);
		if (rc < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		if (rc > 0)
			xsd_pollset_serve(x, &ps);
		xsd_conn_reap(x);
	}
	free(ps.pfd);
	free(ps.conn);
	return err;
}

void xsd_free(struct xsd *x)
{
	struct xsd_conn *c;

	if (!x)
		return;
	xsd_adopt(x, x->pending);
	for (c = x->conns; c; c = c->next)
		xsd_conn_kill(c);
	xsd_conn_reap(x);
	xsd_map_clear(&x->store);
	if (x->listen_fd >= 0) {
		close(x->listen_fd);
		if (x->sock_path)
			unlink(x->sock_path);
	}
	if (x->wake_fd >= 0)
		close(x->wake_fd);
	pthread_mutex_destroy(&x->lock);
	free(x->sock_path);
	free(x->dom_nodes);
	free(x->introduced);
	free(x->released);
	free(x);
}
