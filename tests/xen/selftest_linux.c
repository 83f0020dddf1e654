// SPDX-License-Identifier: MIT
/*
 * xenpv-selftest.ko: the os.h contract on a real Xen guest, through the
 * portable core, against tests/xen/peer.c in dom0.  At load it runs every
 * check once and prints "xenpv-selftest: N passed, N failed"; the module
 * stays loaded so that unloading it is checked too.
 *
 * The exchange, under data/xenpv-selftest of this domain:
 *   we   grant a page (first half patterned), bind an unbound port,
 *        write gref, port, state=ready
 *   peer maps the page, checks our half, patterns the second half, binds
 *        the port, notifies, writes reply=mapped
 *   we   check its half; revoking now must fail (mapped): state=end-busy
 *   peer unmaps: reply=unmapped;  we revoke (must succeed), notify,
 *        state=notified;  peer sees the event: reply=event;  we: state=done
 */
#include <linux/module.h>

#include "xenpv/compiler.h"
#include "xenpv/gntalloc.h"
#include "xenpv/os.h"
#include "xenpv/xenbus.h"

#define XST_DIR "data/xenpv-selftest"
#define XST_HALF (XPV_PAGE_SIZE / 2)

static unsigned int peer;
module_param(peer, uint, 0444);
MODULE_PARM_DESC(peer, "domain of the test peer (dom0)");
static unsigned int timeout_s = 60;
module_param(timeout_s, uint, 0444);
MODULE_PARM_DESC(timeout_s, "seconds to wait for each step of the peer");

struct xst {
	struct xpv_os_lock *lock;
	struct xpv_os_waitq *wq;
	struct xpv_os_watch *watch;
	unsigned int events;
	char reply[32];
	struct xpv_gntalloc gnt;
	grant_ref_t ref;
	evtchn_port_t port;
	void *page;
	unsigned int passed, failed;
};

static struct xst xst;

static void xst_check(struct xst *t, const char *what, bool ok)
{
	if (ok)
		t->passed++;
	else
		t->failed++;
	xpv_os_log(ok ? XPV_LOG_INFO : XPV_LOG_ERR, "selftest %s: %s\n",
		   ok ? "ok" : "FAIL", what);
}

static void xst_event(evtchn_port_t port, void *arg)
{
	struct xst *t = arg;

	xpv_os_lock(t->lock);
	t->events++;
	xpv_os_unlock(t->lock);
	xpv_os_wake(t->wq);
}

static void xst_reply_changed(const char *path, void *arg)
{
	struct xst *t = arg;
	char v[sizeof(t->reply)];

	if (xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/reply", v, sizeof(v)) < 0)
		return;
	xpv_os_lock(t->lock);
	xpv_memcpy(t->reply, v, sizeof(v));
	xpv_os_unlock(t->lock);
	xpv_os_wake(t->wq);
}

struct xst_want {
	struct xst *t;
	const char *reply;
	unsigned int events;
};

static bool xst_cond(void *arg)
{
	struct xst_want *w = arg;
	bool ok;

	xpv_os_lock(w->t->lock);
	ok = !xpv_memcmp(w->t->reply, w->reply, xpv_strlen(w->reply) + 1) &&
	     w->t->events >= w->events;
	xpv_os_unlock(w->t->lock);
	return ok;
}

/* Waits for the peer's @reply (and at least @events events so far). */
static bool xst_wait(struct xst *t, const char *reply, unsigned int events)
{
	struct xst_want w = { t, reply, events };

	return !xpv_os_wait(t->wq, xst_cond, &w,
			    (uint64_t)timeout_s * 1000000000ull);
}

static int xst_write_uint(const char *node, unsigned int v)
{
	char path[64], val[16];

	xpv_os_snprintf(path, sizeof(path), XST_DIR "/%s", node);
	xpv_os_snprintf(val, sizeof(val), "%u", v);
	return xpv_os_xs_write(XPV_XBT_NIL, path, val);
}

/* Plain xenstore calls, a transaction, and the core's pure parts. */
static void xst_store(struct xst *t)
{
	char buf[256];
	xpv_xbt_t x;
	int r, n, i;
	const char *p;
	struct xpv_xenbus_step s;

	r = xpv_os_xs_write(XPV_XBT_NIL, XST_DIR "/probe", "hello");
	xst_check(t, "xs write", r == 0);
	r = xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/probe", buf, sizeof(buf));
	xst_check(t, "xs read back", r == 5 && !xpv_memcmp(buf, "hello", 6));
	r = xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/probe", buf, 3);
	xst_check(t, "xs read into a short buffer is E2BIG", r == -XPV_E2BIG);
	n = xpv_os_xs_directory(XPV_XBT_NIL, XST_DIR, buf, sizeof(buf));
	for (i = 0, p = buf, r = 0; n > 0 && i < n; i++) {
		r |= !xpv_memcmp(p, "probe", 6);
		p += xpv_strlen(p) + 1;
	}
	xst_check(t, "xs directory lists the node", n >= 1 && r);
	r = xpv_os_xs_transaction_start(&x);
	xst_check(t, "xs transaction start", r == 0);
	if (r == 0) {
		xpv_os_xs_write(x, XST_DIR "/tx", "1");
		r = xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/tx", buf, sizeof(buf));
		xst_check(t, "xs transaction isolated", r == -XPV_ENOENT);
		r = xpv_os_xs_transaction_end(x, false);
		xst_check(t, "xs transaction commit", r == 0);
		r = xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/tx", buf, sizeof(buf));
		xst_check(t, "xs committed value", r == 1 && buf[0] == '1');
	}
	r = xpv_os_xs_rm(XPV_XBT_NIL, XST_DIR "/probe");
	r |= xpv_os_xs_read(XPV_XBT_NIL, XST_DIR "/probe", buf, sizeof(buf)) !=
	     -XPV_ENOENT;
	xst_check(t, "xs rm", r == 0);
	s = xpv_xenbus_step(XPV_XENBUS_FRONTEND, XenbusStateInitialising,
			    XenbusStateInitWait);
	xst_check(t, "core xenbus step runs in the kernel",
		  s.action == XPV_XENBUS_CONNECT);
}

/* Consecutive pages, each freed on its own, each with its own frame. */
static void xst_pages(struct xst *t)
{
	char *p = xpv_os_pages_alloc(3);
	uint64_t g0, g1, g2;
	unsigned int i, zero = 1;

	xst_check(t, "pages_alloc(3)", p != NULL);
	if (!p)
		return;
	for (i = 0; i < 3 * XPV_PAGE_SIZE; i++)
		zero &= p[i] == 0;
	g0 = xpv_os_virt_to_gfn(p);
	g1 = xpv_os_virt_to_gfn(p + XPV_PAGE_SIZE);
	g2 = xpv_os_virt_to_gfn(p + 2 * XPV_PAGE_SIZE);
	xst_check(t, "pages zeroed, distinct frames",
		  zero && g0 != g1 && g1 != g2 && g0 != g2);
	for (i = 0; i < 3; i++)
		xpv_os_page_free(p + i * XPV_PAGE_SIZE);
}

static uint8_t xst_ours(unsigned int i)
{
	return (uint8_t)(i * 7 + 3);
}

static uint8_t xst_theirs(unsigned int i)
{
	return (uint8_t)(i * 13 + 5);
}

/* Grant a patterned page and an unbound port to the peer; publish them. */
static int xst_offer(struct xst *t)
{
	uint8_t *pg;
	unsigned int i;
	int r;

	r = xpv_gntalloc_init(&t->gnt, 16);
	xst_check(t, "gntalloc claims refs from the kernel", r == 0);
	if (r)
		return r;
	t->page = xpv_os_page_alloc();
	r = t->page ? xpv_gntalloc_get(&t->gnt, &t->ref, 1) : -XPV_ENOMEM;
	xst_check(t, "page and ref", r == 0);
	if (r)
		return r;
	pg = t->page;
	for (i = 0; i < XST_HALF; i++)
		pg[i] = xst_ours(i);
	r = xpv_gntalloc_grant(&t->gnt, t->ref, peer, t->page, false);
	xst_check(t, "grant to the peer", r == 0);
	if (r == 0)
		r = xpv_os_evtchn_alloc_unbound(peer, &t->port);
	xst_check(t, "evtchn alloc unbound", r == 0);
	if (r == 0)
		r = xpv_os_evtchn_bind_handler(t->port, xst_event, t);
	xst_check(t, "evtchn bind handler", r == 0);
	if (r)
		return r;
	r = xst_write_uint("gref", t->ref);
	r = r ?: xst_write_uint("port", t->port);
	r = r ?: xpv_os_xs_write(XPV_XBT_NIL, XST_DIR "/state", "ready");
	xst_check(t, "offer published", r == 0);
	return r;
}

static void xst_exchange(struct xst *t)
{
	const uint8_t *pg = t->page;
	unsigned int i, bad = 0;
	int r;

	xst_check(t, "peer mapped the page and notified", xst_wait(t, "mapped", 1));
	for (i = XST_HALF; i < XPV_PAGE_SIZE; i++)
		bad += pg[i] != xst_theirs(i);
	xst_check(t, "peer's writes are in our page", bad == 0);
	r = xpv_gntalloc_end(&t->gnt, t->ref);
	xst_check(t, "revoke while mapped is EBUSY", r == -XPV_EBUSY);
	xpv_os_xs_write(XPV_XBT_NIL, XST_DIR "/state", "end-busy");
	xst_check(t, "peer unmapped", xst_wait(t, "unmapped", 1));
	r = xpv_gntalloc_end(&t->gnt, t->ref);
	xst_check(t, "revoke after unmap", r == 0);
	if (r == 0)
		xpv_gntalloc_put(&t->gnt, &t->ref, 1);
	xpv_os_evtchn_notify(t->port);
	xpv_os_xs_write(XPV_XBT_NIL, XST_DIR "/state", "notified");
	xst_check(t, "peer got our event", xst_wait(t, "event", 1));
}

static void xst_teardown(struct xst *t)
{
	unsigned int leaked;

	if (t->port)
		xpv_os_evtchn_close(t->port);
	if (t->gnt.nr) {
		leaked = xpv_gntalloc_destroy(&t->gnt);
		xst_check(t, "no grant ref leaked", leaked == 0);
		/* A page the peer may still map is never given back. */
		if (leaked == 0)
			xpv_os_page_free(t->page);
	} else {
		xpv_os_page_free(t->page);
	}
	t->page = NULL;
	t->port = 0;
}

static int __init xst_init(void)
{
	struct xst *t = &xst;

	t->lock = xpv_os_lock_new();
	t->wq = xpv_os_waitq_new();
	if (!t->lock || !t->wq)
		goto out;
	xpv_os_xs_rm(XPV_XBT_NIL, XST_DIR);
	xst_store(t);
	xst_pages(t);
	t->watch = xpv_os_xs_watch(XST_DIR "/reply", xst_reply_changed, t);
	xst_check(t, "xs watch", t->watch != NULL);
	if (t->watch && xst_offer(t) == 0)
		xst_exchange(t);
	xst_teardown(t);
	xpv_os_xs_write(XPV_XBT_NIL, XST_DIR "/state", "done");
	xpv_os_xs_unwatch(t->watch);
	t->watch = NULL;
out:
	pr_info("xenpv-selftest: %u passed, %u failed\n", t->passed,
		t->failed + (!t->lock || !t->wq));
	return 0;
}

static void __exit xst_exit(void)
{
	xpv_os_waitq_free(xst.wq);
	xpv_os_lock_free(xst.lock);
	pr_info("xenpv-selftest: unloaded\n");
}

module_init(xst_init);
module_exit(xst_exit);
MODULE_DESCRIPTION("xenpv os.h contract check against a dom0 peer");
MODULE_LICENSE("Dual MIT/GPL");
