// SPDX-License-Identifier: MIT
/*
 * xenops on the loopback: the backend process joins the loopback hypervisor
 * as a domain and uses its grant table and event channel calls.  A range of
 * N grants is one PROT_NONE reservation with each page mapped over it in
 * place, so the caller sees one contiguous area as with libxengnttab.
 * Event channels are served as /dev/xen/evtchn does: the domain's kick fd,
 * then a scan of the pending bits of the ports bound here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/xenops.h"
#include "loopback/hv.h"
#include "loopback/loopback.h"
#include "xenpv/compiler.h"

#define LBX_BUCKETS 4096u
#define LBX_WORDS (LB_NR_PORTS / 64)

struct lbx_map {
	struct lbx_map *next;
	uintptr_t addr;
	unsigned int count;
	grant_handle_t handle[];
};

/*
 * Our domain's memory: sparse until touched, so it can be generous.  It
 * holds the buffers of xpv_xenops_buf_alloc, nothing else.
 */
#define LBX_MEM_PAGES 32768u

struct lbx {
	struct lb_dom *dom;
	uint64_t buf_used[LBX_MEM_PAGES / 64];
	unsigned int buf_hint;
	struct lbx_map *maps[LBX_BUCKETS];
	uint64_t bound[LBX_WORDS];
	uint64_t queued[LBX_WORDS];
	evtchn_port_t queue[LB_NR_PORTS];
	unsigned int qhead, qlen;
};

static struct lbx *lbx(struct xpv_xenops *x)
{
	return x->priv;
}

static int lbx_open(struct xpv_xenops *x, const char *dir, int domid)
{
	struct lbx *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->dom = lb_dom_join(dir ? dir : lb_default_dir(), domid,
			      LBX_MEM_PAGES);
	if (!l->dom) {
		int err = -errno;

		free(l);
		return err ? err : -EIO;
	}
	x->priv = l;
	x->self = lb_dom_id(l->dom);
	return 0;
}

static void lbx_close(struct xpv_xenops *x)
{
	struct lbx *l = lbx(x);
	unsigned int b;

	/* Leaving the loopback drops every pin we still hold. */
	lb_dom_leave(l->dom);
	for (b = 0; b < LBX_BUCKETS; b++) {
		while (l->maps[b]) {
			struct lbx_map *m = l->maps[b];

			l->maps[b] = m->next;
			munmap((void *)m->addr, (size_t)m->count * XPV_PAGE_SIZE);
			free(m);
		}
	}
	free(l);
}

static unsigned int lbx_bucket(uintptr_t addr)
{
	return (addr >> XPV_PAGE_SHIFT) % LBX_BUCKETS;
}

static int gntst_errno(int16_t st)
{
	switch (st) {
	case GNTST_bad_domain:
		return -ESRCH;
	case GNTST_no_space:
		return -ENOMEM;
	case GNTST_permission_denied:
		return -EACCES;
	default:
		return -EINVAL;
	}
}

#define LBX_NO_HANDLE ((grant_handle_t)~0u)

/* Unmaps the pages of @base whose handle is set (a failed map has none). */
static void lbx_unmap_handles(struct lbx *l, uintptr_t base,
			      const grant_handle_t *h, unsigned int n)
{
	struct gnttab_unmap_grant_ref op[64];
	unsigned int i, k = 0;

	for (i = 0; i < n; i++) {
		if (h[i] == LBX_NO_HANDLE)
			continue;
		op[k++] = (struct gnttab_unmap_grant_ref){
			.host_addr = base + (uintptr_t)i * XPV_PAGE_SIZE,
			.handle = h[i] };
		if (k == 64) {
			lb_gnttab_unmap(l->dom, op, k);
			k = 0;
		}
	}
	if (k)
		lb_gnttab_unmap(l->dom, op, k);
}

/* Maps @n pages at @m->addr; every handle goes to @m, failures too. */
static int lbx_map_pages(struct lbx *l, struct lbx_map *m, domid_t dom,
			 const grant_ref_t *refs, unsigned int n, bool writable)
{
	struct gnttab_map_grant_ref op[64];
	unsigned int i, k, j;
	int err = 0;

	for (i = 0; i < n; i += k) {
		for (k = 0; k < 64 && i + k < n; k++)
			op[k] = (struct gnttab_map_grant_ref){
				.host_addr = m->addr + (i + k) * XPV_PAGE_SIZE,
				.flags = GNTMAP_host_map |
					 (writable ? 0 : GNTMAP_readonly),
				.ref = refs[i + k], .dom = dom };
		lb_gnttab_map(l->dom, op, k);
		for (j = 0; j < k; j++) {
			if (op[j].status == GNTST_okay) {
				m->handle[i + j] = op[j].handle;
				continue;
			}
			m->handle[i + j] = LBX_NO_HANDLE;
			if (!err)
				err = gntst_errno(op[j].status);
		}
		m->count = i + k;
		if (err)
			break;
	}
	return err;
}

static void *lbx_map(struct xpv_xenops *x, domid_t dom, unsigned int count,
		     const grant_ref_t *refs, bool writable, int *err)
{
	struct lbx *l = lbx(x);
	struct lbx_map *m = malloc(sizeof(*m) + count * sizeof(m->handle[0]));
	void *base;

	if (!m) {
		*err = -ENOMEM;
		return NULL;
	}
	base = mmap(NULL, (size_t)count * XPV_PAGE_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		*err = -errno;
		free(m);
		return NULL;
	}
	m->addr = (uintptr_t)base;
	m->count = 0;
	*err = lbx_map_pages(l, m, dom, refs, count, writable);
	if (*err) {
		lbx_unmap_handles(l, m->addr, m->handle, m->count);
		munmap(base, (size_t)count * XPV_PAGE_SIZE);
		free(m);
		return NULL;
	}
	m->next = l->maps[lbx_bucket(m->addr)];
	l->maps[lbx_bucket(m->addr)] = m;
	return base;
}

static int lbx_unmap(struct xpv_xenops *x, void *addr, unsigned int count)
{
	struct lbx *l = lbx(x);
	struct lbx_map **pp = &l->maps[lbx_bucket((uintptr_t)addr)], *m;

	for (; (m = *pp) != NULL; pp = &m->next)
		if (m->addr == (uintptr_t)addr)
			break;
	if (!m || m->count != count)
		return -EINVAL;
	*pp = m->next;
	lbx_unmap_handles(l, m->addr, m->handle, m->count);
	munmap(addr, (size_t)count * XPV_PAGE_SIZE);
	free(m);
	return 0;
}

/* A local side inside our own domain memory can go to the hypercall. */
static bool lbx_local_frame(struct lbx *l, void *virt, uint16_t len,
			    struct gnttab_copy_ptr *p)
{
	uintptr_t mem = (uintptr_t)lb_dom_mem(l->dom), v = (uintptr_t)virt;
	size_t size = (size_t)lb_dom_nr_pages(l->dom) * XPV_PAGE_SIZE;

	if (v < mem || v - mem >= size || v - mem + len > size)
		return false;
	p->u.gmfn = (v - mem) >> XPV_PAGE_SHIFT;
	p->domid = DOMID_SELF;
	p->offset = v & (XPV_PAGE_SIZE - 1);
	return true;
}

/*
 * One copy whose local side is our memory: split where that side crosses
 * a page, as the gntdev driver splits a copy segment by page.
 */
static int16_t lbx_copy_local(struct lbx *l, struct gnttab_copy *op,
			      bool to_foreign)
{
	struct gnttab_copy_ptr *loc = to_foreign ? &op[0].source : &op[0].dest;
	struct gnttab_copy_ptr *rem = to_foreign ? &op[0].dest : &op[0].source;
	unsigned int first = XPV_PAGE_SIZE - loc->offset;

	if (op[0].len <= first) {
		lb_gnttab_copy(l->dom, op, 1);
		return op[0].status;
	}
	op[1] = op[0];
	op[0].len = first;
	op[1].len -= first;
	loc = to_foreign ? &op[1].source : &op[1].dest;
	loc->u.gmfn++;
	loc->offset = 0;
	rem = to_foreign ? &op[1].dest : &op[1].source;
	rem->offset += first;
	lb_gnttab_copy(l->dom, op, 2);
	return op[0].status != GNTST_okay ? op[0].status : op[1].status;
}

/* Elsewhere: map the foreign page for the copy, as a backend would. */
static int16_t lbx_copy_mapped(struct lbx *l, struct xpv_xenops_copy *s,
			       bool to_foreign)
{
	struct gnttab_map_grant_ref op = { .flags = GNTMAP_host_map };
	struct gnttab_unmap_grant_ref un = { 0 };
	const typeof(s->source.foreign) *f =
		to_foreign ? &s->dest.foreign : &s->source.foreign;
	uint8_t *page;

	if (!to_foreign)
		op.flags |= GNTMAP_readonly;
	op.ref = f->ref;
	op.dom = f->domid;
	lb_gnttab_map(l->dom, &op, 1);
	if (op.status != GNTST_okay)
		return op.status;
	page = (uint8_t *)(uintptr_t)op.host_addr;
	if (to_foreign)
		memcpy(page + f->offset, s->source.virt, s->len);
	else
		memcpy(s->dest.virt, page + f->offset, s->len);
	un.host_addr = op.host_addr;
	un.handle = op.handle;
	lb_gnttab_unmap(l->dom, &un, 1);
	return GNTST_okay;
}

static int16_t lbx_copy_one(struct lbx *l, struct xpv_xenops_copy *s)
{
	bool to_foreign = s->flags & GNTCOPY_dest_gref;
	struct gnttab_copy op[2] = { { .len = s->len, .flags = s->flags } };
	void *virt = to_foreign ? s->source.virt : s->dest.virt;
	uint16_t off = to_foreign ? s->dest.foreign.offset
				  : s->source.foreign.offset;

	/* Exactly one foreign side, as libxengnttab requires. */
	if (!(s->flags & GNTCOPY_source_gref) == !to_foreign ||
	    (s->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)))
		return GNTST_bad_copy_arg;
	if ((unsigned int)off + s->len > XPV_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (!lbx_local_frame(l, virt, s->len, to_foreign ? &op[0].source
							 : &op[0].dest))
		return lbx_copy_mapped(l, s, to_foreign);
	if (to_foreign) {
		op[0].dest.u.ref = s->dest.foreign.ref;
		op[0].dest.domid = s->dest.foreign.domid;
		op[0].dest.offset = off;
	} else {
		op[0].source.u.ref = s->source.foreign.ref;
		op[0].source.domid = s->source.foreign.domid;
		op[0].source.offset = off;
	}
	return lbx_copy_local(l, op, to_foreign);
}

static int lbx_copy(struct xpv_xenops *x, struct xpv_xenops_copy *segs,
		    unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		segs[i].status = lbx_copy_one(lbx(x), &segs[i]);
	return 0;
}

static int lbx_evtchn_fd(struct xpv_xenops *x)
{
	return lb_dom_event_fd(lbx(x)->dom);
}

static int lbx_bind(struct xpv_xenops *x, domid_t dom, evtchn_port_t remote,
		    evtchn_port_t *local)
{
	struct lbx *l = lbx(x);
	int err = lb_evtchn_bind_interdomain(l->dom, dom, remote, local);

	if (err)
		return err;
	if (*local >= LB_NR_PORTS) {
		lb_evtchn_close(l->dom, *local);
		return -ERANGE;
	}
	l->bound[*local / 64] |= 1ull << (*local % 64);
	/* As the evtchn device: bound ports start unmasked. */
	return lb_evtchn_unmask(l->dom, *local);
}

static int lbx_unbind(struct xpv_xenops *x, evtchn_port_t port)
{
	struct lbx *l = lbx(x);

	if (port >= LB_NR_PORTS || !(l->bound[port / 64] & (1ull << (port % 64))))
		return -EINVAL;
	l->bound[port / 64] &= ~(1ull << (port % 64));
	return lb_evtchn_close(l->dom, port);
}

static int lbx_notify(struct xpv_xenops *x, evtchn_port_t port)
{
	return lb_evtchn_send(lbx(x)->dom, port);
}

static void lbx_scan(struct lbx *l)
{
	struct shared_info *s = lb_dom_shared_info(l->dom);
	struct vcpu_info *v = &s->vcpu_info[0];
	uint64_t drain;
	unsigned int w;

	if (read(lb_dom_event_fd(l->dom), &drain, sizeof(drain)) < 0 &&
	    errno != EAGAIN)
		return;
	/* Cleared before the scan: an event after this kicks the fd again. */
	__atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	__atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	for (w = 0; w < LBX_WORDS; w++) {
		uint64_t bits = __atomic_load_n(&s->evtchn_pending[w],
						__ATOMIC_ACQUIRE) &
				l->bound[w] & ~l->queued[w];

		while (bits) {
			unsigned int p = w * 64 + __builtin_ctzll(bits);

			bits &= bits - 1;
			if (!xpv_test_and_clear_bit(p, s->evtchn_pending))
				continue;
			xpv_set_bit(p, s->evtchn_mask);
			l->queued[w] |= 1ull << (p % 64);
			l->queue[(l->qhead + l->qlen++) % LB_NR_PORTS] = p;
		}
	}
}

static int lbx_pending(struct xpv_xenops *x, evtchn_port_t *port)
{
	struct lbx *l = lbx(x);

	if (!l->qlen)
		lbx_scan(l);
	while (l->qlen) {
		evtchn_port_t p = l->queue[l->qhead];

		l->qhead = (l->qhead + 1) % LB_NR_PORTS;
		l->qlen--;
		l->queued[p / 64] &= ~(1ull << (p % 64));
		if (l->bound[p / 64] & (1ull << (p % 64))) {
			*port = p;
			return 0;
		}
	}
	return -EAGAIN;
}

static int lbx_unmask(struct xpv_xenops *x, evtchn_port_t port)
{
	return lb_evtchn_unmask(lbx(x)->dom, port);
}

static int lbx_domain_alive(struct xpv_xenops *x, domid_t dom, uint32_t *gen)
{
	struct lb_hv *hv = lb_dom_hv(lbx(x)->dom);

	if (dom >= LB_MAX_DOMS)
		return 0;
	if (__atomic_load_n(&hv->doms[dom].state, __ATOMIC_ACQUIRE) !=
	    LB_DOM_ALIVE)
		return 0;
	*gen = __atomic_load_n(&hv->doms[dom].generation, __ATOMIC_ACQUIRE);
	return 1;
}

/* ---- buffers in our own memory ---------------------------------------- */

static bool lbx_buf_busy(const struct lbx *l, unsigned int i)
{
	return l->buf_used[i / 64] & (1ull << (i % 64));
}

static void lbx_buf_mark(struct lbx *l, unsigned int first, unsigned int n,
			 bool used)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		if (used)
			l->buf_used[i / 64] |= 1ull << (i % 64);
		else
			l->buf_used[i / 64] &= ~(1ull << (i % 64));
	}
}

/* First fit from the hint on, then from the start. */
static void *lbx_buf_alloc(struct xpv_xenops *x, unsigned int pages)
{
	struct lbx *l = lbx(x);
	unsigned int nr = lb_dom_nr_pages(l->dom), pass, i, run;

	if (nr > LBX_MEM_PAGES)
		nr = LBX_MEM_PAGES;
	for (pass = 0; pass < 2; pass++) {
		run = 0;
		for (i = pass ? 0 : l->buf_hint; i < nr; i++) {
			run = lbx_buf_busy(l, i) ? 0 : run + 1;
			if (run < pages)
				continue;
			lbx_buf_mark(l, i + 1 - pages, pages, true);
			l->buf_hint = i + 1;
			return (uint8_t *)lb_dom_mem(l->dom) +
			       (size_t)(i + 1 - pages) * XPV_PAGE_SIZE;
		}
	}
	return NULL;
}

static void lbx_buf_free(struct xpv_xenops *x, void *p, unsigned int pages)
{
	struct lbx *l = lbx(x);
	uintptr_t mem = (uintptr_t)lb_dom_mem(l->dom), v = (uintptr_t)p;
	unsigned int first = (v - mem) >> XPV_PAGE_SHIFT;

	if (v < mem || (v - mem) % XPV_PAGE_SIZE || first > LBX_MEM_PAGES ||
	    pages > LBX_MEM_PAGES - first)
		return;
	/* Give the host its memory back; the pages read as zeros again. */
	madvise(p, (size_t)pages * XPV_PAGE_SIZE, MADV_REMOVE);
	lbx_buf_mark(l, first, pages, false);
	if (first < l->buf_hint)
		l->buf_hint = first;
}

const struct xpv_xenops_ops xpv_xenops_loopback = {
	.name = "loopback",
	.open = lbx_open,
	.close = lbx_close,
	.map = lbx_map,
	.unmap = lbx_unmap,
	.copy = lbx_copy,
	.evtchn_fd = lbx_evtchn_fd,
	.bind = lbx_bind,
	.unbind = lbx_unbind,
	.notify = lbx_notify,
	.pending = lbx_pending,
	.unmask = lbx_unmask,
	.domain_alive = lbx_domain_alive,
	.buf_alloc = lbx_buf_alloc,
	.buf_free = lbx_buf_free,
};
