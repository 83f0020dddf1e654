// SPDX-License-Identifier: MIT
/*
 * What a request sees: the store itself, or a transaction's private copy
 * of every node it touched (taken on first access, with the store
 * generation it had then, so commit can tell whether anyone else changed
 * it in the meantime).  Request handlers are written once against this.
 */
#include <errno.h>
#include <stdlib.h>

#include "loopback/xenstored/xsd_priv.h"

static struct xsd_node *xsd_tx_fetch(struct xsd_req *r, const char *path,
				     int *err)
{
	struct xsd_tx *t = r->tx;
	struct xsd_node *n = xsd_map_get(&t->nodes, path), *s;

	if (n)
		return n;
	if (t->touched >= r->x->lim.tx_nodes && !xsd_is_priv(r->c)) {
		*err = -ENOSPC;
		return NULL;
	}
	s = xsd_map_get(&r->x->store, path);
	n = s ? xsd_node_dup(s) : xsd_node_new(path);
	if (!n) {
		*err = -ENOMEM;
		return NULL;
	}
	n->base_gen = s ? s->gen : 0;
	n->absent = !s;
	n->tx_state = XSD_TX_CLEAN;
	if (xsd_map_put(&t->nodes, n)) {
		xsd_node_free(n);
		*err = -ENOMEM;
		return NULL;
	}
	t->touched++;
	return n;
}

/* NULL with *err == 0: no such node. */
struct xsd_node *xsd_view_get(struct xsd_req *r, const char *path, int *err)
{
	struct xsd_node *n;

	*err = 0;
	if (!r->tx)
		return xsd_map_get(&r->x->store, path);
	n = xsd_tx_fetch(r, path, err);
	return n && !n->absent ? n : NULL;
}

/* After changing a node the view returned. */
int xsd_view_touch(struct xsd_req *r, struct xsd_node *n)
{
	n->gen = ++r->x->gen;
	if (r->tx)
		n->tx_state = XSD_TX_DIRTY;
	return 0;
}

/* Adds the new node @n (its path absent from the view); takes @n. */
int xsd_view_insert(struct xsd_req *r, struct xsd_node *n)
{
	struct xsd_node *old;
	int err = 0;

	n->gen = ++r->x->gen;
	if (!r->tx) {
		if (xsd_map_put(&r->x->store, n)) {
			xsd_node_free(n);
			return -ENOMEM;
		}
		xsd_store_count(r->x, xsd_node_owner(n), 1);
		return 0;
	}
	old = xsd_tx_fetch(r, n->path, &err);
	if (!old) {
		xsd_node_free(n);
		return err;
	}
	n->base_gen = old->base_gen;
	n->absent = false;
	n->tx_state = XSD_TX_DIRTY;
	if (xsd_node_owner(n) == r->c->domid)
		r->tx->own_delta++;
	/* Replaces the tombstone, which the map frees. */
	return xsd_map_put(&r->tx->nodes, n);
}

int xsd_view_delete(struct xsd_req *r, const char *path)
{
	struct xsd_node *n;
	int err = 0;

	if (!r->tx) {
		n = xsd_map_take(&r->x->store, path);
		if (n)
			xsd_store_count(r->x, xsd_node_owner(n), -1);
		xsd_node_free(n);
		return 0;
	}
	n = xsd_tx_fetch(r, path, &err);
	if (!n || n->absent)
		return err;
	if (xsd_node_owner(n) == r->c->domid)
		r->tx->own_delta--;
	free(n->perms);
	free(n->value);
	free(n->children);
	n->perms = NULL;
	n->value = n->children = NULL;
	n->nperms = n->vlen = n->clen = 0;
	n->absent = true;
	n->tx_state = XSD_TX_DIRTY;
	return 0;
}

/* Node ownership moved from @from to @to: keep the quota counts right. */
int xsd_view_chown(struct xsd_req *r, unsigned int from, unsigned int to)
{
	if (from == to)
		return 0;
	if (!r->tx) {
		xsd_store_count(r->x, from, -1);
		xsd_store_count(r->x, to, 1);
		return 0;
	}
	if (from == r->c->domid)
		r->tx->own_delta--;
	if (to == r->c->domid)
		r->tx->own_delta++;
	return 0;
}

unsigned int xsd_view_quota_used(struct xsd_req *r)
{
	long used = r->x->dom_nodes[r->c->domid % XSD_NR_DOMIDS];

	if (r->tx)
		used += r->tx->own_delta;
	return used < 0 ? 0 : (unsigned int)used;
}
