// SPDX-License-Identifier: MIT
/*
 * The device model's check of one ioreq slot (see ioreq.h).  The guest
 * wrote every field; this runs on a private copy, before anything is done.
 */
#include <errno.h>

#include "loopback/ioreq.h"

/* The checks Xen's emulator makes before it forwards an access. */
static bool ioreq_ok(const ioreq_t *r)
{
	if (r->size != 1 && r->size != 2 && r->size != 4 && r->size != 8)
		return false;
	if (r->type != IOREQ_TYPE_PIO && r->type != IOREQ_TYPE_COPY)
		return false;
	if (r->count == 0 || r->count > LB_IOREQ_MAX_REP_BYTES)
		return false;
	return r->data_is_ptr || r->count == 1;
}

int lb_ioreq_check_req(const ioreq_t *r, uint64_t guest_bytes,
		       uint64_t *buf_off)
{
	uint64_t bytes, first;

	if (!ioreq_ok(r))
		return -EINVAL;
	if (!r->data_is_ptr)
		return 0;
	bytes = (uint64_t)r->count * r->size;
	first = r->data;
	if (bytes > LB_IOREQ_MAX_REP_BYTES)
		return -EFAULT;
	/* With DF set, data is the last element's: the string lies below. */
	if (r->df) {
		if (first < bytes - r->size)
			return -EFAULT;
		first -= bytes - r->size;
	}
	if (first > guest_bytes || bytes > guest_bytes - first)
		return -EFAULT;
	*buf_off = first;
	return 0;
}
