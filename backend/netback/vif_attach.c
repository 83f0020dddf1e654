// SPDX-License-Identifier: MIT
/*
 * Attaching a vif the way a toolstack does: frontend directory owned by
 * the guest and readable by the backend domain, backend directory the
 * other way round, both written in one transaction; detaching by setting
 * online=0 and Closing, waiting for the backend's Closed, then removing
 * both directories.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/netback/vif_attach.h"

#define VIF_PATH 160

struct vif_txn {
	struct xs_handle *xs;
	xs_transaction_t t;
	const struct xpv_vif_cfg *c;
	char fe[VIF_PATH], be[VIF_PATH];
};

static int vif_put(struct vif_txn *v, const char *dir, const char *node,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int vif_put(struct vif_txn *v, const char *dir, const char *node,
		   const char *fmt, ...)
{
	char path[VIF_PATH + 64], val[VIF_PATH];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return xs_write(v->xs, v->t, path, val, strlen(val)) ? 0 : -errno;
}

static bool vif_exists(struct vif_txn *v, const char *path)
{
	unsigned int len;
	char *s = xs_read(v->xs, v->t, path, &len);

	free(s);
	return s != NULL;
}

static int vif_own(struct vif_txn *v, const char *path, unsigned int owner,
		   unsigned int reader)
{
	struct xs_permissions p[2] = {
		{.id = owner, .perms = XS_PERM_NONE},
		{.id = reader, .perms = XS_PERM_READ},
	};

	if (!xs_mkdir(v->xs, v->t, path))
		return -errno;
	return xs_set_permissions(v->xs, v->t, path, p, owner == reader ? 1 : 2)
		       ? 0
		       : -errno;
}

static int vif_parents(struct vif_txn *v)
{
	const char *sub[] = {"", "/device", "/device/vif"};
	char path[VIF_PATH];
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < 3; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u%s", v->c->domid,
			 sub[i]);
		if (!vif_exists(v, path))
			err = vif_own(v, path, i ? v->c->domid : 0,
				      v->c->domid);
	}
	return err;
}

static int vif_write(struct vif_txn *v)
{
	const struct xpv_vif_cfg *c = v->c;
	const uint8_t *m = c->mac;
	char mac[24];
	int err;

	if (vif_exists(v, v->fe) || vif_exists(v, v->be))
		return -EEXIST;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	err = vif_parents(v);
	err = err ? err : vif_own(v, v->fe, c->domid, c->be_domid);
	err = err ? err : vif_put(v, v->fe, "backend", "%s", v->be);
	err = err ? err : vif_put(v, v->fe, "backend-id", "%u", c->be_domid);
	err = err ? err : vif_put(v, v->fe, "handle", "%u", c->devid);
	err = err ? err : vif_put(v, v->fe, "mac", "%s", mac);
	/* Linux netfront reads mtu from the backend, others from here. */
	if (!err && c->mtu)
		err = vif_put(v, v->fe, "mtu", "%u", c->mtu);
	err = err ? err : vif_put(v, v->fe, "state", "1");
	err = err ? err : vif_own(v, v->be, c->be_domid, c->domid);
	err = err ? err : vif_put(v, v->be, "frontend", "%s", v->fe);
	err = err ? err : vif_put(v, v->be, "frontend-id", "%u", c->domid);
	err = err ? err : vif_put(v, v->be, "handle", "%u", c->devid);
	err = err ? err : vif_put(v, v->be, "mac", "%s", mac);
	if (!err && c->mtu)
		err = vif_put(v, v->be, "mtu", "%u", c->mtu);
	if (!err && c->queues)
		err = vif_put(v, v->be, "multi-queue-max-queues", "%u",
			      c->queues);
	err = err ? err : vif_put(v, v->be, "online", "1");
	return err ? err : vif_put(v, v->be, "state", "1");
}

static int vif_close_nodes(struct vif_txn *v)
{
	int err;

	if (!vif_exists(v, v->be))
		return -ENOENT;
	err = vif_put(v, v->be, "online", "0");
	return err ? err : vif_put(v, v->be, "state", "5");
}

static int vif_rm_nodes(struct vif_txn *v)
{
	xs_rm(v->xs, v->t, v->fe);
	return xs_rm(v->xs, v->t, v->be) || errno == ENOENT ? 0 : -errno;
}

static const char *vif_be_type(const struct xpv_vif_cfg *c)
{
	return c->be_type ? c->be_type : "vif";
}

/* Runs @fn in a transaction, again while xenstored says it conflicted. */
static int vif_in_txn(struct xs_handle *xs, const struct xpv_vif_cfg *c,
		      int (*fn)(struct vif_txn *v))
{
	struct vif_txn v = {.xs = xs, .c = c};
	int tries, err = -EAGAIN;

	snprintf(v.fe, sizeof(v.fe), "/local/domain/%u/device/vif/%u", c->domid,
		 c->devid);
	snprintf(v.be, sizeof(v.be), "/local/domain/%u/backend/%s/%u/%u",
		 c->be_domid, vif_be_type(c), c->domid, c->devid);
	for (tries = 0; tries < 32 && err == -EAGAIN; tries++) {
		v.t = xs_transaction_start(xs);
		if (v.t == XBT_NULL)
			return -errno;
		err = fn(&v);
		if (!xs_transaction_end(xs, v.t, err != 0) && !err)
			err = -errno;
	}
	return err;
}

int xpv_vif_attach(struct xs_handle *xs, const struct xpv_vif_cfg *c)
{
	return vif_in_txn(xs, c, vif_write);
}

static int vif_be_state(struct xs_handle *xs, const struct xpv_vif_cfg *c)
{
	char path[VIF_PATH];
	unsigned int len;
	char *v;
	int st;

	snprintf(path, sizeof(path), "/local/domain/%u/backend/%s/%u/%u/state",
		 c->be_domid, vif_be_type(c), c->domid, c->devid);
	v = xs_read(xs, XBT_NULL, path, &len);
	st = v ? atoi(v) : -1;
	free(v);
	return st;
}

int xpv_vif_detach(struct xs_handle *xs, const struct xpv_vif_cfg *c)
{
	struct timespec nap = {0, 20 * 1000 * 1000};
	unsigned int waited_ms = 0;
	int err = vif_in_txn(xs, c, vif_close_nodes);

	if (err)
		return err;
	/* Closed (6): the backend let go of the rings and the TAP queues. */
	while (vif_be_state(xs, c) != 6) {
		if (waited_ms >= c->timeout_s * 1000) {
			fprintf(stderr,
				"xenpv-attach: vif %u/%u did not close "
				"in %us, removing it anyway\n",
				c->domid, c->devid, c->timeout_s);
			break;
		}
		nanosleep(&nap, NULL);
		waited_ms += 20;
	}
	return vif_in_txn(xs, c, vif_rm_nodes);
}

int xpv_vif_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (s[i * 3 + 2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = b[i];
	}
	/* A unicast address: the multicast bit of the first octet clear. */
	return (mac[0] & 1) ? -EINVAL : 0;
}
