// SPDX-License-Identifier: MIT
/*
 * The kernel's balloon: the portable driver (drivers/balloon) on this
 * kernel's os.h, whose memory_op hook keeps the p2m and the mapping in
 * step with each move (mm.c).  One thread runs xpv_balloon_work() when
 * kicked and again after the delay it asks for.  With "balloon=1" the
 * check follows the toolstack's target until dom0 writes
 * data/xenpv/balloon-done, then writes every pool page again.
 */
#include "arch-xen/kernel.h"
#include "drivers/balloon/balloon.h"
#include "xenpv/compiler.h"

#define BAL_RUN_NS 240000000000ull

struct kbal {
	struct xpv_balloon b;
	struct xpv_os_waitq *wq;
	volatile bool kicked, stop, stopped;
};

static void kbal_kick(void *arg)
{
	struct kbal *k = arg;

	k->kicked = true;
	xpv_os_wake(k->wq);
}

static bool kbal_due(void *arg)
{
	struct kbal *k = arg;

	return k->kicked || k->stop;
}

static void kbal_thread(void *arg)
{
	struct kbal *k = arg;
	uint64_t delay = XPV_BALLOON_NOW;

	while (!k->stop) {
		if (delay != XPV_BALLOON_NOW)
			xpv_os_wait(k->wq, kbal_due, k, delay);
		k->kicked = false;
		if (!k->stop)
			delay = xpv_balloon_work(&k->b);
	}
	k->stopped = true;
	xpv_os_wake(k->wq);
}

static bool kbal_stopped(void *arg) { return ((struct kbal *)arg)->stopped; }

static void kbal_print(struct kbal *k, const char *when)
{
	struct xpv_balloon_stats st;

	xpv_balloon_stats(&k->b, &st);
	printk("xenpv: balloon %s: current %lu KiB, target %lu KiB, in balloon "
	       "%lu KiB, released %lu, populated %lu pages, retries %lu, "
	       "error %d\n", when, (unsigned long)st.current_kib,
	       (unsigned long)st.target_kib, (unsigned long)st.low_kib,
	       (unsigned long)st.released_pages,
	       (unsigned long)st.populated_pages,
	       (unsigned long)st.retry_count, st.last_error);
}

static bool balloon_done_written(void)
{
	char v[8];

	return xpv_os_xs_read(XPV_XBT_NIL, "data/xenpv/balloon-done", v,
			      sizeof(v)) >= 0;
}

/* Prints the reservation each time it moves, until dom0 is done. */
static void kbal_follow(struct kbal *k)
{
	uint64_t end = monotonic_ns() + BAL_RUN_NS, last = 0;
	struct xpv_balloon_stats st;

	xpv_os_xs_write(XPV_XBT_NIL, "data/xenpv/balloon", "ready");
	while (!balloon_done_written() && monotonic_ns() < end) {
		sleep_until(monotonic_ns() + 100000000ull);
		xpv_balloon_stats(&k->b, &st);
		if (st.current_kib != last && st.current_kib == st.target_kib)
			kbal_print(k, "moved");
		if (st.current_kib == st.target_kib)
			last = st.current_kib;
	}
}

void balloon_check(void)
{
	struct xpv_balloon_cfg c = { .kick = kbal_kick };
	struct kbal *k;
	int err;

	if (!cmdline_arg("balloon"))
		return;
	k = xpv_os_zalloc(sizeof(*k));
	if (!k || !(k->wq = xpv_os_waitq_new())) {
		printk("xenpv: balloon: no memory\n");
		xpv_os_free(k);
		return;
	}
	c.kick_arg = k;
	err = xpv_balloon_init(&k->b, &c);
	if (!err)
		err = xpv_balloon_xs_start(&k->b);
	if (!err)
		err = thread_create("balloon", kbal_thread, k);
	if (err) {
		printk("xenpv: balloon: not started: %d\n", err);
		xpv_os_xs_write(XPV_XBT_NIL, "data/xenpv/balloon", "failed");
		return;
	}
	kbal_print(k, "started");
	kbal_follow(k);
	xpv_balloon_xs_stop(&k->b);
	k->stop = true;
	xpv_os_wake(k->wq);
	if (xpv_os_wait(k->wq, kbal_stopped, k, 10000000000ull))
		return;
	kbal_print(k, "stopped");
	/* Pages still in the balloon have no frame: they must never be
	 * handed out again, so such a balloon is kept. */
	if (k->b.nr_ballooned)
		return;
	xpv_balloon_destroy(&k->b);
	xpv_os_waitq_free(k->wq);
	xpv_os_free(k);
	memory_check();
}
