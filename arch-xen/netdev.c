// SPDX-License-Identifier: MIT
/*
 * The kernel's network device: the portable netfront (drivers/netfront)
 * on this kernel's os.h, with netproto.c answering ARP, ping and the raw
 * echo.  The rx callback (event context, rx lock held) only copies frames
 * into a bounded queue; one thread answers them and runs every xenbus-side
 * call, one at a time.  "vif=ID ip=A.B.C.D" on the command line; the check
 * runs until dom0 writes data/xenpv/net-done.
 */
/* Before kernel.h: ring.h names a parameter like our global `shared`. */
#include "drivers/netfront/netfront.h"
#include "arch-xen/kernel.h"
#include "arch-xen/netproto.h"
#include "xenpv/compiler.h"

#define NET_QLEN 64u
#define NET_WAIT_NS 30000000000ull
#define NET_RUN_NS 180000000000ull

struct knet {
	struct xpv_netfront nf;
	struct xpv_os_waitq *wq;
	struct xpv_os_watch *watch;
	volatile bool changed, work, stop, stopped, link;
	struct spinlock qlock;
	unsigned int qhead, qtail, qdrops, tx_fail, short_seen;
	uint16_t qlen[NET_QLEN];
	uint8_t qbuf[NET_QLEN][NP_FRAME_MAX];
	uint8_t frame[NP_FRAME_MAX], reply[NP_FRAME_MAX];
	struct np_host host;
};

static void kn_rx(void *arg, unsigned int queue,
		  const struct xpv_netfront_pkt *pkt)
{
	struct knet *k = arg;
	unsigned long flags;
	unsigned int i, off = 0;
	uint8_t *dst;

	flags = spin_lock_irqsave(&k->qlock);
	if (pkt->len > NP_FRAME_MAX || k->qtail - k->qhead >= NET_QLEN) {
		k->qdrops++;
		spin_unlock_irqrestore(&k->qlock, flags);
		return;
	}
	dst = k->qbuf[k->qtail % NET_QLEN];
	for (i = 0; i < pkt->nr_frags && off < pkt->len; i++) {
		uint32_t n = pkt->frags[i].len;

		if (n > pkt->len - off)
			n = pkt->len - off;
		xpv_memcpy(dst + off, pkt->frags[i].data, n);
		off += n;
	}
	k->qlen[k->qtail % NET_QLEN] = (uint16_t)off;
	k->qtail++;
	spin_unlock_irqrestore(&k->qlock, flags);
	xpv_os_wake(k->wq);
}

static void kn_tx_wake(void *arg, unsigned int queue)
{
	xpv_os_wake(((struct knet *)arg)->wq);
}

static void kn_link(void *arg, bool up)
{
	struct knet *k = arg;

	k->link = up;
	xpv_os_wake(k->wq);
}

static void kn_kick(void *arg)
{
	struct knet *k = arg;

	k->work = true;
	xpv_os_wake(k->wq);
}

static const struct xpv_netfront_ops kn_ops = {
	.rx = kn_rx, .tx_wake = kn_tx_wake, .link = kn_link, .kick = kn_kick,
};

static void kn_watch(const char *path, void *arg)
{
	struct knet *k = arg;

	k->changed = true;
	xpv_os_wake(k->wq);
}

/* Takes one queued frame into k->frame; its length, 0 if none. */
static size_t kn_dequeue(struct knet *k)
{
	unsigned long flags = spin_lock_irqsave(&k->qlock);
	size_t n = 0;

	if (k->qhead != k->qtail) {
		n = k->qlen[k->qhead % NET_QLEN];
		xpv_memcpy(k->frame, k->qbuf[k->qhead % NET_QLEN], n);
		k->qhead++;
	}
	spin_unlock_irqrestore(&k->qlock, flags);
	return n;
}

static void kn_answer(struct knet *k, size_t len)
{
	struct xpv_netfront_pkt pkt = { .nr_frags = 1 };
	size_t n = np_input(&k->host, k->frame, len, k->reply);
	unsigned int tries;

	if (!n)
		return;
	pkt.frags[0] = (struct xpv_netfront_frag){ k->reply, (uint32_t)n };
	pkt.len = (uint32_t)n;
	/* A full ring drains as the backend answers: retry a little. */
	for (tries = 0; tries < 100; tries++) {
		if (xpv_netfront_xmit(&k->nf, 0, &pkt) != -XPV_EAGAIN)
			return;
		xpv_netfront_tx_reap(&k->nf, 0);
		sleep_until(monotonic_ns() + 1000000ull);
	}
	k->tx_fail++;
}

static bool kn_due(void *arg)
{
	struct knet *k = arg;

	return k->changed || k->work || k->stop ||
	       XPV_READ_ONCE(k->qhead) != XPV_READ_ONCE(k->qtail);
}

/*
 * The work asked for more work at once: an rx refill came up short of
 * pages or grants.  Say so once, then retry in 10 ms: looping here would
 * keep every other thread off vCPU 0 (the scheduler is cooperative).
 */
static void kn_short(struct knet *k)
{
	const struct xpv_netfront_queue *q = &k->nf.q[0];
	struct xpv_netfront_stats st;

	if (!k->short_seen++) {
		xpv_netfront_stats(&k->nf, &st);
		printk("xenpv: net: rx refill short: req_prod %u rsp_cons %u "
		       "slot posted %u, %u posted, grants %u of %u out, %u "
		       "pages, pool %u used\n", q->rx.req_prod_pvt,
		       q->rx.rsp_cons,
		       q->rx_posted[q->rx.req_prod_pvt % XPV_NETFRONT_RING_SIZE],
		       st.rx_posted, st.gnt_outstanding, st.gnt_refs, st.pages,
		       mm_pool_used());
	}
	sleep_until(monotonic_ns() + 10000000ull);
}

static void kn_thread(void *arg)
{
	struct knet *k = arg;
	size_t n;

	for (;;) {
		xpv_os_wait(k->wq, kn_due, k, 0);
		if (k->stop)
			break;
		if (k->changed) {
			k->changed = false;
			xpv_netfront_otherend_changed(&k->nf);
		}
		if (k->work) {
			k->work = false;
			xpv_netfront_work(&k->nf);
			if (k->work)
				kn_short(k);
		}
		/* One frame at a time: a stream of frames must not keep
		 * the other threads from running. */
		while ((n = kn_dequeue(k))) {
			kn_answer(k, n);
			thread_yield();
		}
		xpv_os_wake(k->wq);
	}
	k->stopped = true;
	xpv_os_wake(k->wq);
}

static bool kn_up(void *arg)
{
	struct knet *k = arg;

	return k->link || k->nf.broken;
}

static bool kn_stopped(void *arg) { return ((struct knet *)arg)->stopped; }

/* "A.B.C.D" into @ip; false if malformed. */
static bool parse_ip(const char *s, uint8_t ip[4])
{
	unsigned int i, v;

	for (i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return false;
		for (v = 0; *s >= '0' && *s <= '9' && v < 256; s++)
			v = v * 10 + (unsigned int)(*s - '0');
		if (v > 255 || (i < 3 && *s++ != '.'))
			return false;
		ip[i] = (uint8_t)v;
	}
	return true;
}

static int kn_open(struct knet *k, unsigned int devid)
{
	struct xpv_netfront_config c;
	uint64_t end = monotonic_ns() + NET_WAIT_NS;
	int err;

	xpv_netfront_default_config(&c);
	c.devid = devid;
	c.rx_bufs = 64;
	c.tx_bufs = 64;
	/* No offloads: every frame carries its own checksums. */
	c.features = 0;
	err = xpv_netfront_init(&k->nf, &c, &kn_ops, k);
	if (err)
		return err;
	while ((err = xpv_netfront_start(&k->nf)) == -XPV_ENOENT &&
	       monotonic_ns() < end)
		sleep_until(monotonic_ns() + 100000000ull);
	if (err)
		return err;
	err = thread_create("netfront", kn_thread, k);
	if (err)
		return err;
	k->changed = true;
	k->watch = xpv_os_xs_watch(xpv_netfront_backend_state_path(&k->nf),
				   kn_watch, k);
	if (!k->watch)
		return -XPV_EIO;
	if (xpv_os_wait(k->wq, kn_up, k, NET_WAIT_NS))
		return -XPV_ETIMEDOUT;
	return k->link ? 0 : -XPV_EIO;
}

static bool net_done_written(void)
{
	char v[8];

	return xpv_os_xs_read(XPV_XBT_NIL, "data/xenpv/net-done", v,
			      sizeof(v)) >= 0;
}

static void kn_report(struct knet *k)
{
	struct xpv_netfront_stats st;
	struct np_host *h = &k->host;

	xpv_netfront_stats(&k->nf, &st);
	printk("xenpv: net: %lu arp replies, %lu echo replies, raw %u frames "
	       "%lu bytes crc32 %08x (%u resent), fin %d\n", h->arp_replies,
	       h->icmp_replies, h->raw_next, (unsigned long)h->raw_bytes,
	       ~h->raw_crc, h->raw_dups, h->raw_fin);
	printk("xenpv: net: rx %llu tx %llu, queue drops %u, tx failures %u, "
	       "ignored %lu, protocol errors %llu\n", st.rx_packets,
	       st.tx_packets, k->qdrops, k->tx_fail, h->ignored,
	       st.protocol_errors);
}

static void kn_close(struct knet *k)
{
	struct xpv_netfront_stats st;
	unsigned int i;

	xpv_os_xs_unwatch(k->watch);
	k->stop = true;
	xpv_os_wake(k->wq);
	if (xpv_os_wait(k->wq, kn_stopped, k, NET_WAIT_NS))
		return; /* the thread still uses k: keep everything */
	xpv_netfront_close(&k->nf);
	for (i = 0; i < 100; i++) {
		xpv_netfront_stats(&k->nf, &st);
		if (!st.gnt_outstanding)
			break;
		sleep_until(monotonic_ns() + 10000000ull);
		xpv_gntalloc_retry_deferred(&k->nf.gnt);
	}
	printk("xenpv: net: closed: %u grants out, %u leaked, %s\n",
	       st.gnt_outstanding, xpv_netfront_destroy(&k->nf),
	       st.broken ? "broken" : "sound");
	xpv_os_waitq_free(k->wq);
	xpv_os_free(k);
}

static void kn_serve(struct knet *k, unsigned int devid)
{
	struct xpv_netfront_info in;
	unsigned int polls = 0;
	uint64_t end;

	xpv_netfront_get_info(&k->nf, &in);
	xpv_memcpy(k->host.mac, in.mac, 6);
	printk("xenpv: net: vif %u connected, mac %02x:%02x:%02x:%02x:%02x:%02x"
	       " ip %u.%u.%u.%u\n", devid, in.mac[0], in.mac[1], in.mac[2],
	       in.mac[3], in.mac[4], in.mac[5], k->host.ip[0], k->host.ip[1],
	       k->host.ip[2], k->host.ip[3]);
	xpv_os_xs_write(XPV_XBT_NIL, "data/xenpv/net", "ready");
	end = monotonic_ns() + NET_RUN_NS;
	while (!net_done_written() && monotonic_ns() < end) {
		sleep_until(monotonic_ns() + 100000000ull);
		if (++polls % 100 == 0)
			kn_report(k);
	}
	kn_report(k);
}

void net_check(void)
{
	const char *v = cmdline_arg("vif"), *a = cmdline_arg("ip");
	uint8_t ip[4], mac[6] = { 0 };
	struct knet *k;
	int err;

	if (!v || !a || !parse_ip(a, ip))
		return;
	k = xpv_os_zalloc(sizeof(*k));
	if (!k || !(k->wq = xpv_os_waitq_new())) {
		printk("xenpv: net: no memory\n");
		xpv_os_free(k);
		return;
	}
	np_host_init(&k->host, mac, ip);
	err = kn_open(k, (unsigned int)(*v - '0'));
	if (err) {
		printk("xenpv: net: vif not connected: %d\n", err);
		/* dom0 waits for this node: tell it not to. */
		xpv_os_xs_write(XPV_XBT_NIL, "data/xenpv/net", "failed");
	} else
		kn_serve(k, (unsigned int)(*v - '0'));
	kn_close(k);
}
