/* SPDX-License-Identifier: MIT */
/* The guest layer running on the model, for tests and the benchmark. */
#ifndef XENPV_IA64_MODEL_HOST_H
#define XENPV_IA64_MODEL_HOST_H

#include "arch-xen-ia64/model/model.h"

/* Region 5 kernel addresses, as a Linux/ia64 kernel would use. */
#define XIA64M_GUEST_IVA 0xa000000100000000UL
#define XIA64M_GUEST_CALLBACK 0xa000000100010000UL

/* Model up, guest set up in @mode and booted (iva, callback); 0 or -errno. */
int xia64m_host_boot(struct xia64m *m, struct xpv_ia64_cpu *c,
		     enum xpv_ia64_pv_mode mode);

#endif
