// SPDX-License-Identifier: MIT
/* The raw xs_wire test client, see xsd_client.h. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/xenstored/xsd_client.h"

/* Only a guard against a hung server; never a measured time. */
#define TC_STALL_MS 20000

struct xsd *tsrv;
struct xsd_limits tsrv_lim;
static pthread_t tsrv_thread;

static void *tsrv_main(void *arg)
{
	xsd_run(tsrv, NULL);
	return NULL;
}

static bool tsrv_domain_exists(void *arg, unsigned int domid)
{
	return domid < 100;
}

int tsrv_start(void)
{
	static const struct xsd_hooks hooks = {
		.domain_exists = tsrv_domain_exists,
	};

	tsrv = xsd_new(&tsrv_lim, &hooks);
	if (!tsrv)
		return -1;
	if (pthread_create(&tsrv_thread, NULL, tsrv_main, NULL)) {
		xsd_free(tsrv);
		return -1;
	}
	return 0;
}

int tsrv_stop(void)
{
	xsd_stop(tsrv);
	pthread_join(tsrv_thread, NULL);
	xsd_free(tsrv);
	tsrv = NULL;
	return 0;
}

struct tcli *tcli_new(unsigned int domid)
{
	struct tcli *c = calloc(1, sizeof(*c));
	int sv[2];

	if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		free(c);
		return NULL;
	}
	if (xsd_add_connection(tsrv, sv[1], domid)) {
		close(sv[0]);
		free(c);
		return NULL;
	}
	c->fd = sv[0];
	return c;
}

void tcli_free(struct tcli *c)
{
	if (!c)
		return;
	while (c->nev)
		free(c->ev[--c->nev]);
	close(c->fd);
	free(c);
}

static int tc_io(struct tcli *c, void *buf, size_t len, bool out)
{
	struct pollfd p = { .fd = c->fd, .events = out ? POLLOUT : POLLIN };
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (poll(&p, 1, TC_STALL_MS) != 1)
			return -1;
		if (out)
			n = send(c->fd, (char *)buf + done, len - done,
				 MSG_NOSIGNAL);
		else
			n = read(c->fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

int tcli_send_raw(struct tcli *c, const struct xsd_sockmsg *h,
		  const void *body, uint32_t len)
{
	if (tc_io(c, (void *)h, sizeof(*h), true))
		return -1;
	return len ? tc_io(c, (void *)body, len, true) : 0;
}

int tcli_recv(struct tcli *c, struct xpv_xs_msg *m)
{
	if (tc_io(c, &m->hdr, sizeof(m->hdr), false) ||
	    m->hdr.len > XENSTORE_PAYLOAD_MAX ||
	    tc_io(c, m->body, m->hdr.len, false))
		return -1;
	m->body[m->hdr.len] = '\0';
	return 0;
}

static int tc_keep_event(struct tcli *c, const struct xpv_xs_msg *m)
{
	struct xpv_xs_msg *e;

	if (c->nev == TC_MAX_EVENTS)
		return -1;
	e = malloc(sizeof(*e));
	if (!e)
		return -1;
	memcpy(e, m, sizeof(*e));
	c->ev[c->nev++] = e;
	return 0;
}

int tcli_call(struct tcli *c, uint32_t type, uint32_t tx, const void *body,
	      uint32_t len)
{
	struct xsd_sockmsg h = { type, ++c->req, tx, len };

	if (tcli_send_raw(c, &h, body, len))
		return -1;
	for (;;) {
		if (tcli_recv(c, &c->reply))
			return -1;
		if (c->reply.hdr.type != XS_WATCH_EVENT)
			break;
		if (tc_keep_event(c, &c->reply))
			return -1;
	}
	if (c->reply.hdr.req_id != h.req_id || c->reply.hdr.tx_id != tx)
		return -1;
	if (c->reply.hdr.type == XS_ERROR)
		return xpv_xs_errno_from_name(c->reply.body, c->reply.hdr.len);
	return c->reply.hdr.type == type ? 0 : -1;
}

int tcli_callv(struct tcli *c, uint32_t type, uint32_t tx, const char *s1,
	       const char *s2, const char *raw)
{
	static char body[XENSTORE_PAYLOAD_MAX * 2];
	size_t len = 0;

	if (s1) {
		memcpy(body, s1, strlen(s1) + 1);
		len += strlen(s1) + 1;
	}
	if (s2) {
		memcpy(body + len, s2, strlen(s2) + 1);
		len += strlen(s2) + 1;
	}
	if (raw) {
		memcpy(body + len, raw, strlen(raw));
		len += strlen(raw);
	}
	return tcli_call(c, type, tx, body, (uint32_t)len);
}

int t_write(struct tcli *c, uint32_t tx, const char *path, const char *val)
{
	return tcli_callv(c, XS_WRITE, tx, path, NULL, val);
}

int t_read(struct tcli *c, uint32_t tx, const char *path, char *out)
{
	int err = tcli_callv(c, XS_READ, tx, path, NULL, NULL);

	if (!err && out)
		memcpy(out, c->reply.body, c->reply.hdr.len + 1);
	return err;
}

int t_mkdir(struct tcli *c, uint32_t tx, const char *path)
{
	return tcli_callv(c, XS_MKDIR, tx, path, NULL, NULL);
}

int t_rm(struct tcli *c, uint32_t tx, const char *path)
{
	return tcli_callv(c, XS_RM, tx, path, NULL, NULL);
}

/* @perms: space-separated, e.g. "n0 r5". */
int t_perms(struct tcli *c, uint32_t tx, const char *path, const char *perms)
{
	char body[512];
	size_t len = strlen(path) + 1, i;

	memcpy(body, path, len);
	for (i = 0; perms[i]; i++)
		body[len++] = perms[i] == ' ' ? '\0' : perms[i];
	body[len++] = '\0';
	return tcli_call(c, XS_SET_PERMS, tx, body, (uint32_t)len);
}

int t_watch(struct tcli *c, const char *path, const char *token)
{
	return tcli_callv(c, XS_WATCH, 0, path, token, NULL);
}

int t_unwatch(struct tcli *c, const char *path, const char *token)
{
	return tcli_callv(c, XS_UNWATCH, 0, path, token, NULL);
}

int t_txstart(struct tcli *c, uint32_t *tx)
{
	int err = tcli_call(c, XS_TRANSACTION_START, 0, "", 1);

	if (!err)
		*tx = (uint32_t)strtoul(c->reply.body, NULL, 10);
	return err;
}

int t_txend(struct tcli *c, uint32_t tx, bool commit)
{
	return tcli_call(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2);
}

int t_event(struct tcli *c, char *path, char *token)
{
	struct xpv_xs_msg *m;
	const char *f[2];

	if (!c->nev) {
		if (tcli_recv(c, &c->reply) ||
		    c->reply.hdr.type != XS_WATCH_EVENT ||
		    tc_keep_event(c, &c->reply))
			return -1;
	}
	m = c->ev[0];
	memmove(c->ev, c->ev + 1, --c->nev * sizeof(c->ev[0]));
	if (xpv_xs_split(m->body, m->hdr.len, f, 2) != 2 ||
	    m->hdr.req_id || m->hdr.tx_id) {
		free(m);
		return -1;
	}
	strcpy(path, f[0]);
	strcpy(token, f[1]);
	free(m);
	return 0;
}

bool t_no_event(struct tcli *c)
{
	if (tcli_callv(c, XS_GET_DOMAIN_PATH, 0, "0", NULL, NULL))
		return false;
	return c->nev == 0;
}

bool t_closed(struct tcli *c)
{
	struct xpv_xs_msg *m = malloc(sizeof(*m));
	bool closed;

	/* Whatever was queued before the close may still come first. */
	while (m && !tcli_recv(c, m))
		;
	closed = m && recv(c->fd, m, 1, MSG_DONTWAIT) == 0;
	free(m);
	return closed;
}
