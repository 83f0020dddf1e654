/* SPDX-License-Identifier: MIT */
/*
 * The userspace host: a process becomes one loopback domain, and the portable
 * core and drivers run in it through os.h.  The domain is per process by
 * design (a domain is a process), so this host keeps it in one place.
 */
#ifndef XENPV_OS_USER_H
#define XENPV_OS_USER_H

#include "loopback/loopback.h"

/*
 * Joins the loopback in @dir (NULL: lb_default_dir()) as @domid (-1: any)
 * with @nr_pages of memory, starts the upcall thread, connects to xenstored.
 * Returns 0 or -errno.
 */
int xpv_user_init(const char *dir, int domid, unsigned int nr_pages);
void xpv_user_exit(void);

struct lb_dom *xpv_user_dom(void);
int xpv_user_domid(void);
/* Upcalls run so far, and events they handled. */
void xpv_user_upcall_stats(uint64_t *upcalls, uint64_t *events);

/* Internal to os/user. */
void xpv_user_pages_reset(void);
int xpv_user_xs_open(const char *dir);
void xpv_user_xs_close(void);

#endif
