// SPDX-License-Identifier: MIT
/*
 * os.h's hypercalls for the balloon and machine-check drivers in a Linux
 * module: HYPERVISOR_memory_op, HYPERVISOR_mca and a VIRQ bound with
 * EVTCHNOP_bind_virq, then handed to the same irq path as any other port
 * (os_linux_xen.c), so closing it is xpv_os_evtchn_close.
 */
#include <linux/kernel.h>
#include <asm/xen/hypercall.h>
#include <xen/features.h>
#include <xen/xen.h>

#include "xenpv/os.h"

/*
 * A PV guest's p2m and the direct map over the frames it gives away belong
 * to the kernel's own balloon, whose helpers are not exported: moving the
 * reservation behind its back would leave both pointing at frames Xen took.
 * Only an auto-translated guest (Xen keeps the p2m) may move it here.
 */
long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	switch (cmd) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		break;
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		if (!xen_feature(XENFEAT_auto_translated_physmap))
			return -XPV_EOPNOTSUPP;
		break;
	default:
		return -XPV_EINVAL;
	}
	return HYPERVISOR_memory_op(cmd, arg);
}

int xpv_os_mca_op(struct xen_mc *mc)
{
	return HYPERVISOR_mca(mc);
}

int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
	struct evtchn_close cl;
	int err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (err)
		return err;
	err = xpv_os_evtchn_bind_handler(op.port, handler, arg);
	if (err) {
		cl.port = op.port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
		return err;
	}
	*port = op.port;
	return 0;
}
