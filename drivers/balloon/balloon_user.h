/* SPDX-License-Identifier: MIT */
/*
 * The balloon for a userspace process that is a loopback domain: the
 * portable balloon on os/user, with one thread that runs its work and
 * sleeps out its back-offs.  Call xpv_user_init() first.
 */
#ifndef XENPV_BALLOON_USER_H
#define XENPV_BALLOON_USER_H

#include "drivers/balloon/balloon.h"

struct xpv_balloon_user;

/*
 * Starts the balloon of this domain (cfg->kick is the host's own) and
 * follows memory/target and memory/static-max.  NULL with *err = -errno.
 */
struct xpv_balloon_user *
xpv_balloon_user_start(const struct xpv_balloon_cfg *cfg, int *err);
/* Stops the thread, deflates as far as Xen lets it, frees. */
void xpv_balloon_user_stop(struct xpv_balloon_user *u);
struct xpv_balloon *xpv_balloon_user_dev(struct xpv_balloon_user *u);
/* Work steps run so far (each is one batch or one refusal). */
unsigned long long xpv_balloon_user_steps(struct xpv_balloon_user *u);

#endif
