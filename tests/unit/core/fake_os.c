// SPDX-License-Identifier: MIT
/*
 * An in-process os.h host for unit tests; see fake_os.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/core/fake_os.h"

#define FAKE_GFN_BASE 0x100u
#define FAKE_XS_LEN 256u
#define FAKE_NR_WATCHES 32u

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;

static long fail_after = -1;
static void *pages[FAKE_OS_NR_PAGES];
/* The allocation each page belongs to (pages_alloc hands out runs). */
static void *page_block[FAKE_OS_NR_PAGES];
static unsigned int nr_pages_live;

static grant_entry_v1_t gnttab[FAKE_OS_NR_GREFS];
static bool claimed[FAKE_OS_NR_GREFS];
static unsigned int gnt_limit = FAKE_OS_NR_GREFS, gnt_claimed;
static int claim_error;
static int read_error;	/* the next xs read fails with it (0: none) */
static unsigned int errors;

struct fake_port {
	bool used;
	bool masked;
	xpv_evtchn_handler_t fn;
	void *arg;
	unsigned int notified;
};
static struct fake_port ports[FAKE_OS_NR_PORTS];

struct fake_node {
	bool used;
	char path[FAKE_XS_LEN];
	char value[FAKE_XS_LEN];
};
static struct fake_node nodes[FAKE_OS_XS_MAX];
static uint32_t next_tx = 1;

struct xpv_os_watch {
	bool used;
	char path[FAKE_XS_LEN];
	xpv_watch_fn_t fn;
	void *arg;
};
static struct xpv_os_watch watches[FAKE_NR_WATCHES];

static unsigned int log_counts[XPV_LOG_DEBUG + 1];
static bool log_quiet;

void fake_os_reset(void)
{
	unsigned int i;

	pthread_mutex_lock(&fake_mu);
	fail_after = -1;
	for (i = 0; i < FAKE_OS_NR_PAGES; i++) {
		void *base = page_block[i];
		unsigned int j;

		for (j = i; base && j < FAKE_OS_NR_PAGES; j++) {
			if (page_block[j] == base) {
				page_block[j] = NULL;
				pages[j] = NULL;
			}
		}
		free(base);
	}
	nr_pages_live = 0;
	memset(gnttab, 0, sizeof(gnttab));
	memset(claimed, 0, sizeof(claimed));
	gnt_limit = FAKE_OS_NR_GREFS;
	gnt_claimed = 0;
	claim_error = 0;
	read_error = 0;
	errors = 0;
	memset(ports, 0, sizeof(ports));
	memset(nodes, 0, sizeof(nodes));
	memset(watches, 0, sizeof(watches));
	memset(log_counts, 0, sizeof(log_counts));
	log_quiet = false;
	pthread_mutex_unlock(&fake_mu);
}

/* ---- memory ------------------------------------------------------------ */

void fake_os_fail_alloc_after(long n)
{
	__atomic_store_n(&fail_after, n, __ATOMIC_SEQ_CST);
}

static bool fake_alloc_fails(void)
{
	long n = __atomic_load_n(&fail_after, __ATOMIC_SEQ_CST);

	while (n >= 0) {
		if (__atomic_compare_exchange_n(&fail_after, &n, n - 1, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return n == 0;
	}
	return false;
}

void *xpv_os_malloc(size_t size)
{
	return fake_alloc_fails() ? NULL : malloc(size ? size : 1);
}

void *xpv_os_zalloc(size_t size)
{
	return fake_alloc_fails() ? NULL : calloc(1, size ? size : 1);
}

void xpv_os_free(void *ptr)
{
	free(ptr);
}

void *xpv_os_pages_alloc(unsigned int n)
{
	unsigned int i, k = 0, slot[256];
	char *p;

	if (n == 0 || n > 256 || fake_alloc_fails())
		return NULL;
	p = aligned_alloc(XPV_PAGE_SIZE, (size_t)n * XPV_PAGE_SIZE);
	if (!p)
		return NULL;
	memset(p, 0, (size_t)n * XPV_PAGE_SIZE);
	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < FAKE_OS_NR_PAGES && k < n; i++)
		if (!pages[i])
			slot[k++] = i;
	for (i = 0; k == n && i < n; i++) {
		pages[slot[i]] = p + (size_t)i * XPV_PAGE_SIZE;
		page_block[slot[i]] = p;
		nr_pages_live++;
	}
	pthread_mutex_unlock(&fake_mu);
	if (k < n) {
		free(p);
		return NULL;
	}
	return p;
}

void *xpv_os_page_alloc(void)
{
	return xpv_os_pages_alloc(1);
}

void xpv_os_page_free(void *page)
{
	unsigned int i;
	void *base = NULL;

	if (!page)
		return;
	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < FAKE_OS_NR_PAGES && pages[i] != page; i++)
		;
	if (i < FAKE_OS_NR_PAGES) {
		base = page_block[i];
		pages[i] = NULL;
		page_block[i] = NULL;
		nr_pages_live--;
		/* The run is freed with its last page. */
		for (i = 0; i < FAKE_OS_NR_PAGES; i++)
			if (page_block[i] == base)
				base = NULL;
	} else {
		errors++;
	}
	pthread_mutex_unlock(&fake_mu);
	free(base);
}

uint64_t xpv_os_virt_to_gfn(const void *page)
{
	unsigned int i;

	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < FAKE_OS_NR_PAGES && pages[i] != page; i++)
		;
	if (i == FAKE_OS_NR_PAGES)
		errors++;
	pthread_mutex_unlock(&fake_mu);
	return i < FAKE_OS_NR_PAGES ? FAKE_GFN_BASE + i : ~0ull;
}

unsigned int fake_os_pages_live(void)
{
	return nr_pages_live;
}

void *fake_os_gfn_to_virt(uint64_t gfn)
{
	if (gfn < FAKE_GFN_BASE || gfn - FAKE_GFN_BASE >= FAKE_OS_NR_PAGES)
		return NULL;
	return pages[gfn - FAKE_GFN_BASE];
}

/* ---- grant table ------------------------------------------------------- */

void fake_os_gnttab_limit(unsigned int n)
{
	gnt_limit = n;
}

void fake_os_gnttab_claim_error(int err)
{
	claim_error = err;
}

int xpv_os_gnttab_claim(grant_ref_t *refs, unsigned int n)
{
	unsigned int got = 0;
	grant_ref_t r;
	int err;

	pthread_mutex_lock(&fake_mu);
	err = claim_error;
	claim_error = 0;
	for (r = GNTTAB_NR_RESERVED_ENTRIES;
	     !err && r < FAKE_OS_NR_GREFS && got < n && gnt_claimed < gnt_limit;
	     r++) {
		if (claimed[r])
			continue;
		claimed[r] = true;
		gnt_claimed++;
		refs[got++] = r;
	}
	pthread_mutex_unlock(&fake_mu);
	return err ? err : (int)got;
}

void xpv_os_gnttab_release(const grant_ref_t *refs, unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < n; i++) {
		if (refs[i] >= FAKE_OS_NR_GREFS || !claimed[refs[i]] ||
		    gnttab[refs[i]].flags) {
			errors++;
			continue;
		}
		claimed[refs[i]] = false;
		gnt_claimed--;
	}
	pthread_mutex_unlock(&fake_mu);
}

void xpv_os_gnttab_grant(grant_ref_t ref, domid_t domid, uint64_t gfn,
			 bool readonly)
{
	grant_entry_v1_t *e;

	if (ref >= FAKE_OS_NR_GREFS || !claimed[ref] || gnttab[ref].flags) {
		__atomic_fetch_add(&errors, 1, __ATOMIC_SEQ_CST);
		return;
	}
	e = &gnttab[ref];
	e->domid = domid;
	e->frame = (uint32_t)gfn;
	/* Frame and domid must be visible before the entry goes live. */
	__atomic_store_n(&e->flags,
			 (uint16_t)(GTF_permit_access |
				    (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
}

int xpv_os_gnttab_end(grant_ref_t ref, bool readonly)
{
	uint16_t flags;

	if (ref >= FAKE_OS_NR_GREFS || !claimed[ref]) {
		__atomic_fetch_add(&errors, 1, __ATOMIC_SEQ_CST);
		return -XPV_EINVAL;
	}
	flags = __atomic_load_n(&gnttab[ref].flags, __ATOMIC_SEQ_CST);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XPV_EBUSY;
	} while (!__atomic_compare_exchange_n(&gnttab[ref].flags, &flags, 0,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return 0;
}

grant_entry_v1_t *fake_os_gnttab_entry(grant_ref_t ref)
{
	return ref < FAKE_OS_NR_GREFS ? &gnttab[ref] : NULL;
}

void fake_os_gnttab_peer_map(grant_ref_t ref, bool write)
{
	uint16_t flags = __atomic_load_n(&gnttab[ref].flags, __ATOMIC_SEQ_CST);

	if (!(flags & GTF_permit_access) || (write && (flags & GTF_readonly))) {
		errors++;
		return;
	}
	__atomic_fetch_or(&gnttab[ref].flags,
			  (uint16_t)(write ? GTF_writing | GTF_reading
					   : GTF_reading),
			  __ATOMIC_SEQ_CST);
}

void fake_os_gnttab_peer_unmap(grant_ref_t ref)
{
	__atomic_fetch_and(&gnttab[ref].flags,
			   (uint16_t)~(GTF_reading | GTF_writing),
			   __ATOMIC_SEQ_CST);
}

unsigned int fake_os_gnttab_claimed(void)
{
	return gnt_claimed;
}

unsigned int fake_os_errors(void)
{
	return __atomic_load_n(&errors, __ATOMIC_SEQ_CST);
}

/* ---- event channels ---------------------------------------------------- */

static int fake_port_alloc(evtchn_port_t *port)
{
	evtchn_port_t p;

	pthread_mutex_lock(&fake_mu);
	/* Port 0 is never valid, as in Xen. */
	for (p = 1; p < FAKE_OS_NR_PORTS && ports[p].used; p++)
		;
	if (p < FAKE_OS_NR_PORTS) {
		memset(&ports[p], 0, sizeof(ports[p]));
		ports[p].used = true;
		ports[p].masked = true;
	}
	pthread_mutex_unlock(&fake_mu);
	if (p == FAKE_OS_NR_PORTS)
		return -XPV_ENOSPC;
	*port = p;
	return 0;
}

int xpv_os_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	return fake_port_alloc(port);
}

int xpv_os_evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
				   evtchn_port_t *port)
{
	if (remote_port == 0 || remote_port >= FAKE_OS_NR_PORTS)
		return -XPV_EINVAL;
	return fake_port_alloc(port);
}

static struct fake_port *fake_port(evtchn_port_t port)
{
	if (port >= FAKE_OS_NR_PORTS || !ports[port].used) {
		__atomic_fetch_add(&errors, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	return &ports[port];
}

int xpv_os_evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t handler,
			       void *arg)
{
	struct fake_port *p = fake_port(port);

	if (!p)
		return -XPV_EINVAL;
	p->fn = handler;
	p->arg = arg;
	p->masked = false;
	return 0;
}

void xpv_os_evtchn_notify(evtchn_port_t port)
{
	struct fake_port *p = fake_port(port);

	if (p)
		__atomic_fetch_add(&p->notified, 1, __ATOMIC_SEQ_CST);
}

void xpv_os_evtchn_mask(evtchn_port_t port)
{
	struct fake_port *p = fake_port(port);

	if (p)
		p->masked = true;
}

void xpv_os_evtchn_unmask(evtchn_port_t port)
{
	struct fake_port *p = fake_port(port);

	if (p)
		p->masked = false;
}

void xpv_os_evtchn_close(evtchn_port_t port)
{
	struct fake_port *p = fake_port(port);

	if (p)
		memset(p, 0, sizeof(*p));
}

unsigned int fake_os_evtchn_notify_count(evtchn_port_t port)
{
	return port < FAKE_OS_NR_PORTS ? ports[port].notified : 0;
}

bool fake_os_evtchn_masked(evtchn_port_t port)
{
	return port < FAKE_OS_NR_PORTS && ports[port].masked;
}

bool fake_os_evtchn_bound(evtchn_port_t port)
{
	return port < FAKE_OS_NR_PORTS && ports[port].used;
}

bool fake_os_evtchn_fire(evtchn_port_t port)
{
	struct fake_port *p;

	if (port >= FAKE_OS_NR_PORTS)
		return false;
	p = &ports[port];
	if (!p->used || !p->fn || p->masked)
		return false;
	p->fn(port, p->arg);
	return true;
}

/* ---- xenstore ---------------------------------------------------------- */

static struct fake_node *fake_xs_find(const char *path)
{
	unsigned int i;

	for (i = 0; i < FAKE_OS_XS_MAX; i++)
		if (nodes[i].used && !strcmp(nodes[i].path, path))
			return &nodes[i];
	return NULL;
}

/* True if @path is @dir or lies below it. */
static bool fake_xs_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* An intermediate node exists when something lies below it. */
static bool fake_xs_has_children(const char *dir)
{
	unsigned int i;

	for (i = 0; i < FAKE_OS_XS_MAX; i++)
		if (nodes[i].used && fake_xs_under(nodes[i].path, dir) &&
		    strcmp(nodes[i].path, dir))
			return true;
	return false;
}

static void fake_xs_fire(const char *path)
{
	struct xpv_os_watch fire[FAKE_NR_WATCHES];
	unsigned int i, n = 0;

	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < FAKE_NR_WATCHES; i++)
		if (watches[i].used && fake_xs_under(path, watches[i].path))
			fire[n++] = watches[i];
	pthread_mutex_unlock(&fake_mu);
	/* Outside the lock: a watch callback may use the store. */
	for (i = 0; i < n; i++)
		fire[i].fn(path, fire[i].arg);
}

void fake_os_xs_fail_next_read(int err)
{
	pthread_mutex_lock(&fake_mu);
	read_error = err;
	pthread_mutex_unlock(&fake_mu);
}

int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	struct fake_node *nd;
	const char *v = NULL;
	size_t len;
	int ret;

	pthread_mutex_lock(&fake_mu);
	if (read_error) {
		ret = read_error;
		read_error = 0;
		pthread_mutex_unlock(&fake_mu);
		return ret;
	}
	nd = fake_xs_find(path);
	if (nd)
		v = nd->value;
	else if (fake_xs_has_children(path))
		v = "";
	if (!v) {
		ret = -XPV_ENOENT;
	} else if ((len = strlen(v)) >= size) {
		ret = -XPV_E2BIG;
	} else {
		memcpy(buf, v, len + 1);
		ret = (int)len;
	}
	pthread_mutex_unlock(&fake_mu);
	return ret;
}

int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	struct fake_node *nd;
	unsigned int i;
	int ret = 0;

	if (strlen(path) >= FAKE_XS_LEN || strlen(value) >= FAKE_XS_LEN)
		return -XPV_E2BIG;
	pthread_mutex_lock(&fake_mu);
	nd = fake_xs_find(path);
	for (i = 0; !nd && i < FAKE_OS_XS_MAX; i++)
		if (!nodes[i].used)
			nd = &nodes[i];
	if (nd) {
		nd->used = true;
		strcpy(nd->path, path);
		strcpy(nd->value, value);
	} else {
		ret = -XPV_ENOSPC;
	}
	pthread_mutex_unlock(&fake_mu);
	if (!ret)
		fake_xs_fire(path);
	return ret;
}

int xpv_os_xs_rm(xpv_xbt_t t, const char *path)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < FAKE_OS_XS_MAX; i++) {
		if (nodes[i].used && fake_xs_under(nodes[i].path, path)) {
			nodes[i].used = false;
			n++;
		}
	}
	pthread_mutex_unlock(&fake_mu);
	if (n)
		fake_xs_fire(path);
	return n ? 0 : -XPV_ENOENT;
}

/* Appends @name (of @len bytes) to @buf unless already listed. */
static int fake_xs_add_child(char *buf, size_t size, size_t *used,
			     const char *name, size_t len)
{
	size_t off;

	for (off = 0; off < *used; off += strlen(buf + off) + 1)
		if (strlen(buf + off) == len && !memcmp(buf + off, name, len))
			return 0;
	if (*used + len + 1 > size)
		return -XPV_E2BIG;
	memcpy(buf + *used, name, len);
	buf[*used + len] = '\0';
	*used += len + 1;
	return 1;
}

int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	size_t plen = strlen(path), used = 0;
	const char *rest, *slash;
	unsigned int i;
	int n = 0, r;

	pthread_mutex_lock(&fake_mu);
	if (!fake_xs_find(path) && !fake_xs_has_children(path))
		n = -XPV_ENOENT;
	for (i = 0; n >= 0 && i < FAKE_OS_XS_MAX; i++) {
		if (!nodes[i].used || !fake_xs_under(nodes[i].path, path) ||
		    nodes[i].path[plen] != '/')
			continue;
		rest = nodes[i].path + plen + 1;
		slash = strchr(rest, '/');
		r = fake_xs_add_child(buf, size, &used, rest,
				      slash ? (size_t)(slash - rest)
					    : strlen(rest));
		n = r < 0 ? r : n + r;
	}
	pthread_mutex_unlock(&fake_mu);
	return n;
}

int xpv_os_xs_transaction_start(xpv_xbt_t *t)
{
	*t = __atomic_fetch_add(&next_tx, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort)
{
	return t == XPV_XBT_NIL ? -XPV_EINVAL : 0;
}

struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	struct xpv_os_watch *w = NULL;
	unsigned int i;

	if (strlen(path) >= FAKE_XS_LEN)
		return NULL;
	pthread_mutex_lock(&fake_mu);
	for (i = 0; !w && i < FAKE_NR_WATCHES; i++)
		if (!watches[i].used)
			w = &watches[i];
	if (w) {
		w->used = true;
		strcpy(w->path, path);
		w->fn = fn;
		w->arg = arg;
	}
	pthread_mutex_unlock(&fake_mu);
	/* xenstored fires a new watch once straight away. */
	if (w)
		fn(path, arg);
	return w;
}

void xpv_os_xs_unwatch(struct xpv_os_watch *watch)
{
	if (!watch)
		return;
	pthread_mutex_lock(&fake_mu);
	watch->used = false;
	pthread_mutex_unlock(&fake_mu);
}

const char *fake_os_xs_get(const char *path)
{
	struct fake_node *nd = fake_xs_find(path);

	return nd ? nd->value : NULL;
}

unsigned int fake_os_xs_count(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_OS_XS_MAX; i++)
		n += nodes[i].used;
	return n;
}

/* ---- locks, waiting, time, logging ------------------------------------- */

struct xpv_os_lock {
	pthread_mutex_t m;
};

struct xpv_os_lock *xpv_os_lock_new(void)
{
	struct xpv_os_lock *l = xpv_os_malloc(sizeof(*l));

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

void xpv_os_lock(struct xpv_os_lock *lock)
{
	pthread_mutex_lock(&lock->m);
}

void xpv_os_unlock(struct xpv_os_lock *lock)
{
	pthread_mutex_unlock(&lock->m);
}

struct xpv_os_waitq {
	pthread_mutex_t m;
	pthread_cond_t c;
};

struct xpv_os_waitq *xpv_os_waitq_new(void)
{
	struct xpv_os_waitq *wq = xpv_os_malloc(sizeof(*wq));
	pthread_condattr_t a;

	if (!wq)
		return NULL;
	pthread_mutex_init(&wq->m, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wq->c, &a);
	pthread_condattr_destroy(&a);
	return wq;
}

void xpv_os_waitq_free(struct xpv_os_waitq *wq)
{
	if (!wq)
		return;
	pthread_cond_destroy(&wq->c);
	pthread_mutex_destroy(&wq->m);
	free(wq);
}

int xpv_os_wait(struct xpv_os_waitq *wq, xpv_cond_fn_t cond, void *arg,
		uint64_t timeout_ns)
{
	uint64_t end = xpv_os_now_ns() + timeout_ns;
	struct timespec ts = { (time_t)(end / 1000000000ull),
			       (long)(end % 1000000000ull) };
	int ret = 0;

	pthread_mutex_lock(&wq->m);
	while (!cond(arg) && ret == 0) {
		if (timeout_ns == 0)
			pthread_cond_wait(&wq->c, &wq->m);
		else if (pthread_cond_timedwait(&wq->c, &wq->m, &ts) ==
			 ETIMEDOUT)
			ret = cond(arg) ? 0 : -XPV_ETIMEDOUT;
	}
	pthread_mutex_unlock(&wq->m);
	return ret;
}

void xpv_os_wake(struct xpv_os_waitq *wq)
{
	pthread_mutex_lock(&wq->m);
	pthread_cond_broadcast(&wq->c);
	pthread_mutex_unlock(&wq->m);
}

uint64_t xpv_os_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void xpv_os_log(enum xpv_log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "err", "warn", "info", "debug" };
	va_list ap;

	if ((unsigned int)level > XPV_LOG_DEBUG)
		level = XPV_LOG_ERR;
	__atomic_fetch_add(&log_counts[level], 1, __ATOMIC_SEQ_CST);
	if (log_quiet)
		return;
	fprintf(stderr, "[%s] ", tag[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

unsigned int fake_os_log_count(enum xpv_log_level level)
{
	return (unsigned int)level > XPV_LOG_DEBUG ? 0 : log_counts[level];
}

void fake_os_log_quiet(bool quiet)
{
	log_quiet = quiet;
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

/* ---- hypercalls: whatever the test plays ------------------------------- */

static fake_os_memory_op_fn fake_memory_op;
static fake_os_mca_op_fn fake_mca_op;

void fake_os_set_hypercalls(fake_os_memory_op_fn memory_op,
			    fake_os_mca_op_fn mca_op)
{
	fake_memory_op = memory_op;
	fake_mca_op = mca_op;
}

long xpv_os_memory_op(unsigned int cmd, void *arg)
{
	return fake_memory_op ? fake_memory_op(cmd, arg) : -XPV_ENOSYS;
}

int xpv_os_mca_op(struct xen_mc *mc)
{
	return fake_mca_op ? fake_mca_op(mc) : -XPV_ENOSYS;
}

int xpv_os_bind_virq(uint32_t virq, xpv_evtchn_handler_t handler, void *arg,
		     evtchn_port_t *port)
{
	int err;

	if (virq >= NR_VIRQS)
		return -XPV_EINVAL;
	err = fake_port_alloc(port);
	return err ? err : xpv_os_evtchn_bind_handler(*port, handler, arg);
}
