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
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* ring.h wants the host's barriers under these names. */
#ifndef mb
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef rmb
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef wmb
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>
#endif

#define XPV_PAGE_SHIFT 12
#define XPV_PAGE_SIZE (1UL << XPV_PAGE_SHIFT)

/* Ports the 2-level event channel ABI can name: one bit per port. */
#define XPV_EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

#endif
