/* SPDX-License-Identifier: MIT */
/*
 * The TAP plumbing shared by netback, netfront's and the NE2000 driver's
 * userspace hosts and the device model's NIC: Ethernet frames without
 * packet information, optionally behind a virtio_net_hdr (checksum and GSO
 * metadata) and on several queues.  A TAP that already exists (a
 * persistent one made by `ip tuntap add`) is attached to by name; its
 * flags must then match.  Every fd is non-blocking and close-on-exec.
 */
#ifndef XENPV_BACKEND_TAP_H
#define XENPV_BACKEND_TAP_H

#include <stdbool.h>
#include <stdint.h>

/* Interface names, as IFNAMSIZ, with the NUL. */
#define XPV_TAP_NAME_MAX 16

/* xpv_tap_open flags. */
#define XPV_TAP_VNET_HDR 1u	/* a struct virtio_net_hdr on every frame */
#define XPV_TAP_MULTI_QUEUE 2u	/* each open is one more queue */

/* What the reader of the TAP takes: the kernel may hand it such frames. */
struct xpv_tap_offload {
	bool csum;		/* partial checksums */
	bool tso4, tso6;	/* TCP segmentation; need csum */
	bool tso_ecn;		/* with CWR set */
};

/*
 * Creates TAP @name or attaches to it (a name with "%d" lets the kernel
 * number it).  The fd or -errno; @ifname (XPV_TAP_NAME_MAX bytes, may be
 * NULL) gets the name the kernel gave.
 */
int xpv_tap_open(const char *name, unsigned int flags, char *ifname);
int xpv_tap_set_offload(int fd, const struct xpv_tap_offload *o);
/* A multi-queue TAP's queue takes frames (or not): 0 or -errno. */
int xpv_tap_set_queue(int fd, bool enabled);
/* Carrier up or down; kernels without TUNSETCARRIER keep it up. */
int xpv_tap_set_carrier(int fd, bool up);
/* The TAP outlives its fds (or no longer does). */
int xpv_tap_set_persist(int fd, bool persist);
/* Interface settings, by name, in the caller's network namespace. */
int xpv_tap_set_mtu(const char *ifname, unsigned int mtu);
int xpv_tap_set_mac(const char *ifname, const uint8_t mac[6]);

#endif
