// SPDX-License-Identifier: MIT
/*
 * xenpv-balloon.ko: the portable balloon on a delayed work item.  The
 * xenstore watches only kick the work; each run does one step and
 * schedules the next as xpv_balloon_work() asks.  Pages come from the
 * kernel's page allocator (xpv_os_page_alloc).
 *
 * In a PV guest the reservation cannot move from a module (see
 * os/linux/os_linux_hcall.c): the driver still follows and clamps the
 * target and reports it, and every move is refused with -EOPNOTSUPP and
 * backed off, never half done.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/workqueue.h>
#include <xen/features.h>
#include <xen/xen.h>

#include "drivers/balloon/balloon.h"

static unsigned long floor_kib;
module_param(floor_kib, ulong, 0444);
MODULE_PARM_DESC(floor_kib, "never balloon below this (0: 16 MiB + 1/16)");

static struct xpv_balloon xpvbal;
static struct delayed_work xpvbal_work;
static bool xpvbal_stopping;

static void xpvbal_kick(void *arg)
{
	if (!READ_ONCE(xpvbal_stopping))
		mod_delayed_work(system_freezable_wq, &xpvbal_work, 0);
}

static void xpvbal_run(struct work_struct *w)
{
	uint64_t next = xpv_balloon_work(&xpvbal);
	unsigned long delay;

	if (!next || READ_ONCE(xpvbal_stopping))
		return;
	delay = next == XPV_BALLOON_NOW ? 0 : nsecs_to_jiffies(next);
	queue_delayed_work(system_freezable_wq, &xpvbal_work, delay ?: 1);
}

static void xpvbal_report(const char *when)
{
	struct xpv_balloon_stats st;

	xpv_balloon_stats(&xpvbal, &st);
	pr_info("xenpv-balloon: %s: current %llu KiB, target %llu KiB, "
		"requested %llu KiB, in balloon %llu KiB, floor %llu KiB, "
		"static-max %llu KiB, retries %llu, clamps %llu, bad values "
		"%llu, last error %d\n",
		when, st.current_kib, st.target_kib, st.requested_kib,
		st.low_kib, st.floor_kib, st.static_max_kib, st.retry_count,
		st.clamps, st.bad_values, st.last_error);
}

static int __init xpvbal_init(void)
{
	struct xpv_balloon_cfg cfg = {
		.floor_kib = floor_kib,
		.kick = xpvbal_kick,
	};
	int err;

	if (!xen_domain())
		return -ENODEV;
	INIT_DELAYED_WORK(&xpvbal_work, xpvbal_run);
	err = xpv_balloon_init(&xpvbal, &cfg);
	if (err)
		return err;
	err = xpv_balloon_xs_start(&xpvbal);
	if (err) {
		xpv_balloon_destroy(&xpvbal);
		return err;
	}
	if (!xen_feature(XENFEAT_auto_translated_physmap))
		pr_info("xenpv-balloon: PV guest: the kernel's balloon owns "
			"the p2m, reservation moves are refused\n");
	xpvbal_kick(NULL);
	flush_delayed_work(&xpvbal_work);
	xpvbal_report("loaded");
	return 0;
}
module_init(xpvbal_init);

static void __exit xpvbal_exit(void)
{
	WRITE_ONCE(xpvbal_stopping, true);
	xpv_balloon_xs_stop(&xpvbal);
	cancel_delayed_work_sync(&xpvbal_work);
	xpvbal_report("unloading");
	xpv_balloon_destroy(&xpvbal);
	pr_info("xenpv-balloon: unloaded\n");
}
module_exit(xpvbal_exit);

MODULE_DESCRIPTION("xenpv balloon");
MODULE_LICENSE("Dual MIT/GPL");
