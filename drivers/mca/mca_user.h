/* SPDX-License-Identifier: MIT */
/*
 * Machine-check telemetry for a userspace process that is a loopback
 * domain: the portable driver on os/user, with page offlining done by the
 * loopback (its XEN_SYSCTL_page_offline_op).  Call xpv_user_init() first.
 * Records are read with xpv_mca_read / xpv_mca_wait (mca.h).
 */
#ifndef XENPV_MCA_USER_H
#define XENPV_MCA_USER_H

#include "drivers/mca/mca.h"

/* @threshold 0: the default.  NULL with *err = -errno. */
struct xpv_mca *xpv_mca_user_start(unsigned int threshold, int *err);
void xpv_mca_user_stop(struct xpv_mca *m);

#endif
