// SPDX-License-Identifier: MIT
/* The scripted blkif frontend: see blk_efe.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loopback/hv.h"
#include "tests/loopback/blk_efe.h"

#define EFE_PAGES 2048u

int efe_init(struct efe *e, struct blk_env *env, unsigned int domid,
	     unsigned int vdev)
{
	memset(e, 0, sizeof(*e));
	e->env = env;
	e->domid = domid;
	e->vdev = vdev;
	e->next_gfn = 1;
	e->next_ref = 8;
	snprintf(e->fe, sizeof(e->fe), "/local/domain/%u/device/vbd/%u",
		 domid, vdev);
	e->d = lb_dom_join(env->dir, domid, EFE_PAGES);
	if (!e->d)
		return -errno;
	/* After the join, so that xenstored knows us as the guest. */
	e->xs = xs_open(0);
	return e->xs ? 0 : -errno;
}

void efe_exit(struct efe *e)
{
	if (e->xs)
		xs_close(e->xs);
	if (e->d)
		lb_dom_leave(e->d);
	e->xs = NULL;
	e->d = NULL;
}

void *efe_page(struct efe *e, unsigned int *gfn)
{
	uint8_t *p;

	if (e->next_gfn >= EFE_PAGES)
		e->next_gfn = 1;
	*gfn = e->next_gfn++;
	p = (uint8_t *)lb_dom_mem(e->d) + (size_t)*gfn * XPV_PAGE_SIZE;
	memset(p, 0, XPV_PAGE_SIZE);
	return p;
}

grant_ref_t efe_grant(struct efe *e, unsigned int gfn, bool readonly)
{
	grant_entry_v1_t *g = &lb_dom_gnttab(e->d)[e->next_ref];

	g->frame = gfn;
	g->domid = 0;
	__atomic_store_n(&g->flags,
			 GTF_permit_access | (readonly ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
	return e->next_ref++;
}

void efe_ungrant(struct efe *e, grant_ref_t ref)
{
	__atomic_store_n(&lb_dom_gnttab(e->d)[ref].flags, 0, __ATOMIC_RELEASE);
}

static int fe_write(struct efe *e, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fe_write(struct efe *e, const char *node, const char *fmt, ...)
{
	char path[160], val[64];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", e->fe, node);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(e->xs, XBT_NULL, path, val, strlen(val)) ? 0 : -errno;
}

int efe_set_state(struct efe *e, int state)
{
	return fe_write(e, "state", "%d", state);
}

static void ring_init(struct efe *e)
{
	struct blkif_x86_64_sring *s = e->sring;
	size_t bytes = (size_t)XPV_PAGE_SIZE << e->order;

	memset(e->sring, 0, bytes);
	s->req_event = s->rsp_event = 1;
	e->req_prod = e->rsp_cons = 0;
	e->nr_ents = e->abi == XPV_BLKIF_X86_32
			     ? xpv_blkif_slot_size(e->abi)
			     : xpv_blkif_slot_size(e->abi);
	/* __CONST_RING_SIZE: slots after the 64-byte header, power of two. */
	e->nr_ents = (bytes - 64) / e->nr_ents;
	while (e->nr_ents & (e->nr_ents - 1))
		e->nr_ents &= e->nr_ents - 1;
}

static int write_ring_nodes(struct efe *e, unsigned int gfn0, bool persist)
{
	unsigned int i;
	int err = 0;
	char node[32];

	for (i = 0; i < (1u << e->order); i++) {
		grant_ref_t ref = efe_grant(e, gfn0 + i, false);

		if (e->order)
			snprintf(node, sizeof(node), "ring-ref%u", i);
		else
			snprintf(node, sizeof(node), "ring-ref");
		err |= fe_write(e, node, "%u", ref);
	}
	err |= fe_write(e, "ring-page-order", "%u", e->order);
	err |= fe_write(e, "event-channel", "%u", e->port);
	err |= fe_write(e, "protocol", "%s",
			e->abi == XPV_BLKIF_X86_32 ? XEN_IO_PROTO_ABI_X86_32
						   : XEN_IO_PROTO_ABI_X86_64);
	err |= fe_write(e, "feature-persistent", "%d", persist);
	return err;
}

int efe_connect(struct efe *e, enum xpv_blkif_abi abi, unsigned int order,
		bool persistent)
{
	unsigned int gfn0 = 0, i, gfn;

	if (!blk_env_be_wait(e->env, e->domid, e->vdev, "state", 2))
		return -ETIMEDOUT;
	e->abi = abi;
	e->order = order;
	/* The ring pages must be consecutive in our memory. */
	for (i = 0; i < (1u << order); i++) {
		void *p = efe_page(e, &gfn);

		if (i == 0) {
			gfn0 = gfn;
			e->sring = p;
		} else if (gfn != gfn0 + i) {
			return -ENOMEM;
		}
	}
	ring_init(e);
	if (lb_evtchn_alloc_unbound(e->d, 0, &e->port))
		return -EIO;
	if (write_ring_nodes(e, gfn0, persistent) || efe_set_state(e, 3))
		return -EIO;
	return blk_env_be_wait(e->env, e->domid, e->vdev, "state", 4)
		       ? 0
		       : -ETIMEDOUT;
}

int efe_close(struct efe *e, bool reopen)
{
	efe_set_state(e, 6);
	if (!blk_env_be_wait(e->env, e->domid, e->vdev, "state", 6))
		return -ETIMEDOUT;
	if (e->port)
		lb_evtchn_close(e->d, e->port);
	e->port = 0;
	if (!reopen)
		return 0;
	efe_set_state(e, 1);
	return blk_env_be_wait(e->env, e->domid, e->vdev, "state", 2)
		       ? 0
		       : -ETIMEDOUT;
}

/* What a frontend of either ABI writes into a slot: one body, two layouts. */
#define DEFINE_ENCODE(abi)                                                   \
	static void encode_##abi(void *slot, const struct xpv_blkback_req *r) \
	{                                                                    \
		struct blkif_##abi##_request *rw = slot;                     \
		struct blkif_##abi##_request_discard *d = slot;              \
		struct blkif_##abi##_request_indirect *in = slot;            \
									     \
		rw->operation = r->operation;                                \
		rw->id = r->id;                                              \
		rw->sector_number = r->sector_number;                        \
		if (r->operation == BLKIF_OP_DISCARD) {                      \
			d->flag = r->discard_flag;                           \
			d->nr_sectors = r->nr_sectors;                       \
		} else if (r->operation == BLKIF_OP_INDIRECT) {              \
			in->indirect_op = r->indirect_op;                    \
			in->nr_segments = r->nr_segments;                    \
			memcpy(in->indirect_grefs, r->indirect_grefs,        \
			       sizeof(in->indirect_grefs));                  \
		} else {                                                     \
			rw->nr_segments = r->nr_segments;                    \
			memcpy(rw->seg, r->seg, sizeof(rw->seg));            \
		}                                                            \
	}

DEFINE_ENCODE(x86_32)
DEFINE_ENCODE(x86_64)

static uint8_t *slot_at(struct efe *e, RING_IDX i)
{
	size_t sz = xpv_blkif_slot_size(e->abi);

	return (uint8_t *)e->sring + 64 + (i & (e->nr_ents - 1)) * sz;
}

void efe_set_req_prod(struct efe *e, RING_IDX prod)
{
	struct blkif_x86_64_sring *s = e->sring;

	__atomic_store_n(&s->req_prod, prod, __ATOMIC_RELEASE);
	lb_evtchn_send(e->d, e->port);
}

RING_IDX efe_rsp_prod(struct efe *e)
{
	struct blkif_x86_64_sring *s = e->sring;

	return __atomic_load_n(&s->rsp_prod, __ATOMIC_ACQUIRE);
}

int efe_do(struct efe *e, const struct xpv_blkback_req *r)
{
	struct timespec nap = { 0, 1000 * 1000 };
	uint8_t *slot = slot_at(e, e->req_prod);
	uint64_t id;
	int16_t st;
	int i;

	memset(slot, 0, xpv_blkif_slot_size(e->abi));
	if (e->abi == XPV_BLKIF_X86_32)
		encode_x86_32(slot, r);
	else
		encode_x86_64(slot, r);
	efe_set_req_prod(e, ++e->req_prod);
	for (i = 0; i < 10000 && efe_rsp_prod(e) == e->rsp_cons; i++)
		nanosleep(&nap, NULL);
	if (efe_rsp_prod(e) == e->rsp_cons)
		return EFE_TIMEOUT;
	slot = slot_at(e, e->rsp_cons++);
	memcpy(&id, slot, 8);
	memcpy(&st, slot + 10, 2);
	return id == r->id ? st : EFE_BAD_ID;
}

unsigned int efe_backend_mappings(struct efe *e)
{
	struct lb_hv *hv = lb_dom_hv(e->d);

	return __atomic_load_n(&hv->doms[0].maptrack_used, __ATOMIC_ACQUIRE);
}
