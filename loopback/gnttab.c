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

/* A map op between its pin and its mmap. */
struct map_tmp {
	struct lb_domain *granter;
	uint64_t frame;
	int fd, h;
};

/* Checks, takes a handle and pins; the mapping itself comes after. */
static int16_t map_prepare(struct lb_dom *d, struct gnttab_map_grant_ref *op,
			   struct map_tmp *t)
{
	bool ro = op->flags & GNTMAP_readonly;
	unsigned int nr_pages;
	uint8_t *mem;
	int16_t st;

	t->granter = lb_domain_get(d->hv, op->dom);
	if (!(op->flags & GNTMAP_host_map))
		return GNTST_bad_gntref;
	if (!t->granter ||
	    !granter_memory(d, op->dom, &t->fd, &nr_pages, &mem))
		return GNTST_bad_domain;
	t->h = maptrack_get(d->self);
	if (t->h < 0)
		return GNTST_no_space;
	st = pin_grant(t->granter, op->ref, d->id, ro, &t->frame);
	if (st == GNTST_okay && t->frame < nr_pages)
		return GNTST_okay;
	if (st == GNTST_okay) {
		unpin_grant(t->granter, op->ref, ro);
		st = GNTST_general_error;
	}
	maptrack_put(d->self, t->h);
	return st;
}

static void map_undo(struct lb_dom *d, struct gnttab_map_grant_ref *op,
		     struct map_tmp *t)
{
	unpin_grant(t->granter, op->ref, op->flags & GNTMAP_readonly);
	maptrack_put(d->self, t->h);
	op->status = GNTST_general_error;
}

static void map_commit(struct lb_dom *d, struct gnttab_map_grant_ref *op,
		       struct map_tmp *t, uintptr_t addr)
{
	d->self->maptrack[t->h] = (struct lb_maptrack){
		.in_use = 1, .dom = op->dom,
		.readonly = !!(op->flags & GNTMAP_readonly), .ref = op->ref,
		.dom_gen = t->granter->generation, .host_addr = addr };
	op->host_addr = addr;
	op->handle = t->h;
	op->dev_bus_addr = t->frame << XPV_PAGE_SHIFT;
}

/* Does op @b continue op @a's run: next page here and next frame there? */
static bool map_follows(const struct gnttab_map_grant_ref *a,
			const struct map_tmp *ta,
			const struct gnttab_map_grant_ref *b,
			const struct map_tmp *tb)
{
	return b->status == GNTST_okay && a->host_addr &&
	       b->host_addr == a->host_addr + XPV_PAGE_SIZE &&
	       tb->fd == ta->fd && tb->frame == ta->frame + 1 &&
	       (a->flags & GNTMAP_readonly) == (b->flags & GNTMAP_readonly);
}

/* Pinned ops [0, n): a run of pages in a row takes one mmap. */
static void map_runs(struct lb_dom *d, struct gnttab_map_grant_ref *ops,
		     struct map_tmp *t, unsigned int n)
{
	unsigned int i, j, k;
	void *addr;
	int prot;

	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (ops[i].status != GNTST_okay)
			continue;
		while (j < n && map_follows(&ops[j - 1], &t[j - 1], &ops[j],
					    &t[j]))
			j++;
		prot = PROT_READ |
		       (ops[i].flags & GNTMAP_readonly ? 0 : PROT_WRITE);
		addr = mmap((void *)(uintptr_t)ops[i].host_addr,
			    (size_t)(j - i) * XPV_PAGE_SIZE, prot,
			    MAP_SHARED | (ops[i].host_addr ? MAP_FIXED : 0),
			    t[i].fd, (off_t)t[i].frame * XPV_PAGE_SIZE);
		for (k = i; k < j; k++) {
			if (addr == MAP_FAILED)
				map_undo(d, &ops[k], &t[k]);
			else
				map_commit(d, &ops[k], &t[k],
					   (uintptr_t)addr +
						   (k - i) * XPV_PAGE_SIZE);
		}
	}
}

#define LB_MAP_BATCH 64u

void lb_gnttab_map(struct lb_dom *d, struct gnttab_map_grant_ref *ops,
		   unsigned int count)
{
	struct map_tmp t[LB_MAP_BATCH];
	unsigned int i, n, k;

	for (i = 0; i < count; i += n) {
		n = count - i < LB_MAP_BATCH ? count - i : LB_MAP_BATCH;
		for (k = 0; k < n; k++)
			ops[i + k].status = map_prepare(d, &ops[i + k], &t[k]);
		map_runs(d, ops + i, t, n);
		for (k = 0; k < n; k++)
			__atomic_fetch_add(ops[i + k].status == GNTST_okay
						   ? &d->self->stats.maps
						   : &d->self->stats.map_errors,
					   1, __ATOMIC_RELAXED);
	}
}

/* Drops the pin a maptrack entry holds, if its granter still exists. */
static void maptrack_unpin(struct lb_hv *hv, const struct lb_maptrack *mt)
{
	struct lb_domain *granter = lb_domain_get(hv, mt->dom);

	if (granter && granter->generation == mt->dom_gen)
		unpin_grant(granter, mt->ref, mt->readonly);
}

/* Checks one unmap; a handle named twice in a batch fails the second time. */
static int16_t unmap_check(struct lb_dom *d,
			   const struct gnttab_unmap_grant_ref *ops,
			   unsigned int k, struct lb_maptrack *mt)
{
	const struct gnttab_unmap_grant_ref *op = &ops[k];
	unsigned int i;

	if (op->handle >= LB_MAPTRACK)
		return GNTST_bad_handle;
	*mt = d->self->maptrack[op->handle];
	if (!mt->in_use)
		return GNTST_bad_handle;
	for (i = 0; i < k; i++)
		if (ops[i].status == GNTST_okay && ops[i].handle == op->handle)
			return GNTST_bad_handle;
	if (op->host_addr && op->host_addr != mt->host_addr)
		return GNTST_bad_virt_addr;
	return GNTST_okay;
}

/* Unmaps first, a run of pages in a row at once, then drops the pins. */
static void unmap_batch(struct lb_dom *d, struct gnttab_unmap_grant_ref *ops,
			unsigned int n)
{
	struct lb_maptrack mt[LB_MAP_BATCH];
	unsigned int i, j;

	for (i = 0; i < n; i++)
		ops[i].status = unmap_check(d, ops, i, &mt[i]);
	for (i = 0; i < n; i = j) {
		j = i + 1;
		if (ops[i].status != GNTST_okay)
			continue;
		while (j < n && ops[j].status == GNTST_okay &&
		       mt[j].host_addr == mt[j - 1].host_addr + XPV_PAGE_SIZE)
			j++;
		munmap((void *)(uintptr_t)mt[i].host_addr,
		       (size_t)(j - i) * XPV_PAGE_SIZE);
	}
	for (i = 0; i < n; i++) {
		if (ops[i].status != GNTST_okay)
			continue;
		maptrack_unpin(d->hv, &mt[i]);
		maptrack_put(d->self, ops[i].handle);
		__atomic_fetch_add(&d->self->stats.unmaps, 1, __ATOMIC_RELAXED);
	}
}

void lb_gnttab_unmap(struct lb_dom *d, struct gnttab_unmap_grant_ref *ops,
		     unsigned int count)
{
	unsigned int i, n;

	for (i = 0; i < count; i += n) {
		n = count - i < LB_MAP_BATCH ? count - i : LB_MAP_BATCH;
		unmap_batch(d, ops + i, n);
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
