// SPDX-License-Identifier: MIT
/*
 * os.h's hypercalls for a process that is a loopback domain: memory_op,
 * mca and bind_virq go straight to the loopback's implementation of them,
 * which runs in this process against the shared hypervisor region.
 */
#include "os/user/user.h"
#include "xenpv/os.h"

long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	struct lb_dom *d = xpv_user_dom();

	return d ? lb_memory_op(d, cmd, arg) : -XPV_ENOSYS;
}

int xpv_os_mca_op(struct xen_mc *mc)
{
	struct lb_dom *d = xpv_user_dom();

	return d ? lb_mca_op(d, mc) : -XPV_ENOSYS;
}

int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port)
{
	struct lb_dom *d = xpv_user_dom();
	int err;

	if (!d)
		return -XPV_ENOSYS;
	err = lb_evtchn_bind_virq(d, virq, 0, port);
	if (err)
		return err;
	err = xpv_os_evtchn_bind_handler(*port, handler, arg);
	if (err)
		lb_evtchn_close(d, *port);
	return err;
}
