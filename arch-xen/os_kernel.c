// SPDX-License-Identifier: MIT
/*
 * os.h for the xenpv PV kernel: memory, events, locks, waiting, time and
 * logging here; grants in gnttab.c, xenstore in xenbus.c.
 */
#include "arch-xen/heap.h"
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"
#include "xenpv/os.h"

/* ---- the heap: arch-xen/heap.c over a region inside the image -------- */

#define HEAP_SIZE (2u << 20)

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(KHEAP_ALIGN)));
/* Set up at build time: no allocation can come before it. */
static struct kheap kheap = { .base = heap, .size = HEAP_SIZE };
static struct spinlock heap_lock;

void *xpv_os_malloc(size_t size)
{
	unsigned long f = spin_lock_irqsave(&heap_lock);
	void *p = kheap_alloc(&kheap, size);

	spin_unlock_irqrestore(&heap_lock, f);
	return p;
}

void *xpv_os_zalloc(size_t size)
{
	void *p = xpv_os_malloc(size);

	return p ? memset(p, 0, size) : NULL;
}

void xpv_os_free(void *ptr)
{
	unsigned long f;

	if (!ptr)
		return;
	f = spin_lock_irqsave(&heap_lock);
	kheap_free(&kheap, ptr);
	spin_unlock_irqrestore(&heap_lock, f);
}

void *xpv_os_page_alloc(void) { return page_alloc(); }
void *xpv_os_pages_alloc(unsigned int n) { return pages_alloc(n); }
void xpv_os_page_free(void *page) { page_free(page); }
uint64_t xpv_os_virt_to_gfn(const void *page)
{
	/* A PV guest grants machine frames. */
	return page_gfn(page);
}

/* ---- event channels --------------------------------------------------- */

int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	int err = (int)hyp_evtchn_op(EVTCHNOP_alloc_unbound, &op);

	if (!err)
		*port = op.port;
	return err;
}

int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote,
					      .remote_port = remote_port };
	int err = (int)hyp_evtchn_op(EVTCHNOP_bind_interdomain, &op);

	if (!err)
		*port = op.local_port;
	return err;
}

int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg)
{
	return evtchn_bind_handler(port, handler, arg);
}

void xpv_os_evtchn_notify(evtchn_port_t port) { evtchn_notify(port); }
void xpv_os_evtchn_mask(evtchn_port_t port)
{
	xpv_set_bit(port, shared->evtchn_mask);
}
void xpv_os_evtchn_unmask(evtchn_port_t port) { evtchn_unmask_port(port); }
void xpv_os_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	xpv_os_evtchn_mask(port);
	hyp_evtchn_op(EVTCHNOP_close, &op);
	evtchn_clear_handler(port);
}

/* ---- hypercalls of the balloon and machine-check drivers ----------- */

long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	return mm_memory_op(cmd, arg);
}

int xpv_os_mca_op(struct xen_mc *mc)
{
	mc->interface_version = XEN_MCA_INTERFACE_VERSION;
	return (int)HC(__HYPERVISOR_mca, mc, 0, 0);
}

int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port)
{
	int p = evtchn_bind_virq(virq, 0, handler, arg);

	if (p < 0)
		return p;
	*port = p;
	return 0;
}

/* ---- locks and waiting ------------------------------------------------ */

struct xpv_os_lock {
	struct spinlock l;
	unsigned long flags;
};

struct xpv_os_lock *xpv_os_lock_new(void)
{
	return xpv_os_zalloc(sizeof(struct xpv_os_lock));
}

void xpv_os_lock_free(struct xpv_os_lock *lock) { xpv_os_free(lock); }

void xpv_os_lock(struct xpv_os_lock *lock)
{
	unsigned long flags = spin_lock_irqsave(&lock->l);

	lock->flags = flags;
}

void xpv_os_unlock(struct xpv_os_lock *lock)
{
	spin_unlock_irqrestore(&lock->l, lock->flags);
}

struct xpv_os_waitq {
	unsigned long wakes;
};

struct xpv_os_waitq *xpv_os_waitq_new(void)
{
	return xpv_os_zalloc(sizeof(struct xpv_os_waitq));
}

void xpv_os_waitq_free(struct xpv_os_waitq *wq) { xpv_os_free(wq); }

/*
 * A thread on vCPU 0 blocks and others run; elsewhere (another vCPU, or
 * before the scheduler runs) the vCPU halts until an event or the deadline.
 */
int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? monotonic_ns() + timeout_ns : 0;
	unsigned long flags;
	int err = 0;

	may_sleep("xpv_os_wait");
	flags = pv_irq_ops.save_fl();
	pv_irq_ops.irq_disable();
	while (!cond(arg)) {
		if (deadline && monotonic_ns() >= deadline) {
			err = -XPV_ETIMEDOUT;
			break;
		}
		if (sched_active()) {
			sched_block(wq, deadline, cond, arg);
			continue;
		}
		if (deadline)
			timer_set(deadline);
		pv_irq_ops.safe_halt();
		pv_irq_ops.irq_disable();
	}
	pv_irq_ops.restore_fl(flags);
	return err;
}

void xpv_os_wake(struct xpv_os_waitq *wq) { sched_wake(wq); }

uint64_t xpv_os_now_ns(void) { return monotonic_ns(); }

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
{
	char line[200];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The drivers' messages end in a newline or not; lines end in one. */
	n = xpv_strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	printk("xenpv: %s\n", line);
}

int xpv_os_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
