/* SPDX-License-Identifier: MIT */
/*
 * Counting an HVM guest's exits phase by phase in a xentrace file (see
 * xtcount.c for the marker protocol).
 */
#ifndef XPV_XTCOUNT_H
#define XPV_XTCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xenpv/xen.h"

/* An I/O port no device of the HVM platform claims: Xen traces the write. */
#define XPV_XT_MARK_PORT 0x666
#define XPV_XT_MARK_END 0x80
#define XPV_XT_NPHASE 128
#define XPV_XT_MAXCPU 64

enum {
	XPV_XT_EXITS,
	XPV_XT_IOIO,
	XPV_XT_NPF,
	XPV_XT_INTR,
	XPV_XT_VINTR,
	XPV_XT_HLT,
	XPV_XT_MSR,
	XPV_XT_CPUID,
	XPV_XT_VMMCALL,
	XPV_XT_OTHER,
	XPV_XT_IOPORT,
	XPV_XT_IOMEM,
	XPV_XT_LOST,
	XPV_XT_N
};

extern const char *const xpv_xt_names[XPV_XT_N];

/* Zero it before the first walk; phase 0 holds what no phase claimed. */
struct xpv_xt_count {
	unsigned long long c[XPV_XT_NPHASE][XPV_XT_N];
	unsigned long long records, exits, lost, marks;
	unsigned int cur, cpus;
	unsigned char seen[XPV_XT_NPHASE];
};

/*
 * Counts the records of @p (a record cut short at the end is left out);
 * -ENOMEM if it could not hold them to sort them.
 */
int xpv_xt_walk(struct xpv_xt_count *k, const uint8_t *p, size_t len);
void xpv_xt_print(FILE *f, const struct xpv_xt_count *k);

#endif
