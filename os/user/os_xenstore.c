// SPDX-License-Identifier: MIT
/*
 * os.h's xenstore hooks for a userspace domain, on the libxenstore API
 * (our backend/libxs, or Debian's libxenstore: the same calls).  Watches are
 * dispatched from one thread that polls the handle's watch fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#include "os/user/user.h"
#include "xenpv/os.h"

struct xpv_os_watch {
	struct xpv_os_watch *next;
	char token[32];
	char *path;
	xpv_watch_fn_t fn;
	void *arg;
};

static struct xs_handle *xsh;
static pthread_t watch_tid;
static int stop_pipe[2] = { -1, -1 };
/* Recursive: a watch callback may unwatch (itself or another). */
static pthread_mutex_t watch_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct xpv_os_watch *watches;
static unsigned int watch_seq;

/* Runs the callback of the watch named by @token, if it still exists. */
static void dispatch(const char *path, const char *token)
{
	struct xpv_os_watch *w;

	pthread_mutex_lock(&watch_lock);
	for (w = watches; w; w = w->next)
		if (!strcmp(w->token, token))
			break;
	/* Called with the lock held so unwatch can't free w meanwhile. */
	if (w)
		w->fn(path, w->arg);
	pthread_mutex_unlock(&watch_lock);
}

static void *watch_thread(void *arg)
{
	struct pollfd pfd[2] = { { .fd = xs_fileno(xsh), .events = POLLIN },
				 { .fd = stop_pipe[0], .events = POLLIN } };

	while (poll(pfd, 2, -1) >= 0 || errno == EINTR) {
		char **v;

		if (pfd[1].revents)
			break;
		while ((v = xs_check_watch(xsh)) != NULL) {
			dispatch(v[XS_WATCH_PATH], v[XS_WATCH_TOKEN]);
			free(v);
		}
	}
	return NULL;
}

int xpv_user_xs_open(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/xenstored.sock", dir);
	setenv("XENSTORED_PATH", path, 0);
	xsh = xs_open(0);
	if (!xsh)
		return -errno;
	if (pipe2(stop_pipe, O_CLOEXEC) < 0)
		return -errno;
	/* xs_fileno turns on the library's watch machinery before we poll it. */
	if (xs_fileno(xsh) < 0)
		return -EIO;
	return -pthread_create(&watch_tid, NULL, watch_thread, NULL);
}

void xpv_user_xs_close(void)
{
	if (watch_tid) {
		if (write(stop_pipe[1], "x", 1) < 0)
			abort();
		pthread_join(watch_tid, NULL);
		watch_tid = 0;
	}
	if (xsh)
		xs_close(xsh);
	xsh = NULL;
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] >= 0)
			close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
}

int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	unsigned int len;
	char *v = xs_read(xsh, t, path, &len);
	int ret = len;

	if (!v)
		return -errno;
	if ((size_t)len + 1 > size)
		ret = -XPV_E2BIG;
	else
		memcpy(buf, v, (size_t)len + 1);
	free(v);
	return ret;
}

int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	return xs_write(xsh, t, path, value, strlen(value)) ? 0 : -errno;
}

int xpv_os_xs_rm(xpv_xbt_t t, const char *path)
{
	return xs_rm(xsh, t, path) ? 0 : -errno;
}

int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	unsigned int n, i;
	char **names = xs_directory(xsh, t, path, &n);
	size_t used = 0;
	int ret = n;

	if (!names)
		return -errno;
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;

		if (used + l > size) {
			ret = -XPV_E2BIG;
			break;
		}
		memcpy(buf + used, names[i], l);
		used += l;
	}
	free(names);
	return ret;
}

int xpv_os_xs_transaction_start(xpv_xbt_t *t)
{
	*t = xs_transaction_start(xsh);
	return *t == XBT_NULL ? -errno : 0;
}

int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort)
{
	return xs_transaction_end(xsh, t, abort) ? 0 : -errno;
}

struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	struct xpv_os_watch *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup(path))) {
		free(w);
		return NULL;
	}
	w->fn = fn;
	w->arg = arg;
	pthread_mutex_lock(&watch_lock);
	snprintf(w->token, sizeof(w->token), "xpv-%u", ++watch_seq);
	w->next = watches;
	watches = w;
	pthread_mutex_unlock(&watch_lock);
	if (!xs_watch(xsh, path, w->token)) {
		xpv_os_xs_unwatch(w);
		return NULL;
	}
	return w;
}

void xpv_os_xs_unwatch(struct xpv_os_watch *watch)
{
	struct xpv_os_watch **p;

	if (!watch)
		return;
	xs_unwatch(xsh, watch->path, watch->token);
	pthread_mutex_lock(&watch_lock);
	for (p = &watches; *p; p = &(*p)->next) {
		if (*p == watch) {
			*p = watch->next;
			break;
		}
	}
	pthread_mutex_unlock(&watch_lock);
	free(watch->path);
	free(watch);
}
