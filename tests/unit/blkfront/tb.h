/* SPDX-License-Identifier: MIT */
/*
 * A scripted block backend for the blkfront unit tests, on fake_os: it
 * writes the backend's xenstore nodes, maps the frontend's rings and data
 * pages through the fake grant table (checking the grant flags as Xen
 * would), serves a RAM disk, and can answer wrongly on purpose.
 */
#ifndef XENPV_TESTS_BLKFRONT_TB_H
#define XENPV_TESTS_BLKFRONT_TB_H

#include "drivers/blkfront/blkfront.h"
#include "tests/unit/core/fake_os.h"

#define TB_DEVID 51712u
#define TB_FE "device/vbd/51712"
#define TB_BE "/local/domain/0/backend/vbd/1/51712"
#define TB_DISK_BYTES (1u << 20)
#define TB_MAX_REQS 256
#define TB_MAX_GREFS 1024

struct tb_req {
	struct blkif_request raw; /* as copied from the ring */
	uint8_t op;		  /* indirect_op for indirect ones */
	uint16_t nr_segs;
	uint64_t sector;
	uint64_t nr_sectors; /* discard */
	uint8_t flag;	     /* discard */
	unsigned int q;
};

struct tb {
	struct xpv_blkfront *dev;
	unsigned int kicks;
	unsigned int nq;
	blkif_back_ring_t ring[XPV_BLKFRONT_MAX_QUEUES];
	evtchn_port_t port[XPV_BLKFRONT_MAX_QUEUES];
	grant_ref_t ring_ref[XPV_BLKFRONT_MAX_QUEUES][XPV_RING_MAX_PAGES];
	unsigned int ring_pages;
	uint8_t disk[TB_DISK_BYTES];
	/* Requests taken and not yet answered, in order. */
	struct tb_req reqs[TB_MAX_REQS];
	unsigned int nr_reqs;
	/* Every request seen. */
	unsigned int seen_ops[8];
	unsigned int seen_indirect;
	unsigned int max_segs;
	grant_ref_t grefs[TB_MAX_GREFS]; /* distinct data grefs seen */
	unsigned int nr_grefs;
	unsigned int bad_grants; /* grant flag violations */
	bool keep_mapped;	 /* evil: leave data grants mapped */
	bool reply_indirect_op;	 /* answer INDIRECT with it, not 6 */
};

/* Backend nodes for an InitWait backend with @sectors of 512 bytes. */
void tb_nodes(uint64_t sectors);
void tb_node(const char *name, const char *value);
void tb_node_u(const char *name, unsigned long long v);
/* Frontend side: the toolstack's nodes, then xpv_blkfront_create. */
struct xpv_blkfront *tb_create(struct tb *t, const struct xpv_blkfront_opts *o);
void tb_step(struct tb *t);
/* After the frontend published: map rings, go Connected.  0 or -1. */
int tb_connect(struct tb *t);
/* The backend goes away: unmap everything, state @s. */
void tb_vanish(struct tb *t, enum xenbus_state s);

/* Take every request on queue @q (or all queues if @q < 0). */
unsigned int tb_take(struct tb *t, int q);
/* Serve and answer taken request @i with @status (data moved if OKAY). */
void tb_answer(struct tb *t, unsigned int i, int16_t status);
/* Write a raw response on queue @q, push it (no event). */
void tb_put_rsp(struct tb *t, unsigned int q, uint64_t id, uint8_t op,
		int16_t status);
void tb_fire(struct tb *t, unsigned int q);
/* Take and answer everything OKAY, repeatedly, until nothing is left. */
unsigned int tb_serve_all(struct tb *t);
void tb_destroy(struct tb *t);

/* A caller's request with its segments and completion record. */
struct tio {
	struct xpv_blkfront_req r;
	struct xpv_blkfront_seg segs[128];
	int status;
	unsigned int done;
};

/* Guest pages for data (fake_os gives them a gfn). */
void *tb_buf(unsigned int pages);
void tb_buf_free(void *buf, unsigned int pages);
/* Submit @op over @buf (per-page segments); returns submit's result. */
int tio_submit(struct tb *t, struct tio *io, enum xpv_blkfront_op op, void *buf,
	       size_t len, uint64_t sector);
int tio_submit_discard(struct tb *t, struct tio *io, uint64_t sector,
		       uint64_t nr, bool secure);

/* Shared by the test files (test_blkfront.c, with the current backend
 * "t"): a fresh start, and a close that checks nothing leaked. */
void tb_begin(void);
void tb_end(void);
void fill(uint8_t *p, size_t n, unsigned int seed);
struct xpv_blkfront_opts tb_opts(void);

#include <CUnit/CUnit.h>
extern CU_TestInfo tb_evil_tests[];
extern CU_TestInfo tb_reconnect_tests[];

#endif
