/* SPDX-License-Identifier: MIT */
/* The loopback hypervisor's daemon side, embedded by xenpv-loopback and by tests. */
#ifndef XENPV_LOOPBACK_DAEMON_H
#define XENPV_LOOPBACK_DAEMON_H

#include <stdbool.h>

struct lb_daemon;
struct lb_hv;

typedef void (*lb_domain_gone_fn)(void *arg, unsigned int domid);

/* Creates @dir if needed and listens on @dir/hv.sock; NULL and *err on failure. */
struct lb_daemon *lb_daemon_new(const char *dir, int *err);
/* Called (from lb_daemon_run's thread) after a domain has been torn down. */
void lb_daemon_on_domain_gone(struct lb_daemon *dm, lb_domain_gone_fn fn,
			      void *arg);
/* Serves joins and lookups until lb_daemon_stop. */
int lb_daemon_run(struct lb_daemon *dm);
/* Safe from any thread or a signal handler. */
void lb_daemon_stop(struct lb_daemon *dm);
void lb_daemon_free(struct lb_daemon *dm);

/* For xenstored: which domain a connecting process is (-1: none, so dom0). */
int lb_daemon_domid_of_pid(struct lb_daemon *dm, int pid);
bool lb_daemon_domain_exists(struct lb_daemon *dm, unsigned int domid);
struct lb_hv *lb_daemon_hv(struct lb_daemon *dm);

#endif
