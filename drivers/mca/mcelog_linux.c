// SPDX-License-Identifier: MIT
/*
 * xenpv-mcelog.ko: the portable PV machine-check driver as a
 * /dev/mcelog-compatible misc device.  read() hands out whole records
 * (the buffer must hold the whole log, as mcelog's), ioctls give the record
 * and log lengths and the overflow flags, poll() says whether records wait.
 * A page the policy retires is soft-offlined when it is one of ours.
 *
 * Where the kernel's own xen_mcelog already owns /dev/mcelog (dom0) the
 * device is /dev/xenpv-mcelog; where VIRQ_MCA or XEN_MC_fetch is refused
 * (a domU, or dom0 with xen_mcelog bound) the driver stays loaded, reports
 * why, and its log stays empty.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/mce.h>
#include <asm/xen/page.h>
#include <xen/xen.h>

#include "drivers/mca/mca.h"

static struct xpv_mca xpvmce;
static bool xpvmce_live;
static DEFINE_MUTEX(xpvmce_read_mu);
static DECLARE_WAIT_QUEUE_HEAD(xpvmce_poll_wq);
static struct delayed_work xpvmce_poll_work;
static bool xpvmce_stopping;

/* Only a frame that maps back to one of our pages is offlined. */
static int xpvmce_retire(void *arg, uint64_t mfn, domid_t owner)
{
	unsigned long pfn = mfn_to_pfn(mfn);

	if (!pfn_valid(pfn) || pfn_to_mfn(pfn) != mfn)
		return -ENOENT;
	memory_failure_queue(pfn, MF_SOFT_OFFLINE);
	return 0;
}

static ssize_t xpvmce_read(struct file *f, char __user *ubuf, size_t len,
			   loff_t *off)
{
	size_t rec = xpv_mca_record_len();
	struct xpv_mce *recs;
	unsigned int n;
	ssize_t ret;

	if (len < XPV_MCE_LOG_LEN * rec)
		return -EINVAL;
	recs = kmalloc_array(XPV_MCE_LOG_LEN, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	mutex_lock(&xpvmce_read_mu);
	n = xpv_mca_read(&xpvmce, recs, XPV_MCE_LOG_LEN);
	ret = copy_to_user(ubuf, recs, n * rec) ? -EFAULT : (ssize_t)(n * rec);
	mutex_unlock(&xpvmce_read_mu);
	/* Records taken but not delivered are lost, as with mcelog. */
	kfree(recs);
	return ret;
}

static __poll_t xpvmce_poll(struct file *f, poll_table *wait)
{
	poll_wait(f, &xpvmce_poll_wq, wait);
	return xpv_mca_pending(&xpvmce) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long xpvmce_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	int __user *p = (int __user *)arg;

	switch (cmd) {
	case MCE_GET_RECORD_LEN:
		return put_user((int)xpv_mca_record_len(), p);
	case MCE_GET_LOG_LEN:
		return put_user((int)XPV_MCE_LOG_LEN, p);
	case MCE_GETCLEAR_FLAGS:
		return put_user((int)xpv_mca_getclear_flags(&xpvmce), p);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xpvmce_fops = {
	.owner = THIS_MODULE,
	.read = xpvmce_read,
	.poll = xpvmce_poll,
	.unlocked_ioctl = xpvmce_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice xpvmce_dev = {
	.minor = MISC_MCELOG_MINOR,
	.name = "mcelog",
	.fops = &xpvmce_fops,
};

/* The VIRQ handler wakes the core's own queue; pollers hear within 1 s. */
static void xpvmce_tick(struct work_struct *w)
{
	if (xpv_mca_pending(&xpvmce))
		wake_up_interruptible(&xpvmce_poll_wq);
	if (!READ_ONCE(xpvmce_stopping))
		schedule_delayed_work(&xpvmce_poll_work, HZ);
}

static int xpvmce_register(void)
{
	int err = misc_register(&xpvmce_dev);

	if (err != -EBUSY)
		return err;
	pr_info("xenpv-mcelog: /dev/mcelog is taken, "
		"using /dev/xenpv-mcelog\n");
	xpvmce_dev.minor = MISC_DYNAMIC_MINOR;
	xpvmce_dev.name = "xenpv-mcelog";
	return misc_register(&xpvmce_dev);
}

static int __init xpvmce_init(void)
{
	struct xpv_mca_cfg cfg = { .retire = xpvmce_retire };
	int err;

	if (!xen_pv_domain())
		return -ENODEV;
	err = xpv_mca_init(&xpvmce, &cfg);
	if (err)
		return err;
	err = xpvmce_register();
	if (err) {
		xpv_mca_destroy(&xpvmce);
		return err;
	}
	err = xpv_mca_start(&xpvmce);
	xpvmce_live = !err;
	if (err)
		pr_info("xenpv-mcelog: binding VIRQ_MCA: %d, no telemetry\n",
			err);
	INIT_DELAYED_WORK(&xpvmce_poll_work, xpvmce_tick);
	schedule_delayed_work(&xpvmce_poll_work, HZ);
	pr_info("xenpv-mcelog: /dev/%s, telemetry %s\n", xpvmce_dev.name,
		xpvmce_live ? "bound" : "unavailable");
	return 0;
}
module_init(xpvmce_init);

static void __exit xpvmce_exit(void)
{
	struct xpv_mca_stats st;

	WRITE_ONCE(xpvmce_stopping, true);
	cancel_delayed_work_sync(&xpvmce_poll_work);
	misc_deregister(&xpvmce_dev);
	xpv_mca_stats(&xpvmce, &st);
	pr_info("xenpv-mcelog: fetched %llu urgent, %llu non-urgent, %llu "
		"records, %llu rejected, %llu fetch errors\n",
		st.fetched_urgent, st.fetched_nonurgent, st.records,
		st.rejected, st.fetch_errors);
	xpv_mca_destroy(&xpvmce);
	pr_info("xenpv-mcelog: unloaded\n");
}
module_exit(xpvmce_exit);

MODULE_DESCRIPTION("xenpv PV machine-check log");
MODULE_LICENSE("Dual MIT/GPL");
