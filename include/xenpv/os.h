/* SPDX-License-Identifier: MIT */
/*
 * os.h: the whole contract between the portable core (core/, the portable
 * halves of drivers/) and a host OS.  A host provides every function declared
 * here; the core calls nothing else.  Hosts today: os/user (a process on the
 * loopback ABI or on real Xen), os/linux (Linux modules), arch-xen (our guest
 * kernel).  The host is picked at link time, never with #ifdef.
 *
 * Conventions: errors are negative errno values (XPV_E* below, which equal
 * Linux's errno numbers, so hosts can pass them straight through); sizes are
 * in bytes; a "gfn" is a guest frame number as the other end of a grant sees
 * it.
 */
#ifndef XENPV_OS_H
#define XENPV_OS_H

#include "xenpv/xen.h"


/* errno values the core returns; the numbers are Linux's (and Xen's). */
#define XPV_EPERM 1
#define XPV_ENOENT 2
#define XPV_EIO 5
#define XPV_E2BIG 7
#define XPV_EAGAIN 11
#define XPV_ENOMEM 12
#define XPV_EACCES 13
#define XPV_EBUSY 16
#define XPV_EEXIST 17
#define XPV_EISDIR 21
#define XPV_EINVAL 22
#define XPV_ENOSPC 28
#define XPV_EROFS 30
#define XPV_ERANGE 34
#define XPV_ENOSYS 38
#define XPV_ENOTEMPTY 39
#define XPV_EPROTO 71
#define XPV_EOVERFLOW 75
#define XPV_EBADMSG 74
#define XPV_EISCONN 106
#define XPV_ESHUTDOWN 108
#define XPV_ETIMEDOUT 110
#define XPV_ECONNRESET 104
#define XPV_EOPNOTSUPP 95

/* ---- memory ---------------------------------------------------------- */

void *xpv_os_malloc(size_t size);
void *xpv_os_zalloc(size_t size);
void xpv_os_free(void *ptr);

/* One zeroed page of guest memory that can be granted to another domain. */
void *xpv_os_page_alloc(void);
void xpv_os_page_free(void *page);
/*
 * @n zeroed pages of guest memory at consecutive addresses (a multi-page
 * shared ring, a large buffer), or NULL.  Each page is freed on its own
 * with xpv_os_page_free and has its own gfn.
 */
void *xpv_os_pages_alloc(unsigned int n);
/* The gfn of a page from xpv_os_page_alloc (or any page-aligned guest page). */
uint64_t xpv_os_virt_to_gfn(const void *page);

/* ---- grant table (the entries; refs are managed by core/gntalloc) ----- */

/*
 * Hand the core @n grant references it may use.  Returns how many it got
 * (0..n) or a negative errno.  The core never touches a ref it was not given.
 */
int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n);
/* Give back refs from xpv_os_gnttab_claim. */
void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n);
/* Fill entry @ref: @domid may map/copy frame @gfn, read-only if @readonly. */
void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly);
/*
 * Revoke entry @ref.  Returns 0 when the entry is free again, -XPV_EBUSY when
 * the other end still has it mapped (GTF_reading/GTF_writing set): the caller
 * must not reuse the ref or the page until a later call succeeds.
 */
int xpv_os_gnttab_end(grant_ref_t ref, bool readonly);

/* ---- event channels -------------------------------------------------- */

typedef void (*xpv_evtchn_handler_t)(evtchn_port_t port, void *arg);

/* Allocate a port that domain @remote may bind to. */
int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
/* Bind to @remote_port of domain @remote; the local port goes to *port. */
int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port);
/*
 * Deliver events on @port to @handler (called from the host's upcall
 * context, with the port's pending bit already cleared).  Unmasks the port.
 */
int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg);
void xpv_os_evtchn_notify(evtchn_port_t port);
void xpv_os_evtchn_mask(evtchn_port_t port);
void xpv_os_evtchn_unmask(evtchn_port_t port);
void xpv_os_evtchn_close(evtchn_port_t port);

/* ---- hypercalls the balloon and machine-check drivers make ----------- */

/*
 * HYPERVISOR_memory_op: XENMEM_decrease_reservation and
 * XENMEM_populate_physmap take a struct xen_memory_reservation and return
 * the extents done (partial success is a count below nr_extents);
 * XENMEM_current_reservation and XENMEM_maximum_reservation take a domid_t
 * and return pages.  Argument errors are -errno.
 */
long xpv_os_memory_op(unsigned int cmd, void *arg);
/* HYPERVISOR_mca on @mc (XEN_MC_fetch, ...): 0 or -errno; outputs in @mc. */
int xpv_os_mca_op(struct xen_mc *mc);
/*
 * EVTCHNOP_bind_virq on vCPU 0, then delivery to @handler as with
 * xpv_os_evtchn_bind_handler; the port goes to *port.
 */
int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port);

/* ---- xenstore -------------------------------------------------------- */

/* 0 means "no transaction", as in the wire protocol. */
typedef uint32_t xpv_xbt_t;
#define XPV_XBT_NIL ((xpv_xbt_t)0)

/* Reads @path into @buf (NUL-terminated); returns the length or -errno. */
int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size);
int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value);
int xpv_os_xs_rm(xpv_xbt_t t, const char *path);
/*
 * Lists the children of @path into @buf as consecutive NUL-terminated names;
 * returns the number of children or -errno (-XPV_E2BIG if @buf is short).
 */
int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size);
int xpv_os_xs_transaction_start(xpv_xbt_t *t);
/* Returns -XPV_EAGAIN when the transaction conflicted: retry it. */
int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort);

struct xpv_os_watch;
typedef void (*xpv_watch_fn_t)(const char *path, void *arg);
/* Calls @fn (from the host's xenstore context) for each change under @path. */
struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg);
void xpv_os_xs_unwatch(struct xpv_os_watch *watch);

/* ---- locks, waiting, time, logging ----------------------------------- */

/* A lock that event handlers may take (a spinlock with irqsave in a kernel). */
struct xpv_os_lock;
struct xpv_os_lock *xpv_os_lock_new(void);
void xpv_os_lock_free(struct xpv_os_lock *lock);
void xpv_os_lock(struct xpv_os_lock *lock);
void xpv_os_unlock(struct xpv_os_lock *lock);

/* A place to sleep until a condition holds; wake is safe from handlers. */
struct xpv_os_waitq;
struct xpv_os_waitq *xpv_os_waitq_new(void);
void xpv_os_waitq_free(struct xpv_os_waitq *wq);
typedef bool (*xpv_cond_fn_t)(void *arg);
/*
 * Sleeps until @cond(@arg) is true or @timeout_ns passes (0: no limit).
 * Returns 0, or -XPV_ETIMEDOUT.
 */
int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns);
void xpv_os_wake(struct xpv_os_waitq *wq);

/* Monotonic nanoseconds. */
uint64_t xpv_os_now_ns(void);

enum xpv_log_level { XPV_LOG_ERR, XPV_LOG_WARN, XPV_LOG_INFO, XPV_LOG_DEBUG };
void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define xpv_err(...) xpv_os_log(XPV_LOG_ERR, __VA_ARGS__)
#define xpv_warn(...) xpv_os_log(XPV_LOG_WARN, __VA_ARGS__)
#define xpv_info(...) xpv_os_log(XPV_LOG_INFO, __VA_ARGS__)
#define xpv_dbg(...) xpv_os_log(XPV_LOG_DEBUG, __VA_ARGS__)

/* Formatting without libc: the host's vsnprintf semantics. */
int xpv_os_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
