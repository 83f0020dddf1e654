/* SPDX-License-Identifier: MIT */
/* Shared by the IA-64 test files: the guest booted on the model. */
#ifndef XENPV_TESTS_IA64_TEST_H
#define XENPV_TESTS_IA64_TEST_H

#include <CUnit/CUnit.h>

#include "arch-xen-ia64/model/host.h"

struct ia64_rig {
	struct xia64m m;
	struct xpv_ia64_cpu c;
};

/* What the CPU looked like when the model jumped into the guest. */
struct ia64_probe {
	uint64_t ip, iip, isr, ipsr, gr16;
	int mask, ic, banknum;
};
extern struct ia64_probe ia64_probe;

int ia64_rig_up(struct ia64_rig *r, enum xpv_ia64_pv_mode mode);
void ia64_rig_down(struct ia64_rig *r);
/* An enter hook that records ia64_probe, then runs the guest entry. */
int ia64_rig_probe_enter(void *ctx, uint64_t ip);

/* xorshift64*: reproducible streams for the property tests */
static inline uint64_t ia64_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

extern CU_TestInfo ia64_prop_tests[];

#endif
