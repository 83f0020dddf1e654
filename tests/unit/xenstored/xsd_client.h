/* SPDX-License-Identifier: MIT */
/*
 * A raw xs_wire client for the xenstored suites: an in-process server on a
 * thread, connections as socketpairs, and helpers that return 0 or the
 * errno named by an ERROR reply (-1 when the connection is gone).
 */
#ifndef XENPV_TEST_XSD_CLIENT_H
#define XENPV_TEST_XSD_CLIENT_H

#include "loopback/xenstored/xenstored.h"
#include "xenpv/xs_wire.h"

#define TC_MAX_EVENTS 64

struct tcli {
	int fd;
	uint32_t req;
	unsigned int nev;
	struct xpv_xs_msg *ev[TC_MAX_EVENTS];
	struct xpv_xs_msg reply;
};

extern struct xsd *tsrv;
extern struct xsd_limits tsrv_lim;

int tsrv_start(void);
int tsrv_stop(void);

struct tcli *tcli_new(unsigned int domid);
void tcli_free(struct tcli *c);
/* Sends a raw header + body; 0 or -1. */
int tcli_send_raw(struct tcli *c, const struct xsd_sockmsg *h,
		  const void *body, uint32_t len);
/* Next message of any kind (waits; -1 on EOF or after a long stall). */
int tcli_recv(struct tcli *c, struct xpv_xs_msg *m);
/* Request/reply; events met on the way are kept. Reply in c->reply. */
int tcli_call(struct tcli *c, uint32_t type, uint32_t tx, const void *body,
	      uint32_t len);
/* Body from strings: each with its NUL, then @raw (no NUL). */
int tcli_callv(struct tcli *c, uint32_t type, uint32_t tx, const char *s1,
	       const char *s2, const char *raw);

int t_write(struct tcli *c, uint32_t tx, const char *path, const char *val);
int t_read(struct tcli *c, uint32_t tx, const char *path, char *out);
int t_mkdir(struct tcli *c, uint32_t tx, const char *path);
int t_rm(struct tcli *c, uint32_t tx, const char *path);
int t_perms(struct tcli *c, uint32_t tx, const char *path, const char *perms);
int t_watch(struct tcli *c, const char *path, const char *token);
int t_unwatch(struct tcli *c, const char *path, const char *token);
int t_txstart(struct tcli *c, uint32_t *tx);
int t_txend(struct tcli *c, uint32_t tx, bool commit);
/* Next watch event into @path/@token (waits); 0 or -1. */
int t_event(struct tcli *c, char *path, char *token);
/* Round trip, then true if no event is pending. */
bool t_no_event(struct tcli *c);
/* Is the connection closed by the server (EOF, after any pending data)? */
bool t_closed(struct tcli *c);

#endif
