/* SPDX-License-Identifier: MIT */
/*
 * An in-process os.h host for unit tests, with knobs and probes so a test
 * can play the other end: malloc-backed pages with a fake gfn map, a
 * grant_entry_v1_t table with the real flags, fake event channels, a small
 * in-memory xenstore, pthread locks and waitqueues, stderr logging.
 *
 * State is per process; call fake_os_reset() from each suite's init.
 */
#ifndef XENPV_TESTS_FAKE_OS_H
#define XENPV_TESTS_FAKE_OS_H

#include "xenpv/os.h"

#define FAKE_OS_NR_GREFS 1024u
#define FAKE_OS_NR_PAGES 4096u
#define FAKE_OS_NR_PORTS 256u
#define FAKE_OS_XS_MAX 256u

/* Forget all state (grants, ports, store, counters, knobs). */
void fake_os_reset(void);

/* ---- memory ---- */
/* Make the allocation after the next @n ones fail (-1: never). */
void fake_os_fail_alloc_after(long n);
/* Page allocations not yet freed. */
unsigned int fake_os_pages_live(void);
/* The page for @gfn, as the other end would map it; NULL if unknown. */
void *fake_os_gfn_to_virt(uint64_t gfn);

/* ---- grant table ---- */
/* Let xpv_os_gnttab_claim hand out at most @n refs in total. */
void fake_os_gnttab_limit(unsigned int n);
/* Make the next claim fail with @err (negative), once. */
void fake_os_gnttab_claim_error(int err);
grant_entry_v1_t *fake_os_gnttab_entry(grant_ref_t ref);
/* Play the other end mapping / unmapping an entry (GTF_reading/writing). */
void fake_os_gnttab_peer_map(grant_ref_t ref, bool write);
void fake_os_gnttab_peer_unmap(grant_ref_t ref);
unsigned int fake_os_gnttab_claimed(void);
/* Protocol errors the fake saw: release of unclaimed refs, grant over a
 * live entry, and the like.  Tests expect 0. */
unsigned int fake_os_errors(void);

/* ---- event channels ---- */
unsigned int fake_os_evtchn_notify_count(evtchn_port_t port);
bool fake_os_evtchn_masked(evtchn_port_t port);
bool fake_os_evtchn_bound(evtchn_port_t port);
/* Call the port's handler as an upcall would; false if it has none. */
bool fake_os_evtchn_fire(evtchn_port_t port);

/* ---- xenstore ---- */
/* The value at @path, or NULL. */
const char *fake_os_xs_get(const char *path);
unsigned int fake_os_xs_count(void);
/* Make the next read fail with @err (negative), once: a store that did
 * not answer. */
void fake_os_xs_fail_next_read(int err);

/* ---- logging ---- */
unsigned int fake_os_log_count(enum xpv_log_level level);
/* Silence stderr output (counts still kept). */
void fake_os_log_quiet(bool quiet);

/* ---- hypercalls ---- */
typedef long (*fake_os_memory_op_fn)(unsigned int cmd, void *arg);
typedef int (*fake_os_mca_op_fn)(struct xen_mc *mc);
/* xpv_os_memory_op / xpv_os_mca_op call these (NULL: -XPV_ENOSYS). */
void fake_os_set_hypercalls(fake_os_memory_op_fn memory_op,
			    fake_os_mca_op_fn mca_op);

#endif
