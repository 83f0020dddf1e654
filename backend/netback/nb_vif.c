// SPDX-License-Identifier: MIT
/*
 * One vif's life in xenstore, per xen/io/netif.h: advertise our features,
 * read what the frontend published when it is Initialised or Connected,
 * map its rings and bind its event channels, and tear all of it down
 * again on Closing, on a frontend restart or when the frontend broke the
 * protocol.  Everything the frontend wrote is parsed strictly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/netback/netback.h"
#include "xenpv/xenbus.h"
#include "xenpv/xs_wire.h"

#define NB_BUF_PAGES                                                           \
	((XPV_NETBACK_MAX_FRAME + XPV_PAGE_SIZE - 1) / XPV_PAGE_SIZE)

int xpv_netback_xs_uint(struct xpv_netback *nb, const char *dir,
			const char *node, uint64_t max, uint64_t *out)
{
	char path[XPV_NETBACK_PATH_MAX + 64];
	unsigned int len;
	char *v;
	int err;

	if (xpv_xenbus_join(path, sizeof(path), dir, node) < 0)
		return -E2BIG;
	v = xs_read(nb->xs, XBT_NULL, path, &len);
	if (!v)
		return -ENOENT;
	err = xpv_xs_parse_uint(v, len, max, out);
	free(v);
	return err ? -EINVAL : 0;
}

/* A feature flag: "1" on, absent or anything else off. */
bool xpv_netback_xs_flag(struct xpv_netback *nb, const char *dir,
			 const char *node)
{
	uint64_t v;

	return xpv_netback_xs_uint(nb, dir, node, 1, &v) == 0 && v == 1;
}

int xpv_netback_xs_printf(struct xpv_netback *nb, const char *dir,
			  const char *node, const char *fmt, ...)
{
	char path[XPV_NETBACK_PATH_MAX + 64], val[128];
	va_list ap;
	int n;

	if (xpv_xenbus_join(path, sizeof(path), dir, node) < 0)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -E2BIG;
	return xs_write(nb->xs, XBT_NULL, path, val, n) ? 0 : -errno;
}

void xpv_netback_vif_set_state(struct xpv_netback_vif *v, int state)
{
	if (v->state == state)
		return;
	v->state = state;
	if (xpv_netback_xs_printf(v->nb, v->be_path, "state", "%d", state))
		fprintf(stderr, "netback: vif%u.%u: cannot write state %d\n",
			v->fe_domid, v->devid, state);
}

static void nb_vif_advertise(struct xpv_netback_vif *v)
{
	struct xpv_netback *nb = v->nb;
	int off = !nb->cfg.no_offload;

	xpv_netback_xs_printf(nb, v->be_path, "feature-rx-copy", "1");
	xpv_netback_xs_printf(nb, v->be_path, "feature-rx-flip", "0");
	xpv_netback_xs_printf(nb, v->be_path, "feature-sg", "%d", off);
	xpv_netback_xs_printf(nb, v->be_path, "feature-gso-tcpv4", "%d", off);
	xpv_netback_xs_printf(nb, v->be_path, "feature-gso-tcpv6", "%d", off);
	xpv_netback_xs_printf(nb, v->be_path, "feature-ipv6-csum-offload", "%d",
			      off);
	xpv_netback_xs_printf(nb, v->be_path, "feature-split-event-channels",
			      "1");
	xpv_netback_xs_printf(nb, v->be_path, "multi-queue-max-queues", "%u",
			      v->max_queues);
	v->txl = (struct xpv_netback_tx_limits){.max_slots =
							XPV_NETBACK_MAX_SLOTS,
						.gso_tcpv4 = off,
						.gso_tcpv6 = off};
}

static int nb_queue_init(struct xpv_netback_vif *v, unsigned int i)
{
	struct xpv_netback_queue *q = &v->q[i];

	q->vif = v;
	q->idx = i;
	q->ep = (struct xpv_netback_ep){NB_EP_TAP, q};
	/* In our own domain memory, grant copy skips a map per segment. */
	q->rx_buf = xpv_xenops_buf_alloc(v->nb->x, NB_BUF_PAGES);
	q->tx_buf = xpv_xenops_buf_alloc(v->nb->x, NB_BUF_PAGES);
	if (!q->rx_buf || !q->tx_buf)
		return -ENOMEM;
	q->tap_fd = xpv_tap_open(v->tap_name,
				 XPV_TAP_VNET_HDR | XPV_TAP_MULTI_QUEUE, NULL);
	if (q->tap_fd < 0)
		return q->tap_fd;
	/* Only queues a connected frontend serves take frames. */
	xpv_tap_set_queue(q->tap_fd, i == 0);
	return 0;
}

static void nb_vif_limits(struct xpv_netback_vif *v)
{
	uint64_t n;

	v->max_queues = v->nb->cfg.max_queues;
	/* The toolstack may ask for fewer queues than we could serve. */
	if (!xpv_netback_xs_uint(v->nb, v->be_path, "multi-queue-max-queues",
				 XPV_NETBACK_MAX_QUEUES, &n) &&
	    n >= 1 && n < v->max_queues)
		v->max_queues = n;
	if (!xpv_netback_xs_uint(v->nb, v->be_path, "mtu", 65535, &n) &&
	    n >= 68)
		/* The TAP may live in another namespace by now: best effort. */
		xpv_tap_set_mtu(v->tap_name, n);
}

static int nb_vif_paths(struct xpv_netback_vif *v)
{
	struct xpv_netback *nb = v->nb;
	int n;

	n = snprintf(v->be_path, sizeof(v->be_path), "%s/%u/%u", nb->be_root,
		     v->fe_domid, v->devid);
	if (n < 0 || (size_t)n >= sizeof(v->be_path))
		return -E2BIG;
	if (xpv_xenbus_frontend_abs_path(v->fe_path, sizeof(v->fe_path),
					 v->fe_domid, "vif", v->devid) < 0)
		return -E2BIG;
	n = snprintf(v->tap_name, sizeof(v->tap_name), "%s%u.%u",
		     nb->cfg.tap_prefix, v->fe_domid, v->devid);
	return n < 0 || (size_t)n >= sizeof(v->tap_name) ? -ENAMETOOLONG : 0;
}

struct xpv_netback_vif *xpv_netback_vif_new(struct xpv_netback *nb, domid_t fe,
					    unsigned int devid)
{
	struct xpv_netback_vif *v = calloc(1, sizeof(*v));
	char path[XPV_NETBACK_PATH_MAX + 16];
	unsigned int i;
	int err;

	if (!v)
		return NULL;
	v->nb = nb;
	v->fe_domid = fe;
	v->devid = devid;
	v->state = XenbusStateInitialising;
	v->fresh = true;
	err = nb_vif_paths(v);
	if (!err) {
		nb_vif_limits(v);
		v->q = calloc(v->max_queues, sizeof(*v->q));
		err = v->q ? 0 : -ENOMEM;
	}
	for (i = 0; v->q && i < v->max_queues; i++)
		v->q[i].tap_fd = -1;
	for (i = 0; !err && i < v->max_queues; i++)
		err = nb_queue_init(v, i);
	if (!err) {
		xpv_tap_set_carrier(v->q[0].tap_fd, false);
		snprintf(path, sizeof(path), "%s/state", v->fe_path);
		v->fe_watched = xs_watch(nb->xs, path, "fe");
	}
	if (err) {
		fprintf(stderr, "netback: vif%u.%u: setup failed: %s\n", fe,
			devid, strerror(-err));
		if (!v->q) {
			free(v);
			return NULL;
		}
		/* Kept, so the next rescan does not retry it in a loop. */
		xpv_netback_vif_fail(v, "backend setup failed");
		return v;
	}
	nb_vif_advertise(v);
	fprintf(stderr, "netback: vif%u.%u: tap %s, %u queue(s)\n", fe, devid,
		v->tap_name, v->max_queues);
	return v;
}

void xpv_netback_vif_free(struct xpv_netback_vif *v)
{
	char path[XPV_NETBACK_PATH_MAX + 16];
	unsigned int i;

	if (!v)
		return;
	xpv_netback_vif_disconnect(v);
	if (v->fe_watched) {
		snprintf(path, sizeof(path), "%s/state", v->fe_path);
		xs_unwatch(v->nb->xs, path, "fe");
	}
	for (i = 0; v->q && i < v->max_queues; i++) {
		if (v->q[i].tap_fd >= 0)
			close(v->q[i].tap_fd);
		xpv_xenops_buf_free(v->nb->x, v->q[i].rx_buf, NB_BUF_PAGES);
		xpv_xenops_buf_free(v->nb->x, v->q[i].tx_buf, NB_BUF_PAGES);
	}
	free(v->q);
	free(v);
}
