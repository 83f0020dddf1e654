// SPDX-License-Identifier: MIT
/*
 * Grant table v1 on the loopback: GNTTABOP_map_grant_ref, unmap_grant_ref
 * and copy against the granting domain's real grant_entry_v1_t entries.
 *
 * The flag protocol is Xen's: a mapper pins an entry by setting GTF_reading
 * (and GTF_writing for a writable map) with a cmpxchg on the (flags, domid)
 * word, so a granter revoking the entry with its own cmpxchg either wins
 * before the pin or sees the pin and fails.  Pin counts live beside the
 * table, where the granter can't touch them.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "loopback/internal.h"

/* The first 32 bits of an entry: flags in the low half, domid in the high. */
static uint32_t *entry_word(grant_entry_v1_t *e)
{
	return (uint32_t *)e;
}

static int16_t pin_flags(grant_entry_v1_t *e, domid_t mapper, bool readonly)
{
	uint32_t old = __atomic_load_n(entry_word(e), __ATOMIC_ACQUIRE), new;

	do {
		uint16_t flags = old & 0xffff;

		if ((flags & GTF_type_mask) != GTF_permit_access ||
		    (old >> 16) != mapper)
			return GNTST_general_error;
		if (!readonly && (flags & GTF_readonly))
			return GNTST_general_error;
		new = old | GTF_reading | (readonly ? 0 : GTF_writing);
	} while (!__atomic_compare_exchange_n(entry_word(e), &old, new, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return GNTST_okay;
}

/*
 * Pins entry @ref of @granter for @mapper and reads its frame.  The frame is
 * read after the pin, so the granter can no longer change it under us.
 */
static int16_t pin_grant(struct lb_domain *granter, grant_ref_t ref, domid_t mapper, bool readonly,
			 uint64_t *frame)
{
	grant_entry_v1_t *e;
	int16_t st;

	if (ref >= LB_NR_GRANTS)
		return GNTST_bad_gntref;
	e = &granter->gnttab[ref];
	lb_lock(granter);
	st = pin_flags(e, mapper, readonly);
	if (st == GNTST_okay) {
		granter->pins[ref] += readonly ? LB_PIN_RO : LB_PIN_RW;
		*frame = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
	}
	lb_unlock(granter);
	return st;
}

static void unpin_grant(struct lb_domain *granter, grant_ref_t ref,
			bool readonly)
{
	uint16_t clear = 0;
	uint32_t pins;

	lb_lock(granter);
	pins = granter->pins[ref] -= readonly ? LB_PIN_RO : LB_PIN_RW;
	if (!(pins / LB_PIN_RW))
		clear |= GTF_writing;
	if (!pins)
		clear |= GTF_reading;
	if (clear)
		__atomic_fetch_and(&granter->gnttab[ref].flags, (uint16_t)~clear,
				   __ATOMIC_RELEASE);
	lb_unlock(granter);
}

static int maptrack_get(struct lb_domain *self)
{
	unsigned int i, n;
	int h = -1;

	lb_lock(self);
	for (n = 0; n < LB_MAPTRACK; n++) {
		i = (self->maptrack_next + n) % LB_MAPTRACK;
		if (!self->maptrack[i].in_use) {
			self->maptrack[i].in_use = 1;
			self->maptrack_used++;
			self->maptrack_next = i + 1;
			h = i;
			break;
		}
	}
	lb_unlock(self);
	return h;
}

static void maptrack_put(struct lb_domain *self, unsigned int h)
{
	lb_lock(self);
	memset(&self->maptrack[h], 0, sizeof(self->maptrack[h]));
	self->maptrack_used--;
	lb_unlock(self);
}

/* The granting domain's memory file and size: our own, or a peer's. */
static bool granter_memory(struct lb_dom *d, domid_t dom, int *fd,
			   unsigned int *nr_pages, uint8_t **mem)
{
	struct lb_peer *p;

	if (dom == d->id) {
		*fd = d->mem_fd;
		*nr_pages = d->nr_pages;
		*mem = d->mem;
		return true;
	}
	p = lb_peer_get(d, dom);
	if (!p)
		return false;
	*fd = p->mem_fd;
	*nr_pages = p->nr_pages;
	*mem = p->mem;
	return true;
}

static int16_t map_one(struct lb_dom *d, struct gnttab_map_grant_ref *op)
{
	bool ro = op->flags & GNTMAP_readonly;
	struct lb_domain *granter = lb_domain_get(d->hv, op->dom);
	unsigned int nr_pages;
	uint64_t frame = 0;
	uint8_t *mem;
	void *addr;
	int16_t st;
	int fd, h;

	if (!(op->flags & GNTMAP_host_map))
		return GNTST_bad_gntref;
	if (!granter || !granter_memory(d, op->dom, &fd, &nr_pages, &mem))
		return GNTST_bad_domain;
	h = maptrack_get(d->self);
	if (h < 0)
		return GNTST_no_space;
	st = pin_grant(granter, op->ref, d->id, ro, &frame);
	if (st != GNTST_okay)
		goto out_put;
	st = GNTST_general_error;
	if (frame >= nr_pages)
		goto out_unpin;
	addr = mmap((void *)(uintptr_t)op->host_addr, XPV_PAGE_SIZE,
		    PROT_READ | (ro ? 0 : PROT_WRITE),
		    MAP_SHARED | (op->host_addr ? MAP_FIXED : 0), fd,
		    (off_t)frame * XPV_PAGE_SIZE);
	if (addr == MAP_FAILED)
		goto out_unpin;
	d->self->maptrack[h] = (struct lb_maptrack){
		.in_use = 1, .dom = op->dom, .readonly = ro, .ref = op->ref,
		.dom_gen = granter->generation, .host_addr = (uintptr_t)addr };
	op->host_addr = (uintptr_t)addr;
	op->handle = h;
	op->dev_bus_addr = frame << XPV_PAGE_SHIFT;
	return GNTST_okay;

out_unpin:
	unpin_grant(granter, op->ref, ro);
out_put:
	maptrack_put(d->self, h);
	return st;
}

void lb_gnttab_map(struct lb_dom *d, struct gnttab_map_grant_ref *ops,
		   unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		ops[i].status = map_one(d, &ops[i]);
		if (ops[i].status == GNTST_okay)
			__atomic_fetch_add(&d->self->stats.maps, 1,
					   __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&d->self->stats.map_errors, 1,
					   __ATOMIC_RELAXED);
	}
}

/* Drops the pin a maptrack entry holds, if its granter still exists. */
static void maptrack_unpin(struct lb_hv *hv, const struct lb_maptrack *mt)
{
	struct lb_domain *granter = lb_domain_get(hv, mt->dom);

	if (granter && granter->generation == mt->dom_gen)
		unpin_grant(granter, mt->ref, mt->readonly);
}

static int16_t unmap_one(struct lb_dom *d, struct gnttab_unmap_grant_ref *op)
{
	struct lb_maptrack mt;

	if (op->handle >= LB_MAPTRACK)
		return GNTST_bad_handle;
	mt = d->self->maptrack[op->handle];
	if (!mt.in_use)
		return GNTST_bad_handle;
	if (op->host_addr && op->host_addr != mt.host_addr)
		return GNTST_bad_virt_addr;
	munmap((void *)(uintptr_t)mt.host_addr, XPV_PAGE_SIZE);
	maptrack_unpin(d->hv, &mt);
	maptrack_put(d->self, op->handle);
	return GNTST_okay;
}

void lb_gnttab_unmap(struct lb_dom *d, struct gnttab_unmap_grant_ref *ops,
		     unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		ops[i].status = unmap_one(d, &ops[i]);
		if (ops[i].status == GNTST_okay)
			__atomic_fetch_add(&d->self->stats.unmaps, 1,
					   __ATOMIC_RELAXED);
	}
}

unsigned int lb_gnttab_mapped_count(struct lb_dom *d)
{
	return __atomic_load_n(&d->self->maptrack_used, __ATOMIC_ACQUIRE);
}

void lb_gnttab_release_maptrack(struct lb_hv *hv, unsigned int domid)
{
	struct lb_domain *dom = &hv->doms[domid];
	unsigned int i;

	for (i = 0; i < LB_MAPTRACK; i++) {
		if (dom->maptrack[i].in_use)
			maptrack_unpin(hv, &dom->maptrack[i]);
	}
	memset(dom->maptrack, 0, sizeof(dom->maptrack));
	dom->maptrack_used = 0;
}

/* One side of a copy, resolved to bytes we may touch. */
struct copy_side {
	struct lb_domain *granter;	/* NULL for a gmfn side */
	grant_ref_t ref;
	bool readonly;
	uint8_t *ptr;
};

static int16_t copy_side_get(struct lb_dom *d, const struct gnttab_copy_ptr *p,
			     bool is_gref, bool readonly, struct copy_side *s)
{
	unsigned int nr_pages;
	uint64_t frame;
	uint8_t *mem;
	int16_t st;
	int fd;

	s->granter = NULL;
	s->readonly = readonly;
	if (!is_gref) {
		/* A frame by number is only ever one of our own. */
		if (p->domid != DOMID_SELF && p->domid != d->id)
			return GNTST_permission_denied;
		if (p->u.gmfn >= d->nr_pages)
			return GNTST_bad_page;
		s->ptr = d->mem + p->u.gmfn * XPV_PAGE_SIZE + p->offset;
		return GNTST_okay;
	}
	s->granter = lb_domain_get(d->hv, p->domid);
	if (!s->granter || !granter_memory(d, p->domid, &fd, &nr_pages, &mem))
		return GNTST_bad_domain;
	s->ref = p->u.ref;
	st = pin_grant(s->granter, p->u.ref, d->id, readonly, &frame);
	if (st != GNTST_okay) {
		s->granter = NULL;
		return st;
	}
	if (frame >= nr_pages)
		return GNTST_bad_page;
	s->ptr = mem + frame * XPV_PAGE_SIZE + p->offset;
	return GNTST_okay;
}

static void copy_side_put(struct copy_side *s)
{
	if (s->granter)
		unpin_grant(s->granter, s->ref, s->readonly);
}

static int16_t copy_one(struct lb_dom *d, struct gnttab_copy *op)
{
	struct copy_side src = { 0 }, dst = { 0 };
	int16_t st;

	if (op->source.offset + (unsigned int)op->len > XPV_PAGE_SIZE ||
	    op->dest.offset + (unsigned int)op->len > XPV_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	st = copy_side_get(d, &op->source, op->flags & GNTCOPY_source_gref,
			   true, &src);
	if (st == GNTST_okay)
		st = copy_side_get(d, &op->dest, op->flags & GNTCOPY_dest_gref,
				   false, &dst);
	if (st == GNTST_okay)
		memmove(dst.ptr, src.ptr, op->len);
	copy_side_put(&dst);
	copy_side_put(&src);
	return st;
}

void lb_gnttab_copy(struct lb_dom *d, struct gnttab_copy *ops,
		    unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		ops[i].status = copy_one(d, &ops[i]);
		__atomic_fetch_add(&d->self->stats.copies, 1, __ATOMIC_RELAXED);
	}
}
