// SPDX-License-Identifier: MIT
/*
 * Watches: per-connection (path, token) pairs, and firing an event for a
 * changed path at every watch on it or on one of its ancestors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/xenstored/xsd_priv.h"

/* Is @child @parent or below it?  "/" is everyone's parent. */
static bool xsd_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return child[0] == '/';
	return !strncmp(child, parent, len) &&
	       (child[len] == '/' || child[len] == '\0');
}

static bool xsd_readable(const struct xsd_conn *c, const struct xsd_node *n)
{
	return n && (xsd_perm_for(c, n->perms, n->nperms) & XPV_XS_PERM_READ);
}

/*
 * A watcher hears of a change if it may read the node (as it was, or as it
 * is) or its parent; special events go to whoever watches them.
 */
static bool xsd_watch_permitted(struct xsd_conn *c, const char *path,
				const struct xpv_xs_perm *perms, uint32_t np)
{
	struct xsd *x = c->x;
	char buf[XSD_PATH_BUF];
	const char *parent;

	if (path[0] == '@' || xsd_is_priv(c))
		return true;
	if (np && (xsd_perm_for(c, perms, np) & XPV_XS_PERM_READ))
		return true;
	if (xsd_readable(c, xsd_map_get(&x->store, path)))
		return true;
	parent = xsd_parent(path, buf);
	return parent && xsd_readable(c, xsd_map_get(&x->store, parent));
}

static bool xsd_watch_matches(const struct xsd_watch *w, const char *path,
			      bool exact)
{
	if ((path[0] == '@') != (w->path[0] == '@'))
		return false;
	if (exact)
		return !strcmp(w->path, path);
	return xsd_is_child(path, w->path);
}

static void xsd_send_event(struct xsd_conn *c, const struct xsd_watch *w,
			   const char *path)
{
	const char *p = path + w->prefix_len;

	xsd_conn_send(c, XS_WATCH_EVENT, 0, 0, p, strlen(p) + 1, w->token,
		      strlen(w->token) + 1, true);
}

void xsd_fire(struct xsd *x, const char *path, bool exact,
	      const struct xpv_xs_perm *perms, uint32_t np)
{
	struct xsd_conn *c;
	struct xsd_watch *w;

	for (c = x->conns; c; c = c->next) {
		if (c->dead || !c->watches ||
		    !xsd_watch_permitted(c, path, perms, np))
			continue;
		for (w = c->watches; w; w = w->next)
			if (xsd_watch_matches(w, path, exact))
				xsd_send_event(c, w, path);
	}
}

/* @n: the node as it is (or was, before a removal), NULL if unknown. */
void xsd_fire_req(struct xsd_req *r, const char *path, bool exact,
		  const struct xsd_node *n)
{
	if (r->tx) {
		/* A lost event only makes the watcher miss a change. */
		xsd_tx_queue_event(r->x, r->tx, path, exact, n);
		return;
	}
	xsd_fire(r->x, path, exact, n ? n->perms : NULL, n ? n->nperms : 0);
}

/* Fired once up front, like the real one: simplifies clients. */
void xsd_watch_initial(struct xsd_conn *c, const struct xsd_watch *w)
{
	xsd_send_event(c, w, w->path);
}

int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token,
		  bool relative, struct xsd_watch **out)
{
	struct xsd_watch *w, **pp;

	for (w = c->watches; w; w = w->next)
		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			return -EEXIST;
	if (c->nwatches >= c->x->lim.watches_per_conn)
		return -E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	if (relative)
		w->prefix_len = strlen(XSD_DOM_PATH "/") +
				snprintf(NULL, 0, "%u/", c->domid);
	for (pp = &c->watches; *pp; pp = &(*pp)->next)
		;
	*pp = w;
	c->nwatches++;
	*out = w;
	return 0;
}

static void xsd_watch_free(struct xsd_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token)
{
	struct xsd_watch **pp, *w;

	for (pp = &c->watches; (w = *pp); pp = &w->next) {
		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*pp = w->next;
			c->nwatches--;
			xsd_watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

void xsd_watch_free_all(struct xsd_conn *c)
{
	struct xsd_watch *w;

	while ((w = c->watches)) {
		c->watches = w->next;
		xsd_watch_free(w);
	}
	c->nwatches = 0;
}
