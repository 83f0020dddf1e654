// SPDX-License-Identifier: MIT
/*
 * A minimal os.h host for libFuzzer targets: memory and formatting work,
 * every hook that would reach another domain fails cleanly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xenpv/os.h"

void *xpv_os_malloc(size_t size) { return malloc(size); }
void *xpv_os_zalloc(size_t size) { return calloc(1, size); }
void xpv_os_free(void *ptr) { free(ptr); }

void *xpv_os_page_alloc(void)
{
	void *p = aligned_alloc(XPV_PAGE_SIZE, XPV_PAGE_SIZE);

	if (p)
		memset(p, 0, XPV_PAGE_SIZE);
	return p;
}

void xpv_os_page_free(void *page) { free(page); }
/* Pages here are freed one by one with free(): only single pages. */
void *xpv_os_pages_alloc(unsigned int n)
{
	return n == 1 ? xpv_os_page_alloc() : NULL;
}
uint64_t xpv_os_virt_to_gfn(const void *page)
{
	return (uintptr_t)page >> XPV_PAGE_SHIFT;
}

int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n) { return -XPV_ENOSPC; }
void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n) {}
void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly) {}
int xpv_os_gnttab_end(grant_ref_t ref, bool readonly) { return 0; }

int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	return -XPV_ENOSYS;
}

int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port)
{
	return -XPV_ENOSYS;
}

int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg)
{
	return -XPV_ENOSYS;
}

void xpv_os_evtchn_notify(evtchn_port_t port) {}
void xpv_os_evtchn_mask(evtchn_port_t port) {}
void xpv_os_evtchn_unmask(evtchn_port_t port) {}
void xpv_os_evtchn_close(evtchn_port_t port) {}

int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	return -XPV_ENOENT;
}

int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	return -XPV_EACCES;
}

int xpv_os_xs_rm(xpv_xbt_t t, const char *path) { return -XPV_ENOENT; }
int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	return -XPV_ENOENT;
}

int xpv_os_xs_transaction_start(xpv_xbt_t *t) { return -XPV_ENOSYS; }
int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort) { return -XPV_ENOSYS; }
struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	return NULL;
}

void xpv_os_xs_unwatch(struct xpv_os_watch *watch) {}

struct xpv_os_lock *xpv_os_lock_new(void) { return malloc(1); }
void xpv_os_lock_free(struct xpv_os_lock *lock) { free(lock); }
void xpv_os_lock(struct xpv_os_lock *lock) {}
void xpv_os_unlock(struct xpv_os_lock *lock) {}
struct xpv_os_waitq *xpv_os_waitq_new(void) { return malloc(1); }
void xpv_os_waitq_free(struct xpv_os_waitq *wq) { free(wq); }
int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	return cond(arg) ? 0 : -XPV_ETIMEDOUT;
}

void xpv_os_wake(struct xpv_os_waitq *wq) {}

uint64_t xpv_os_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...) {}

int xpv_os_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	return -XPV_ENOSYS;
}

int xpv_os_mca_op(struct xen_mc *mc) { return -XPV_ENOSYS; }
int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port)
{
	return -XPV_ENOSYS;
}
