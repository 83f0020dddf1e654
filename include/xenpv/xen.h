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
#include <xen/interface/io/netif.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>
#include <xen/interface/xen-mca.h>
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
#endif

#define XPV_PAGE_SHIFT 12
#define XPV_PAGE_SIZE (1UL << XPV_PAGE_SHIFT)

/* Ports the 2-level event channel ABI can name: one bit per port. */
#define XPV_EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

#endif
