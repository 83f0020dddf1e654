// SPDX-License-Identifier: MIT
/*
 * xenops on real Xen: libxengnttab (/dev/xen/gntdev) and libxenevtchn
 * (/dev/xen/evtchn), in whatever domain the process runs (usually dom0).
 * The libraries already have the semantics the table promises.  Whether a
 * frontend domain lives is the toolstack's business on real Xen: it removes
 * the device nodes of a dead guest, so domain_alive only says "unknown".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "backend/xenops.h"

struct xenx {
	xengnttab_handle *gnt;
	xenevtchn_handle *evt;
};

static struct xenx *xenx(struct xpv_xenops *x)
{
	return x->priv;
}

static int xenx_open(struct xpv_xenops *x, const char *dir, int domid)
{
	struct xenx *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	h->gnt = xengnttab_open(NULL, 0);
	h->evt = h->gnt ? xenevtchn_open(NULL, 0) : NULL;
	if (!h->gnt || !h->evt) {
		err = errno ? -errno : -ENODEV;
		if (h->gnt)
			xengnttab_close(h->gnt);
		free(h);
		return err;
	}
	/* pending() is called until it says EAGAIN: it must never block. */
	err = fcntl(xenevtchn_fd(h->evt), F_GETFL);
	if (err >= 0)
		fcntl(xenevtchn_fd(h->evt), F_SETFL, err | O_NONBLOCK);
	x->priv = h;
	/* The domain we run in is not needed by any call below. */
	x->self = domid >= 0 ? (domid_t)domid : 0;
	return 0;
}

static void xenx_close(struct xpv_xenops *x)
{
	struct xenx *h = xenx(x);

	xenevtchn_close(h->evt);
	xengnttab_close(h->gnt);
	free(h);
}

static void *xenx_map(struct xpv_xenops *x, domid_t dom, unsigned int count,
		      const grant_ref_t *refs, bool writable, int *err)
{
	void *p = xengnttab_map_domain_grant_refs(
		xenx(x)->gnt, count, dom, (uint32_t *)refs,
		PROT_READ | (writable ? PROT_WRITE : 0));

	if (!p) {
		*err = errno ? -errno : -EINVAL;
		/* gntdev reports any failed entry as EINVAL: name the refs. */
		if (count)
			fprintf(stderr, "xenops: mapping %u grant(s) of domain "
				"%u (refs %u..%u, %s) failed: %s\n", count, dom,
				refs[0], refs[count - 1],
				writable ? "rw" : "ro", strerror(-*err));
	}
	return p;
}

static int xenx_unmap(struct xpv_xenops *x, void *addr, unsigned int count)
{
	return xengnttab_unmap(xenx(x)->gnt, addr, count) ? -errno : 0;
}

_Static_assert(sizeof(struct xpv_xenops_copy) ==
		       sizeof(xengnttab_grant_copy_segment_t),
	       "xenops copy segment is libxengnttab's");

static int xenx_copy(struct xpv_xenops *x, struct xpv_xenops_copy *segs,
		     unsigned int count)
{
	return xengnttab_grant_copy(xenx(x)->gnt, count,
				    (xengnttab_grant_copy_segment_t *)segs)
		       ? -errno
		       : 0;
}

static int xenx_evtchn_fd(struct xpv_xenops *x)
{
	return xenevtchn_fd(xenx(x)->evt);
}

static int xenx_bind(struct xpv_xenops *x, domid_t dom, evtchn_port_t remote,
		     evtchn_port_t *local)
{
	xenevtchn_port_or_error_t p =
		xenevtchn_bind_interdomain(xenx(x)->evt, dom, remote);

	if (p < 0)
		return -errno;
	*local = p;
	return 0;
}

static int xenx_unbind(struct xpv_xenops *x, evtchn_port_t port)
{
	return xenevtchn_unbind(xenx(x)->evt, port) ? -errno : 0;
}

static int xenx_notify(struct xpv_xenops *x, evtchn_port_t port)
{
	return xenevtchn_notify(xenx(x)->evt, port) ? -errno : 0;
}

static int xenx_pending(struct xpv_xenops *x, evtchn_port_t *port)
{
	xenevtchn_port_or_error_t p = xenevtchn_pending(xenx(x)->evt);

	if (p < 0)
		return errno ? -errno : -EAGAIN;
	*port = p;
	return 0;
}

static int xenx_unmask(struct xpv_xenops *x, evtchn_port_t port)
{
	return xenevtchn_unmask(xenx(x)->evt, port) ? -errno : 0;
}

static int xenx_domain_alive(struct xpv_xenops *x, domid_t dom, uint32_t *gen)
{
	*gen = 0;
	return 1;
}

const struct xpv_xenops_ops xpv_xenops_xen = {
	.name = "xen",
	.open = xenx_open,
	.close = xenx_close,
	.map = xenx_map,
	.unmap = xenx_unmap,
	.copy = xenx_copy,
	.evtchn_fd = xenx_evtchn_fd,
	.bind = xenx_bind,
	.unbind = xenx_unbind,
	.notify = xenx_notify,
	.pending = xenx_pending,
	.unmask = xenx_unmask,
	.domain_alive = xenx_domain_alive,
};
