/* SPDX-License-Identifier: MIT */
/* Internals of the loopback xenstored, shared by its files only. */
#ifndef XENPV_LOOPBACK_XSD_PRIV_H
#define XENPV_LOOPBACK_XSD_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "xenpv/xs_wire.h"
#include "loopback/xenstored/xenstored.h"

#define XSD_PRIV_DOMID 0u
#define XSD_NR_DOMIDS 65536u
#define XSD_DOM_PATH "/local/domain"
/* Canonical paths, plus room for a NUL. */
#define XSD_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)

/* perm_for() result bit beside XPV_XS_PERM_READ/WRITE. */
#define XSD_PERM_OWNER 4u

/* ---- store: nodes by canonical path ---------------------------------- */

enum xsd_tx_state {
	XSD_TX_CLEAN,	/* copy read from the store */
	XSD_TX_DIRTY,	/* changed (or deleted) in the transaction */
};

struct xsd_node {
	struct xsd_node *hnext;
	char *path;
	uint64_t gen;		/* store generation of the last change */
	uint32_t nperms;	/* >= 1: perms[0] is owner + default */
	struct xpv_xs_perm *perms;
	uint32_t vlen;
	char *value;
	uint32_t clen;		/* children: NUL-terminated names */
	char *children;
	/* Transaction copies only. */
	uint64_t base_gen;	/* store gen when first seen, 0 = absent */
	bool absent;		/* tombstone: read absent, or deleted */
	uint8_t tx_state;
};

struct xsd_map {
	struct xsd_node **b;
	size_t nb, n;
};

struct xsd_node *xsd_map_get(const struct xsd_map *m, const char *path);
int xsd_map_put(struct xsd_map *m, struct xsd_node *n);
struct xsd_node *xsd_map_take(struct xsd_map *m, const char *path);
void xsd_map_clear(struct xsd_map *m);

struct xsd_node *xsd_node_new(const char *path);
struct xsd_node *xsd_node_dup(const struct xsd_node *n);
void xsd_node_free(struct xsd_node *n);
int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len);
int xsd_node_set_perms(struct xsd_node *n, const struct xpv_xs_perm *p,
		       uint32_t np);
int xsd_node_add_child(struct xsd_node *n, const char *name);
void xsd_node_del_child(struct xsd_node *n, const char *name);
unsigned int xsd_node_owner(const struct xsd_node *n);

/* ---- connections, watches, transactions ------------------------------ */

struct xsd_out {
	struct xsd_out *next;
	uint32_t len;		/* header + body */
	bool event;
	char data[];
};

struct xsd_watch {
	struct xsd_watch *next;
	char *path;		/* canonical */
	char *token;
	uint32_t prefix_len;	/* bytes cut from event paths (relative) */
};

struct xsd_event {
	struct xsd_event *next;
	bool exact;
	uint32_t nperms;	/* perms the node had, for the read check */
	struct xpv_xs_perm *perms;
	char path[];
};

struct xsd_tx {
	struct xsd_tx *next;
	uint32_t id;
	struct xsd_map nodes;
	unsigned int touched;
	int own_delta;		/* nodes owned by the conn's domain, +/- */
	struct xsd_event *ev_head, *ev_tail;
	unsigned int nev;
};

struct xsd_conn {
	struct xsd_conn *next;
	struct xsd *x;
	int fd;			/* -1: virtual */
	unsigned int domid;
	bool dead;
	struct xpv_xs_reader rd;
	char in[4096];
	uint32_t in_off, in_len;
	struct xsd_out *out_head, *out_tail;
	size_t out_bytes;
	uint32_t out_sent;	/* bytes of out_head already written */
	struct xsd_watch *watches;
	unsigned int nwatches;
	struct xsd_tx *txs;
	unsigned int ntx;
	uint32_t next_txid;
};

struct xsd {
	struct xsd_limits lim;
	struct xsd_hooks hooks;
	struct xsd_map store;
	uint64_t gen;
	uint32_t *dom_nodes;	/* [XSD_NR_DOMIDS] nodes owned */
	uint8_t *introduced;	/* [XSD_NR_DOMIDS / 8] */
	struct xsd_conn *conns;
	unsigned int nconns;
	int listen_fd;
	char *sock_path;
	int wake_fd;
	pthread_mutex_t lock;
	bool stop_req;
	uint8_t *released;	/* [XSD_NR_DOMIDS / 8] from other threads */
	bool any_released;
	struct xsd_pending *pending;	/* new connections, ditto */
};

/* A request being handled, and the view of the store it works on. */
struct xsd_req {
	struct xsd *x;
	struct xsd_conn *c;
	struct xsd_tx *tx;	/* NULL: the store itself */
	const struct xsd_sockmsg *hdr;
	const char *body;
	uint32_t len;
};

/* store.c */
int xsd_store_init(struct xsd *x);
void xsd_store_count(struct xsd *x, unsigned int owner, int delta);
bool xsd_is_priv(const struct xsd_conn *c);
unsigned int xsd_perm_for(const struct xsd_conn *c,
			  const struct xpv_xs_perm *p, uint32_t np);
int xsd_canon(const struct xsd_conn *c, const char *in, bool special,
	      char *out);
const char *xsd_parent(const char *path, char *buf);

/* view.c: the store, or a transaction's view of it */
struct xsd_node *xsd_view_get(struct xsd_req *r, const char *path, int *err);
int xsd_view_touch(struct xsd_req *r, struct xsd_node *n);
int xsd_view_insert(struct xsd_req *r, struct xsd_node *n);
int xsd_view_delete(struct xsd_req *r, const char *path);
int xsd_view_chown(struct xsd_req *r, unsigned int from, unsigned int to);
unsigned int xsd_view_quota_used(struct xsd_req *r);

/* transaction.c */
int xsd_tx_start(struct xsd_conn *c, uint32_t *id);
struct xsd_tx *xsd_tx_find(struct xsd_conn *c, uint32_t id);
int xsd_tx_end(struct xsd_conn *c, struct xsd_tx *t, bool commit);
void xsd_tx_free_all(struct xsd_conn *c);
int xsd_tx_queue_event(struct xsd *x, struct xsd_tx *t, const char *path,
		       bool exact, const struct xsd_node *n);

/* watch.c */
void xsd_fire(struct xsd *x, const char *path, bool exact,
	      const struct xpv_xs_perm *perms, uint32_t np);
void xsd_fire_req(struct xsd_req *r, const char *path, bool exact,
		  const struct xsd_node *n);
int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token,
		  bool relative, struct xsd_watch **out);
void xsd_watch_initial(struct xsd_conn *c, const struct xsd_watch *w);
int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token);
void xsd_watch_free_all(struct xsd_conn *c);

/* conn.c */
struct xsd_conn *xsd_conn_new(struct xsd *x, int fd, unsigned int domid);
void xsd_conn_kill(struct xsd_conn *c);
void xsd_conn_reap(struct xsd *x);
int xsd_conn_send(struct xsd_conn *c, uint32_t type, uint32_t req_id,
		  uint32_t tx_id, const void *a, uint32_t alen, const void *b,
		  uint32_t blen, bool event);
void xsd_conn_process(struct xsd_conn *c);
bool xsd_conn_want_read(const struct xsd_conn *c);
int xsd_conn_read(struct xsd_conn *c);
int xsd_conn_write(struct xsd_conn *c);

/* ops.c, ops_ctl.c */
void xsd_handle(struct xsd_conn *c, const struct xpv_xs_msg *m);
int xsd_reply(struct xsd_req *r, uint32_t type, const void *d, uint32_t len);
int xsd_reply_ok(struct xsd_req *r);
const char *xsd_onearg(const struct xsd_req *r);
int xsd_op_read(struct xsd_req *r);
int xsd_op_write(struct xsd_req *r);
int xsd_op_mkdir(struct xsd_req *r);
int xsd_op_rm(struct xsd_req *r);
int xsd_op_directory(struct xsd_req *r);
int xsd_op_directory_part(struct xsd_req *r);
int xsd_op_get_perms(struct xsd_req *r);
int xsd_op_set_perms(struct xsd_req *r);
int xsd_op_watch(struct xsd_req *r);
int xsd_op_unwatch(struct xsd_req *r);
int xsd_op_tx_start(struct xsd_req *r);
int xsd_op_tx_end(struct xsd_req *r);
int xsd_op_introduce(struct xsd_req *r);
int xsd_op_release(struct xsd_req *r);
int xsd_op_resume(struct xsd_req *r);
int xsd_op_get_domain_path(struct xsd_req *r);
int xsd_op_is_introduced(struct xsd_req *r);
int xsd_op_reset_watches(struct xsd_req *r);
int xsd_op_control(struct xsd_req *r);

/* xenstored.c */
void xsd_release_domain(struct xsd *x, unsigned int domid);

static inline bool xsd_bit(const uint8_t *map, unsigned int i)
{
	return map[i / 8] & (1u << (i % 8));
}

static inline void xsd_set_bit(uint8_t *map, unsigned int i, bool on)
{
	if (on)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

#endif
