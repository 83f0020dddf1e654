/* SPDX-License-Identifier: MIT */
/*
 * Ring discipline on top of the real <xen/io/ring.h> macros.
 *
 * The other end owns the producer index it writes and may put anything in
 * it at any time.  Each consumer here reads that index once, issues a read
 * barrier, checks it with the overflow test, and only then copies slots out,
 * one at a time, to a local the peer cannot change:
 *
 *	int n = XPV_RING_FRONT_RSP_AVAIL(&ring);
 *	if (n < 0)
 *		mark the device broken (-XPV_EPROTO);
 *	while (n-- > 0) {
 *		struct blkif_response rsp;
 *		XPV_RING_FRONT_TAKE_RSP(&ring, &rsp);
 *		validate rsp (ids through xpv_ring_ids_*), then use it
 *	}
 *	if (XPV_RING_FRONT_FINAL_CHECK(&ring))
 *		go round again
 *
 * Producers fill a slot returned by XPV_RING_*_NEXT_* and publish with
 * XPV_RING_*_PUSH, which tells whether the other end asked to be notified.
 *
 * The macros take a front/back ring pointer and evaluate it several times:
 * pass a plain variable.
 */
#ifndef XENPV_RING_H
#define XENPV_RING_H

#include "xenpv/compiler.h"
#include "xenpv/os.h"

/* Bytes before ring[] in every struct *_sring (indexes and padding). */
#define XPV_RING_HDR_SIZE 64u
/* Largest ring-page-order we accept, as Linux's XENBUS_MAX_RING_GRANT_ORDER. */
#define XPV_RING_MAX_ORDER 4u
#define XPV_RING_MAX_PAGES (1u << XPV_RING_MAX_ORDER)

/* ---- geometry --------------------------------------------------------- */

/* Pages of a ring of @order, or 0 if @order exceeds XPV_RING_MAX_ORDER. */
unsigned int xpv_ring_pages(unsigned int order);
/*
 * Entries of a shared ring spanning 2^@order pages whose slots are
 * @entry_size bytes (sizeof(union <tag>_sring_entry)): the slots that fit
 * after the header, rounded down to a power of two, as __CONST_RING_SIZE.
 * 0 for an order beyond XPV_RING_MAX_ORDER or a zero entry size.
 */
unsigned int xpv_ring_nr_ents(unsigned int order, size_t entry_size);
#define XPV_RING_NR_ENTS(tag, order) \
	xpv_ring_nr_ents((order), sizeof(union tag##_sring_entry))
/*
 * The order to use given what the other end advertised (its
 * "max-ring-page-order", or -1 if absent) and our own limit: the smaller of
 * the two, never beyond XPV_RING_MAX_ORDER.
 */
unsigned int xpv_ring_pick_order(int peer_max, unsigned int our_max);

/* ---- index checks ----------------------------------------------------- */

/*
 * The overflow test for a producer index read from the other end: can
 * there be @prod - @base entries when at most @limit may be?  Unsigned
 * arithmetic, so a prod that went backwards fails too.
 */
static inline bool xpv_ring_prod_ok(RING_IDX prod, RING_IDX base,
				    unsigned int limit)
{
	return (RING_IDX)(prod - base) <= limit;
}

/*
 * Read a producer index the peer writes, once; the acquire orders every
 * later read of the slots after it (the read barrier of the protocol).
 */
static inline RING_IDX xpv_ring_read_prod(const RING_IDX *shared)
{
	return __atomic_load_n(shared, __ATOMIC_ACQUIRE);
}

int xpv_ring_front_avail_(const RING_IDX *shared_prod, RING_IDX rsp_cons,
			  RING_IDX req_prod_pvt, unsigned int size);
int xpv_ring_back_avail_(const RING_IDX *shared_prod, RING_IDX req_cons,
			 RING_IDX rsp_prod_pvt, unsigned int size);

/* ---- front end: requests out, responses in ---------------------------- */

/*
 * Initialise a fresh shared ring of @bytes at @sring and attach @r to it.
 * Everything between the indexes and the slots is zeroed as one span: Xen's
 * sring has a pvt union there, Linux's copy only __pad.
 */
#define XPV_RING_FRONT_INIT(r, sring, bytes)                                 \
	do {                                                                 \
		(sring)->req_prod = (sring)->rsp_prod = 0;                   \
		(sring)->req_event = (sring)->rsp_event = 1;                 \
		xpv_memset(&(sring)->rsp_event + 1, 0,                       \
			   (char *)(sring)->ring -                           \
				   (char *)(&(sring)->rsp_event + 1));       \
		FRONT_RING_INIT((r), (sring), (bytes));                      \
	} while (0)

/*
 * Responses that may be taken now: 0..requests outstanding, or -XPV_EPROTO
 * if the backend's rsp_prod claims more responses than we have requests.
 */
#define XPV_RING_FRONT_RSP_AVAIL(r)                                          \
	xpv_ring_front_avail_(&(r)->sring->rsp_prod, (r)->rsp_cons,          \
			      (r)->req_prod_pvt, RING_SIZE(r))

/* Copy the next response out to *(dst) and consume it. */
#define XPV_RING_FRONT_TAKE_RSP(r, dst)                                      \
	do {                                                                 \
		RING_COPY_RESPONSE((r), (r)->rsp_cons, (dst));               \
		(r)->rsp_cons++;                                             \
	} while (0)

/* The next free request slot (write-only for us), or NULL if full. */
#define XPV_RING_FRONT_NEXT_REQ(r)                                           \
	(RING_FULL(r) ? NULL : RING_GET_REQUEST((r), (r)->req_prod_pvt++))

/* Publish new requests; true if the backend asked to be notified. */
#define XPV_RING_FRONT_PUSH(r)                                               \
	__extension__({                                                      \
		int xpv_notify_;                                             \
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY((r), xpv_notify_);       \
		xpv_notify_ != 0;                                            \
	})

/*
 * Re-arm rsp_event after draining and look once more: true if responses
 * arrived meanwhile (consume again, then call this again).
 */
#define XPV_RING_FRONT_FINAL_CHECK(r)                                        \
	__extension__({                                                      \
		int xpv_work_;                                               \
		RING_FINAL_CHECK_FOR_RESPONSES((r), xpv_work_);              \
		xpv_work_ != 0;                                              \
	})

/* ---- back end: requests in, responses out ----------------------------- */

#define XPV_RING_BACK_INIT(r, sring, bytes) \
	BACK_RING_INIT((r), (sring), (bytes))

/*
 * Requests that may be taken now (bounded by the free response slots), or
 * -XPV_EPROTO if the frontend's req_prod overflows the ring or went back.
 */
#define XPV_RING_BACK_REQ_AVAIL(r)                                           \
	xpv_ring_back_avail_(&(r)->sring->req_prod, (r)->req_cons,           \
			     (r)->rsp_prod_pvt, RING_SIZE(r))

#define XPV_RING_BACK_TAKE_REQ(r, dst)                                       \
	do {                                                                 \
		RING_COPY_REQUEST((r), (r)->req_cons, (dst));                \
		(r)->req_cons++;                                             \
	} while (0)

/* The next response slot, or NULL if every taken request has one. */
#define XPV_RING_BACK_NEXT_RSP(r)                                            \
	((r)->rsp_prod_pvt == (r)->req_cons                                  \
		 ? NULL                                                      \
		 : RING_GET_RESPONSE((r), (r)->rsp_prod_pvt++))

#define XPV_RING_BACK_PUSH(r)                                                \
	__extension__({                                                      \
		int xpv_notify_;                                             \
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY((r), xpv_notify_);      \
		xpv_notify_ != 0;                                            \
	})

#define XPV_RING_BACK_FINAL_CHECK(r)                                         \
	__extension__({                                                      \
		int xpv_work_;                                               \
		RING_FINAL_CHECK_FOR_REQUESTS((r), xpv_work_);               \
		xpv_work_ != 0;                                              \
	})

/* ---- request ids ------------------------------------------------------ */

/*
 * Ids a frontend puts in requests and the backend echoes in responses.  An
 * id is an index into the driver's shadow table, never a pointer; a
 * response is accepted only for an id that is in flight, so stale and
 * duplicate responses are refused.
 */
struct xpv_ring_ids {
	unsigned int nr;
	unsigned int nr_free;
	unsigned int *free;	/* stack of free ids */
	uint8_t *busy;		/* 1 while an id is in flight */
};

#define XPV_RING_IDS_MAX 65536u

/* 0, -XPV_EINVAL (nr 0 or beyond XPV_RING_IDS_MAX), -XPV_ENOMEM. */
int xpv_ring_ids_init(struct xpv_ring_ids *ids, unsigned int nr);
void xpv_ring_ids_destroy(struct xpv_ring_ids *ids);
/* A free id, now in flight, or -XPV_ENOSPC. */
int xpv_ring_ids_get(struct xpv_ring_ids *ids);
/* True if @id (as the peer wrote it) is in range and in flight. */
bool xpv_ring_ids_valid(const struct xpv_ring_ids *ids, uint64_t id);
/* Retire @id: 0, or -XPV_EPROTO for an id out of range or not in flight. */
int xpv_ring_ids_put(struct xpv_ring_ids *ids, uint64_t id);
static inline unsigned int
xpv_ring_ids_in_flight(const struct xpv_ring_ids *ids)
{
	return ids->nr - ids->nr_free;
}

#endif
