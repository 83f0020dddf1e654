// SPDX-License-Identifier: MIT
/*
 * Boots the guest layer on the model: the model's CPU "jumps" into the
 * guest by calling xpv_ia64_enter(), the guest traps into the model through
 * xia64m_trap_ops.  Used by the tests and the trace benchmark.
 */
#include "arch-xen-ia64/model/host.h"

static int host_enter(void *ctx, uint64_t ip)
{
	return xpv_ia64_enter(ctx, ip);
}

int xia64m_host_boot(struct xia64m *m, struct xpv_ia64_cpu *c,
		     enum xpv_ia64_pv_mode mode)
{
	int rc = xia64m_init(m);

	if (rc)
		return rc;
	rc = xpv_ia64_setup(c, mode, &xia64m_trap_ops, m, m->xsi, 0);
	if (!rc) {
		m->enter = host_enter;
		m->enter_ctx = c;
		rc = xpv_ia64_boot(c, XIA64M_GUEST_IVA, XIA64M_GUEST_CALLBACK);
	}
	if (rc)
		xia64m_fini(m);
	return rc;
}
