// SPDX-License-Identifier: MIT
/*
 * The netback daemon's loop: vifs appear and vanish under our backend/vif
 * in xenstore, event channel ports and TAP fds say which queue has work,
 * and queues with work left over after their budget run again before the
 * loop sleeps.
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

#include "backend/netback/netback.h"
#include "xenpv/xs_wire.h"

#define NB_LOG_PER_SECOND 20
#define NB_MAX_PORTS (1u << 17)

void xpv_netback_log_peer(struct xpv_netback *nb, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((uint64_t)ts.tv_sec != nb->rate_second) {
		nb->rate_second = ts.tv_sec;
		nb->rate_tokens = NB_LOG_PER_SECOND;
	}
	if (!nb->rate_tokens)
		return;
	nb->rate_tokens--;
	fprintf(stderr, "netback: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int xpv_netback_port_set(struct xpv_netback *nb, evtchn_port_t port,
			 struct xpv_netback_queue *q)
{
	if (port >= nb->nr_port_q) {
		unsigned int n = nb->nr_port_q ? nb->nr_port_q : 64;
		struct xpv_netback_queue **t;

		if (!q)
			return 0;
		while (n <= port && n < NB_MAX_PORTS)
			n *= 2;
		if (port >= n)
			return -ERANGE;
		t = realloc(nb->port_q, n * sizeof(*t));
		if (!t)
			return -ENOMEM;
		memset(t + nb->nr_port_q, 0, (n - nb->nr_port_q) * sizeof(*t));
		nb->port_q = t;
		nb->nr_port_q = n;
	}
	nb->port_q[port] = q;
	return 0;
}

unsigned int xpv_netback_ports_bound(struct xpv_netback *nb)
{
	unsigned int i, n = 0;

	for (i = 0; i < nb->nr_port_q; i++)
		n += nb->port_q[i] != NULL;
	return n;
}

void xpv_netback_tap_arm(struct xpv_netback_queue *q, bool on)
{
	struct xpv_netback *nb = q->vif->nb;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &q->ep};

	if (q->tap_fd < 0 || q->tap_armed == on)
		return;
	if (epoll_ctl(nb->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, q->tap_fd,
		      &ev) == 0)
		q->tap_armed = on;
}

static struct xpv_netback_vif *nb_find(struct xpv_netback *nb, domid_t fe,
				       unsigned int devid)
{
	struct xpv_netback_vif *v;

	for (v = nb->vifs; v; v = v->next)
		if (v->fe_domid == fe && v->devid == devid)
			return v;
	return NULL;
}

/* A listing failed for another reason than absence: keep what we have. */
static void nb_keep_domain(struct xpv_netback *nb, int fe)
{
	struct xpv_netback_vif *v;

	for (v = nb->vifs; v; v = v->next)
		if (fe < 0 || v->fe_domid == fe)
			v->stale = false;
}

static void nb_scan_domain(struct xpv_netback *nb, const char *fe_name)
{
	char path[XPV_NETBACK_PATH_MAX + 16];
	unsigned int i, n;
	uint64_t fe, id;
	char **ids;

	if (xpv_xs_parse_uint(fe_name, strlen(fe_name),
			      DOMID_FIRST_RESERVED - 1, &fe))
		return;
	snprintf(path, sizeof(path), "%s/%u", nb->be_root, (unsigned int)fe);
	ids = xs_directory(nb->xs, XBT_NULL, path, &n);
	if (!ids && errno != ENOENT)
		nb_keep_domain(nb, fe);
	for (i = 0; ids && i < n; i++) {
		struct xpv_netback_vif *v;

		if (xpv_xs_parse_uint(ids[i], strlen(ids[i]), 0xffff, &id))
			continue;
		v = nb_find(nb, fe, id);
		if (!v) {
			v = xpv_netback_vif_new(nb, fe, id);
			if (!v)
				continue;
			v->next = nb->vifs;
			nb->vifs = v;
		}
		v->stale = false;
	}
	free(ids);
}

/* Any xenstore change: find new and removed vifs, then move every state. */
static void nb_rescan(struct xpv_netback *nb)
{
	struct xpv_netback_vif **pp, *v;
	unsigned int i, n;
	char **doms;

	for (v = nb->vifs; v; v = v->next)
		v->stale = true;
	doms = xs_directory(nb->xs, XBT_NULL, nb->be_root, &n);
	if (!doms && errno != ENOENT)
		nb_keep_domain(nb, -1);
	for (i = 0; doms && i < n; i++)
		nb_scan_domain(nb, doms[i]);
	free(doms);
	for (pp = &nb->vifs; (v = *pp) != NULL;) {
		if (v->stale) {
			fprintf(stderr, "netback: vif%u.%u: removed\n",
				v->fe_domid, v->devid);
			*pp = v->next;
			xpv_netback_vif_free(v);
			continue;
		}
		xpv_netback_vif_update(v);
		pp = &v->next;
	}
}

static void nb_drain_watches(struct xpv_netback *nb)
{
	bool any = false;
	char **w;

	while ((w = xs_check_watch(nb->xs)) != NULL) {
		free(w);
		any = true;
	}
	if (any)
		nb_rescan(nb);
}

static void nb_events(struct xpv_netback *nb)
{
	evtchn_port_t port;

	while (xpv_xenops_pending(nb->x, &port) == 0) {
		struct xpv_netback_queue *q =
			port < nb->nr_port_q ? nb->port_q[port] : NULL;

		xpv_xenops_unmask(nb->x, port);
		if (!q)
			continue;
		if (port == q->tx_port)
			q->tx_work = true;
		if (port == q->rx_port)
			q->rx_work = true;
	}
}

/* Run every queue with work; true if some has work left. */
static bool nb_work(struct xpv_netback *nb)
{
	struct xpv_netback_vif *v;
	bool more = false;
	unsigned int i;

	for (v = nb->vifs; v; v = v->next) {
		for (i = 0; i < v->nr_queues && !v->broken; i++) {
			struct xpv_netback_queue *q = &v->q[i];

			if (!q->connected)
				continue;
			if (q->tx_work)
				q->tx_work = xpv_netback_tx_run(q);
			if (q->rx_work && !v->broken)
				q->rx_work = xpv_netback_rx_run(q);
			more |= q->tx_work || q->rx_work;
		}
		if (v->broken)
			xpv_netback_vif_fail(v, v->reason);
	}
	return more;
}

static void nb_dispatch(struct xpv_netback *nb, struct epoll_event *ev, int n)
{
	bool xs = false;
	int i;

	for (i = 0; i < n; i++) {
		struct xpv_netback_ep *ep = ev[i].data.ptr;
		struct signalfd_siginfo si;

		switch (ep->kind) {
		case NB_EP_XS:
			xs = true;
			break;
		case NB_EP_EVTCHN:
			nb_events(nb);
			break;
		case NB_EP_TAP:
			((struct xpv_netback_queue *)ep->p)->rx_work = true;
			break;
		case NB_EP_SIGNAL:
			if (read(nb->sigfd, &si, sizeof(si)) == sizeof(si))
				nb->stop = true;
			break;
		}
	}
	/* Last: a rescan may free vifs whose TAP events are in @ev. */
	if (xs)
		nb_drain_watches(nb);
}

int xpv_netback_run(struct xpv_netback *nb)
{
	struct epoll_event ev[64];
	bool more = true;

	nb_rescan(nb);
	while (!nb->stop) {
		int n = epoll_wait(nb->epfd, ev, 64, more ? 0 : -1);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			nb_dispatch(nb, ev, n);
		more = nb_work(nb);
	}
	return 0;
}

static int nb_epoll_add(struct xpv_netback *nb, int fd,
			struct xpv_netback_ep *ep, enum xpv_netback_ep_kind k)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ep};

	ep->kind = k;
	ep->p = nb;
	return epoll_ctl(nb->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int nb_join(struct xpv_netback *nb)
{
	int err = -EIO, tries;

	/* After a crash the loopback may still be tearing our domain down. */
	for (tries = 0; tries < 100; tries++) {
		nb->x = xpv_xenops_open(nb->cfg.provider, nb->cfg.dir,
					nb->cfg.domid, &err);
		if (nb->x || (err != -EEXIST && err != -EBUSY))
			break;
		usleep(50000);
	}
	return nb->x ? 0 : err;
}

static int nb_open_xs(struct xpv_netback *nb)
{
	char sock[4096];

	if (nb->cfg.dir && !getenv("XENSTORED_PATH")) {
		snprintf(sock, sizeof(sock), "%s/xenstored.sock", nb->cfg.dir);
		setenv("XENSTORED_PATH", sock, 1);
	}
	nb->xs = xs_open(0);
	if (!nb->xs)
		return -errno ? -errno : -EIO;
	snprintf(nb->be_root, sizeof(nb->be_root),
		 "/local/domain/%u/backend/%s", nb->x->self,
		 nb->cfg.be_type ? nb->cfg.be_type : "vif");
	if (!xs_watch(nb->xs, nb->be_root, "be") ||
	    !xs_watch(nb->xs, "@releaseDomain", "rel"))
		return -errno ? -errno : -EIO;
	return 0;
}

int xpv_netback_open(struct xpv_netback *nb, const struct xpv_netback_cfg *c)
{
	sigset_t ss;
	int err;

	memset(nb, 0, sizeof(*nb));
	nb->cfg = *c;
	nb->epfd = nb->sigfd = -1;
	if (!nb->cfg.tap_prefix)
		nb->cfg.tap_prefix = "xvif";
	if (nb->cfg.max_queues == 0)
		nb->cfg.max_queues = 4;
	if (nb->cfg.max_queues > XPV_NETBACK_MAX_QUEUES)
		nb->cfg.max_queues = XPV_NETBACK_MAX_QUEUES;
	err = nb_join(nb);
	if (!err)
		err = nb_open_xs(nb);
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	nb->epfd = epoll_create1(EPOLL_CLOEXEC);
	nb->sigfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	if (!err && (nb->epfd < 0 || nb->sigfd < 0))
		err = -errno;
	if (!err)
		err = nb_epoll_add(nb, xs_fileno(nb->xs), &nb->ep_xs, NB_EP_XS);
	if (!err)
		err = nb_epoll_add(nb, xpv_xenops_evtchn_fd(nb->x),
				   &nb->ep_evtchn, NB_EP_EVTCHN);
	if (!err)
		err = nb_epoll_add(nb, nb->sigfd, &nb->ep_sig, NB_EP_SIGNAL);
	if (err)
		xpv_netback_close(nb);
	return err;
}

void xpv_netback_close(struct xpv_netback *nb)
{
	while (nb->vifs) {
		struct xpv_netback_vif *v = nb->vifs;

		nb->vifs = v->next;
		xpv_netback_vif_free(v);
	}
	if (nb->x)
		fprintf(stderr,
			"netback: exit; leak check: mapped %ld ports %u\n",
			xpv_xenops_mapped(nb->x), xpv_netback_ports_bound(nb));
	if (nb->xs)
		xs_close(nb->xs);
	if (nb->x)
		xpv_xenops_close(nb->x);
	if (nb->epfd >= 0)
		close(nb->epfd);
	if (nb->sigfd >= 0)
		close(nb->sigfd);
	free(nb->port_q);
	memset(nb, 0, sizeof(*nb));
	nb->epfd = nb->sigfd = -1;
}
