/* SPDX-License-Identifier: MIT */
/*
 * pvclock: guest time from Xen's per-vCPU vcpu_time_info.  Portable (the TSC
 * is read through a function pointer), so the host tests drive it with a
 * scripted TSC and a time record that changes under the reader.
 */
#ifndef XENPV_ARCH_XEN_PVCLOCK_H
#define XENPV_ARCH_XEN_PVCLOCK_H

#include "xenpv/xen.h"

/* A consistent copy of one vcpu_time_info. */
struct xpv_pvclock_snap {
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
};

/* The newest time any vCPU has handed out, shared by all of them. */
struct xpv_pvclock_mono {
	uint64_t last_ns;
};

/* (delta << shift or >> -shift) * mul / 2^32, with a 128-bit product. */
uint64_t xpv_pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift);

/*
 * Copies @t by Xen's version protocol: retry while the version is odd (an
 * update in progress) or changed during the copy.  @hook, if set, runs
 * between the two version reads (tests use it to update the record).
 */
void xpv_pvclock_snapshot(const volatile struct vcpu_time_info *t,
			  struct xpv_pvclock_snap *s,
			  void (*hook)(void *arg), void *arg);

/* System time in ns for @tsc; a TSC just behind the stamp counts as no time. */
uint64_t xpv_pvclock_ns(const struct xpv_pvclock_snap *s, uint64_t tsc);

/*
 * The clock every vCPU reads: never behind a value already returned on any
 * vCPU, so time can't go backwards when a thread moves between vCPUs whose
 * records were stamped at slightly different TSCs.
 */
uint64_t xpv_pvclock_monotonic(struct xpv_pvclock_mono *m, uint64_t ns);

#endif
