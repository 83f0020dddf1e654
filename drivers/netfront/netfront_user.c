// SPDX-License-Identifier: MIT
/*
 * netfront's userspace host: one vif bridged to a TAP device; see
 * netfront_user.h.
 */
#include <errno.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend/tap/tap.h"
#include "drivers/netfront/netfront_check.h"
#include "drivers/netfront/netfront_user.h"
#include "os/user/user.h"

#define NFU_GNT_REFS 2040u	/* what a loopback domain may claim */
#define NFU_BUF (sizeof(struct virtio_net_hdr) + XPV_NETFRONT_MAX_RX_FRAME)
#define NFU_HDR_PEEK 256u
#define NFU_TX_BATCH 64
#define NFU_TICK_MS 200

enum { NFU_CHANGED = 1, NFU_KICK = 2, NFU_WAKE = 4, NFU_LINK = 8 };

struct nfu {
	struct xpv_netfront nf;
	const struct xpv_nfu_opts *o;
	char ifname[XPV_TAP_NAME_MAX];
	int tap, efd;
	unsigned int flags;		/* NFU_*, set from any thread */
	bool blocked;			/* a frame waits for tx room */
	size_t held;			/* its length in buf */
	uint8_t buf[NFU_BUF];
	unsigned long long tap_rx, tap_tx, tap_drops, csum_sw;
};

static void nfu_flag(struct nfu *u, unsigned int f)
{
	uint64_t one = 1;

	__atomic_fetch_or(&u->flags, f, __ATOMIC_SEQ_CST);
	if (write(u->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("xenpv-netfront: eventfd");
}

/* ---- TAP ----------------------------------------------------------------- */

static int nfu_tap_open(struct nfu *u)
{
	u->tap = xpv_tap_open(u->o->tap, XPV_TAP_VNET_HDR, u->ifname);
	return u->tap < 0 ? u->tap : 0;
}

static void nfu_tap_err(struct nfu *u, const char *what, int err)
{
	if (err)
		fprintf(stderr, "xenpv-netfront: %s: %s: %s\n", u->ifname,
			what, strerror(-err));
}

/* The TAP takes the vif's MAC, MTU and the offloads this link agreed. */
static void nfu_tap_configure(struct nfu *u, bool up)
{
	struct xpv_netfront_info in;
	struct xpv_tap_offload off = { 0 };

	xpv_netfront_get_info(&u->nf, &in);
	if (up) {
		nfu_tap_err(u, "set MAC", xpv_tap_set_mac(u->ifname, in.mac));
		nfu_tap_err(u, "set MTU", xpv_tap_set_mtu(u->ifname, in.mtu));
		off.csum = in.tx_features &
			   (XPV_NETFRONT_F_CSUM | XPV_NETFRONT_F_IPV6_CSUM);
		off.tso4 = in.tx_features & XPV_NETFRONT_F_GSO_TCPV4;
		off.tso6 = in.tx_features & XPV_NETFRONT_F_GSO_TCPV6;
	}
	nfu_tap_err(u, "TUNSETOFFLOAD", xpv_tap_set_offload(u->tap, &off));
	/* Carrier follows the link; older kernels lack it, which is fine. */
	xpv_tap_set_carrier(u->tap, up);
	if (u->o->verbose)
		fprintf(stderr,
			"xenpv-netfront: %s link %s, %u queue(s), mtu %u, "
			"tx features %#x\n",
			u->ifname, up ? "up" : "down", in.nr_queues, in.mtu,
			in.tx_features);
}

/* ---- rx: ring -> TAP (upcall thread) ------------------------------------- */

static void nfu_peek(const struct xpv_netfront_pkt *p, uint8_t *h, size_t *n)
{
	unsigned int i;

	*n = 0;
	for (i = 0; i < p->nr_frags && *n < NFU_HDR_PEEK; i++) {
		size_t c = p->frags[i].len;

		if (c > NFU_HDR_PEEK - *n)
			c = NFU_HDR_PEEK - *n;
		memcpy(h + *n, p->frags[i].data, c);
		*n += c;
	}
}

/* The virtio_net_hdr for a received frame; false if it can't have one. */
static bool nfu_rx_hdr(const struct xpv_netfront_pkt *p,
		       struct virtio_net_hdr *vh)
{
	uint8_t h[NFU_HDR_PEEK];
	struct xpv_netfront_l4 l4;
	size_t n;

	memset(vh, 0, sizeof(*vh));
	if (!(p->flags & XPV_NETFRONT_PKT_CSUM_BLANK)) {
		if (p->flags & XPV_NETFRONT_PKT_DATA_VALID)
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return true;
	}
	nfu_peek(p, h, &n);
	if (xpv_netfront_parse_l4(h, n, &l4))
		return false;
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = l4.l4_off;
	vh->csum_offset = l4.csum_off;
	if (p->gso_type) {
		if (l4.proto != 6)
			return false;
		vh->gso_type = p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4
				       ? VIRTIO_NET_HDR_GSO_TCPV4
				       : VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = p->gso_size;
		vh->hdr_len = (uint16_t)(l4.l4_off + l4.l4_hlen);
	}
	return true;
}

static void nfu_rx(void *arg, unsigned int queue,
		   const struct xpv_netfront_pkt *p)
{
	struct nfu *u = arg;
	struct iovec iov[XPV_NETFRONT_MAX_SLOTS + 1];
	struct virtio_net_hdr vh;
	unsigned int i;

	if (!nfu_rx_hdr(p, &vh)) {
		__atomic_fetch_add(&u->tap_drops, 1, __ATOMIC_RELAXED);
		return;
	}
	iov[0] = (struct iovec){ &vh, sizeof(vh) };
	for (i = 0; i < p->nr_frags; i++)
		iov[i + 1] = (struct iovec){ (void *)p->frags[i].data,
					     p->frags[i].len };
	/* A full TAP queue drops, as a NIC does. */
	if (writev(u->tap, iov, (int)p->nr_frags + 1) < 0)
		__atomic_fetch_add(&u->tap_drops, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&u->tap_tx, 1, __ATOMIC_RELAXED);
}

/* ---- tx: TAP -> ring (main thread) --------------------------------------- */

/* Offload the checksum if the backend agreed for this IP version. */
static void nfu_tx_csum(struct nfu *u, struct virtio_net_hdr *vh,
			uint8_t *f, size_t len, struct xpv_netfront_pkt *p)
{
	struct xpv_netfront_info in;
	struct xpv_netfront_l4 l4;
	uint32_t need;

	xpv_netfront_get_info(&u->nf, &in);
	if (!xpv_netfront_parse_l4(f, len, &l4) &&
	    l4.l4_off == vh->csum_start && l4.csum_off == vh->csum_offset) {
		need = l4.ipver == 4 ? XPV_NETFRONT_F_CSUM
				     : XPV_NETFRONT_F_IPV6_CSUM;
		if (in.tx_features & need) {
			p->flags |= XPV_NETFRONT_PKT_CSUM_BLANK;
			return;
		}
	}
	if (!xpv_netfront_csum_finish(f, len, vh->csum_start,
				      vh->csum_offset))
		u->csum_sw++;
}

static int nfu_tx_pkt(struct nfu *u, size_t n, struct xpv_netfront_pkt *p)
{
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)u->buf;
	uint8_t *f = u->buf + sizeof(*vh);
	size_t len = n - sizeof(*vh);
	unsigned int gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	memset(p, 0, sizeof(*p));
	p->nr_frags = 1;
	p->frags[0] = (struct xpv_netfront_frag){ f, (uint32_t)len };
	p->len = (uint32_t)len;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		nfu_tx_csum(u, vh, f, len, p);
	else if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		p->flags |= XPV_NETFRONT_PKT_DATA_VALID;
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EINVAL;
	p->gso_type = gso == VIRTIO_NET_HDR_GSO_TCPV4
			      ? XEN_NETIF_GSO_TYPE_TCPV4
			      : XEN_NETIF_GSO_TYPE_TCPV6;
	p->gso_size = vh->gso_size;
	return 0;
}

/* Send what is in buf; false if it must wait for room. */
static bool nfu_tx_send(struct nfu *u, size_t n)
{
	struct xpv_netfront_pkt p;
	unsigned int nq = u->nf.info.nr_queues ? u->nf.info.nr_queues : 1;
	uint32_t q;
	int err;

	if (n <= sizeof(struct virtio_net_hdr) || nfu_tx_pkt(u, n, &p)) {
		u->tap_drops++;
		return true;
	}
	q = xpv_netfront_flow_hash(p.frags[0].data, p.len) % nq;
	err = xpv_netfront_xmit(&u->nf, q, &p);
	if (err == -XPV_EAGAIN) {
		u->blocked = true;
		u->held = n;
		return false;
	}
	if (err)
		u->tap_drops++;
	return true;
}

static void nfu_tap_drain(struct nfu *u)
{
	int i;

	if (u->blocked) {
		u->blocked = false;
		if (!nfu_tx_send(u, u->held))
			return;
	}
	for (i = 0; i < NFU_TX_BATCH; i++) {
		ssize_t n = read(u->tap, u->buf, sizeof(u->buf));

		if (n <= 0)
			break;
		u->tap_rx++;
		if (!nfu_tx_send(u, (size_t)n))
			break;
	}
}

/* ---- callbacks from netfront ------------------------------------------ */

static void nfu_wake(void *arg, unsigned int queue)
{
	nfu_flag(arg, NFU_WAKE);
}

static void nfu_kick(void *arg)
{
	nfu_flag(arg, NFU_KICK);
}

static void nfu_link(void *arg, bool up)
{
	struct nfu *u = arg;

	nfu_tap_configure(u, up);
	if (!up)
		u->blocked = false;
}

static void nfu_watch(const char *path, void *arg)
{
	nfu_flag(arg, NFU_CHANGED);
}

static const struct xpv_netfront_ops nfu_ops = {
	.rx = nfu_rx,
	.tx_wake = nfu_wake,
	.link = nfu_link,
	.kick = nfu_kick,
};

/* ---- the loop ------------------------------------------------------------ */

static void nfu_config(const struct xpv_nfu_opts *o,
		       struct xpv_netfront_config *c)
{
	unsigned int fit;

	xpv_netfront_default_config(c);
	c->devid = o->devid;
	/* As many queues as CPUs unless told, as Linux netfront does. */
	c->max_queues = o->queues ? o->queues
				  : (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (c->max_queues == 0)
		c->max_queues = 1;
	if (c->max_queues > XPV_NETFRONT_MAX_QUEUES)
		c->max_queues = XPV_NETFRONT_MAX_QUEUES;
	fit = (NFU_GNT_REFS / c->max_queues - 2) / 2;
	if (fit > XPV_NETFRONT_RING_SIZE)
		fit = XPV_NETFRONT_RING_SIZE;
	if (o->bufs && o->bufs < fit)
		fit = o->bufs;
	c->rx_bufs = c->tx_bufs = fit;
	c->features = o->features;
}

static void nfu_events(struct nfu *u, uint64_t *last_work)
{
	unsigned int f = __atomic_exchange_n(&u->flags, 0, __ATOMIC_SEQ_CST);
	uint64_t now = xpv_os_now_ns();

	if (f & NFU_CHANGED)
		xpv_netfront_otherend_changed(&u->nf);
	if ((f & NFU_KICK) || now - *last_work > 1000000000ull) {
		xpv_netfront_work(&u->nf);
		*last_work = now;
	}
}

static void nfu_loop(struct nfu *u, volatile sig_atomic_t *stop)
{
	uint64_t last_work = 0, junk;

	while (!*stop) {
		bool live = xpv_netfront_connected(&u->nf);
		struct pollfd pfd[2] = {
			{ .fd = u->efd, .events = POLLIN },
			{ .fd = u->tap,
			  .events = (live && !u->blocked) ? POLLIN : 0 },
		};

		if (poll(pfd, 2, NFU_TICK_MS) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents && read(u->efd, &junk, sizeof(junk)) < 0 &&
		    errno != EAGAIN)
			break;
		nfu_events(u, &last_work);
		if (live || u->blocked)
			nfu_tap_drain(u);
		/* Not connected: the TAP's queue fills and the kernel drops. */
	}
}

static int nfu_start(struct nfu *u, struct xpv_os_watch **w)
{
	struct xpv_netfront_config c;
	int err;

	nfu_config(u->o, &c);
	err = xpv_user_init(u->o->dir, u->o->domid,
			    c.max_queues * (c.rx_bufs + c.tx_bufs + 2) + 64);
	if (err)
		return err;
	err = xpv_netfront_init(&u->nf, &c, &nfu_ops, u);
	if (err)
		return err;
	/* The toolstack may not have written the device yet. */
	while ((err = xpv_netfront_start(&u->nf)) == -XPV_ENOENT)
		usleep(100000);
	if (err)
		return err;
	*w = xpv_os_xs_watch(xpv_netfront_backend_state_path(&u->nf),
			     nfu_watch, u);
	if (!*w)
		return -EIO;
	nfu_flag(u, NFU_CHANGED);
	return 0;
}

/* Give a backend that is still unmapping a second to let go. */
static void nfu_settle(struct nfu *u)
{
	struct xpv_netfront_stats st;
	int i;

	for (i = 0; i < 10; i++) {
		xpv_netfront_stats(&u->nf, &st);
		if (!st.gnt_outstanding)
			return;
		usleep(100000);
		xpv_gntalloc_retry_deferred(&u->nf.gnt);
	}
}

int xpv_nfu_run(const struct xpv_nfu_opts *o, volatile sig_atomic_t *stop,
		struct xpv_nfu_stats *st)
{
	struct nfu *u = calloc(1, sizeof(*u));
	struct xpv_os_watch *w = NULL;
	int err;

	if (!u)
		return -ENOMEM;
	u->o = o;
	u->tap = -1;
	u->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = u->efd < 0 ? -errno : nfu_tap_open(u);
	if (!err)
		err = nfu_start(u, &w);
	if (!err)
		nfu_loop(u, stop);
	xpv_os_xs_unwatch(w);
	if (u->nf.lock) {
		xpv_netfront_close(&u->nf);
		nfu_settle(u);
		xpv_netfront_stats(&u->nf, &st->nf);
		xpv_netfront_destroy(&u->nf);
		st->nf.gnt_leaked = u->nf.gnt_leaked;
	}
	st->tap_rx = u->tap_rx;
	st->tap_tx = u->tap_tx;
	st->tap_drops = u->tap_drops;
	st->csum_sw = u->csum_sw;
	if (xpv_user_dom())
		xpv_user_exit();
	if (u->tap >= 0)
		close(u->tap);
	if (u->efd >= 0)
		close(u->efd);
	free(u);
	return err;
}
