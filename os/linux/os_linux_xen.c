// SPDX-License-Identifier: MIT
/*
 * os.h's Xen hooks for Linux modules, on the guest kernel's own Xen core:
 * its grant table allocator, its event channel to irq layer and its xenbus
 * client.  Event channel allocation and interdomain binding go straight to
 * the hypercall: the kernel's wrappers want a struct xenbus_device, which
 * os.h's callers do not have, and only use it for its otherend id.
 */
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <asm/xen/hypercall.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "xenpv/os.h"

/* ---- grant table ---------------------------------------------------- */

/* The kernel counts a batch in a u16; ask for less until it gives. */
int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n)
{
	unsigned int want = min_t(unsigned int, n, U16_MAX), i;
	grant_ref_t head;
	int r;

	while (want && gnttab_alloc_grant_references(want, &head) < 0)
		want /= 2;
	for (i = 0; i < want; i++) {
		r = gnttab_claim_grant_reference(&head);
		if (r < 0)
			break;
		refs[i] = r;
	}
	if (want)
		gnttab_free_grant_references(head);
	return i;
}

void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gnttab_free_grant_reference(refs[i]);
}

void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly)
{
	gnttab_grant_foreign_access_ref(ref, domid, gfn, readonly);
}

int xpv_os_gnttab_end(grant_ref_t ref, bool readonly)
{
	return gnttab_end_foreign_access_ref(ref) ? 0 : -XPV_EBUSY;
}

/* ---- event channels ------------------------------------------------- */

struct xpv_linux_port {
	struct list_head list;
	evtchn_port_t port;
	int irq;
	bool masked;
	xpv_evtchn_handler_t fn;
	void *arg;
};

static LIST_HEAD(xpv_linux_ports);
static DEFINE_SPINLOCK(xpv_linux_ports_lock);

static struct xpv_linux_port *xpv_linux_port_find(evtchn_port_t port)
{
	struct xpv_linux_port *p;

	list_for_each_entry(p, &xpv_linux_ports, list)
		if (p->port == port)
			return p;
	return NULL;
}

int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	int r = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (r)
		return r;
	*port = op.port;
	return 0;
}

int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote,
					      .remote_port = remote_port };
	int r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	if (r)
		return r;
	*port = op.local_port;
	return 0;
}

static irqreturn_t xpv_linux_irq(int irq, void *dev_id)
{
	struct xpv_linux_port *p = dev_id;

	p->fn(p->port, p->arg);
	return IRQ_HANDLED;
}

int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg)
{
	struct xpv_linux_port *p;
	unsigned long flags;
	int irq;

	if (!handler)
		return -XPV_EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -XPV_ENOMEM;
	p->port = port;
	p->irq = -1;
	p->fn = handler;
	p->arg = arg;
	spin_lock_irqsave(&xpv_linux_ports_lock, flags);
	if (xpv_linux_port_find(port)) {
		spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
		kfree(p);
		return -XPV_EBUSY;
	}
	list_add(&p->list, &xpv_linux_ports);
	spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
	irq = bind_evtchn_to_irqhandler(port, xpv_linux_irq, 0, "xenpv", p);
	if (irq < 0) {
		spin_lock_irqsave(&xpv_linux_ports_lock, flags);
		list_del(&p->list);
		spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
		kfree(p);
		return irq;
	}
	spin_lock_irqsave(&xpv_linux_ports_lock, flags);
	p->irq = irq;
	spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
	return 0;
}

void xpv_os_evtchn_notify(evtchn_port_t port)
{
	notify_remote_via_evtchn(port);
}

/* The irq layer counts disables; os.h's mask and unmask are idempotent. */
static void xpv_linux_set_mask(evtchn_port_t port, bool mask)
{
	struct xpv_linux_port *p;
	unsigned long flags;

	spin_lock_irqsave(&xpv_linux_ports_lock, flags);
	p = xpv_linux_port_find(port);
	if (p && p->irq >= 0 && p->masked != mask) {
		p->masked = mask;
		if (mask)
			disable_irq_nosync(p->irq);
		else
			enable_irq(p->irq);
	}
	spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
}

void xpv_os_evtchn_mask(evtchn_port_t port)
{
	xpv_linux_set_mask(port, true);
}

void xpv_os_evtchn_unmask(evtchn_port_t port)
{
	xpv_linux_set_mask(port, false);
}

/* Unbinding the irq closes the port too; an unbound port is closed here. */
void xpv_os_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	struct xpv_linux_port *p;
	unsigned long flags;

	spin_lock_irqsave(&xpv_linux_ports_lock, flags);
	p = xpv_linux_port_find(port);
	if (p)
		list_del(&p->list);
	spin_unlock_irqrestore(&xpv_linux_ports_lock, flags);
	if (!p) {
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
		return;
	}
	if (p->masked)
		enable_irq(p->irq);
	unbind_from_irqhandler(p->irq, p);
	kfree(p);
}

/* ---- xenstore ------------------------------------------------------- */

static struct xenbus_transaction xpv_linux_xbt(xpv_xbt_t t)
{
	struct xenbus_transaction x = { .id = t };

	return x;
}

int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	unsigned int len;
	char *v = xenbus_read(xpv_linux_xbt(t), path, "", &len);
	int ret = len;

	if (IS_ERR(v))
		return PTR_ERR(v);
	if ((size_t)len + 1 > size || len > INT_MAX)
		ret = -XPV_E2BIG;
	else
		memcpy(buf, v, (size_t)len + 1);
	kfree(v);
	return ret;
}

int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	return xenbus_write(xpv_linux_xbt(t), path, "", value);
}

int xpv_os_xs_rm(xpv_xbt_t t, const char *path)
{
	return xenbus_rm(xpv_linux_xbt(t), path, "");
}

int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	unsigned int n, i;
	char **names = xenbus_directory(xpv_linux_xbt(t), path, "", &n);
	size_t used = 0;
	int ret = n;

	if (IS_ERR(names))
		return PTR_ERR(names);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;

		if (used + l > size) {
			ret = -XPV_E2BIG;
			break;
		}
		memcpy(buf + used, names[i], l);
		used += l;
	}
	kfree(names);
	return ret;
}

int xpv_os_xs_transaction_start(xpv_xbt_t *t)
{
	struct xenbus_transaction x;
	int r = xenbus_transaction_start(&x);

	if (r)
		return r;
	*t = x.id;
	return 0;
}

int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort)
{
	return xenbus_transaction_end(xpv_linux_xbt(t), abort);
}

struct xpv_os_watch {
	struct xenbus_watch w;
	xpv_watch_fn_t fn;
	void *arg;
	char path[];
};

/* Runs in the kernel's xenwatch thread, which may sleep on xenstore. */
static void xpv_linux_watch_cb(struct xenbus_watch *w, const char *path,
			       const char *token)
{
	struct xpv_os_watch *xw = container_of(w, struct xpv_os_watch, w);

	xw->fn(path, xw->arg);
}

struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	size_t len = strlen(path) + 1;
	struct xpv_os_watch *xw = kzalloc(sizeof(*xw) + len, GFP_KERNEL);

	if (!xw)
		return NULL;
	memcpy(xw->path, path, len);
	xw->fn = fn;
	xw->arg = arg;
	xw->w.node = xw->path;
	xw->w.callback = xpv_linux_watch_cb;
	if (register_xenbus_watch(&xw->w)) {
		kfree(xw);
		return NULL;
	}
	return xw;
}

void xpv_os_xs_unwatch(struct xpv_os_watch *watch)
{
	if (!watch)
		return;
	unregister_xenbus_watch(&watch->w);
	kfree(watch);
}
