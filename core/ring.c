// SPDX-License-Identifier: MIT
/*
 * Ring discipline: producer-index checks, ring geometry and the in-flight
 * id table.  The macros in ring.h call the checks here.
 */
#include "xenpv/ring.h"

unsigned int xpv_ring_pages(unsigned int order)
{
	if (order > XPV_RING_MAX_ORDER)
		return 0;
	return 1u << order;
}

static unsigned int xpv_ring_rounddown_pow2(size_t n)
{
	unsigned int p = 1;

	if (n == 0)
		return 0;
	while ((size_t)p * 2 <= n && p < (1u << 31))
		p *= 2;
	return p;
}

unsigned int xpv_ring_nr_ents(unsigned int order, size_t entry_size)
{
	unsigned int pages = xpv_ring_pages(order);
	size_t bytes = (size_t)pages * XPV_PAGE_SIZE;

	if (pages == 0 || entry_size == 0 || bytes <= XPV_RING_HDR_SIZE)
		return 0;
	return xpv_ring_rounddown_pow2((bytes - XPV_RING_HDR_SIZE) /
				       entry_size);
}

unsigned int xpv_ring_pick_order(int peer_max, unsigned int our_max)
{
	unsigned int order = our_max;

	if (peer_max < 0)
		return 0;
	if ((unsigned int)peer_max < order)
		order = (unsigned int)peer_max;
	if (order > XPV_RING_MAX_ORDER)
		order = XPV_RING_MAX_ORDER;
	return order;
}

int xpv_ring_front_avail_(const RING_IDX *shared_prod, RING_IDX rsp_cons,
			  RING_IDX req_prod_pvt, unsigned int size)
{
	RING_IDX prod = xpv_ring_read_prod(shared_prod);
	RING_IDX outstanding = req_prod_pvt - rsp_cons;

	/* A backend can only answer requests we have made. */
	if (outstanding > size ||
	    !xpv_ring_prod_ok(prod, rsp_cons, outstanding))
		return -XPV_EPROTO;
	return (int)(prod - rsp_cons);
}

int xpv_ring_back_avail_(const RING_IDX *shared_prod, RING_IDX req_cons,
			 RING_IDX rsp_prod_pvt, unsigned int size)
{
	RING_IDX prod = xpv_ring_read_prod(shared_prod);
	RING_IDX taken = req_cons - rsp_prod_pvt;
	RING_IDX avail, room;

	if (taken > size)
		return -XPV_EPROTO;
	/* Unanswered requests can never exceed the ring. */
	if (!xpv_ring_prod_ok(prod, rsp_prod_pvt, size))
		return -XPV_EPROTO;
	/* Nor may req_prod fall behind what we already consumed. */
	if ((RING_IDX)(prod - rsp_prod_pvt) < taken)
		return -XPV_EPROTO;
	avail = prod - req_cons;
	room = size - taken;
	return (int)(avail < room ? avail : room);
}

int xpv_ring_ids_init(struct xpv_ring_ids *ids, unsigned int nr)
{
	unsigned int i;

	xpv_memset(ids, 0, sizeof(*ids));
	if (nr == 0 || nr > XPV_RING_IDS_MAX)
		return -XPV_EINVAL;
	ids->free = xpv_os_malloc(nr * sizeof(*ids->free));
	ids->busy = xpv_os_zalloc(nr);
	if (!ids->free || !ids->busy) {
		xpv_ring_ids_destroy(ids);
		return -XPV_ENOMEM;
	}
	/* Hand out low ids first: the stack's top is the last element. */
	for (i = 0; i < nr; i++)
		ids->free[i] = nr - 1 - i;
	ids->nr = nr;
	ids->nr_free = nr;
	return 0;
}

void xpv_ring_ids_destroy(struct xpv_ring_ids *ids)
{
	xpv_os_free(ids->free);
	xpv_os_free(ids->busy);
	xpv_memset(ids, 0, sizeof(*ids));
}

int xpv_ring_ids_get(struct xpv_ring_ids *ids)
{
	unsigned int id;

	if (ids->nr_free == 0)
		return -XPV_ENOSPC;
	id = ids->free[--ids->nr_free];
	ids->busy[id] = 1;
	return (int)id;
}

bool xpv_ring_ids_valid(const struct xpv_ring_ids *ids, uint64_t id)
{
	return id < ids->nr && ids->busy[id];
}

int xpv_ring_ids_put(struct xpv_ring_ids *ids, uint64_t id)
{
	if (!xpv_ring_ids_valid(ids, id))
		return -XPV_EPROTO;
	ids->busy[id] = 0;
	ids->free[ids->nr_free++] = (unsigned int)id;
	return 0;
}
