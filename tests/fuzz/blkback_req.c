// SPDX-License-Identifier: MIT
/*
 * libFuzzer on what blkback reads from a frontend: one ring slot in either
 * x86 ABI, decoded and validated, then (for an indirect request) the
 * segments of its indirect pages.  Whatever the bytes, an accepted request
 * must stay inside the disk and inside the segment limits.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backend/blkback/blkback_req.h"

#define SLOT 112

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
	if (!cond)
		__builtin_trap();
}

static void limits_from(const uint8_t *p, struct xpv_blkback_limits *l)
{
	uint32_t size;

	memcpy(&size, p, 4);
	l->nr_sectors = size % (1u << 24);
	l->sector_size = p[4] & 1 ? 4096 : 512;
	if (l->sector_size == 4096)
		l->nr_sectors &= ~7ull;
	l->max_indirect = (p[5] & 1) ? 0 : 1u + (p[6] | (p[5] << 8)) %
						 XPV_BLKBACK_MAX_INDIRECT;
	l->readonly = p[7] & 1;
	l->flush = p[7] & 2;
	l->barrier = p[7] & 4;
	l->discard = p[7] & 8;
}

static void verify(const struct xpv_blkback_limits *l,
		   const struct xpv_blkback_io *io)
{
	require(io->sector <= l->nr_sectors);
	require(io->nr_sectors <= l->nr_sectors - io->sector);
	require(!(io->write && l->readonly));
	require(io->sector % (l->sector_size / 512) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t slot[SLOT] = { 0 };
	struct blkif_request_segment seg[XPV_BLKBACK_MAX_INDIRECT];
	struct xpv_blkback_limits l = { 0 };
	struct xpv_blkback_req r;
	struct xpv_blkback_io io;
	size_t n;

	if (size < 9)
		return 0;
	limits_from(data + 1, &l);
	n = size - 9 < SLOT ? size - 9 : SLOT;
	memcpy(slot, data + 9, n);
	xpv_blkif_decode_req(data[0] & 1 ? XPV_BLKIF_X86_32 : XPV_BLKIF_X86_64,
			     slot, &r);
	if (xpv_blkback_check_req(&r, &l, &io) != BLKIF_RSP_OKAY)
		return 0;
	if (io.nr_indirect) {
		require(io.nr_segs <= l.max_indirect);
		require(io.nr_indirect <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
		memset(seg, 0, sizeof(seg));
		if (size > 9 + SLOT)
			memcpy(seg, data + 9 + SLOT,
			       size - 9 - SLOT < sizeof(seg) ? size - 9 - SLOT
							     : sizeof(seg));
		if (xpv_blkback_check_segs(seg, &l, &io) != BLKIF_RSP_OKAY)
			return 0;
	} else {
		require(io.nr_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
	}
	verify(&l, &io);
	return 0;
}
