// SPDX-License-Identifier: MIT
/*
 * The x86_32 and x86_64 blkif layouts: decode a request slot into the
 * ABI-neutral struct, encode a response.  The layouts are pinned here with
 * their offsets, so a wrong pack or alignment fails the build.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "backend/blkback/blkback_req.h"

#define OFF(t, f, o) _Static_assert(offsetof(struct t, f) == (o), #t "." #f)
OFF(blkif_x86_32_request, id, 4);
OFF(blkif_x86_32_request, sector_number, 12);
OFF(blkif_x86_32_request, seg, 20);
OFF(blkif_x86_32_request_discard, nr_sectors, 20);
OFF(blkif_x86_32_request_indirect, nr_segments, 2);
OFF(blkif_x86_32_request_indirect, handle, 20);
OFF(blkif_x86_32_request_indirect, indirect_grefs, 24);
OFF(blkif_x86_32_response, status, 10);
_Static_assert(sizeof(struct blkif_x86_32_request) == 108, "x86_32 req");
_Static_assert(sizeof(struct blkif_x86_32_request_indirect) == 64, "x86_32");
_Static_assert(sizeof(struct blkif_x86_32_response) == 12, "x86_32 rsp");
OFF(blkif_x86_64_request, id, 8);
OFF(blkif_x86_64_request, sector_number, 16);
OFF(blkif_x86_64_request, seg, 24);
OFF(blkif_x86_64_request_discard, nr_sectors, 24);
OFF(blkif_x86_64_request_indirect, handle, 24);
OFF(blkif_x86_64_request_indirect, indirect_grefs, 28);
OFF(blkif_x86_64_response, status, 10);
_Static_assert(sizeof(struct blkif_x86_64_request) == 112, "x86_64 req");
_Static_assert(sizeof(struct blkif_x86_64_request_indirect) == 64, "x86_64");
_Static_assert(sizeof(struct blkif_x86_64_response) == 16, "x86_64 rsp");
#if defined(__x86_64__)
_Static_assert(sizeof(struct blkif_request) == 112, "native is x86_64");
OFF(blkif_request, seg, 24);
OFF(blkif_request_indirect, indirect_grefs, 28);
#endif
#undef OFF

int xpv_blkif_parse_protocol(const char *s, enum xpv_blkif_abi *abi)
{
	if (!s || !*s || !strcmp(s, XEN_IO_PROTO_ABI_X86_64))
		*abi = XPV_BLKIF_X86_64;
	else if (!strcmp(s, XEN_IO_PROTO_ABI_X86_32))
		*abi = XPV_BLKIF_X86_32;
	else
		return -EINVAL;
	return 0;
}

unsigned int xpv_blkif_slot_size(enum xpv_blkif_abi abi)
{
	return abi == XPV_BLKIF_X86_32 ? sizeof(union blkif_x86_32_sring_entry)
				       : sizeof(union blkif_x86_64_sring_entry);
}

/*
 * The two ABIs carry the same fields at different offsets, so one body
 * serves both, instantiated per layout.
 */
#define DEFINE_DECODE(abi)                                                   \
	static void decode_##abi(const void *slot, struct xpv_blkback_req *r) \
	{                                                                    \
		const struct blkif_##abi##_request *rw = slot;               \
		const struct blkif_##abi##_request_discard *d = slot;        \
		const struct blkif_##abi##_request_indirect *in = slot;      \
									     \
		r->operation = rw->operation;                                \
		r->id = rw->id;                                              \
		r->sector_number = rw->sector_number;                        \
		if (r->operation == BLKIF_OP_DISCARD) {                      \
			r->discard_flag = d->flag;                           \
			r->handle = d->handle;                               \
			r->nr_sectors = d->nr_sectors;                       \
		} else if (r->operation == BLKIF_OP_INDIRECT) {              \
			r->indirect_op = in->indirect_op;                    \
			r->nr_segments = in->nr_segments;                    \
			r->handle = in->handle;                              \
			memcpy(r->indirect_grefs, in->indirect_grefs,        \
			       sizeof(r->indirect_grefs));                   \
		} else {                                                     \
			r->nr_segments = rw->nr_segments;                    \
			r->handle = rw->handle;                              \
			memcpy(r->seg, rw->seg, sizeof(r->seg));             \
		}                                                            \
	}

DEFINE_DECODE(x86_32)
DEFINE_DECODE(x86_64)

void xpv_blkif_decode_req(enum xpv_blkif_abi abi, const void *slot,
			  struct xpv_blkback_req *r)
{
	memset(r, 0, sizeof(*r));
	if (abi == XPV_BLKIF_X86_32)
		decode_x86_32(slot, r);
	else
		decode_x86_64(slot, r);
}

void xpv_blkif_encode_rsp(enum xpv_blkif_abi abi, void *slot, uint64_t id,
			  uint8_t op, int16_t status)
{
	if (abi == XPV_BLKIF_X86_32) {
		struct blkif_x86_32_response *p = slot;

		p->id = id;
		p->operation = op;
		p->status = status;
	} else {
		struct blkif_x86_64_response *p = slot;

		p->id = id;
		p->operation = op;
		p->status = status;
	}
}
