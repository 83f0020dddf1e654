// SPDX-License-Identifier: MIT
/*
 * The blkback daemon: one epoll loop over the xenstore watch fd, the event
 * channel fd, each ring's libaio eventfd and a signalfd.  Watch events only
 * mark devices dirty; dirty devices are brought up to date after each
 * round, so a ring is never freed while an event for it is being served.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "backend/blkback/blkback.h"

void bb_log(const char *fmt, ...)
{
	char line[512];
	struct timespec ts;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "xenpv-blkback[%d] %ld.%03ld: %s\n", getpid(),
		(long)ts.tv_sec, ts.tv_nsec / 1000000, line);
}

int bb_epoll_add(struct bb *bb, int fd, struct bb_ep *ep)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ep };

	return epoll_ctl(bb->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

void bb_epoll_del(struct bb *bb, int fd)
{
	epoll_ctl(bb->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void bb_port_add(struct bb *bb, struct bb_ring *r)
{
	r->next_port = bb->ports;
	bb->ports = r;
}

void bb_port_del(struct bb *bb, struct bb_ring *r)
{
	struct bb_ring **pp;

	for (pp = &bb->ports; *pp; pp = &(*pp)->next_port) {
		if (*pp == r) {
			*pp = r->next_port;
			return;
		}
	}
}

static struct bb_dev *find_dev(struct bb *bb, unsigned int fe,
			       unsigned int vdev)
{
	struct bb_dev *d;

	for (d = bb->devs; d; d = d->next)
		if (d->fe_domid == fe && d->vdev == vdev)
			return d;
	return NULL;
}

static bool parse_id(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static void touch_dev(struct bb *bb, unsigned int fe, unsigned int vdev)
{
	struct bb_dev *d = find_dev(bb, fe, vdev);

	if (!d)
		d = bb_dev_new(bb, fe, vdev);
	if (d)
		d->dirty = true;
}

/* Every device under backend/vbd, new ones created. */
static void scan(struct bb *bb)
{
	unsigned int nf, nv, i, j, fe, vdev;
	char path[BB_PATH_MAX + 16], **doms, **vdevs;

	doms = xs_directory(bb->xs, XBT_NULL, bb->base, &nf);
	for (i = 0; doms && i < nf; i++) {
		if (!parse_id(doms[i], 0xfffe, &fe))
			continue;
		snprintf(path, sizeof(path), "%s/%u", bb->base, fe);
		vdevs = xs_directory(bb->xs, XBT_NULL, path, &nv);
		for (j = 0; vdevs && j < nv; j++)
			if (parse_id(vdevs[j], UINT32_MAX, &vdev))
				touch_dev(bb, fe, vdev);
		free(vdevs);
	}
	free(doms);
}

static void mark_all(struct bb *bb)
{
	struct bb_dev *d;

	for (d = bb->devs; d; d = d->next)
		d->dirty = true;
}

/* A path under our backend/vbd: mark that device, or rescan. */
static void backend_event(struct bb *bb, const char *path)
{
	size_t n = strlen(bb->base);
	unsigned int fe, vdev;
	char buf[BB_PATH_MAX], *a, *b, *c;

	if (strncmp(path, bb->base, n) || (path[n] && path[n] != '/') ||
	    strlen(path + n) >= sizeof(buf))
		return;
	strcpy(buf, path + n);
	a = strtok_r(buf, "/", &c);
	b = a ? strtok_r(NULL, "/", &c) : NULL;
	if (!a || !b) {
		scan(bb);
		mark_all(bb);
		return;
	}
	if (parse_id(a, 0xfffe, &fe) && parse_id(b, UINT32_MAX, &vdev))
		touch_dev(bb, fe, vdev);
}

static void xs_ready(struct bb *bb)
{
	unsigned int fe, vdev;
	char **v;

	while ((v = xs_check_watch(bb->xs)) != NULL) {
		const char *tok = v[XS_WATCH_TOKEN];
		struct bb_dev *d;

		if (!strcmp(tok, "be")) {
			backend_event(bb, v[XS_WATCH_PATH]);
		} else if (!strcmp(tok, "rel")) {
			mark_all(bb);
		} else if (sscanf(tok, "fe/%u/%u", &fe, &vdev) == 2) {
			d = find_dev(bb, fe, vdev);
			if (d)
				d->dirty = true;
		}
		free(v);
	}
}

static struct bb_ring *ring_of_port(struct bb *bb, evtchn_port_t port)
{
	struct bb_ring *r;

	for (r = bb->ports; r; r = r->next_port)
		if (r->port == port)
			return r;
	return NULL;
}

static void evtchn_ready(struct bb *bb)
{
	evtchn_port_t port;

	while (xpv_xenops_pending(bb->x, &port) == 0) {
		struct bb_ring *r = ring_of_port(bb, port);

		if (r)
			bb_ring_run(r);
		xpv_xenops_unmask(bb->x, port);
	}
}

static void update_dirty(struct bb *bb)
{
	struct bb_dev *d, *next;

	for (d = bb->devs; d; d = next) {
		next = d->next;
		if (d->dirty)
			bb_dev_update(d);
	}
}

static void dispatch(struct bb *bb, struct bb_ep *ep)
{
	struct signalfd_siginfo si;

	switch (ep->kind) {
	case BB_EP_XS:
		xs_ready(bb);
		break;
	case BB_EP_EVTCHN:
		evtchn_ready(bb);
		break;
	case BB_EP_AIO:
		bb_ring_aio_ready(ep->p);
		break;
	case BB_EP_SIGNAL:
		if (read(bb->sigfd, &si, sizeof(si)) == sizeof(si))
			bb->stop = true;
		break;
	}
}

int bb_run(struct bb *bb)
{
	struct epoll_event ev[32];
	int n, i;

	scan(bb);
	while (!bb->stop) {
		update_dirty(bb);
		n = epoll_wait(bb->epfd, ev, 32, -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++)
			dispatch(bb, ev[i].data.ptr);
	}
	return 0;
}

static int bb_open_xs(struct bb *bb)
{
	char sock[4096];

	if (!strcmp(bb->x->ops->name, "loopback") && !getenv("XENSTORED_PATH")) {
		snprintf(sock, sizeof(sock), "%s/xenstored.sock",
			 bb->cfg.dir ? bb->cfg.dir : "/run/xenpv-loopback");
		setenv("XENSTORED_PATH", sock, 1);
	}
	bb->xs = xs_open(0);
	if (!bb->xs)
		return -errno;
	snprintf(bb->base, sizeof(bb->base), "/local/domain/%u/backend/%s",
		 bb->x->self, bb->cfg.type ? bb->cfg.type : "vbd");
	if (!xs_watch(bb->xs, bb->base, "be") ||
	    !xs_watch(bb->xs, "@releaseDomain", "rel"))
		return -errno;
	bb->ep_xs = (struct bb_ep){ .kind = BB_EP_XS };
	return bb_epoll_add(bb, xs_fileno(bb->xs), &bb->ep_xs);
}

static int bb_open_fds(struct bb *bb)
{
	sigset_t set;
	int err;

	bb->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (bb->epfd < 0)
		return -errno;
	bb->ep_evtchn = (struct bb_ep){ .kind = BB_EP_EVTCHN };
	err = bb_epoll_add(bb, xpv_xenops_evtchn_fd(bb->x), &bb->ep_evtchn);
	if (err)
		return err;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	bb->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (bb->sigfd < 0)
		return -errno;
	bb->ep_sig = (struct bb_ep){ .kind = BB_EP_SIGNAL };
	return bb_epoll_add(bb, bb->sigfd, &bb->ep_sig);
}

struct bb *bb_new(const struct bb_cfg *cfg, int *err)
{
	struct bb *bb = calloc(1, sizeof(*bb));

	*err = -ENOMEM;
	if (!bb)
		return NULL;
	bb->cfg = *cfg;
	bb->epfd = bb->sigfd = -1;
	bb->x = xpv_xenops_open(cfg->provider, cfg->dir, cfg->domid, err);
	if (bb->x && !(*err = bb_open_fds(bb)) && !(*err = bb_open_xs(bb)))
		return bb;
	bb_free(bb);
	return NULL;
}

void bb_free(struct bb *bb)
{
	if (!bb)
		return;
	while (bb->devs)
		bb_dev_destroy(bb->devs);
	if (bb->x)
		bb_log("exit: %ld page(s) still mapped",
		       xpv_xenops_mapped(bb->x));
	if (bb->xs)
		xs_close(bb->xs);
	if (bb->sigfd >= 0)
		close(bb->sigfd);
	if (bb->epfd >= 0)
		close(bb->epfd);
	xpv_xenops_close(bb->x);
	free(bb);
}
