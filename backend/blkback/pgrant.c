// SPDX-License-Identifier: MIT
/*
 * Persistent grants of one ring: a bounded open-addressing table from
 * grant ref to its writable mapping, filled on first use and emptied only
 * when the ring disconnects.  Writable whatever the request, as blkif.h
 * asks of frontends that set feature-persistent.  Once the table is full,
 * further grants are mapped per request instead.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend/blkback/blkback.h"

int bb_pgrant_init(struct bb_ring *r, unsigned int max)
{
	unsigned int cap = 1;

	r->pg = NULL;
	r->pg_cap = r->pg_used = 0;
	r->pg_max = max;
	if (!max)
		return 0;
	while (cap < 2 * max)
		cap <<= 1;
	r->pg = calloc(cap, sizeof(*r->pg));
	if (!r->pg)
		return -ENOMEM;
	r->pg_cap = cap;
	return 0;
}

static unsigned int slot_of(const struct bb_ring *r, grant_ref_t ref)
{
	return (ref * 2654435761u) & (r->pg_cap - 1);
}

/*
 * The mapping of @ref, made now if need be.  NULL with *err 0 when the
 * table is full (map it per request), NULL with *err < 0 when the grant
 * does not map.
 */
void *bb_pgrant_get(struct bb_ring *r, grant_ref_t ref, int *err)
{
	struct bb_dev *dev = r->dev;
	unsigned int i;
	void *p;

	*err = 0;
	if (!r->pg_cap)
		return NULL;
	for (i = slot_of(r, ref); r->pg[i].addr; i = (i + 1) & (r->pg_cap - 1))
		if (r->pg[i].ref == ref)
			return r->pg[i].addr;
	if (r->pg_used >= r->pg_max)
		return NULL;
	p = xpv_xenops_map(dev->bb->x, dev->fe_domid, 1, &ref, true, err);
	if (!p)
		return NULL;
	r->pg[i].ref = ref;
	r->pg[i].addr = p;
	r->pg_used++;
	return p;
}

void bb_pgrant_free_all(struct bb_ring *r)
{
	unsigned int i;

	for (i = 0; i < r->pg_cap; i++)
		if (r->pg[i].addr)
			xpv_xenops_unmap(r->dev->bb->x, r->pg[i].addr, 1);
	free(r->pg);
	r->pg = NULL;
	r->pg_cap = r->pg_used = 0;
}
