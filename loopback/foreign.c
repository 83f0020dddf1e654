// SPDX-License-Identifier: MIT
/*
 * Foreign mappings for a privileged domain (Xen's
 * xenforeignmemory_map / IOCTL_PRIVCMD_MMAPBATCH): a device model in dom0
 * reaches the memory of the guest it emulates for, as qemu does for DMA.
 */
#include <errno.h>

#include "loopback/internal.h"
#include "loopback/ioreq.h"

int lb_foreign_memory(struct lb_dom *d, domid_t guest, uint8_t **base,
		      uint64_t *bytes)
{
	struct lb_peer *p;

	/* Only the control domain may map frames it was not granted. */
	if (d->id != 0)
		return -EPERM;
	if (guest == d->id || guest >= LB_MAX_DOMS)
		return -EINVAL;
	p = lb_peer_get(d, guest);
	if (!p || !p->mem)
		return -ESRCH;
	*base = p->mem;
	*bytes = (uint64_t)p->nr_pages * XPV_PAGE_SIZE;
	return 0;
}
