/* SPDX-License-Identifier: MIT */
/*
 * xenpv-blkback internals: a daemon (struct bb) serving every vbd device
 * the toolstack put under its backend/vbd, each with 1..N rings.  One
 * thread runs everything from one epoll: the xenstore watch fd, the event
 * channel fd and one libaio eventfd per ring.  Nothing here is shared
 * between threads.
 */
#ifndef XENPV_BLKBACK_H
#define XENPV_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "backend/aio/aio.h"
#include "backend/blkback/blkback_req.h"
#include "backend/xenops.h"

#define BB_MAX_QUEUES 16u
#define BB_DEF_QUEUES 4u
#define BB_DEF_INDIRECT 256u
/* Persistent grants per ring, as Linux's default max_persistent_grants. */
#define BB_DEF_PGRANTS 1056u
#define BB_PATH_MAX 160

struct bb_cfg {
	const char *dir;		/* loopback directory */
	const char *provider;		/* xenops provider, NULL: env */
	int domid;			/* the domain we serve as */
	unsigned int max_ring_order;
	unsigned int max_queues;
	unsigned int max_indirect;	/* 0: no feature-max-indirect-segments */
	unsigned int max_pgrants;	/* 0: no feature-persistent */
	unsigned int sector_size;	/* 512, or 4096 for a 4K-native disk */
	bool null_target;		/* complete I/O without touching the disk */
	bool buffered;			/* never O_DIRECT */
	const char *type;		/* backend/<type>; NULL: vbd */
	bool no_grant_copy;		/* map every request (see gcopy.c) */
};

struct bb_disk {
	int fd;
	uint64_t size;			/* bytes */
	unsigned int lbs, pbs;		/* logical, physical sector size */
	unsigned int discard_gran;
	bool blockdev, direct, discard;
};

/* Epoll tags: what a ready fd is. */
enum bb_ep_kind { BB_EP_XS, BB_EP_EVTCHN, BB_EP_AIO, BB_EP_SIGNAL };
struct bb_ep {
	enum bb_ep_kind kind;
	void *p;
};

struct bb_ring;

struct bb_req {
	struct xpv_aio_req aio;
	struct bb_ring *ring;
	struct bb_req *next_free;
	uint64_t id;
	struct xpv_blkback_io io;
	int stage;			/* of a flush/barrier: see ring.c */
	int16_t status;
	void *map;			/* transient data mapping */
	unsigned int map_count;
	void **page;			/* page of each segment */
	struct blkif_request_segment *seg;	/* our copy of the segments */
	grant_ref_t *refs;		/* grants to map for this request */
	struct iovec *iov;
	unsigned int niov;
	size_t bytes;
	bool copy;			/* data in our pages (gcopy.c) */
};

struct bb_pgrant {
	grant_ref_t ref;
	void *addr;			/* NULL: free slot */
};

struct bb_dev;

struct bb_ring {
	struct bb_dev *dev;
	struct bb_ring *next_port;	/* the daemon's port list */
	unsigned int idx;
	enum xpv_blkif_abi abi;
	union {
		blkif_x86_64_back_ring_t r64;
		blkif_x86_32_back_ring_t r32;
	} br;
	void *sring;
	unsigned int nr_pages;
	evtchn_port_t port;
	bool bound, broken;
	struct xpv_aio *aio;		/* one stage of each request at most */
	struct bb_ep ep;
	struct bb_req *reqs, *free;
	unsigned int nr_reqs;
	struct bb_req *held;		/* waits for nothing in flight */
	struct bb_req *barrier;		/* runs alone */
	bool rsp_ready;
	struct bb_pgrant *pg;		/* open addressing, pg_cap slots */
	unsigned int pg_cap, pg_used, pg_max;
	uint8_t *cbuf;			/* grant copy pages, by request */
	unsigned int cbuf_pages;
	struct xpv_xenops_copy csegs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint64_t nr_reqs_done, nr_errors;
};

struct bb;

struct bb_dev {
	struct bb *bb;
	struct bb_dev *next;
	domid_t fe_domid;
	unsigned int vdev;
	char be_path[BB_PATH_MAX], fe_path[BB_PATH_MAX];
	int state;			/* our XenbusState */
	bool dirty, stale, fe_watched, opened;
	bool readonly, cdrom, removable, persistent;
	uint32_t fe_gen;
	struct bb_disk disk;
	struct xpv_blkback_limits lim;
	unsigned int nr_rings;
	struct bb_ring *rings;
};

struct bb {
	struct bb_cfg cfg;
	struct xpv_xenops *x;
	struct xs_handle *xs;
	int epfd, sigfd;
	struct bb_ep ep_xs, ep_evtchn, ep_sig;
	struct bb_dev *devs;
	struct bb_ring *ports;		/* bound rings, to find one by port */
	char base[BB_PATH_MAX];		/* /local/domain/<self>/backend/vbd */
	bool stop;
};

/* disk.c */
int bb_disk_open(struct bb_disk *d, const char *path, bool readonly,
		 const struct bb_cfg *cfg);
void bb_disk_close(struct bb_disk *d);
int bb_disk_refresh(struct bb_disk *d);
int bb_disk_discard(struct bb_disk *d, uint64_t off, uint64_t len);

/* ring.c */
int bb_ring_connect(struct bb_ring *r, const grant_ref_t *refs,
		    unsigned int nr_pages, evtchn_port_t port);
void bb_ring_disconnect(struct bb_ring *r);
void bb_ring_run(struct bb_ring *r);
void bb_ring_aio_ready(struct bb_ring *r);

/* pgrant.c */
int bb_pgrant_init(struct bb_ring *r, unsigned int max);
void *bb_pgrant_get(struct bb_ring *r, grant_ref_t ref, int *err);
void bb_pgrant_free_all(struct bb_ring *r);

/* gcopy.c */
int bb_gcopy_init(struct bb_ring *r);
void bb_gcopy_free(struct bb_ring *r);
bool bb_gcopy_use(struct bb_req *rq);
int16_t bb_gcopy_in(struct bb_req *rq);
int16_t bb_gcopy_out(struct bb_req *rq);

/* dev.c */
void bb_dev_update(struct bb_dev *dev);
void bb_dev_broken(struct bb_dev *dev, const char *why);
void bb_dev_destroy(struct bb_dev *dev);
struct bb_dev *bb_dev_new(struct bb *bb, domid_t fe, unsigned int vdev);

/* bb.c */
struct bb *bb_new(const struct bb_cfg *cfg, int *err);
void bb_free(struct bb *bb);
int bb_run(struct bb *bb);
int bb_epoll_add(struct bb *bb, int fd, struct bb_ep *ep);
void bb_epoll_del(struct bb *bb, int fd);
void bb_port_add(struct bb *bb, struct bb_ring *r);
void bb_port_del(struct bb *bb, struct bb_ring *r);
void bb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
