// SPDX-License-Identifier: MIT
/*
 * Connecting and disconnecting a vif: the frontend's nodes (read once per
 * connect, each strictly), its rings mapped, its event channels bound, the
 * TAP queues and offloads set to what it asked for; and the xenbus state
 * machine that decides when.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/netback/netback.h"
#include "xenpv/xenbus.h"

static int nb_conn_fail(struct xpv_netback_vif *v, const char *why)
{
	snprintf(v->reason, sizeof(v->reason), "%s", why);
	return -EINVAL;
}

static int nb_read_features(struct xpv_netback_vif *v)
{
	struct xpv_netback *nb = v->nb;
	const char *fe = v->fe_path;
	bool off = !nb->cfg.no_offload;
	uint64_t n;
	int err;

	if (!xpv_netback_xs_flag(nb, fe, "request-rx-copy"))
		return nb_conn_fail(v, "frontend does not request rx-copy");
	if (!xpv_netback_xs_flag(nb, fe, "feature-rx-notify"))
		return nb_conn_fail(v, "feature-rx-notify is mandatory");
	v->rxf.sg = off && xpv_netback_xs_flag(nb, fe, "feature-sg");
	v->rxf.gso_tcpv4 =
		off && xpv_netback_xs_flag(nb, fe, "feature-gso-tcpv4");
	v->rxf.gso_tcpv6 =
		off && xpv_netback_xs_flag(nb, fe, "feature-gso-tcpv6");
	v->rxf.csum =
		off && !xpv_netback_xs_flag(nb, fe, "feature-no-csum-offload");
	v->rxf.ipv6_csum =
		off && xpv_netback_xs_flag(nb, fe, "feature-ipv6-csum-offload");
	err = xpv_netback_xs_uint(nb, fe, "multi-queue-num-queues",
				  XPV_NETBACK_MAX_QUEUES, &n);
	if (err == -ENOENT)
		n = 1;
	else if (err || n == 0 || n > v->max_queues)
		return nb_conn_fail(v, "bad multi-queue-num-queues");
	v->nr_queues = n;
	return 0;
}

static int nb_map_ring(struct xpv_netback_vif *v, const char *dir,
		       const char *node, void **page)
{
	uint64_t ref;
	int err;

	if (xpv_netback_xs_uint(v->nb, dir, node, UINT32_MAX, &ref))
		return nb_conn_fail(v, "missing or bad ring reference");
	*page = xpv_xenops_map(v->nb->x, v->fe_domid, 1, &(grant_ref_t){ref},
			       true, &err);
	if (!*page)
		return nb_conn_fail(v, "cannot map a ring");
	return 0;
}

static int nb_bind(struct xpv_netback_queue *q, const char *dir,
		   const char *node, evtchn_port_t *port, bool *bound)
{
	struct xpv_netback_vif *v = q->vif;
	uint64_t remote;

	if (xpv_netback_xs_uint(v->nb, dir, node, UINT32_MAX, &remote))
		return nb_conn_fail(v, "missing or bad event channel");
	if (xpv_xenops_bind(v->nb->x, v->fe_domid, remote, port))
		return nb_conn_fail(v, "cannot bind an event channel");
	*bound = true;
	if (xpv_netback_port_set(v->nb, *port, q))
		return nb_conn_fail(v, "event channel table full");
	return 0;
}

static int nb_queue_events(struct xpv_netback_queue *q, const char *dir)
{
	struct xpv_netback *nb = q->vif->nb;
	uint64_t tmp;

	if (xpv_netback_xs_uint(nb, dir, "event-channel-tx", UINT32_MAX,
				&tmp) == -ENOENT) {
		if (nb_bind(q, dir, "event-channel", &q->tx_port, &q->tx_bound))
			return -EINVAL;
		q->rx_port = q->tx_port;
		return 0;
	}
	if (nb_bind(q, dir, "event-channel-tx", &q->tx_port, &q->tx_bound) ||
	    nb_bind(q, dir, "event-channel-rx", &q->rx_port, &q->rx_bound))
		return -EINVAL;
	return 0;
}

/* What the frontend can take on rx: segments over a page need its SG. */
static void nb_queue_offload(struct xpv_netback_queue *q)
{
	const struct xpv_netback_rx_features *f = &q->vif->rxf;
	struct xpv_tap_offload o = {
		.csum = f->csum,
		.tso4 = f->sg && f->gso_tcpv4,
		.tso6 = f->sg && f->gso_tcpv6 && f->ipv6_csum,
		.tso_ecn = true,
	};

	xpv_tap_set_offload(q->tap_fd, &o);
}

static int nb_queue_connect(struct xpv_netback_queue *q)
{
	struct xpv_netback_vif *v = q->vif;
	char dir[XPV_NETBACK_PATH_MAX + 16];

	if (v->nr_queues == 1)
		snprintf(dir, sizeof(dir), "%s", v->fe_path);
	else
		snprintf(dir, sizeof(dir), "%s/queue-%u", v->fe_path, q->idx);
	if (q->tap_fd < 0)
		return nb_conn_fail(v, "no TAP queue");
	if (nb_map_ring(v, dir, "tx-ring-ref", &q->tx_sring) ||
	    nb_map_ring(v, dir, "rx-ring-ref", &q->rx_sring) ||
	    nb_queue_events(q, dir))
		return -EINVAL;
	BACK_RING_INIT(&q->tx, (netif_tx_sring_t *)q->tx_sring, XPV_PAGE_SIZE);
	BACK_RING_INIT(&q->rx, (netif_rx_sring_t *)q->rx_sring, XPV_PAGE_SIZE);
	nb_queue_offload(q);
	xpv_tap_set_queue(q->tap_fd, true);
	q->connected = true;
	q->tx_work = q->rx_work = true;
	q->rx_stalled = false;
	xpv_netback_tap_arm(q, true);
	return 0;
}

static int nb_vif_connect(struct xpv_netback_vif *v)
{
	unsigned int i;
	int err;

	v->reason[0] = 0;
	if (xpv_xenops_domain_alive(v->nb->x, v->fe_domid, &v->fe_gen) != 1)
		return nb_conn_fail(v, "frontend domain is gone");
	err = nb_read_features(v);
	for (i = 0; !err && i < v->nr_queues; i++)
		err = nb_queue_connect(&v->q[i]);
	for (; !err && i < v->max_queues; i++)
		xpv_tap_set_queue(v->q[i].tap_fd, false);
	if (err) {
		xpv_netback_vif_disconnect(v);
		return err;
	}
	xpv_tap_set_carrier(v->q[0].tap_fd, true);
	v->connects++;
	fprintf(stderr,
		"netback: vif%u.%u: connected, %u queue(s), sg %d gso4 %d "
		"gso6 %d csum %d csum6 %d\n",
		v->fe_domid, v->devid, v->nr_queues, v->rxf.sg,
		v->rxf.gso_tcpv4, v->rxf.gso_tcpv6, v->rxf.csum,
		v->rxf.ipv6_csum);
	return 0;
}

static void nb_queue_disconnect(struct xpv_netback_queue *q)
{
	struct xpv_netback *nb = q->vif->nb;

	xpv_netback_tap_arm(q, false);
	if (q->tx_bound) {
		xpv_netback_port_set(nb, q->tx_port, NULL);
		xpv_xenops_unbind(nb->x, q->tx_port);
	}
	if (q->rx_bound) {
		xpv_netback_port_set(nb, q->rx_port, NULL);
		xpv_xenops_unbind(nb->x, q->rx_port);
	}
	q->tx_bound = q->rx_bound = false;
	if (q->tx_sring)
		xpv_xenops_unmap(nb->x, q->tx_sring, 1);
	if (q->rx_sring)
		xpv_xenops_unmap(nb->x, q->rx_sring, 1);
	q->tx_sring = q->rx_sring = NULL;
	q->connected = q->tx_work = q->rx_work = false;
	q->rx_have = q->rx_stalled = false;
	if (q->tap_fd >= 0)
		xpv_tap_set_queue(q->tap_fd, q->idx == 0);
}

void xpv_netback_vif_disconnect(struct xpv_netback_vif *v)
{
	bool any = false;
	unsigned int i;

	for (i = 0; v->q && i < v->max_queues; i++) {
		struct xpv_netback_queue *q = &v->q[i];

		any |= q->tx_sring || q->rx_sring || q->tx_bound || q->rx_bound;
		nb_queue_disconnect(q);
	}
	if (!any)
		return;
	if (v->q[0].tap_fd >= 0)
		xpv_tap_set_carrier(v->q[0].tap_fd, false);
	fprintf(stderr,
		"netback: vif%u.%u: disconnected; leak check: mapped %ld "
		"ports %u\n",
		v->fe_domid, v->devid, xpv_xenops_mapped(v->nb->x),
		xpv_netback_ports_bound(v->nb));
}

void xpv_netback_vif_fail(struct xpv_netback_vif *v, const char *why)
{
	if (why != v->reason)
		snprintf(v->reason, sizeof(v->reason), "%s", why);
	fprintf(stderr, "netback: vif%u.%u: broken: %s\n", v->fe_domid,
		v->devid, v->reason);
	xpv_netback_vif_disconnect(v);
	xpv_netback_xs_printf(v->nb, v->be_path, "error", "%d %s", EPROTO,
			      v->reason);
	v->broken = false;
	xpv_netback_vif_set_state(v, XenbusStateClosing);
}

static int nb_fe_state(struct xpv_netback_vif *v)
{
	uint64_t s;

	if (xpv_netback_xs_uint(v->nb, v->fe_path, "state", 0xff, &s))
		return XenbusStateUnknown;
	return (int)s;
}

/* A connected frontend that died, or came back as a new incarnation. */
static bool nb_fe_restarted(struct xpv_netback_vif *v)
{
	uint32_t gen = 0;

	if (v->state != XenbusStateConnected)
		return false;
	return xpv_xenops_domain_alive(v->nb->x, v->fe_domid, &gen) != 1 ||
	       gen != v->fe_gen;
}

static bool nb_vif_act(struct xpv_netback_vif *v, struct xpv_xenbus_step st)
{
	switch (st.action) {
	case XPV_XENBUS_CONNECT:
		if (nb_vif_connect(v)) {
			xpv_netback_vif_fail(v, v->reason);
			return false;
		}
		break;
	case XPV_XENBUS_DISCONNECT:
	case XPV_XENBUS_RESET:
		xpv_netback_vif_disconnect(v);
		break;
	case XPV_XENBUS_FAIL:
		xpv_netback_vif_fail(v, "protocol error");
		return false;
	default:
		break;
	}
	return true;
}

/* The toolstack wrote Closing over our node to ask for the close: say
 * where we really are once more, or it waits for a Closed never written. */
static void nb_vif_restore_state(struct xpv_netback_vif *v)
{
	uint64_t s;

	if (xpv_netback_xs_uint(v->nb, v->be_path, "state", 0xff, &s) ||
	    (int)s != v->state)
		xpv_netback_xs_printf(v->nb, v->be_path, "state", "%d",
				      v->state);
}

void xpv_netback_vif_update(struct xpv_netback_vif *v)
{
	uint64_t online = 1;
	int fe, i;

	if (nb_fe_restarted(v)) {
		xpv_netback_vif_disconnect(v);
		xpv_netback_vif_set_state(v, XenbusStateInitWait);
	}
	xpv_netback_xs_uint(v->nb, v->be_path, "online", 1, &online);
	if (!online && !v->offline) {
		/* The toolstack is taking the vif away. */
		struct xpv_xenbus_step st = xpv_xenbus_close(v->state);

		v->offline = true;
		nb_vif_act(v, st);
		xpv_netback_vif_set_state(v, st.next);
	}
	fe = nb_fe_state(v);
	if (v->fresh && fe == XenbusStateConnected && !v->offline) {
		/* Rings a previous netback served: their indexes are not
		 * ours.  InitWait makes the frontend reset and publish new. */
		xpv_netback_vif_set_state(v, XenbusStateInitWait);
		return;
	}
	v->fresh = false;
	for (i = 0; i <= XPV_XENBUS_MAX_STEPS; i++) {
		struct xpv_xenbus_step st =
			xpv_xenbus_step(XPV_XENBUS_BACKEND, v->state, fe);

		if (v->offline && st.action == XPV_XENBUS_CONNECT)
			break;
		if (st.action == XPV_XENBUS_NONE && (int)st.next == v->state)
			break;
		if (!nb_vif_act(v, st))
			break;
		xpv_netback_vif_set_state(v, st.next);
	}
	if (v->offline)
		nb_vif_restore_state(v);
}
