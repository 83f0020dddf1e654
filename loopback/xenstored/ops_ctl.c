// SPDX-License-Identifier: MIT
/*
 * Dispatch of one request, and the requests that are not about nodes:
 * watches, transactions, domains, CONTROL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loopback/xenstored/xsd_priv.h"

int xsd_reply(struct xsd_req *r, uint32_t type, const void *d, uint32_t len)
{
	int err = xsd_conn_send(r->c, type, r->hdr->req_id, r->hdr->tx_id, d,
				len, NULL, 0, false);

	/* A dead peer needs no error reply; a too-long one does. */
	return err == -E2BIG ? err : 0;
}

int xsd_reply_ok(struct xsd_req *r)
{
	return xsd_reply(r, r->hdr->type, "OK", sizeof("OK"));
}

/* The body as exactly one NUL-terminated string, or NULL. */
const char *xsd_onearg(const struct xsd_req *r)
{
	if (!r->len || memchr(r->body, '\0', r->len) != r->body + r->len - 1)
		return NULL;
	return r->body;
}

static int xsd_domid_arg(const char *s, unsigned int *domid)
{
	uint64_t v;

	if (!s || xpv_xs_parse_uint(s, strlen(s), XSD_NR_DOMIDS - 1, &v))
		return -EINVAL;
	*domid = (unsigned int)v;
	return 0;
}

/* A domain INTRODUCE/RELEASE may name: not dom0, not DOMID_SELF & co. */
static int xsd_real_domid_arg(const char *s, unsigned int *domid)
{
	if (xsd_domid_arg(s, domid))
		return -EINVAL;
	return *domid == 0 || *domid >= DOMID_FIRST_RESERVED ? -EINVAL : 0;
}

int xsd_op_watch(struct xsd_req *r)
{
	char path[XSD_PATH_BUF];
	struct xsd_watch *w;
	const char *f[2];
	int err;

	if (xpv_xs_split(r->body, r->len, f, 2) != 2)
		return -EINVAL;
	err = xsd_canon(r->c, f[0], true, path);
	if (!err)
		err = xsd_watch_add(r->c, path, f[1],
				    f[0][0] != '/' && f[0][0] != '@', &w);
	if (err)
		return err;
	err = xsd_reply_ok(r);
	xsd_watch_initial(r->c, w);
	return err;
}

int xsd_op_unwatch(struct xsd_req *r)
{
	char path[XSD_PATH_BUF];
	const char *f[2];
	int err;

	if (xpv_xs_split(r->body, r->len, f, 2) != 2)
		return -EINVAL;
	err = xsd_canon(r->c, f[0], true, path);
	if (!err)
		err = xsd_watch_del(r->c, path, f[1]);
	return err ? err : xsd_reply_ok(r);
}

int xsd_op_tx_start(struct xsd_req *r)
{
	char id[16];
	uint32_t tid;
	int err;

	/* No nested transactions. */
	if (r->tx)
		return -EBUSY;
	err = xsd_tx_start(r->c, &tid);
	if (err)
		return err;
	snprintf(id, sizeof(id), "%u", tid);
	return xsd_reply(r, XS_TRANSACTION_START, id, strlen(id) + 1);
}

int xsd_op_tx_end(struct xsd_req *r)
{
	const char *arg = xsd_onearg(r);
	int err;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	if (!r->tx)
		return -ENOENT;
	err = xsd_tx_end(r->c, r->tx, arg[0] == 'T');
	r->tx = NULL;
	return err ? err : xsd_reply_ok(r);
}

int xsd_op_introduce(struct xsd_req *r)
{
	const char *f[3];
	unsigned int domid;
	uint64_t v;
	int n = xpv_xs_split(r->body, r->len, f, 3);

	if (n < 3 || xsd_real_domid_arg(f[0], &domid))
		return -EINVAL;
	/* The mfn is signed decimal on the wire; only its syntax matters. */
	if (xpv_xs_parse_uint(f[1] + (f[1][0] == '-'),
			      strlen(f[1] + (f[1][0] == '-')), INT64_MAX, &v) ||
	    xpv_xs_parse_uint(f[2], strlen(f[2]), UINT32_MAX, &v))
		return -EINVAL;
	if (r->x->hooks.domain_exists &&
	    !r->x->hooks.domain_exists(r->x->hooks.arg, domid))
		return -ENOENT;
	if (!xsd_bit(r->x->introduced, domid)) {
		xsd_set_bit(r->x->introduced, domid, true);
		xsd_fire(r->x, "@introduceDomain", false, NULL, 0);
	}
	return xsd_reply_ok(r);
}

int xsd_op_release(struct xsd_req *r)
{
	unsigned int domid;

	if (xsd_real_domid_arg(xsd_onearg(r), &domid))
		return -EINVAL;
	if (!xsd_bit(r->x->introduced, domid))
		return -ENOENT;
	xsd_release_domain(r->x, domid);
	return xsd_reply_ok(r);
}

int xsd_op_resume(struct xsd_req *r)
{
	unsigned int domid;

	if (xsd_real_domid_arg(xsd_onearg(r), &domid))
		return -EINVAL;
	return xsd_bit(r->x->introduced, domid) ? xsd_reply_ok(r) : -ENOENT;
}

int xsd_op_get_domain_path(struct xsd_req *r)
{
	char path[32];
	unsigned int domid;

	if (xsd_domid_arg(xsd_onearg(r), &domid))
		return -EINVAL;
	snprintf(path, sizeof(path), XSD_DOM_PATH "/%u", domid);
	return xsd_reply(r, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
}

int xsd_op_is_introduced(struct xsd_req *r)
{
	unsigned int domid;
	bool yes;

	if (xsd_domid_arg(xsd_onearg(r), &domid))
		return -EINVAL;
	yes = domid == 0 || xsd_bit(r->x->introduced, domid);
	return xsd_reply(r, XS_IS_DOMAIN_INTRODUCED, yes ? "T" : "F", 2);
}

int xsd_op_reset_watches(struct xsd_req *r)
{
	xsd_watch_free_all(r->c);
	xsd_tx_free_all(r->c);
	r->tx = NULL;
	return xsd_reply_ok(r);
}

int xsd_op_control(struct xsd_req *r)
{
	static const char help[] = "check\nhelp\nprint <string>\n";
	const char *f[1];

	if (xpv_xs_split(r->body, r->len, f, 1) < 1)
		return -EINVAL;
	if (!strcmp(f[0], "help"))
		return xsd_reply(r, XS_CONTROL, help, sizeof(help));
	if (!strcmp(f[0], "check") || !strcmp(f[0], "print"))
		return xsd_reply_ok(r);
	return -EINVAL;
}

#define XSD_PRIV_ONLY 1u
#define XSD_NO_TXID 2u

static const struct {
	int (*fn)(struct xsd_req *r);
	unsigned int flags;
} xsd_ops[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { xsd_op_control, XSD_PRIV_ONLY },
	[XS_DIRECTORY] = { xsd_op_directory, 0 },
	[XS_READ] = { xsd_op_read, 0 },
	[XS_GET_PERMS] = { xsd_op_get_perms, 0 },
	[XS_WATCH] = { xsd_op_watch, XSD_NO_TXID },
	[XS_UNWATCH] = { xsd_op_unwatch, XSD_NO_TXID },
	[XS_TRANSACTION_START] = { xsd_op_tx_start, 0 },
	[XS_TRANSACTION_END] = { xsd_op_tx_end, 0 },
	[XS_INTRODUCE] = { xsd_op_introduce, XSD_PRIV_ONLY },
	[XS_RELEASE] = { xsd_op_release, XSD_PRIV_ONLY },
	[XS_GET_DOMAIN_PATH] = { xsd_op_get_domain_path, 0 },
	[XS_WRITE] = { xsd_op_write, 0 },
	[XS_MKDIR] = { xsd_op_mkdir, 0 },
	[XS_RM] = { xsd_op_rm, 0 },
	[XS_SET_PERMS] = { xsd_op_set_perms, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { xsd_op_is_introduced, XSD_PRIV_ONLY },
	[XS_RESUME] = { xsd_op_resume, XSD_PRIV_ONLY },
	[XS_RESET_WATCHES] = { xsd_op_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { xsd_op_directory_part, 0 },
};

static int xsd_dispatch(struct xsd_req *r)
{
	uint32_t type = r->hdr->type;

	/* Unknown, and ones only the daemon sends: ENOSYS like the real one. */
	if (type >= XS_TYPE_COUNT || !xsd_ops[type].fn)
		return -ENOSYS;
	if ((xsd_ops[type].flags & XSD_PRIV_ONLY) && !xsd_is_priv(r->c))
		return -EACCES;
	if (!(xsd_ops[type].flags & XSD_NO_TXID) && r->hdr->tx_id) {
		r->tx = xsd_tx_find(r->c, r->hdr->tx_id);
		if (!r->tx)
			return -ENOENT;
	}
	return xsd_ops[type].fn(r);
}

void xsd_handle(struct xsd_conn *c, const struct xpv_xs_msg *m)
{
	struct xsd_req r = {
		.x = c->x, .c = c, .hdr = &m->hdr, .body = m->body,
		.len = m->hdr.len,
	};
	const char *name;
	int err = xsd_dispatch(&r);

	if (!err)
		return;
	name = xpv_xs_errno_name(-err);
	xsd_conn_send(c, XS_ERROR, m->hdr.req_id, m->hdr.tx_id, name,
		      strlen(name) + 1, NULL, 0, false);
}
