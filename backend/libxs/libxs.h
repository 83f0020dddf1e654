/* SPDX-License-Identifier: MIT */
/*
 * Internals of the libxenstore-compatible client.  The public API is Debian's
 * <xenstore.h>; everything here stays local to the library (libxs.map).
 *
 * Locking: req_lock serialises requests (one in flight per handle); lock
 * guards the reply slot, the watch queue, the watch pipe and the dead state.
 * Order: req_lock, then lock.  Who reads the socket: the reader thread once
 * it exists (started by the first xs_watch), before that the caller holding
 * req_lock.
 */
#ifndef XENPV_LIBXS_H
#define XENPV_LIBXS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xenstore.h>

#include "xenpv/xs_wire.h"

/* The daemon may queue this much for us before we drop watch events. */
#define XPV_LIBXS_WATCH_QUEUE_MAX 65536u
#define XPV_LIBXS_WATCH_BYTES_MAX (16u << 20)
/* A DIRECTORY_PART listing is restarted at most this often. */
#define XPV_LIBXS_DIR_PART_RESTARTS 16
/* Upper bound of a listing assembled from DIRECTORY_PART chunks. */
#define XPV_LIBXS_DIR_PART_MAX (16u << 20)

struct xpv_libxs_wev {
	struct xpv_libxs_wev *next;
	uint32_t len;
	char body[];	/* "path\0token\0", validated */
};

struct xs_handle {
	int fd;
	bool is_socket;
	bool unwatch_filter;

	pthread_mutex_t req_lock;
	pthread_mutex_t lock;
	pthread_cond_t reply_cv;
	pthread_cond_t watch_cv;

	/* Under lock: the one outstanding request and its reply. */
	bool waiting;
	uint32_t req_id;
	uint32_t next_req_id;
	char *reply;
	uint32_t reply_len;
	uint32_t reply_type;
	int reply_err;
	int dead;		/* 0, or the errno every later call gets */

	/* Under lock: fired watches, oldest first. */
	struct xpv_libxs_wev *wq_head, *wq_tail;
	uint32_t wq_count;
	uint32_t wq_bytes;
	uint64_t wq_dropped;
	int watch_pipe[2];
	bool pipe_marked;	/* the pipe holds its one byte */

	/* Reader: the thread, or the req_lock holder while there is none. */
	bool thread_running;
	pthread_t thread;
	int stop_pipe[2];
	struct xpv_xs_reader rd;
	uint32_t in_pos, in_len;
	char in[4096];
};

/* xs_conn.c */
struct xs_handle *xpv_libxs_open_fd(int fd, bool is_socket);
int xpv_libxs_read_msg(struct xs_handle *h, bool poll_stop);
int xpv_libxs_dispatch(struct xs_handle *h);
void xpv_libxs_fail(struct xs_handle *h, int err);
int xpv_libxs_start_reader(struct xs_handle *h);
void *xpv_libxs_talk(struct xs_handle *h, struct xpv_xs_msg *req,
		     unsigned int *len);
void *xpv_libxs_single(struct xs_handle *h, xs_transaction_t t,
		       uint32_t type, const char *arg, unsigned int *len);
bool xpv_libxs_one_string(const char *body, uint32_t len);

/* xs_watch.c */
void xpv_libxs_queue_event(struct xs_handle *h, const char *body,
			   uint32_t len);
void xpv_libxs_free_events(struct xs_handle *h);
void xpv_libxs_pipe_sync(struct xs_handle *h);

/* Free without disturbing errno. */
void xpv_libxs_free(void *p);

#endif
