/* SPDX-License-Identifier: MIT */
/*
 * The toolstack's part of a vif: the frontend and backend nodes of
 * xen/io/netif.h written in one transaction with a toolstack's
 * permissions, and a clean detach.  xenpv-attach's `vif` subcommand.
 */
#ifndef XENPV_NETBACK_VIF_ATTACH_H
#define XENPV_NETBACK_VIF_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

struct xpv_vif_cfg {
	unsigned int domid;    /* the guest */
	unsigned int devid;    /* vif/<devid> */
	unsigned int be_domid; /* where netback runs */
	uint8_t mac[6];
	unsigned int mtu;	/* 0: not written */
	unsigned int queues;	/* 0: the backend's own limit */
	unsigned int timeout_s; /* detach: wait for Closed */
	/* backend/<be_type>/...: NULL is "vif"; another name keeps a
	 * kernel netback in the same domain from taking the device. */
	const char *be_type;
};

/* "00:16:3e:01:02:03" -> @mac; 0 or -EINVAL. */
int xpv_vif_parse_mac(const char *s, uint8_t mac[6]);
/* 0, -EEXIST if the vif is there already, or -errno. */
int xpv_vif_attach(struct xs_handle *xs, const struct xpv_vif_cfg *c);
/* Ask the backend to close, wait for Closed, remove the nodes. */
int xpv_vif_detach(struct xs_handle *xs, const struct xpv_vif_cfg *c);

/* A backend type name: [a-z0-9_-], 1..16 characters. */
bool xpv_vif_type_ok(const char *s);
/* True if xenpv-attach's command line names the vif subcommand. */
bool xpv_vif_wants(int argc, char **argv);
/*
 *   xenpv-attach [--dir D] vif --domid N --id I --mac M [--mtu U]
 *                [--queues K] [--backend-domid B] [--backend-type T]
 *   xenpv-attach [--dir D] detach vif --domid N --id I [--timeout S]
 *                [--backend-domid B] [--backend-type T]
 */
int xpv_vif_main(int argc, char **argv);

#endif
