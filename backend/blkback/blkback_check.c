// SPDX-License-Identifier: MIT
/*
 * The request validator: every field a frontend wrote is range-checked
 * here, before blkback maps a grant or touches the disk.  Pure functions of
 * their arguments.  Sector fields are 512-byte units whatever the logical
 * sector size; a 4K-native device only takes whole 4K sectors.
 */
#include <string.h>

#include "backend/blkback/blkback_req.h"

#define SECTORS_PER_PAGE (XPV_PAGE_SIZE / 512)

static unsigned int units(const struct xpv_blkback_limits *l)
{
	return l->sector_size > 512 ? l->sector_size / 512 : 1;
}

/* [sector, sector + n) inside the disk, without overflowing. */
static bool range_ok(const struct xpv_blkback_limits *l, uint64_t sector,
		     uint64_t n)
{
	return sector <= l->nr_sectors && n <= l->nr_sectors - sector;
}

static int16_t check_discard(const struct xpv_blkback_req *r,
			     const struct xpv_blkback_limits *l,
			     struct xpv_blkback_io *io)
{
	if (l->readonly)
		return BLKIF_RSP_ERROR;
	if (!l->discard)
		return BLKIF_RSP_EOPNOTSUPP;
	/* BLKIF_DISCARD_SECURE is ignored: we never advertise discard-secure. */
	if (r->nr_sectors == 0 || !range_ok(l, r->sector_number, r->nr_sectors))
		return BLKIF_RSP_ERROR;
	if ((r->sector_number | r->nr_sectors) % units(l))
		return BLKIF_RSP_ERROR;
	io->discard = true;
	io->write = true;
	io->sector = r->sector_number;
	io->nr_sectors = r->nr_sectors;
	return BLKIF_RSP_OKAY;
}

static int16_t check_indirect(const struct xpv_blkback_req *r,
			      const struct xpv_blkback_limits *l,
			      struct xpv_blkback_io *io)
{
	if (!l->max_indirect)
		return BLKIF_RSP_EOPNOTSUPP;
	if (r->indirect_op != BLKIF_OP_READ && r->indirect_op != BLKIF_OP_WRITE)
		return BLKIF_RSP_ERROR;
	/* Answered with the inner operation, as Linux's blkback: its blkfront
	 * refuses anything else. */
	io->op = r->indirect_op;
	if (r->nr_segments == 0 || r->nr_segments > l->max_indirect ||
	    r->nr_segments > XPV_BLKBACK_MAX_INDIRECT)
		return BLKIF_RSP_ERROR;
	io->write = r->indirect_op == BLKIF_OP_WRITE;
	if (io->write && l->readonly)
		return BLKIF_RSP_ERROR;
	io->nr_segs = r->nr_segments;
	io->nr_indirect = (r->nr_segments + XPV_BLKIF_SEGS_PER_INDIRECT_PAGE -
			   1) / XPV_BLKIF_SEGS_PER_INDIRECT_PAGE;
	io->sector = r->sector_number;
	if (io->sector % units(l) || !range_ok(l, io->sector, 0))
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/* READ, WRITE, FLUSH_DISKCACHE and WRITE_BARRIER: segments in the slot. */
static int16_t check_direct(const struct xpv_blkback_req *r,
			    const struct xpv_blkback_limits *l,
			    struct xpv_blkback_io *io)
{
	bool sync = r->operation == BLKIF_OP_FLUSH_DISKCACHE ||
		    r->operation == BLKIF_OP_WRITE_BARRIER;

	if (r->operation != BLKIF_OP_READ && l->readonly)
		return BLKIF_RSP_ERROR;
	if (r->operation == BLKIF_OP_FLUSH_DISKCACHE && !l->flush)
		return BLKIF_RSP_EOPNOTSUPP;
	if (r->operation == BLKIF_OP_WRITE_BARRIER && !l->barrier)
		return BLKIF_RSP_EOPNOTSUPP;
	if (r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	if (r->nr_segments == 0 && !sync)
		return BLKIF_RSP_ERROR;
	io->write = r->operation != BLKIF_OP_READ;
	io->sync_before = sync;
	io->sync_after = sync && r->nr_segments;
	io->drain = r->operation == BLKIF_OP_WRITE_BARRIER;
	io->nr_segs = r->nr_segments;
	if (!io->nr_segs)
		return BLKIF_RSP_OKAY;	/* a bare flush: its sector means nothing */
	io->sector = r->sector_number;
	return xpv_blkback_check_segs(r->seg, l, io);
}

int16_t xpv_blkback_check_req(const struct xpv_blkback_req *r,
			      const struct xpv_blkback_limits *l,
			      struct xpv_blkback_io *io)
{
	memset(io, 0, sizeof(*io));
	io->op = r->operation;
	switch (r->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		return check_direct(r, l, io);
	case BLKIF_OP_DISCARD:
		return check_discard(r, l, io);
	case BLKIF_OP_INDIRECT:
		return check_indirect(r, l, io);
	default:
		/* As Linux's blkback: an operation it does not know. */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

int16_t xpv_blkback_check_segs(const struct blkif_request_segment *seg,
			       const struct xpv_blkback_limits *l,
			       struct xpv_blkback_io *io)
{
	unsigned int i, u = units(l);
	uint64_t total = 0;

	if (io->nr_segs == 0)
		return BLKIF_RSP_ERROR;
	for (i = 0; i < io->nr_segs; i++) {
		uint8_t first = seg[i].first_sect, last = seg[i].last_sect;

		if (first > last || last >= SECTORS_PER_PAGE)
			return BLKIF_RSP_ERROR;
		/* O_DIRECT on a 4K disk: whole logical sectors in memory too. */
		if (first % u || (last + 1u) % u)
			return BLKIF_RSP_ERROR;
		total += last - first + 1u;
	}
	if (io->sector % u || !range_ok(l, io->sector, total))
		return BLKIF_RSP_ERROR;
	io->nr_sectors = total;
	return BLKIF_RSP_OKAY;
}
