// SPDX-License-Identifier: MIT
/*
 * os.h for Linux modules: memory, locks, waiting, time and logging on the
 * kernel's own primitives.  The Xen half (grants, event channels, xenstore)
 * is in os_linux_xen.c.
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <xen/page.h>

#include "xenpv/os.h"

/*
 * The core allocates from event handlers as well as from process context;
 * only the latter may sleep or fall back to vmalloc for large tables.
 */
static gfp_t xpv_linux_gfp(void)
{
	return preemptible() ? GFP_KERNEL : GFP_ATOMIC;
}

void *xpv_os_malloc(size_t size)
{
	if (preemptible())
		return kvmalloc(size, GFP_KERNEL);
	return kmalloc(size, GFP_ATOMIC);
}

void *xpv_os_zalloc(size_t size)
{
	if (preemptible())
		return kvzalloc(size, GFP_KERNEL);
	return kzalloc(size, GFP_ATOMIC);
}

void xpv_os_free(void *ptr)
{
	kvfree(ptr);
}

void *xpv_os_page_alloc(void)
{
	return (void *)get_zeroed_page(xpv_linux_gfp());
}

/* alloc_pages_exact splits the block, so each page is freed on its own. */
void *xpv_os_pages_alloc(unsigned int n)
{
	if (n == 0 || n > (1u << MAX_ORDER))
		return NULL;
	return alloc_pages_exact((size_t)n << PAGE_SHIFT,
				 xpv_linux_gfp() | __GFP_ZERO);
}

void xpv_os_page_free(void *page)
{
	if (page)
		free_page((unsigned long)page);
}

uint64_t xpv_os_virt_to_gfn(const void *page)
{
	return virt_to_gfn(page);
}

/* ---- locks and wait queues ------------------------------------------ */

struct xpv_os_lock {
	spinlock_t lock;
	unsigned long flags;	/* valid while held */
};

struct xpv_os_lock *xpv_os_lock_new(void)
{
	struct xpv_os_lock *l = kzalloc(sizeof(*l), xpv_linux_gfp());

	if (l)
		spin_lock_init(&l->lock);
	return l;
}

void xpv_os_lock_free(struct xpv_os_lock *lock)
{
	kfree(lock);
}

void xpv_os_lock(struct xpv_os_lock *lock)
{
	unsigned long flags;

	spin_lock_irqsave(&lock->lock, flags);
	lock->flags = flags;
}

void xpv_os_unlock(struct xpv_os_lock *lock)
{
	spin_unlock_irqrestore(&lock->lock, lock->flags);
}

struct xpv_os_waitq {
	wait_queue_head_t wq;
};

struct xpv_os_waitq *xpv_os_waitq_new(void)
{
	struct xpv_os_waitq *w = kzalloc(sizeof(*w), xpv_linux_gfp());

	if (w)
		init_waitqueue_head(&w->wq);
	return w;
}

void xpv_os_waitq_free(struct xpv_os_waitq *wq)
{
	kfree(wq);
}

/*
 * Without a limit we still wake once a second, so a wait on a peer that
 * never answers is not reported as a hung task.
 */
int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	unsigned long left;

	if (!timeout_ns) {
		while (!wait_event_timeout(wq->wq, cond(arg), HZ))
			;
		return 0;
	}
	left = nsecs_to_jiffies(timeout_ns);
	if (!left)
		left = 1;
	return wait_event_timeout(wq->wq, cond(arg), left) ? 0
							    : -XPV_ETIMEDOUT;
}

void xpv_os_wake(struct xpv_os_waitq *wq)
{
	wake_up_all(&wq->wq);
}

uint64_t xpv_os_now_ns(void)
{
	return ktime_get_ns();
}

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
{
	static const char *const lvl[] = {
		[XPV_LOG_ERR] = KERN_ERR, [XPV_LOG_WARN] = KERN_WARNING,
		[XPV_LOG_INFO] = KERN_INFO, [XPV_LOG_DEBUG] = KERN_DEBUG,
	};
	struct va_format vaf;
	va_list args;

	if ((unsigned int)level >= ARRAY_SIZE(lvl))
		level = XPV_LOG_ERR;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	/* Callers end their lines; a record ends at each call anyway. */
	printk("%sxenpv: %pV", lvl[level], &vaf);
	va_end(args);
}

int xpv_os_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}
