// SPDX-License-Identifier: MIT
#include <string.h>

#include "tests/unit/ia64/ia64_test.h"

struct ia64_probe ia64_probe;

int ia64_rig_up(struct ia64_rig *r, enum xpv_ia64_pv_mode mode)
{
	memset(r, 0, sizeof(*r));
	return xia64m_host_boot(&r->m, &r->c, mode);
}

void ia64_rig_down(struct ia64_rig *r)
{
	xia64m_fini(&r->m);
}

int ia64_rig_probe_enter(void *ctx, uint64_t ip)
{
	struct xpv_ia64_cpu *c = ctx;
	struct xen_ia64_mapped_regs *mr = c->mr;

	ia64_probe.ip = ip;
	ia64_probe.iip = mr->iip;
	ia64_probe.isr = mr->isr;
	ia64_probe.ipsr = mr->ipsr;
	ia64_probe.mask = *c->psr_i;
	ia64_probe.ic = mr->interrupt_collection_enabled;
	ia64_probe.banknum = mr->banknum;
	ia64_probe.gr16 = c->trap->regs(c->trap_ctx)->gr[16];
	return xpv_ia64_enter(c, ip);
}
