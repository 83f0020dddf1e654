/* SPDX-License-Identifier: MIT */
/*
 * xenops: the one table through which a userspace backend reaches Xen.
 * Grant maps and copies, and event channels, in the shape of libxengnttab
 * and libxenevtchn.  Two providers: "xen" (those libraries, on real Xen) and
 * "loopback" (loopback/loopback.h: the backend process joins the loopback
 * hypervisor as a domain).  The provider is picked at runtime.
 *
 * Event channels behave as /dev/xen/evtchn: the fd is readable when an
 * event came; xpv_xenops_pending then hands out each port that fired, once,
 * and the port stays masked until xpv_xenops_unmask.
 *
 * One instance is used by one thread at a time.  Errors are -errno.
 */
#ifndef XENPV_BACKEND_XENOPS_H
#define XENPV_BACKEND_XENOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "xenpv/xen.h"

/* One grant copy, as libxengnttab's xengnttab_grant_copy_segment_t. */
struct xpv_xenops_copy {
	union {
		void *virt;
		struct {
			grant_ref_t ref;
			uint16_t offset;
			domid_t domid;
		} foreign;
	} source, dest;
	uint16_t len;
	uint16_t flags;		/* GNTCOPY_source_gref or GNTCOPY_dest_gref */
	int16_t status;		/* GNTST_* */
};

struct xpv_xenops;

struct xpv_xenops_ops {
	const char *name;
	int (*open)(struct xpv_xenops *x, const char *dir, int domid);
	void (*close)(struct xpv_xenops *x);
	/* All or nothing, as xengnttab_map_domain_grant_refs. */
	void *(*map)(struct xpv_xenops *x, domid_t dom, unsigned int count,
		     const grant_ref_t *refs, bool writable, int *err);
	int (*unmap)(struct xpv_xenops *x, void *addr, unsigned int count);
	int (*copy)(struct xpv_xenops *x, struct xpv_xenops_copy *segs,
		    unsigned int count);
	int (*evtchn_fd)(struct xpv_xenops *x);
	int (*bind)(struct xpv_xenops *x, domid_t dom, evtchn_port_t remote,
		    evtchn_port_t *local);
	int (*unbind)(struct xpv_xenops *x, evtchn_port_t port);
	int (*notify)(struct xpv_xenops *x, evtchn_port_t port);
	int (*pending)(struct xpv_xenops *x, evtchn_port_t *port);
	int (*unmask)(struct xpv_xenops *x, evtchn_port_t port);
	/* 1 alive (*gen: its incarnation), 0 gone, -errno. */
	int (*domain_alive)(struct xpv_xenops *x, domid_t dom, uint32_t *gen);
	/* Optional: buffers grant copy serves best; NULL: plain memory. */
	void *(*buf_alloc)(struct xpv_xenops *x, unsigned int pages);
	void (*buf_free)(struct xpv_xenops *x, void *p, unsigned int pages);
};

struct xpv_xenops {
	const struct xpv_xenops_ops *ops;
	void *priv;
	domid_t self;
	long mapped;		/* pages mapped through this instance now */
	uint64_t nr_maps, nr_unmaps, nr_map_errors;
};

extern const struct xpv_xenops_ops xpv_xenops_loopback;
extern const struct xpv_xenops_ops xpv_xenops_xen;

/*
 * @provider: "loopback", "xen", or NULL for $XENPV_XENOPS (default
 * "loopback").  @dir: the loopback directory (NULL: lb_default_dir()).
 * @domid: the domain the loopback provider joins as (the xen provider is
 * whatever domain it runs in).  NULL and *err on failure.
 */
struct xpv_xenops *xpv_xenops_open(const char *provider, const char *dir,
				   int domid, int *err);
void xpv_xenops_close(struct xpv_xenops *x);

void *xpv_xenops_map(struct xpv_xenops *x, domid_t dom, unsigned int count,
		     const grant_ref_t *refs, bool writable, int *err);
int xpv_xenops_unmap(struct xpv_xenops *x, void *addr, unsigned int count);
int xpv_xenops_copy(struct xpv_xenops *x, struct xpv_xenops_copy *segs,
		    unsigned int count);
/*
 * @pages page-aligned, contiguous pages for data a backend grant-copies to
 * and from.  On the loopback they are this domain's own memory, so a copy
 * is one hypercall per segment instead of a map, memcpy and unmap; on Xen
 * plain memory.  NULL when none are left.  Free with the same @pages.
 */
void *xpv_xenops_buf_alloc(struct xpv_xenops *x, unsigned int pages);
void xpv_xenops_buf_free(struct xpv_xenops *x, void *p, unsigned int pages);
static inline long xpv_xenops_mapped(const struct xpv_xenops *x)
{
	return x->mapped;
}

int xpv_xenops_evtchn_fd(struct xpv_xenops *x);
int xpv_xenops_bind(struct xpv_xenops *x, domid_t dom, evtchn_port_t remote,
		    evtchn_port_t *local);
int xpv_xenops_unbind(struct xpv_xenops *x, evtchn_port_t port);
int xpv_xenops_notify(struct xpv_xenops *x, evtchn_port_t port);
/* The next port that fired (now masked), or -EAGAIN. */
int xpv_xenops_pending(struct xpv_xenops *x, evtchn_port_t *port);
int xpv_xenops_unmask(struct xpv_xenops *x, evtchn_port_t port);
int xpv_xenops_domain_alive(struct xpv_xenops *x, domid_t dom, uint32_t *gen);

#endif
