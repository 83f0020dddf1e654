// SPDX-License-Identifier: MIT
/*
 * Transactions: a private copy of each node touched, checked against the
 * store's generations at commit.  Any node read or written by the
 * transaction that changed (or appeared, or vanished) since makes the
 * commit fail with EAGAIN, as the client is expected to retry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/xenstored/xsd_priv.h"

int xsd_tx_start(struct xsd_conn *c, uint32_t *id)
{
	struct xsd_tx *t;

	if (c->ntx >= c->x->lim.tx_per_conn)
		return -ENOSPC;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	do {
		t->id = c->next_txid++;
	} while (t->id == 0 || xsd_tx_find(c, t->id));
	t->next = c->txs;
	c->txs = t;
	c->ntx++;
	*id = t->id;
	return 0;
}

struct xsd_tx *xsd_tx_find(struct xsd_conn *c, uint32_t id)
{
	struct xsd_tx *t;

	for (t = c->txs; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

static void xsd_tx_free(struct xsd_tx *t)
{
	struct xsd_event *e;

	while ((e = t->ev_head)) {
		t->ev_head = e->next;
		free(e->perms);
		free(e);
	}
	xsd_map_clear(&t->nodes);
	free(t);
}

static void xsd_tx_unlink(struct xsd_conn *c, struct xsd_tx *t)
{
	struct xsd_tx **pp;

	for (pp = &c->txs; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			c->ntx--;
			return;
		}
	}
}

static int xsd_tx_check(struct xsd *x, struct xsd_tx *t)
{
	const struct xsd_node *n, *s;
	size_t i;

	for (i = 0; i < t->nodes.nb; i++) {
		for (n = t->nodes.b[i]; n; n = n->hnext) {
			s = xsd_map_get(&x->store, n->path);
			if ((s ? s->gen : 0) != n->base_gen)
				return -EAGAIN;
		}
	}
	return 0;
}

/* Moves every changed node into the store; cannot fail once checked. */
static void xsd_tx_apply(struct xsd *x, struct xsd_tx *t)
{
	struct xsd_node **pp, *n, *s;
	size_t i;

	for (i = 0; i < t->nodes.nb; i++) {
		pp = &t->nodes.b[i];
		while ((n = *pp)) {
			if (n->tx_state != XSD_TX_DIRTY) {
				pp = &n->hnext;
				continue;
			}
			*pp = n->hnext;
			t->nodes.n--;
			n->hnext = NULL;
			s = xsd_map_take(&x->store, n->path);
			if (s)
				xsd_store_count(x, xsd_node_owner(s), -1);
			xsd_node_free(s);
			if (n->absent) {
				xsd_node_free(n);
				continue;
			}
			n->gen = ++x->gen;
			xsd_map_put(&x->store, n);
			xsd_store_count(x, xsd_node_owner(n), 1);
		}
	}
}

static int xsd_tx_commit(struct xsd_conn *c, struct xsd_tx *t)
{
	struct xsd *x = c->x;
	struct xsd_event *e;
	long used;
	int err;

	err = xsd_tx_check(x, t);
	if (err)
		return err;
	used = (long)x->dom_nodes[c->domid % XSD_NR_DOMIDS] + t->own_delta;
	if (!xsd_is_priv(c) && t->own_delta > 0 &&
	    used > (long)x->lim.nodes_per_domain)
		return -ENOSPC;
	xsd_tx_apply(x, t);
	for (e = t->ev_head; e; e = e->next)
		xsd_fire(x, e->path, e->exact, e->perms, e->nperms);
	return 0;
}

int xsd_tx_end(struct xsd_conn *c, struct xsd_tx *t, bool commit)
{
	int err = 0;

	xsd_tx_unlink(c, t);
	if (commit)
		err = xsd_tx_commit(c, t);
	xsd_tx_free(t);
	return err;
}

void xsd_tx_free_all(struct xsd_conn *c)
{
	struct xsd_tx *t;

	while ((t = c->txs)) {
		c->txs = t->next;
		xsd_tx_free(t);
	}
	c->ntx = 0;
}

/* Events of a transaction fire only if and when it commits. */
int xsd_tx_queue_event(struct xsd *x, struct xsd_tx *t, const char *path,
		       bool exact, const struct xsd_node *n)
{
	size_t len = strlen(path) + 1;
	struct xsd_event *e;

	/* Rewriting one node over and over queues it once. */
	if (t->ev_tail && t->ev_tail->exact == exact &&
	    !strcmp(t->ev_tail->path, path))
		return 0;
	if (t->nev >= 8 * x->lim.tx_nodes)
		return -ENOSPC;
	e = calloc(1, sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	memcpy(e->path, path, len);
	e->exact = exact;
	if (n && n->nperms) {
		e->perms = malloc(n->nperms * sizeof(*e->perms));
		if (!e->perms) {
			free(e);
			return -ENOMEM;
		}
		memcpy(e->perms, n->perms, n->nperms * sizeof(*e->perms));
		e->nperms = n->nperms;
	}
	if (t->ev_tail)
		t->ev_tail->next = e;
	else
		t->ev_head = e;
	t->ev_tail = e;
	t->nev++;
	return 0;
}
