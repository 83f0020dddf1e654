// SPDX-License-Identifier: MIT
/*
 * The store: nodes keyed by canonical path in a chained hash map, their
 * permissions, and path canonicalisation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/xenstored/xsd_priv.h"

#define XSD_MAP_MIN 64

static size_t xsd_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct xsd_node *xsd_map_get(const struct xsd_map *m, const char *path)
{
	struct xsd_node *n;

	if (!m->nb)
		return NULL;
	for (n = m->b[xsd_hash(path) % m->nb]; n; n = n->hnext)
		if (!strcmp(n->path, path))
			return n;
	return NULL;
}

static int xsd_map_grow(struct xsd_map *m)
{
	size_t nb = m->nb ? m->nb * 2 : XSD_MAP_MIN, i;
	struct xsd_node **b = calloc(nb, sizeof(*b)), *n;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < m->nb; i++) {
		while ((n = m->b[i])) {
			m->b[i] = n->hnext;
			n->hnext = b[xsd_hash(n->path) % nb];
			b[xsd_hash(n->path) % nb] = n;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

/* Inserts @n, replacing (and freeing) a node with the same path. */
int xsd_map_put(struct xsd_map *m, struct xsd_node *n)
{
	struct xsd_node *old = xsd_map_take(m, n->path);
	size_t h;

	xsd_node_free(old);
	if (m->n >= m->nb && xsd_map_grow(m) && !m->nb)
		return -ENOMEM;
	h = xsd_hash(n->path) % m->nb;
	n->hnext = m->b[h];
	m->b[h] = n;
	m->n++;
	return 0;
}

struct xsd_node *xsd_map_take(struct xsd_map *m, const char *path)
{
	struct xsd_node **pp, *n;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[xsd_hash(path) % m->nb]; (n = *pp); pp = &n->hnext) {
		if (!strcmp(n->path, path)) {
			*pp = n->hnext;
			n->hnext = NULL;
			m->n--;
			return n;
		}
	}
	return NULL;
}

void xsd_map_clear(struct xsd_map *m)
{
	struct xsd_node *n;
	size_t i;

	for (i = 0; i < m->nb; i++) {
		while ((n = m->b[i])) {
			m->b[i] = n->hnext;
			xsd_node_free(n);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

/* ---- nodes ----------------------------------------------------------- */

struct xsd_node *xsd_node_new(const char *path)
{
	struct xsd_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = strdup(path);
	if (!n->path) {
		free(n);
		return NULL;
	}
	return n;
}

void xsd_node_free(struct xsd_node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->perms);
	free(n->value);
	free(n->children);
	free(n);
}

static void *xsd_memdup(const void *p, size_t len)
{
	void *q;

	if (!len)
		return NULL;
	q = malloc(len);
	if (q)
		memcpy(q, p, len);
	return q;
}

struct xsd_node *xsd_node_dup(const struct xsd_node *n)
{
	struct xsd_node *d = xsd_node_new(n->path);

	if (!d)
		return NULL;
	d->gen = n->gen;
	d->nperms = n->nperms;
	d->vlen = n->vlen;
	d->clen = n->clen;
	d->perms = xsd_memdup(n->perms, n->nperms * sizeof(*n->perms));
	d->value = xsd_memdup(n->value, n->vlen);
	d->children = xsd_memdup(n->children, n->clen);
	if ((n->nperms && !d->perms) || (n->vlen && !d->value) ||
	    (n->clen && !d->children)) {
		xsd_node_free(d);
		return NULL;
	}
	return d;
}

int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len)
{
	char *nv = xsd_memdup(v, len);

	if (len && !nv)
		return -ENOMEM;
	free(n->value);
	n->value = nv;
	n->vlen = len;
	return 0;
}

int xsd_node_set_perms(struct xsd_node *n, const struct xpv_xs_perm *p,
		       uint32_t np)
{
	struct xpv_xs_perm *q = xsd_memdup(p, np * sizeof(*p));

	if (!q)
		return -ENOMEM;
	free(n->perms);
	n->perms = q;
	n->nperms = np;
	return 0;
}

int xsd_node_add_child(struct xsd_node *n, const char *name)
{
	size_t len = strlen(name) + 1;
	char *c = realloc(n->children, n->clen + len);

	if (!c)
		return -ENOMEM;
	memcpy(c + n->clen, name, len);
	n->children = c;
	n->clen += (uint32_t)len;
	return 0;
}

void xsd_node_del_child(struct xsd_node *n, const char *name)
{
	uint32_t off, len;

	for (off = 0; off < n->clen; off += len) {
		len = (uint32_t)strlen(n->children + off) + 1;
		if (strcmp(n->children + off, name))
			continue;
		memmove(n->children + off, n->children + off + len,
			n->clen - off - len);
		n->clen -= len;
		return;
	}
}

unsigned int xsd_node_owner(const struct xsd_node *n)
{
	return n->nperms ? n->perms[0].domid : XSD_PRIV_DOMID;
}

/* ---- permissions, domains -------------------------------------------- */

bool xsd_is_priv(const struct xsd_conn *c)
{
	return c->domid == XSD_PRIV_DOMID;
}

unsigned int xsd_perm_for(const struct xsd_conn *c,
			  const struct xpv_xs_perm *p, uint32_t np)
{
	uint32_t i;

	if (xsd_is_priv(c) || (np && p[0].domid == c->domid))
		return XPV_XS_PERM_BOTH | XSD_PERM_OWNER;
	for (i = 1; i < np; i++)
		if (p[i].domid == c->domid)
			return p[i].bits;
	return np ? p[0].bits : XPV_XS_PERM_NONE;
}

void xsd_store_count(struct xsd *x, unsigned int owner, int delta)
{
	uint32_t *cnt = &x->dom_nodes[owner % XSD_NR_DOMIDS];

	if (delta < 0 && *cnt < (uint32_t)-delta)
		*cnt = 0;
	else
		*cnt += delta;
}

/* ---- paths ----------------------------------------------------------- */

int xsd_canon(const struct xsd_conn *c, const char *in, bool special,
	      char *out)
{
	int n;

	if (!xpv_xs_path_valid(in))
		return -EINVAL;
	if (in[0] == '@' && !special)
		return -EINVAL;
	if (in[0] == '/' || in[0] == '@')
		n = snprintf(out, XSD_PATH_BUF, "%s", in);
	else
		n = snprintf(out, XSD_PATH_BUF, XSD_DOM_PATH "/%u/%s",
			     c->domid, in);
	if (n < 0 || n > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	return 0;
}

/* The parent of a canonical path into @buf; NULL for "/" and "@..." */
const char *xsd_parent(const char *path, char *buf)
{
	const char *slash;

	if (path[0] != '/' || path[1] == '\0')
		return NULL;
	slash = strrchr(path, '/');
	if (slash == path)
		return "/";
	memmove(buf, path, slash - path);
	buf[slash - path] = '\0';
	return buf;
}

static int xsd_store_add(struct xsd *x, const char *path, const char *child)
{
	static const struct xpv_xs_perm none = { XSD_PRIV_DOMID, 0 };
	struct xsd_node *n = xsd_node_new(path);

	if (!n || xsd_node_set_perms(n, &none, 1) ||
	    (child && xsd_node_add_child(n, child))) {
		xsd_node_free(n);
		return -ENOMEM;
	}
	n->gen = ++x->gen;
	if (xsd_map_put(&x->store, n)) {
		xsd_node_free(n);
		return -ENOMEM;
	}
	xsd_store_count(x, XSD_PRIV_DOMID, 1);
	return 0;
}

/* The tree a fresh xenstored starts with, all dom0's with no access. */
int xsd_store_init(struct xsd *x)
{
	int err = 0;

	err |= xsd_store_add(x, "/", "local");
	err |= xsd_store_add(x, "/local", "domain");
	err |= xsd_store_add(x, "/local/domain", NULL);
	err |= xsd_store_add(x, "/tool", "xenstored");
	err |= xsd_store_add(x, "/tool/xenstored", NULL);
	err |= xsd_store_add(x, "@introduceDomain", NULL);
	err |= xsd_store_add(x, "@releaseDomain", NULL);
	if (!err && xsd_node_add_child(xsd_map_get(&x->store, "/"), "tool"))
		err = -ENOMEM;
	return err ? -ENOMEM : 0;
}
