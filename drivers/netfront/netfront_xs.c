// SPDX-License-Identifier: MIT
/*
 * netfront's negotiation with the backend through xenstore, per
 * xen/io/netif.h, redone on every connect: read what the backend offers,
 * set up the queues, publish rings and event channels (flat for one queue,
 * queue-N/ for several), and follow the xenbus state machine of core/.
 * Everything the backend wrote is parsed strictly; a value that does not
 * parse counts as absent.
 */
#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_check.h"
#include "xenpv/compiler.h"

#define NF_XS_RETRIES 16
#define NF_VAL_MAX 128
#define NF_MTU_MIN 68u
#define NF_MTU_DEFAULT 1500u
#define NF_MTU_MAX (XPV_NETFRONT_MAX_TX_FRAME - XPV_NETFRONT_ETH_HLEN)
#define NF_REINIT_NS 1000000000ull

/* What the backend offered, as read at connect. */
struct nf_offer {
	bool rx_copy;
	bool split;
	unsigned int max_queues;
	uint32_t tx_features;
};

static int nf_read(const char *dir, const char *node, char *buf, size_t size)
{
	char path[XPV_NETFRONT_PATH_MAX + 64];
	int err = xpv_xenbus_join(path, sizeof(path), dir, node);

	return err < 0 ? err : xpv_os_xs_read(XPV_XBT_NIL, path, buf, size);
}

static unsigned long nf_read_uint(const char *dir, const char *node,
				  unsigned long def, unsigned long max)
{
	char v[NF_VAL_MAX];
	unsigned long out;

	if (nf_read(dir, node, v, sizeof(v)) < 0)
		return def;
	if (xpv_netfront_parse_uint(v, max, &out)) {
		xpv_warn("netfront: ignoring %s/%s: bad value\n", dir, node);
		return def;
	}
	return out;
}

static bool nf_read_bool(const char *dir, const char *node)
{
	return nf_read_uint(dir, node, 0, 1) == 1;
}

static int nf_write(xpv_xbt_t t, const char *dir, const char *node,
		    const char *value)
{
	char path[XPV_NETFRONT_PATH_MAX + 64];
	int err = xpv_xenbus_join(path, sizeof(path), dir, node);

	return err < 0 ? err : xpv_os_xs_write(t, path, value);
}

static int nf_write_uint(xpv_xbt_t t, const char *dir, const char *node,
			 unsigned long v)
{
	char val[24];

	xpv_os_snprintf(val, sizeof(val), "%lu", v);
	return nf_write(t, dir, node, val);
}

static int nf_rm(xpv_xbt_t t, const char *dir, const char *node)
{
	char path[XPV_NETFRONT_PATH_MAX + 64];
	int err = xpv_xenbus_join(path, sizeof(path), dir, node);

	if (err < 0)
		return err;
	err = xpv_os_xs_rm(t, path);
	return err == -XPV_ENOENT ? 0 : err;
}

/*
 * A netif frontend announces Connected as soon as its rings are published:
 * Linux's netback connects on that and ignores Initialised.  Inside, we
 * still wait in Initialised for the backend's Connected.
 */
static enum xenbus_state nf_announced(enum xenbus_state s)
{
	return s == XenbusStateInitialised ? XenbusStateConnected : s;
}

static void nf_set_state(struct xpv_netfront *nf, enum xenbus_state s)
{
	int err = nf_write_uint(XPV_XBT_NIL, nf->path, "state",
				nf_announced(s));

	if (err)
		xpv_warn("netfront %s: writing state %s: %d\n", nf->path,
			 xpv_xenbus_state_name(s), err);
	nf->state = s;
}

int xpv_netfront_start(struct xpv_netfront *nf)
{
	char v[XPV_NETFRONT_PATH_MAX], idv[16];
	unsigned long id;
	int n;

	n = nf_read(nf->path, "backend", v, sizeof(v));
	if (n < 0)
		return n;
	if (n == 0 || v[0] != '/' ||
	    nf_read(nf->path, "backend-id", idv, sizeof(idv)) < 0 ||
	    xpv_netfront_parse_uint(idv, DOMID_FIRST_RESERVED - 1, &id))
		return -XPV_EINVAL;
	xpv_memcpy(nf->backend, v, (size_t)n + 1);
	nf->backend_id = (domid_t)id;
	n = xpv_xenbus_join(nf->state_path, sizeof(nf->state_path),
			    nf->backend, "state");
	if (n < 0)
		return n;
	nf_set_state(nf, XenbusStateInitialising);
	return 0;
}

const char *xpv_netfront_backend_state_path(const struct xpv_netfront *nf)
{
	return nf->state_path;
}

static void nf_read_offer(struct xpv_netfront *nf, struct nf_offer *o)
{
	const char *be = nf->backend;
	uint32_t f = 0;

	o->rx_copy = nf_read_bool(be, "feature-rx-copy");
	o->split = nf_read_bool(be, "feature-split-event-channels");
	o->max_queues = (unsigned int)nf_read_uint(
		be, "multi-queue-max-queues", 1, XPV_NETFRONT_MAX_QUEUES);
	if (o->max_queues == 0)
		o->max_queues = 1;
	if (nf_read_bool(be, "feature-sg"))
		f |= XPV_NETFRONT_F_SG;
	/* GSO needs several slots per packet. */
	if ((f & XPV_NETFRONT_F_SG) && nf_read_bool(be, "feature-gso-tcpv4"))
		f |= XPV_NETFRONT_F_GSO_TCPV4;
	if ((f & XPV_NETFRONT_F_SG) && nf_read_bool(be, "feature-gso-tcpv6"))
		f |= XPV_NETFRONT_F_GSO_TCPV6;
	/* IPv4 checksum offload on unless refused, IPv6 off unless offered. */
	if (!nf_read_bool(be, "feature-no-csum-offload"))
		f |= XPV_NETFRONT_F_CSUM;
	if (nf_read_bool(be, "feature-ipv6-csum-offload"))
		f |= XPV_NETFRONT_F_IPV6_CSUM;
	o->tx_features = f & nf->cfg.features;
	if (!(o->tx_features & XPV_NETFRONT_F_CSUM))
		o->tx_features &= ~XPV_NETFRONT_F_GSO_TCPV4;
	if (!(o->tx_features & XPV_NETFRONT_F_IPV6_CSUM))
		o->tx_features &= ~XPV_NETFRONT_F_GSO_TCPV6;
}

/* mac and mtu come from the toolstack, in our own directory. */
static int nf_read_link(struct xpv_netfront *nf, struct xpv_netfront_info *in,
			const char **why)
{
	char v[NF_VAL_MAX];
	bool sg = (in->tx_features & in->rx_features) & XPV_NETFRONT_F_SG;

	if (nf_read(nf->path, "mac", v, sizeof(v)) < 0 ||
	    xpv_netfront_parse_mac(v, in->mac)) {
		*why = "no valid mac in the frontend directory";
		return -XPV_EINVAL;
	}
	in->mtu = (unsigned int)nf_read_uint(nf->path, "mtu", NF_MTU_DEFAULT,
					     65535);
	if (in->mtu < NF_MTU_MIN)
		in->mtu = NF_MTU_DEFAULT;
	if (in->mtu > NF_MTU_MAX)
		in->mtu = NF_MTU_MAX;
	/* A frame must fit one slot without scatter-gather. */
	if (!sg && in->mtu > NF_MTU_DEFAULT)
		in->mtu = NF_MTU_DEFAULT;
	return 0;
}

static int nf_write_queue(struct xpv_netfront *nf, xpv_xbt_t t,
			  unsigned int i, bool split)
{
	struct xpv_netfront_queue *q = &nf->q[i];
	char dir[XPV_NETFRONT_PATH_MAX + 16];
	int err;

	if (nf->info.nr_queues == 1)
		xpv_os_snprintf(dir, sizeof(dir), "%s", nf->path);
	else
		xpv_os_snprintf(dir, sizeof(dir), "%s/queue-%u", nf->path, i);
	err = nf_write_uint(t, dir, "tx-ring-ref", q->tx_ring_ref);
	if (!err)
		err = nf_write_uint(t, dir, "rx-ring-ref", q->rx_ring_ref);
	if (!err && split) {
		err = nf_write_uint(t, dir, "event-channel-tx", q->tx_port);
		if (!err)
			err = nf_write_uint(t, dir, "event-channel-rx",
					    q->rx_port);
	} else if (!err) {
		err = nf_write_uint(t, dir, "event-channel", q->tx_port);
	}
	return err;
}

/* Keys a previous connection may have left that this one would not set. */
static int nf_rm_stale(struct xpv_netfront *nf, xpv_xbt_t t)
{
	static const char *const keys[] = {
		"tx-ring-ref",	    "rx-ring-ref",
		"event-channel",    "event-channel-tx",
		"event-channel-rx", "multi-queue-num-queues",
	};
	char node[16];
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < XPV_ARRAY_SIZE(keys); i++)
		err = nf_rm(t, nf->path, keys[i]);
	for (i = 0; !err && i < XPV_NETFRONT_MAX_QUEUES; i++) {
		xpv_os_snprintf(node, sizeof(node), "queue-%u", i);
		err = nf_rm(t, nf->path, node);
	}
	return err;
}

static int nf_write_features(struct xpv_netfront *nf, xpv_xbt_t t)
{
	static const struct {
		const char *node;
		uint32_t bit;
	} feats[] = {
		{ "feature-sg", XPV_NETFRONT_F_SG },
		{ "feature-gso-tcpv4", XPV_NETFRONT_F_GSO_TCPV4 },
		{ "feature-gso-tcpv6", XPV_NETFRONT_F_GSO_TCPV6 },
		{ "feature-ipv6-csum-offload", XPV_NETFRONT_F_IPV6_CSUM },
	};
	uint32_t rx = nf->info.rx_features;
	unsigned int i;
	int err;

	err = nf_write(t, nf->path, "request-rx-copy", "1");
	if (!err)
		err = nf_write(t, nf->path, "feature-rx-notify", "1");
	for (i = 0; !err && i < XPV_ARRAY_SIZE(feats); i++)
		err = nf_write(t, nf->path, feats[i].node,
			       (rx & feats[i].bit) ? "1" : "0");
	if (!err)
		err = nf_write(t, nf->path, "feature-no-csum-offload",
			       (rx & XPV_NETFRONT_F_CSUM) ? "0" : "1");
	return err;
}

static int nf_publish_once(struct xpv_netfront *nf, bool split)
{
	unsigned int i, nq = nf->info.nr_queues;
	xpv_xbt_t t;
	int err;

	err = xpv_os_xs_transaction_start(&t);
	if (err)
		return err;
	err = nf_rm_stale(nf, t);
	if (!err && nq > 1)
		err = nf_write_uint(t, nf->path, "multi-queue-num-queues", nq);
	for (i = 0; !err && i < nq; i++)
		err = nf_write_queue(nf, t, i, split);
	if (!err)
		err = nf_write_features(nf, t);
	if (err) {
		xpv_os_xs_transaction_end(t, true);
		return err;
	}
	return xpv_os_xs_transaction_end(t, false);
}

static int nf_publish(struct xpv_netfront *nf, bool split)
{
	int i, err = -XPV_EAGAIN;

	for (i = 0; i < NF_XS_RETRIES && err == -XPV_EAGAIN; i++)
		err = nf_publish_once(nf, split);
	return err;
}

static void nf_disconnect(struct xpv_netfront *nf)
{
	bool was_up;
	unsigned int i;

	xpv_os_lock(nf->lock);
	was_up = nf->link_up;
	nf->link_up = false;
	xpv_os_unlock(nf->lock);
	if (was_up && nf->ops->link)
		nf->ops->link(nf->arg, false);
	for (i = 0; i < nf->cfg.max_queues; i++)
		xpv_netfront_queue_teardown(&nf->q[i]);
	XPV_WRITE_ONCE(nf->info.nr_queues, 0);
}

static int nf_connect(struct xpv_netfront *nf, const char **why)
{
	struct xpv_netfront_info in;
	struct nf_offer o;
	unsigned int i;
	int err = 0;

	nf_disconnect(nf);
	nf_read_offer(nf, &o);
	if (!o.rx_copy) {
		*why = "backend lacks feature-rx-copy";
		return -XPV_ENOSYS;
	}
	xpv_memset(&in, 0, sizeof(in));
	in.nr_queues = o.max_queues < nf->cfg.max_queues ? o.max_queues
							   : nf->cfg.max_queues;
	in.tx_features = o.tx_features;
	in.rx_features = nf->cfg.features & ~XPV_NETFRONT_F_SPLIT_EVTCHN;
	err = nf_read_link(nf, &in, why);
	o.split = o.split && (nf->cfg.features & XPV_NETFRONT_F_SPLIT_EVTCHN);
	for (i = 0; !err && i < in.nr_queues; i++)
		err = xpv_netfront_queue_connect(&nf->q[i], o.split);
	if (err && !*why)
		*why = "setting up the queues failed";
	xpv_os_lock(nf->lock);
	nf->info = in;
	nf->broken = false;
	nf->failed = false;
	nf->connects += !err;
	xpv_os_unlock(nf->lock);
	if (!err) {
		err = nf_publish(nf, o.split);
		if (err)
			*why = "publishing the rings failed";
	}
	return err;
}

static void nf_ready(struct xpv_netfront *nf)
{
	unsigned int i;

	for (i = 0; i < nf->info.nr_queues; i++)
		xpv_netfront_queue_go(&nf->q[i]);
	xpv_os_lock(nf->lock);
	nf->link_up = true;
	xpv_os_unlock(nf->lock);
	if (nf->ops->link)
		nf->ops->link(nf->arg, true);
}

static void nf_fail(struct xpv_netfront *nf, const char *why)
{
	struct xpv_xenbus_step st = xpv_xenbus_fail(nf->state);

	if (st.action != XPV_XENBUS_FAIL)
		return;
	xpv_err("netfront %s: %s\n", nf->path, why);
	nf_write(XPV_XBT_NIL, nf->path, "error", why);
	nf_disconnect(nf);
	nf->failed = true;
	nf_set_state(nf, st.next);
}

/* Perform one action; 0 or an error with *why. */
static int nf_act(struct xpv_netfront *nf, enum xpv_xenbus_action a,
		  const char **why)
{
	switch (a) {
	case XPV_XENBUS_CONNECT:
		return nf_connect(nf, why);
	case XPV_XENBUS_READY:
		nf_ready(nf);
		return 0;
	case XPV_XENBUS_DISCONNECT:
	case XPV_XENBUS_RESET:
		nf_disconnect(nf);
		return 0;
	case XPV_XENBUS_FAIL:
		*why = "the backend's state is invalid";
		return -XPV_EPROTO;
	default:
		return 0;
	}
}

/* The backend's state into *@s (xpv_xenbus_read_state); garbage is 0xff,
 * which the state table fails. */
static int nf_other_state(struct xpv_netfront *nf, enum xenbus_state *s)
{
	int err = xpv_xenbus_read_state(nf->state_path, s);

	if (err != -XPV_EINVAL)
		return err;
	*s = (enum xenbus_state)0xff;
	return 0;
}

/*
 * Both ends Closed and nobody asked for it (the backend gave up, say on a
 * stale ring after its restart) while the toolstack still wants the vif
 * online: start over, at most once a second so a backend that keeps
 * failing can't make us spin.
 */
static void nf_maybe_reinit(struct xpv_netfront *nf, enum xenbus_state other)
{
	uint64_t now = xpv_os_now_ns();

	if (nf->state != XenbusStateClosed || other != XenbusStateClosed ||
	    nf->closed_by_us || !nf_read_uint(nf->backend, "online", 1, 1) ||
	    (nf->last_reinit && now - nf->last_reinit < NF_REINIT_NS))
		return;
	nf->last_reinit = now;
	xpv_info("netfront %s: backend closed on its own; starting over\n",
		 nf->path);
	nf_set_state(nf, XenbusStateInitialising);
}

void xpv_netfront_otherend_changed(struct xpv_netfront *nf)
{
	enum xenbus_state other;
	unsigned int i;
	int err;

	if (!nf->state_path[0] || nf->closed_by_us)
		return;
	err = nf_other_state(nf, &other);
	if (err) {
		xpv_warn("netfront %s: reading the backend's state: %d\n",
			 nf->path, err);
		return;
	}
	for (i = 0; i <= XPV_XENBUS_MAX_STEPS; i++) {
		struct xpv_xenbus_step st =
			xpv_xenbus_step(XPV_XENBUS_FRONTEND, nf->state, other);
		const char *why = NULL;

		if (st.action == XPV_XENBUS_NONE && st.next == nf->state)
			break;
		xpv_dbg("netfront %s: %s -> %s (%s), backend %s\n", nf->path,
			xpv_xenbus_state_name(nf->state),
			xpv_xenbus_state_name(st.next),
			xpv_xenbus_action_name(st.action),
			xpv_xenbus_state_name(other));
		if (nf_act(nf, st.action, &why)) {
			nf_fail(nf, why ? why : "connect failed");
			continue;
		}
		if (st.next != nf->state)
			nf_set_state(nf, st.next);
	}
	nf_maybe_reinit(nf, other);
}

void xpv_netfront_work(struct xpv_netfront *nf)
{
	char why[XPV_NETFRONT_REASON_MAX];
	enum xenbus_state other;
	bool fail;
	unsigned int i;

	xpv_os_lock(nf->lock);
	fail = nf->broken && !nf->failed;
	xpv_memcpy(why, nf->reason, sizeof(why));
	xpv_os_unlock(nf->lock);
	if (fail) {
		nf_fail(nf, why);
		nf->failed = true;
	}
	if (nf->gnt_ready)
		xpv_gntalloc_retry_deferred(&nf->gnt);
	for (i = 0; i < nf->info.nr_queues; i++)
		xpv_netfront_rx_refill(&nf->q[i]);
	if (nf->state == XenbusStateClosed && !nf->closed_by_us &&
	    !nf_other_state(nf, &other))
		nf_maybe_reinit(nf, other);
}

void xpv_netfront_close(struct xpv_netfront *nf)
{
	struct xpv_xenbus_step st = xpv_xenbus_close(nf->state);

	nf->closed_by_us = true;
	if (st.action == XPV_XENBUS_NONE && st.next == nf->state) {
		nf_disconnect(nf);
		return;
	}
	nf_set_state(nf, st.next);
	nf_disconnect(nf);
	nf_set_state(nf, XenbusStateClosed);
}
