// SPDX-License-Identifier: MIT
/*
 * Provider selection and the bookkeeping every provider shares (the count
 * of live mappings a test checks after a disconnect).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "backend/xenops.h"

static const struct xpv_xenops_ops *find_provider(const char *name)
{
	if (!name || !*name)
		name = getenv("XENPV_XENOPS");
	if (!name || !*name || !strcmp(name, "loopback"))
		return &xpv_xenops_loopback;
	if (!strcmp(name, "xen"))
		return &xpv_xenops_xen;
	return NULL;
}

struct xpv_xenops *xpv_xenops_open(const char *provider, const char *dir,
				   int domid, int *err)
{
	const struct xpv_xenops_ops *ops = find_provider(provider);
	struct xpv_xenops *x;

	if (!ops) {
		*err = -EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		*err = -ENOMEM;
		return NULL;
	}
	x->ops = ops;
	*err = ops->open(x, dir, domid);
	if (*err) {
		free(x);
		return NULL;
	}
	return x;
}

void xpv_xenops_close(struct xpv_xenops *x)
{
	if (!x)
		return;
	x->ops->close(x);
	free(x);
}

void *xpv_xenops_map(struct xpv_xenops *x, domid_t dom, unsigned int count,
		     const grant_ref_t *refs, bool writable, int *err)
{
	void *p;

	if (count == 0) {
		*err = -EINVAL;
		return NULL;
	}
	p = x->ops->map(x, dom, count, refs, writable, err);
	if (p) {
		x->mapped += count;
		x->nr_maps += count;
	} else {
		x->nr_map_errors++;
	}
	return p;
}

int xpv_xenops_unmap(struct xpv_xenops *x, void *addr, unsigned int count)
{
	int err;

	if (!addr || count == 0)
		return -EINVAL;
	err = x->ops->unmap(x, addr, count);
	if (!err) {
		x->mapped -= count;
		x->nr_unmaps += count;
	}
	return err;
}

int xpv_xenops_copy(struct xpv_xenops *x, struct xpv_xenops_copy *segs,
		    unsigned int count)
{
	return x->ops->copy(x, segs, count);
}

int xpv_xenops_evtchn_fd(struct xpv_xenops *x)
{
	return x->ops->evtchn_fd(x);
}

int xpv_xenops_bind(struct xpv_xenops *x, domid_t dom, evtchn_port_t remote,
		    evtchn_port_t *local)
{
	return x->ops->bind(x, dom, remote, local);
}

int xpv_xenops_unbind(struct xpv_xenops *x, evtchn_port_t port)
{
	return x->ops->unbind(x, port);
}

int xpv_xenops_notify(struct xpv_xenops *x, evtchn_port_t port)
{
	return x->ops->notify(x, port);
}

int xpv_xenops_pending(struct xpv_xenops *x, evtchn_port_t *port)
{
	return x->ops->pending(x, port);
}

int xpv_xenops_unmask(struct xpv_xenops *x, evtchn_port_t port)
{
	return x->ops->unmask(x, port);
}

int xpv_xenops_domain_alive(struct xpv_xenops *x, domid_t dom, uint32_t *gen)
{
	return x->ops->domain_alive(x, dom, gen);
}

void *xpv_xenops_buf_alloc(struct xpv_xenops *x, unsigned int pages)
{
	void *p;

	if (!pages || pages > (1u << 20))
		return NULL;
	if (x && x->ops->buf_alloc)
		return x->ops->buf_alloc(x, pages);
	p = mmap(NULL, (size_t)pages * XPV_PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void xpv_xenops_buf_free(struct xpv_xenops *x, void *p, unsigned int pages)
{
	if (!p || !pages)
		return;
	if (x && x->ops->buf_free)
		x->ops->buf_free(x, p, pages);
	else
		munmap(p, (size_t)pages * XPV_PAGE_SIZE);
}
