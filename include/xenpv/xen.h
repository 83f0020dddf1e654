/* SPDX-License-Identifier: MIT */
/*
 * The one include shim for the Xen ABI.  Every xenpv source takes the Xen
 * public headers from here and from nowhere else: in a Linux module they are
 * the kernel's <xen/interface/...>, everywhere else Debian's libxen-dev
 * (/usr/include/xen/...).  This is the only place that looks at which host it
 * is built for.
 */
#ifndef XENPV_XEN_H
#define XENPV_XEN_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <asm/barrier.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/memory.h>
#include <xen/interface/io/ring.h>
#include <xen/interface/io/xenbus.h>
#include <xen/interface/io/xs_wire.h>
#include <xen/interface/io/protocols.h>
/*
 * Linux's copies of the device protocols renamed them (xen_netif_*, blkif
 * fields in a union): the drivers take Xen's own io/blkif.h and io/netif.h
 * (Kbuild: -idirafter /usr/include/xen).  Their ring.h and grant_table.h
 * share the kernel's include guards, so only the protocol parts are new.
 */
#include <io/blkif.h>
#include <io/netif.h>
/* Linux's DEFINE_RING_TYPES makes no *_t names; Xen's does. */
typedef struct blkif_sring blkif_sring_t;
typedef struct blkif_front_ring blkif_front_ring_t;
typedef struct blkif_back_ring blkif_back_ring_t;
typedef struct netif_tx_sring netif_tx_sring_t;
typedef struct netif_tx_front_ring netif_tx_front_ring_t;
typedef struct netif_tx_back_ring netif_tx_back_ring_t;
typedef struct netif_rx_sring netif_rx_sring_t;
typedef struct netif_rx_front_ring netif_rx_front_ring_t;
typedef struct netif_rx_back_ring netif_rx_back_ring_t;
#include <xen/interface/xen-mca.h>
/* Linux's copy of xen-mca.h leaves out the flag of a truncated mc_info. */
#ifndef MCINFO_FLAGS_UNCOMPLETE
#define MCINFO_FLAGS_UNCOMPLETE 0x1
#endif
/* Linux keeps the older name of the shared_info vcpu_info array bound. */
#ifndef XEN_LEGACY_MAX_VCPUS
#define XEN_LEGACY_MAX_VCPUS MAX_VIRT_CPUS
#endif
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* ring.h (at this interface version) wants the host's barriers by these names. */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
/* One interface version for every part of the tree: the newest these headers
 * know, so hypercall numbers and structs are the current ones (not _compat). */
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>
#include <xen/io/netif.h>
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/arch-x86/xen-mca.h>
/* xentrace's record format, read in dom0 (tests/xen/hvm/xtcount.c). */
#include <xen/trace.h>
#endif

#define XPV_PAGE_SHIFT 12
#define XPV_PAGE_SIZE (1UL << XPV_PAGE_SHIFT)

/* Ports the 2-level event channel ABI can name: one bit per port. */
#define XPV_EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

#endif
