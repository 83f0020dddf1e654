// SPDX-License-Identifier: MIT
/*
 * Requests on nodes: READ, WRITE, MKDIR, RM, DIRECTORY, DIRECTORY_PART,
 * GET_PERMS, SET_PERMS.  Each works on the request's view (the store or a
 * transaction) and answers 0 (reply sent) or a negative errno.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/xenstored/xsd_priv.h"

/*
 * An absent node is ENOENT only if its nearest ancestor grants some of
 * @perm: otherwise the error must not tell whether the node exists.
 */
static int xsd_absent_err(struct xsd_req *r, const char *path,
			  unsigned int perm)
{
	char buf[XSD_PATH_BUF];
	const struct xsd_node *a = NULL;
	const char *p = path;
	int err = 0;

	while (!a && (p = xsd_parent(p, buf))) {
		a = xsd_view_get(r, p, &err);
		if (err)
			return err;
	}
	if (a && !(xsd_perm_for(r->c, a->perms, a->nperms) & perm))
		return -EACCES;
	return -ENOENT;
}

static struct xsd_node *xsd_get(struct xsd_req *r, const char *path,
				unsigned int perm, int *err)
{
	struct xsd_node *n = xsd_view_get(r, path, err);

	if (*err)
		return NULL;
	if (!n) {
		*err = xsd_absent_err(r, path, perm);
		return NULL;
	}
	if ((xsd_perm_for(r->c, n->perms, n->nperms) & perm) != perm) {
		*err = -EACCES;
		return NULL;
	}
	return n;
}

/* The one path argument of a request, canonical, into @path. */
static int xsd_path_arg(struct xsd_req *r, bool special, char *path)
{
	const char *arg = xsd_onearg(r);

	return arg ? xsd_canon(r->c, arg, special, path) : -EINVAL;
}

/* One new node below @parent, inheriting its perms. */
static struct xsd_node *xsd_new_child(struct xsd_req *r,
				      struct xsd_node *parent, const char *path)
{
	struct xsd_node *n = xsd_node_new(path);
	const char *base = strrchr(path, '/') + 1;

	if (!n || xsd_node_set_perms(n, parent->perms, parent->nperms) ||
	    xsd_node_add_child(parent, base)) {
		xsd_node_free(n);
		return NULL;
	}
	/* Domains own what they create; dom0's nodes keep the parent's. */
	if (!xsd_is_priv(r->c))
		n->perms[0].domid = r->c->domid;
	xsd_view_touch(r, parent);
	return n;
}

/* Creates @path and its missing parents, like the real one. */
static int xsd_create(struct xsd_req *r, const char *path, const void *value,
		      uint32_t vlen, struct xsd_node **out)
{
	char buf[XSD_PATH_BUF], sub[XSD_PATH_BUF];
	struct xsd_node *parent = NULL, *n;
	const char *p = path, *end;
	unsigned int levels = 0;
	int err = 0;

	while (!parent && (p = xsd_parent(p, buf))) {
		parent = xsd_view_get(r, p, &err);
		if (err)
			return err;
		levels++;
	}
	if (!parent)
		return -ENOENT;
	if (!xsd_is_priv(r->c) &&
	    xsd_view_quota_used(r) + levels > r->x->lim.nodes_per_domain)
		return -ENOSPC;
	end = path + strlen(p);
	do {
		end = strchr(end + 1, '/');
		if (!end)
			end = path + strlen(path);
		memcpy(sub, path, end - path);
		sub[end - path] = '\0';
		n = xsd_new_child(r, parent, sub);
		if (!n)
			return -ENOMEM;
		if (!*end && xsd_node_set_value(n, value, vlen)) {
			xsd_node_free(n);
			return -ENOMEM;
		}
		err = xsd_view_insert(r, n);
		if (err)
			return err;
		parent = n;
	} while (*end);
	*out = n;
	return 0;
}

/* The node the request's path names, if the caller may read it. */
static const struct xsd_node *readable_arg(struct xsd_req *r, int *err)
{
	char path[XSD_PATH_BUF];

	*err = xsd_path_arg(r, false, path);
	return *err ? NULL : xsd_get(r, path, XPV_XS_PERM_READ, err);
}

int xsd_op_read(struct xsd_req *r)
{
	int err;
	const struct xsd_node *n = readable_arg(r, &err);

	return n ? xsd_reply(r, XS_READ, n->value, n->vlen) : err;
}

int xsd_op_write(struct xsd_req *r)
{
	const char *nul = memchr(r->body, '\0', r->len), *value;
	char path[XSD_PATH_BUF];
	struct xsd_node *n;
	uint32_t vlen;
	int err;

	if (!nul)
		return -EINVAL;
	value = nul + 1;
	vlen = r->len - (uint32_t)(value - r->body);
	err = xsd_canon(r->c, r->body, false, path);
	if (err)
		return err;
	n = xsd_get(r, path, XPV_XS_PERM_WRITE, &err);
	if (n) {
		err = xsd_node_set_value(n, value, vlen);
		if (!err)
			xsd_view_touch(r, n);
	} else if (err == -ENOENT) {
		err = xsd_create(r, path, value, vlen, &n);
	}
	if (err)
		return err;
	xsd_fire_req(r, path, false, n);
	return xsd_reply_ok(r);
}

int xsd_op_mkdir(struct xsd_req *r)
{
	char path[XSD_PATH_BUF];
	struct xsd_node *n;
	int err = xsd_path_arg(r, false, path);

	if (err)
		return err;
	n = xsd_get(r, path, XPV_XS_PERM_WRITE, &err);
	if (!n && err != -ENOENT)
		return err;
	if (!n) {
		err = xsd_create(r, path, NULL, 0, &n);
		if (err)
			return err;
		xsd_fire_req(r, path, false, n);
	}
	return xsd_reply_ok(r);
}

/* Deletes @path (in a buffer with room to append) and all below it. */
static int xsd_rm_tree(struct xsd_req *r, char *path, bool top)
{
	size_t len = strlen(path), clen;
	struct xsd_node *n;
	uint32_t off;
	int err = 0;

	n = xsd_view_get(r, path, &err);
	if (!n)
		return err;
	for (off = 0; off < n->clen; off += (uint32_t)clen + 1) {
		clen = strlen(n->children + off);
		if (len + 1 + clen > XENSTORE_ABS_PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, n->children + off, clen + 1);
		err = xsd_rm_tree(r, path, false);
		path[len] = '\0';
		if (err)
			return err;
	}
	/* Watchers below the removed top hear of their own path. */
	xsd_fire_req(r, path, !top, n);
	return xsd_view_delete(r, path);
}

int xsd_op_rm(struct xsd_req *r)
{
	char path[XSD_PATH_BUF], buf[XSD_PATH_BUF];
	struct xsd_node *n, *parent;
	const char *pname;
	int err = xsd_path_arg(r, false, path);

	if (err)
		return err;
	n = xsd_get(r, path, XPV_XS_PERM_WRITE, &err);
	pname = xsd_parent(path, buf);
	if (!n) {
		/* Removing what is not there is fine if the parent is. */
		if (err == -ENOENT && pname && xsd_view_get(r, pname, &err))
			return xsd_reply_ok(r);
		return err ? err : -ENOENT;
	}
	if (!pname)
		return -EINVAL;
	parent = xsd_view_get(r, pname, &err);
	if (!parent)
		return err ? err : -EIO;
	err = xsd_rm_tree(r, path, true);
	if (err)
		return err;
	xsd_node_del_child(parent, strrchr(path, '/') + 1);
	xsd_view_touch(r, parent);
	return xsd_reply_ok(r);
}

int xsd_op_directory(struct xsd_req *r)
{
	int err;
	const struct xsd_node *n = readable_arg(r, &err);

	return n ? xsd_reply(r, XS_DIRECTORY, n->children, n->clen) : err;
}

/* Reply: generation NUL, whole child names from byte @off, and one more
 * NUL when the list is complete. */
int xsd_op_directory_part(struct xsd_req *r)
{
	char path[XSD_PATH_BUF], data[XENSTORE_PAYLOAD_MAX];
	const char *f[2];
	const struct xsd_node *n;
	uint32_t glen, len = 0, max, clen;
	uint64_t off;
	int err;

	if (xpv_xs_split(r->body, r->len, f, 2) != 2 ||
	    xpv_xs_parse_uint(f[1], strlen(f[1]), UINT32_MAX, &off))
		return -EINVAL;
	err = xsd_canon(r->c, f[0], false, path);
	if (err)
		return err;
	n = xsd_get(r, path, XPV_XS_PERM_READ, &err);
	if (!n)
		return err;
	glen = (uint32_t)snprintf(data, sizeof(data), "%" PRIu64, n->gen) + 1;
	max = XENSTORE_PAYLOAD_MAX - glen - 1;
	while (off + len < n->clen) {
		clen = (uint32_t)strlen(n->children + off + len) + 1;
		if (len + clen > max)
			break;
		memcpy(data + glen + len, n->children + off + len, clen);
		len += clen;
	}
	if (off + len >= n->clen)
		data[glen + len++] = '\0';
	else if (!len)
		return -E2BIG;
	return xsd_reply(r, XS_DIRECTORY_PART, data, glen + len);
}

int xsd_op_get_perms(struct xsd_req *r)
{
	char path[XSD_PATH_BUF], data[XENSTORE_PAYLOAD_MAX];
	const struct xsd_node *n;
	uint32_t i, len = 0;
	int err = xsd_path_arg(r, true, path), k;

	if (err)
		return err;
	n = xsd_get(r, path, XPV_XS_PERM_READ, &err);
	if (!n)
		return err;
	for (i = 0; i < n->nperms; i++) {
		k = xpv_xs_perm_format(&n->perms[i], data + len,
				       sizeof(data) - len);
		if (k < 0)
			return -E2BIG;
		len += (uint32_t)k + 1;
	}
	return xsd_reply(r, XS_GET_PERMS, data, len);
}

static int xsd_parse_perms(struct xsd_req *r, struct xpv_xs_perm **out,
			   uint32_t *np)
{
	int cnt = xpv_xs_split(r->body, r->len, NULL, 0), i;
	const char *s = r->body;
	struct xpv_xs_perm *p;

	if (cnt < 2)
		return -EINVAL;
	*np = (uint32_t)cnt - 1;
	if (!xsd_is_priv(r->c) && *np > r->x->lim.perms_per_node)
		return -ENOSPC;
	p = calloc(*np, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < cnt - 1; i++) {
		s += strlen(s) + 1;
		if (xpv_xs_perm_parse(s, &p[i])) {
			free(p);
			return -EINVAL;
		}
	}
	*out = p;
	return 0;
}

int xsd_op_set_perms(struct xsd_req *r)
{
	char path[XSD_PATH_BUF];
	struct xpv_xs_perm *p = NULL;
	struct xsd_node *n, old = { 0 };
	uint32_t np;
	int err = xsd_parse_perms(r, &p, &np);

	if (!err)
		err = xsd_canon(r->c, r->body, true, path);
	n = err ? NULL :
		  xsd_get(r, path, XPV_XS_PERM_WRITE | XSD_PERM_OWNER, &err);
	if (n && !xsd_is_priv(r->c) && p[0].domid != xsd_node_owner(n))
		err = -EPERM;
	if (err) {
		free(p);
		return err;
	}
	old.perms = n->perms;
	old.nperms = n->nperms;
	xsd_view_chown(r, xsd_node_owner(n), p[0].domid);
	n->perms = p;
	n->nperms = np;
	xsd_view_touch(r, n);
	/* Those who could read it before hear that they no longer can. */
	xsd_fire_req(r, path, false, &old);
	free(old.perms);
	return xsd_reply_ok(r);
}
