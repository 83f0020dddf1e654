/* SPDX-License-Identifier: MIT */
/*
 * The loopback xenstored: the real xs_wire protocol over unix sockets, one
 * in-memory store, single-threaded poll() loop.  Every connection is a
 * domain (dom0 unless a hook says otherwise) and everything it sends is
 * hostile.
 */
#ifndef XENPV_LOOPBACK_XENSTORED_H
#define XENPV_LOOPBACK_XENSTORED_H

#include <stdbool.h>
#include <stddef.h>

struct xsd;

struct xsd_hooks {
	/* domid of the process at the other end of a socket (SO_PEERCRED
	 * pid); -1 = not a domain -> dom0 */
	int (*domid_of_pid)(void *arg, int pid);
	/* does this domid exist (INTRODUCE validation)? NULL = any */
	bool (*domain_exists)(void *arg, unsigned int domid);
	void *arg;
};

struct xsd_limits {
	unsigned int nodes_per_domain;	/* ENOSPC past it (not dom0) */
	unsigned int watches_per_conn;	/* E2BIG past it */
	unsigned int tx_per_conn;	/* ENOSPC past it */
	unsigned int tx_nodes;		/* nodes one transaction may touch */
	unsigned int perms_per_node;	/* ENOSPC past it (not dom0) */
	unsigned int max_payload;	/* <= XENSTORE_PAYLOAD_MAX; past: close */
	size_t max_out_bytes;		/* queued output per connection */
	unsigned int max_conns;		/* accepted sockets past it: closed */
};

void xsd_limits_default(struct xsd_limits *lim);

/* @lim, @hooks: copied; NULL = defaults / no hooks. */
struct xsd *xsd_new(const struct xsd_limits *lim,
		    const struct xsd_hooks *hooks);
/* Listens on @socket_path (a stale socket there is unlinked first). */
int xsd_listen(struct xsd *x, const char *socket_path);
/* Serves @fd (e.g. one end of a socketpair) as domain @domid; owns @fd. */
int xsd_add_connection(struct xsd *x, int fd, unsigned int domid);
/* Runs the poll loop until *stop (may be NULL) or xsd_stop(). 0 or -errno. */
int xsd_run(struct xsd *x, volatile int *stop);
/* Thread-safe. */
void xsd_stop(struct xsd *x);
/* Thread-safe: domain @domid died; handled like RELEASE by the loop. */
void xsd_domain_released(struct xsd *x, unsigned int domid);
void xsd_free(struct xsd *x);

/*
 * In-process connections without a socket (fuzzing, tests): bytes go in
 * through xsd_feed, replies pile up until xsd_drain discards them.
 * xsd_feed returns 0, or -EPIPE once the connection has been dropped.
 */
struct xsd_conn;
struct xsd_conn *xsd_conn_virtual(struct xsd *x, unsigned int domid);
int xsd_feed(struct xsd *x, struct xsd_conn *c, const void *data, size_t len);
size_t xsd_drain(struct xsd *x, struct xsd_conn *c);

#endif
