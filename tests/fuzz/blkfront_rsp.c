// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for blkfront's response validator: arbitrary shadow
 * tables (ring size, ids in flight, operations sent) and arbitrary
 * response bytes, plus the ring's response-producer check on a real front
 * ring with an arbitrary rsp_prod.  Anything accepted that should not be
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/blkfront/blkfront.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_IDS 64u

static void fz_check(const struct blkif_response *rsp,
		     const struct xpv_ring_ids *ids,
		     const struct xpv_blkfront_shadow *shadow)
{
	const char *why = NULL;
	const struct xpv_blkfront_shadow *sh;

	if (xpv_blkfront_check_rsp(rsp, ids, shadow, &why)) {
		if (!why)
			abort();
		return;
	}
	if (rsp->id >= ids->nr || !ids->busy[rsp->id])
		abort();
	sh = &shadow[rsp->id];
	if (rsp->operation != sh->op &&
	    !(sh->op == BLKIF_OP_INDIRECT && rsp->operation == sh->indirect_op))
		abort();
	if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
	    rsp->status != BLKIF_RSP_EOPNOTSUPP)
		abort();
}

/* A front ring with @out requests outstanding and a hostile rsp_prod. */
static void fz_ring(uint32_t prod, uint32_t cons, unsigned int out)
{
	static uint8_t page[XPV_PAGE_SIZE] __attribute__((aligned(4096)));
	struct blkif_sring *s = (struct blkif_sring *)page;
	blkif_front_ring_t ring;
	int n;

	XPV_RING_FRONT_INIT(&ring, s, sizeof(page));
	out %= RING_SIZE(&ring) + 1;
	ring.rsp_cons = cons;
	ring.req_prod_pvt = cons + out;
	s->rsp_prod = prod;
	n = XPV_RING_FRONT_RSP_AVAIL(&ring);
	if (n > (int)out || (n >= 0 && (uint32_t)(prod - cons) != (uint32_t)n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xpv_blkfront_shadow shadow[FZ_MAX_IDS];
	struct blkif_response rsp;
	struct xpv_ring_ids ids;
	uint32_t prod, cons;
	unsigned int nr, i;

	if (size < 2 + FZ_MAX_IDS + 9)
		return 0;
	nr = data[0] % FZ_MAX_IDS + 1;
	if (xpv_ring_ids_init(&ids, nr))
		return 0;
	memset(shadow, 0, sizeof(shadow));
	/* One byte per id: in flight or not, and the operation sent. */
	for (i = 0; i < nr; i++) {
		if (data[2 + i] & 1)
			ids.busy[i] = 1;
		shadow[i].op = (uint8_t)((data[2 + i] >> 1) % 8);
		shadow[i].indirect_op = data[1] & 1;
	}
	data += 2 + FZ_MAX_IDS;
	size -= 2 + FZ_MAX_IDS;
	memcpy(&prod, data, 4);
	memcpy(&cons, data + 4, 4);
	fz_ring(prod, cons, data[8]);
	data += 9;
	size -= 9;
	for (; size >= sizeof(rsp); data += sizeof(rsp), size -= sizeof(rsp)) {
		memcpy(&rsp, data, sizeof(rsp));
		fz_check(&rsp, &ids, shadow);
	}
	xpv_ring_ids_destroy(&ids);
	return 0;
}
