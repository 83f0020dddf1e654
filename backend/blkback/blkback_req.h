/* SPDX-License-Identifier: MIT */
/*
 * What blkback reads from a frontend's ring, before it trusts any of it:
 * the two x86 protocol ABIs of xen/io/blkif.h, one ABI-neutral copy of a
 * request, and the pure validator that turns that copy into an I/O the
 * backend may perform, or into the status to answer with.  No state, no
 * I/O: the unit tests and the fuzz target call these directly.
 */
#ifndef XENPV_BLKBACK_REQ_H
#define XENPV_BLKBACK_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "xenpv/xen.h"
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

/*
 * The public header only has the native layout.  A 32-bit x86 guest aligns
 * 64-bit fields to 4 bytes; these are its layouts, and the x86_64 ones
 * spelled out so that they hold whatever the host is.
 */
#pragma pack(push, 4)
struct blkif_x86_32_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
struct blkif_x86_32_request_discard {
	uint8_t operation;
	uint8_t flag;
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};
struct blkif_x86_32_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint64_t pad;
};
struct blkif_x86_32_response {
	uint64_t id;
	uint8_t operation;
	int16_t status;
};
#pragma pack(pop)

#define XPV_A8 __attribute__((aligned(8)))
struct blkif_x86_64_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint64_t XPV_A8 id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
struct blkif_x86_64_request_discard {
	uint8_t operation;
	uint8_t flag;
	blkif_vdev_t handle;
	uint64_t XPV_A8 id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};
struct blkif_x86_64_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	uint64_t XPV_A8 id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};
struct blkif_x86_64_response {
	uint64_t XPV_A8 id;
	uint8_t operation;
	int16_t status;
};
#undef XPV_A8

DEFINE_RING_TYPES(blkif_x86_32, struct blkif_x86_32_request,
		  struct blkif_x86_32_response);
DEFINE_RING_TYPES(blkif_x86_64, struct blkif_x86_64_request,
		  struct blkif_x86_64_response);

enum xpv_blkif_abi { XPV_BLKIF_X86_64, XPV_BLKIF_X86_32 };

/* The frontend's "protocol" node (NULL: absent, so native): 0 or -EINVAL. */
int xpv_blkif_parse_protocol(const char *s, enum xpv_blkif_abi *abi);
/* Size of one ring slot (request/response union) of @abi. */
unsigned int xpv_blkif_slot_size(enum xpv_blkif_abi abi);

/* A request as every ABI can express it; filled from a private copy. */
struct xpv_blkback_req {
	uint8_t operation;
	uint8_t indirect_op;
	uint8_t discard_flag;
	uint16_t nr_segments;
	blkif_vdev_t handle;
	uint64_t id;
	uint64_t sector_number;
	uint64_t nr_sectors;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
};

/* @slot is already our own copy of one ring slot of @abi. */
void xpv_blkif_decode_req(enum xpv_blkif_abi abi, const void *slot,
			  struct xpv_blkback_req *r);
/* Writes one response into the shared slot (write-only for us). */
void xpv_blkif_encode_rsp(enum xpv_blkif_abi abi, void *slot, uint64_t id,
			  uint8_t op, int16_t status);

/* Segments one indirect page holds. */
#define XPV_BLKIF_SEGS_PER_INDIRECT_PAGE \
	(XPV_PAGE_SIZE / sizeof(struct blkif_request_segment))
#define XPV_BLKBACK_MAX_INDIRECT \
	(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * XPV_BLKIF_SEGS_PER_INDIRECT_PAGE)

/* What the device allows; sector counts in 512-byte units, as on the wire. */
struct xpv_blkback_limits {
	uint64_t nr_sectors;
	unsigned int sector_size;	/* logical: 512 or 4096 */
	unsigned int max_indirect;	/* 0: no BLKIF_OP_INDIRECT */
	bool readonly;
	bool flush, barrier, discard;
};

/* A checked request: what to do, never more than the disk has. */
struct xpv_blkback_io {
	uint8_t op;		/* echoed in the response */
	bool write;		/* data goes from memory to disk */
	bool discard;
	bool sync_before;	/* flush the cache first (flush, barrier) */
	bool sync_after;	/* and after the data (FUA) */
	bool drain;		/* barrier: alone, after all earlier requests */
	uint16_t nr_segs;	/* data segments */
	uint8_t nr_indirect;	/* indirect pages to read the segments from */
	uint64_t sector;	/* first 512-byte sector */
	uint64_t nr_sectors;	/* 512-byte sectors (rw: once segs are checked) */
};

/*
 * Validates @r against @l.  Returns BLKIF_RSP_OKAY and fills @io, or the
 * status to answer with (BLKIF_RSP_ERROR for a malformed request,
 * BLKIF_RSP_EOPNOTSUPP for an operation this device does not offer).  For
 * an indirect request only the header is checked here: the segments come
 * from the indirect pages and go to xpv_blkback_check_segs.
 */
int16_t xpv_blkback_check_req(const struct xpv_blkback_req *r,
			      const struct xpv_blkback_limits *l,
			      struct xpv_blkback_io *io);
/*
 * Validates @io->nr_segs segments (our own copy) and the sector range they
 * make from @io->sector; sets @io->nr_sectors.
 */
int16_t xpv_blkback_check_segs(const struct blkif_request_segment *seg,
			       const struct xpv_blkback_limits *l,
			       struct xpv_blkback_io *io);

#endif
