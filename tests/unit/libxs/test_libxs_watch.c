// SPDX-License-Identifier: MIT
/*
 * libxs watches and threads: the reader thread, the pollable watch fd,
 * blocking and non-blocking event reads, the bounded queue, several
 * threads sharing one handle, and a daemon that goes away.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "tests/unit/libxs/fake_xsd.h"

/* Only a safety net for a broken build: nothing here measures time. */
#define SAFETY_MS 30000
/* The queue bound of backend/libxs/libxs.h. */
#define QUEUE_MAX 65536

static void event(struct fake_xsd *f, const char *path, const char *token)
{
	char buf[256];
	size_t n = strlen(path) + 1, t = strlen(token) + 1;

	memcpy(buf, path, n);
	memcpy(buf + n, token, t);
	fake_send(f, XS_WATCH_EVENT, 0, buf, (uint32_t)(n + t));
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Pops one event and checks it; false if there was none. */
static bool check_event(struct xs_handle *h, const char *path,
			const char *token)
{
	char **v = xs_check_watch(h);

	if (!v)
		return false;
	CU_ASSERT_STRING_EQUAL(v[XS_WATCH_PATH], path);
	CU_ASSERT_STRING_EQUAL(v[XS_WATCH_TOKEN], token);
	free(v);
	return true;
}

/* ---- events, the fd, malformed events -------------------------------- */

static void s_events(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	fake_expect(f, XS_WATCH, "/w\0tok", 7, XS_WATCH, "OK");
	event(f, "/w", "tok");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_WATCH_EVENT, 0, "/w", 2);
	fake_send(f, XS_WATCH_EVENT, 0, "/w", 3);
	fake_send(f, XS_WATCH_EVENT, 0, "", 0);
	event(f, "/w/x", "tok");
	fake_send(f, XS_READ, m.hdr.req_id, "s", 1);
	fake_expect(f, XS_UNWATCH, "/w\0tok", 7, XS_UNWATCH, "OK");
	fake_expect_eof(f);
}

static void test_events(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_events, 0);
	unsigned int len;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/w", "tok"));
	fd = xs_fileno(h);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(xs_fileno(h), fd);
	CU_ASSERT_TRUE(readable(fd, SAFETY_MS));
	CU_ASSERT_TRUE(check_event(h, "/w", "tok"));
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_check_watch(h));
	CU_ASSERT_EQUAL(errno, EAGAIN);
	CU_ASSERT_FALSE(readable(fd, 0));
	/* Events before a reply are queued by the time the reply is ours. */
	free(xs_read(h, XBT_NULL, "/sync", &len));
	CU_ASSERT_TRUE(readable(fd, 0));
	CU_ASSERT_TRUE(check_event(h, "/w/x", "tok"));
	CU_ASSERT_FALSE(check_event(h, "", ""));
	CU_ASSERT_FALSE(readable(fd, 0));
	CU_ASSERT_TRUE(xs_unwatch(h, "/w", "tok"));
	fake_close(&f, h);
}

/* Without a watch there is no reader thread: the caller queues events. */
static void s_caller_mode(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	FAKE_CHECK(f, fake_recv(f, &m));
	event(f, "/c", "t1");
	event(f, "/c/d", "t2");
	fake_send(f, XS_READ, m.hdr.req_id, "v", 1);
	fake_expect_eof(f);
}

static void test_caller_mode(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_caller_mode, 0);
	unsigned int len;
	char *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	v = xs_read(h, XBT_NULL, "/c", &len);
	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
	/* The pipe made after the fact is readable at once. */
	CU_ASSERT_TRUE(readable(xs_fileno(h), 0));
	CU_ASSERT_TRUE(check_event(h, "/c", "t1"));
	CU_ASSERT_TRUE(check_event(h, "/c/d", "t2"));
	CU_ASSERT_FALSE(check_event(h, "", ""));
	fake_close(&f, h);
}

/* ---- xs_read_watch blocks -------------------------------------------- */

struct waiter {
	struct xs_handle *h;
	char **v;
	unsigned int num;
	int err;
};

static void *wait_event(void *arg)
{
	struct waiter *w = arg;

	errno = 0;
	w->v = xs_read_watch(w->h, &w->num);
	w->err = errno;
	return NULL;
}

static void s_blocking(struct fake_xsd *f)
{
	fake_expect(f, XS_WATCH, "/t\0tk", 6, XS_WATCH, "OK");
	fake_expect(f, XS_WRITE, "/t\0" "1", 4, XS_WRITE, "OK");
	event(f, "/t", "tk");
	fake_expect_eof(f);
}

static void test_read_watch_blocks(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_blocking, 0);
	struct waiter w = { .h = h };
	pthread_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/t", "tk"));
	CU_ASSERT_FATAL(pthread_create(&t, NULL, wait_event, &w) == 0);
	CU_ASSERT_TRUE(xs_write(h, XBT_NULL, "/t", "1", 1));
	pthread_join(t, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w.v);
	CU_ASSERT_EQUAL(w.num, 2);
	CU_ASSERT_STRING_EQUAL(w.v[XS_WATCH_PATH], "/t");
	CU_ASSERT_STRING_EQUAL(w.v[XS_WATCH_TOKEN], "tk");
	free(w.v);
	fake_close(&f, h);
}

/* ---- the queue is bounded -------------------------------------------- */

static void s_flood(struct fake_xsd *f)
{
	static const char body[] = "/q\0t";
	const size_t one = sizeof(struct xsd_sockmsg) + sizeof(body);
	const size_t n = QUEUE_MAX + 10;
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT,
				   .len = sizeof(body) };
	struct xpv_xs_msg m;
	char *buf = malloc(n * one);
	size_t i;

	fake_expect(f, XS_WATCH, "/q\0t", 5, XS_WATCH, "OK");
	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, buf != NULL);
	if (!buf)
		return;
	for (i = 0; i < n; i++) {
		memcpy(buf + i * one, &hdr, sizeof(hdr));
		memcpy(buf + i * one + sizeof(hdr), body, sizeof(body));
	}
	fake_send_raw(f, buf, n * one);
	free(buf);
	fake_send(f, XS_READ, m.hdr.req_id, "v", 1);
	fake_expect_eof(f);
}

static void test_queue_bound(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_flood, 0);
	unsigned int len, count = 0;
	char **v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/q", "t"));
	free(xs_read(h, XBT_NULL, "/flood", &len));
	while ((v = xs_check_watch(h))) {
		count++;
		free(v);
	}
	CU_ASSERT_EQUAL(errno, EAGAIN);
	CU_ASSERT_EQUAL(count, QUEUE_MAX);
	fake_close(&f, h);
}

/* ---- XS_UNWATCH_FILTER ----------------------------------------------- */

static void s_unwatch(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	fake_expect(f, XS_WATCH, "/u\0t", 5, XS_WATCH, "OK");
	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_UNWATCH);
	event(f, "/u/x", "t");
	event(f, "/v", "t");
	event(f, "/u", "other");
	event(f, "/ux", "t");
	event(f, "/u", "t");
	fake_reply(f, &m, XS_UNWATCH, "OK");
	fake_expect_eof(f);
}

static void run_unwatch(unsigned long flags, unsigned int want)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_unwatch, flags);
	unsigned int count = 0;
	char **v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/u", "t"));
	CU_ASSERT_TRUE(xs_unwatch(h, "/u", "t"));
	while ((v = xs_check_watch(h))) {
		count++;
		free(v);
	}
	CU_ASSERT_EQUAL(count, want);
	fake_close(&f, h);
}

static void test_unwatch_filter(void) { run_unwatch(XS_UNWATCH_FILTER, 3); }
static void test_unwatch_no_filter(void) { run_unwatch(0, 5); }

/* ---- several threads, one handle ------------------------------------- */

#define THREADS 4
#define CALLS 50

static void s_concurrent(struct fake_xsd *f)
{
	struct xpv_xs_msg m;
	int i;

	fake_expect(f, XS_WATCH, "/c\0t", 5, XS_WATCH, "OK");
	for (i = 0; i < THREADS * CALLS; i++) {
		if (!fake_recv(f, &m)) {
			fake_fail(f, "request missing", __LINE__);
			return;
		}
		FAKE_CHECK(f, m.hdr.type == XS_READ);
		/* Reply with the path, so each caller can check it got its own. */
		fake_send(f, XS_READ, m.hdr.req_id, m.body, m.hdr.len - 1);
		if (i % 7 == 0)
			event(f, "/c", "t");
	}
	fake_expect_eof(f);
}

struct reader {
	struct xs_handle *h;
	int id;
	int bad;
};

static void *read_many(void *arg)
{
	struct reader *r = arg;
	char path[32], *v;
	unsigned int len;
	int i;

	for (i = 0; i < CALLS; i++) {
		snprintf(path, sizeof(path), "/c/%d/%d", r->id, i);
		v = xs_read(r->h, XBT_NULL, path, &len);
		if (!v || len != strlen(path) || strcmp(v, path))
			r->bad++;
		free(v);
	}
	return NULL;
}

static void test_concurrent(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_concurrent, 0);
	struct reader r[THREADS];
	pthread_t t[THREADS];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/c", "t"));
	for (i = 0; i < THREADS; i++) {
		r[i] = (struct reader){ .h = h, .id = i };
		CU_ASSERT_FATAL(pthread_create(&t[i], NULL, read_many, &r[i]) == 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(r[i].bad, 0);
	}
	fake_close(&f, h);
}

/* ---- the daemon goes away or misbehaves ------------------------------ */

static void s_hangup(struct fake_xsd *f)
{
	fake_expect(f, XS_WATCH, "/h\0t", 5, XS_WATCH, "OK");
	fake_expect(f, XS_READ, S("/bye"), 0, NULL);
}

static void test_hangup_wakes_waiters(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_hangup, 0);
	struct waiter w = { .h = h };
	unsigned int len;
	pthread_t t;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/h", "t"));
	fd = xs_fileno(h);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, wait_event, &w) == 0);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_read(h, XBT_NULL, "/bye", &len));
	CU_ASSERT_EQUAL(errno, EIO);
	pthread_join(t, NULL);
	CU_ASSERT_PTR_NULL(w.v);
	CU_ASSERT_EQUAL(w.err, EIO);
	/* Pollers wake up too, and learn about it from xs_check_watch. */
	CU_ASSERT_TRUE(readable(fd, SAFETY_MS));
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_check_watch(h));
	CU_ASSERT_EQUAL(errno, EIO);
	fake_close(&f, h);
}

static void s_unsolicited(struct fake_xsd *f)
{
	fake_expect(f, XS_WATCH, "/s\0t", 5, XS_WATCH, "OK");
	fake_send(f, XS_READ, 999, "x", 1);
	fake_expect_eof(f);
}

static void test_unsolicited_reply(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_unsolicited, 0);
	unsigned int num, len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE_FATAL(xs_watch(h, "/s", "t"));
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_read_watch(h, &num));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_read(h, XBT_NULL, "/s", &len));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	fake_close(&f, h);
}

CU_TestInfo libxs_watch_tests[] = {
	{ "events and fd", test_events },
	{ "events without reader thread", test_caller_mode },
	{ "read_watch blocks", test_read_watch_blocks },
	{ "queue bound", test_queue_bound },
	{ "unwatch filter", test_unwatch_filter },
	{ "unwatch without filter", test_unwatch_no_filter },
	{ "threads share a handle", test_concurrent },
	{ "hangup wakes waiters", test_hangup_wakes_waiters },
	{ "unsolicited reply", test_unsolicited_reply },
	CU_TEST_INFO_NULL,
};
