// SPDX-License-Identifier: MIT
/*
 * Connections: the byte stream in (through the xs_wire reader), the queue
 * of messages out.  The queue is bounded: past max_out_bytes watch events
 * are dropped and no more requests are read, so a peer that never reads
 * costs a bounded amount of memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback/xenstored/xsd_priv.h"

struct xsd_conn *xsd_conn_new(struct xsd *x, int fd, unsigned int domid)
{
	struct xsd_conn *c = calloc(1, sizeof(*c)), **pp;

	if (!c)
		return NULL;
	c->x = x;
	c->fd = fd;
	c->domid = domid;
	c->next_txid = 1;
	xpv_xs_reader_init(&c->rd, x->lim.max_payload);
	for (pp = &x->conns; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	x->nconns++;
	return c;
}

static void xsd_conn_drop_output(struct xsd_conn *c)
{
	struct xsd_out *o;

	while ((o = c->out_head)) {
		c->out_head = o->next;
		free(o);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
	c->out_sent = 0;
}

/* Forget the peer now; the memory goes at the next reap. */
void xsd_conn_kill(struct xsd_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	xsd_watch_free_all(c);
	xsd_tx_free_all(c);
	xsd_conn_drop_output(c);
}

void xsd_conn_reap(struct xsd *x)
{
	struct xsd_conn **pp = &x->conns, *c;

	while ((c = *pp)) {
		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		x->nconns--;
		if (c->fd >= 0)
			close(c->fd);
		free(c);
	}
}

int xsd_conn_send(struct xsd_conn *c, uint32_t type, uint32_t req_id,
		  uint32_t tx_id, const void *a, uint32_t alen, const void *b,
		  uint32_t blen, bool event)
{
	struct xsd_sockmsg hdr = { type, req_id, tx_id, alen + blen };
	uint32_t len = XPV_XS_HDR_SIZE + alen + blen;
	struct xsd_out *o;

	if (c->dead)
		return -EPIPE;
	if (alen > XENSTORE_PAYLOAD_MAX || blen > XENSTORE_PAYLOAD_MAX - alen)
		return -E2BIG;
	/* Spurious and lost events are the watch contract; memory is not. */
	if (event && c->out_bytes + len > c->x->lim.max_out_bytes)
		return -ENOBUFS;
	o = malloc(sizeof(*o) + len);
	if (!o)
		return -ENOMEM;
	o->next = NULL;
	o->len = len;
	o->event = event;
	memcpy(o->data, &hdr, sizeof(hdr));
	if (alen)
		memcpy(o->data + sizeof(hdr), a, alen);
	if (blen)
		memcpy(o->data + sizeof(hdr) + alen, b, blen);
	if (c->out_tail)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	c->out_bytes += len;
	return 0;
}

/* Handles the buffered input while the output queue has room. */
void xsd_conn_process(struct xsd_conn *c)
{
	bool complete;
	int n;

	while (!c->dead && c->in_off < c->in_len &&
	       c->out_bytes < c->x->lim.max_out_bytes) {
		n = xpv_xs_reader_feed(&c->rd, c->in + c->in_off,
				       c->in_len - c->in_off, &complete);
		if (n < 0) {
			/* Oversized: the real one drops such a peer too. */
			xsd_conn_kill(c);
			return;
		}
		c->in_off += (uint32_t)n;
		if (complete) {
			xsd_handle(c, &c->rd.msg);
			xpv_xs_reader_reset(&c->rd);
		}
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
}

bool xsd_conn_want_read(const struct xsd_conn *c)
{
	return !c->dead && c->in_len == 0 &&
	       c->out_bytes < c->x->lim.max_out_bytes;
}

int xsd_conn_read(struct xsd_conn *c)
{
	ssize_t n;

	if (!xsd_conn_want_read(c))
		return 0;
	n = read(c->fd, c->in, sizeof(c->in));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		xsd_conn_kill(c);
		return n ? -errno : -ECONNRESET;
	}
	c->in_off = 0;
	c->in_len = (uint32_t)n;
	xsd_conn_process(c);
	return 0;
}

int xsd_conn_write(struct xsd_conn *c)
{
	struct xsd_out *o;
	ssize_t n;

	while (!c->dead && (o = c->out_head)) {
		n = send(c->fd, o->data + c->out_sent, o->len - c->out_sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			xsd_conn_kill(c);
			return -EPIPE;
		}
		c->out_sent += (uint32_t)n;
		if (c->out_sent < o->len)
			continue;
		c->out_head = o->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->out_bytes -= o->len;
		c->out_sent = 0;
		free(o);
	}
	/* Room again: requests held back by a full queue can go on. */
	xsd_conn_process(c);
	return 0;
}

struct xsd_conn *xsd_conn_virtual(struct xsd *x, unsigned int domid)
{
	if (domid >= XSD_NR_DOMIDS)
		return NULL;
	return xsd_conn_new(x, -1, domid);
}

size_t xsd_drain(struct xsd *x, struct xsd_conn *c)
{
	size_t bytes = c->out_bytes;

	xsd_conn_drop_output(c);
	return bytes;
}

int xsd_feed(struct xsd *x, struct xsd_conn *c, const void *data, size_t len)
{
	const char *p = data;
	size_t n;

	while (!c->dead && (len || c->in_len)) {
		if (c->in_len == 0) {
			n = len < sizeof(c->in) ? len : sizeof(c->in);
			memcpy(c->in, p, n);
			c->in_off = 0;
			c->in_len = (uint32_t)n;
			p += n;
			len -= n;
		}
		xsd_conn_process(c);
		/* Nobody reads a virtual connection: never stall on it. */
		if (c->in_len)
			xsd_conn_drop_output(c);
	}
	return c->dead ? -EPIPE : 0;
}
