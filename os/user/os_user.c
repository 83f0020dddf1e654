// SPDX-License-Identifier: MIT
/*
 * os.h for a userspace process: memory, locks, waiting, time and logging.
 * Guest pages come from the domain's own memory (its memfd), because only
 * those have a gfn another domain can map; everything else is malloc.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os/user/user.h"
#include "xenpv/os.h"

void *xpv_os_malloc(size_t size) { return malloc(size); }
void *xpv_os_zalloc(size_t size) { return calloc(1, size); }
void xpv_os_free(void *ptr) { free(ptr); }

/* ---- guest pages: a bitmap over the domain's memory ----------------- */

static pthread_mutex_t page_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *page_used;
static unsigned int page_next;

void *xpv_os_page_alloc(void)
{
	struct lb_dom *d = xpv_user_dom();
	unsigned int n = d ? lb_dom_nr_pages(d) : 0, i, k;
	void *page = NULL;

	pthread_mutex_lock(&page_lock);
	if (!page_used && n)
		page_used = calloc((n + 63) / 64, sizeof(uint64_t));
	for (k = 0; page_used && k < n; k++) {
		i = (page_next + k) % n;
		if (!(page_used[i / 64] & (1ull << (i % 64)))) {
			page_used[i / 64] |= 1ull << (i % 64);
			page_next = i + 1;
			page = (char *)lb_dom_mem(d) + (size_t)i * XPV_PAGE_SIZE;
			break;
		}
	}
	pthread_mutex_unlock(&page_lock);
	if (page)
		memset(page, 0, XPV_PAGE_SIZE);
	return page;
}

static bool page_is_used(unsigned int i)
{
	return page_used[i / 64] & (1ull << (i % 64));
}

void *xpv_os_pages_alloc(unsigned int n)
{
	struct lb_dom *d = xpv_user_dom();
	unsigned int nr = d ? lb_dom_nr_pages(d) : 0, i, run = 0, k;
	void *mem = NULL;

	if (n <= 1)
		return n ? xpv_os_page_alloc() : NULL;
	pthread_mutex_lock(&page_lock);
	if (!page_used && nr)
		page_used = calloc((nr + 63) / 64, sizeof(uint64_t));
	for (i = 0; page_used && i < nr && run < n; i++)
		run = page_is_used(i) ? 0 : run + 1;
	if (run == n) {
		for (k = i - n; k < i; k++)
			page_used[k / 64] |= 1ull << (k % 64);
		mem = (char *)lb_dom_mem(d) + (size_t)(i - n) * XPV_PAGE_SIZE;
	}
	pthread_mutex_unlock(&page_lock);
	if (mem)
		memset(mem, 0, (size_t)n * XPV_PAGE_SIZE);
	return mem;
}

void xpv_os_page_free(void *page)
{
	uint64_t gfn;

	if (!page)
		return;
	gfn = xpv_os_virt_to_gfn(page);
	pthread_mutex_lock(&page_lock);
	if (page_used && gfn < lb_dom_nr_pages(xpv_user_dom()))
		page_used[gfn / 64] &= ~(1ull << (gfn % 64));
	pthread_mutex_unlock(&page_lock);
}

uint64_t xpv_os_virt_to_gfn(const void *page)
{
	const char *base = lb_dom_mem(xpv_user_dom());

	return (uint64_t)((const char *)page - base) >> XPV_PAGE_SHIFT;
}

void xpv_user_pages_reset(void)
{
	pthread_mutex_lock(&page_lock);
	free(page_used);
	page_used = NULL;
	page_next = 0;
	pthread_mutex_unlock(&page_lock);
}

/* ---- locks and wait queues ----------------------------------------- */

struct xpv_os_lock {
	pthread_mutex_t m;
};

struct xpv_os_lock *xpv_os_lock_new(void)
{
	struct xpv_os_lock *l = malloc(sizeof(*l));

	if (l)
		pthread_mutex_init(&l->m, NULL);
	return l;
}

void xpv_os_lock_free(struct xpv_os_lock *lock)
{
	if (!lock)
		return;
	pthread_mutex_destroy(&lock->m);
	free(lock);
}

void xpv_os_lock(struct xpv_os_lock *lock) { pthread_mutex_lock(&lock->m); }
void xpv_os_unlock(struct xpv_os_lock *lock) { pthread_mutex_unlock(&lock->m); }

struct xpv_os_waitq {
	pthread_mutex_t m;
	pthread_cond_t cv;
	uint64_t wakes;
};

struct xpv_os_waitq *xpv_os_waitq_new(void)
{
	struct xpv_os_waitq *wq = calloc(1, sizeof(*wq));
	pthread_condattr_t a;

	if (!wq)
		return NULL;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_mutex_init(&wq->m, NULL);
	pthread_cond_init(&wq->cv, &a);
	pthread_condattr_destroy(&a);
	return wq;
}

void xpv_os_waitq_free(struct xpv_os_waitq *wq)
{
	if (!wq)
		return;
	pthread_cond_destroy(&wq->cv);
	pthread_mutex_destroy(&wq->m);
	free(wq);
}

int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? xpv_os_now_ns() + timeout_ns : 0;
	struct timespec ts = { .tv_sec = deadline / 1000000000ull,
			       .tv_nsec = deadline % 1000000000ull };
	int err = 0;

	pthread_mutex_lock(&wq->m);
	/* cond is evaluated under wq->m; a waker bumps wakes under it too,
	 * so a wake between the check and the sleep is never lost. */
	while (!cond(arg)) {
		if (!deadline) {
			pthread_cond_wait(&wq->cv, &wq->m);
		} else if (pthread_cond_timedwait(&wq->cv, &wq->m, &ts) ==
			   ETIMEDOUT) {
			err = cond(arg) ? 0 : -XPV_ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&wq->m);
	return err;
}

void xpv_os_wake(struct xpv_os_waitq *wq)
{
	pthread_mutex_lock(&wq->m);
	wq->wakes++;
	pthread_cond_broadcast(&wq->cv);
	pthread_mutex_unlock(&wq->m);
}

/* ---- time, logging, formatting -------------------------------------- */

uint64_t xpv_os_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static enum xpv_log_level log_threshold(void)
{
	static int level = -1;

	if (level < 0) {
		const char *s = getenv("XENPV_LOG");

		level = s ? atoi(s) : XPV_LOG_WARN;
	}
	return level;
}

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info",
					     "debug" };
	char line[512];
	va_list ap;

	if (level > log_threshold())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xenpv[d%d] %s: %s%s", xpv_user_domid(), names[level],
		line, line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

int xpv_os_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
