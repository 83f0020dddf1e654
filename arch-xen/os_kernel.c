// SPDX-License-Identifier: MIT
/*
 * os.h for the xenpv PV kernel.  Memory, events, locks, waiting, time and
 * logging are served; grants and xenstore answer -ENOSYS until the kernel
 * maps its grant frames and runs xenbus over the store ring.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"
#include "xenpv/os.h"

int evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t fn, void *arg);

/* ---- a small first-fit heap inside the image ------------------------ */

#define HEAP_SIZE (2u << 20)

struct block {
	size_t size;		/* bytes after the header */
	struct block *next;	/* free list only */
};

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(16)));
static struct block *free_list;
static size_t heap_top;

static void *heap_take(size_t size)
{
	struct block **pp, *b;

	size = (size + 15) & ~(size_t)15;
	for (pp = &free_list; (b = *pp); pp = &b->next) {
		if (b->size >= size) {
			*pp = b->next;
			return b + 1;
		}
	}
	if (heap_top + sizeof(*b) + size > HEAP_SIZE)
		return NULL;
	b = (struct block *)(heap + heap_top);
	b->size = size;
	heap_top += sizeof(*b) + size;
	return b + 1;
}

void *xpv_os_malloc(size_t size)
{
	unsigned long f = pv_irq_ops.save_fl();
	void *p = heap_take(size);

	pv_irq_ops.restore_fl(f);
	return p;
}

void *xpv_os_zalloc(size_t size)
{
	void *p = xpv_os_malloc(size);

	return p ? memset(p, 0, size) : NULL;
}

void xpv_os_free(void *ptr)
{
	struct block *b = (struct block *)ptr - 1;
	unsigned long f;

	if (!ptr)
		return;
	f = pv_irq_ops.save_fl();
	b->next = free_list;
	free_list = b;
	pv_irq_ops.restore_fl(f);
}

void *xpv_os_page_alloc(void) { return page_alloc(); }
void *xpv_os_pages_alloc(unsigned int n) { return pages_alloc(n); }
void xpv_os_page_free(void *page) { page_free(page); }
uint64_t xpv_os_virt_to_gfn(const void *page)
{
	/* A PV guest grants machine frames. */
	return virt_to_mfn(page);
}

/* ---- grants and xenstore: not in this kernel yet -------------------- */

int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n) { return -XPV_ENOSYS; }
void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n) {}
void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly) {}
int xpv_os_gnttab_end(grant_ref_t ref, bool readonly) { return -XPV_ENOSYS; }
int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	return -XPV_ENOSYS;
}
int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	return -XPV_ENOSYS;
}
int xpv_os_xs_rm(xpv_xbt_t t, const char *path) { return -XPV_ENOSYS; }
int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	return -XPV_ENOSYS;
}
int xpv_os_xs_transaction_start(xpv_xbt_t *t) { return -XPV_ENOSYS; }
int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort) { return -XPV_ENOSYS; }
struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	return NULL;
}
void xpv_os_xs_unwatch(struct xpv_os_watch *watch) {}

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
}

/* ---- hypercalls of the balloon and machine-check drivers ----------- */

long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	return hyp_memory_op(cmd, arg);
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

/* ---- locks and waiting: one vCPU runs kernel code for now ------------ */

struct xpv_os_lock {
	unsigned long flags;
};

struct xpv_os_lock *xpv_os_lock_new(void)
{
	return xpv_os_zalloc(sizeof(struct xpv_os_lock));
}

void xpv_os_lock_free(struct xpv_os_lock *lock) { xpv_os_free(lock); }
void xpv_os_lock(struct xpv_os_lock *lock) { lock->flags = pv_irq_ops.save_fl(); }
void xpv_os_unlock(struct xpv_os_lock *lock) { pv_irq_ops.restore_fl(lock->flags); }

struct xpv_os_waitq {
	unsigned long wakes;
};

struct xpv_os_waitq *xpv_os_waitq_new(void)
{
	return xpv_os_zalloc(sizeof(struct xpv_os_waitq));
}

void xpv_os_waitq_free(struct xpv_os_waitq *wq) { xpv_os_free(wq); }

int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? monotonic_ns() + timeout_ns : 0;

	pv_irq_ops.irq_disable();
	while (!cond(arg)) {
		if (deadline && monotonic_ns() >= deadline) {
			pv_irq_ops.irq_enable();
			return -XPV_ETIMEDOUT;
		}
		pv_irq_ops.safe_halt();
		pv_irq_ops.irq_disable();
	}
	pv_irq_ops.irq_enable();
	return 0;
}

void xpv_os_wake(struct xpv_os_waitq *wq) { wq->wakes++; }

uint64_t xpv_os_now_ns(void) { return monotonic_ns(); }

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
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
