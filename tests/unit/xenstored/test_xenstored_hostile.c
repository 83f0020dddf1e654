// SPDX-License-Identifier: MIT
/*
 * Hostile peers against the loopback xenstored: after each one the daemon
 * must still be up and serving another connection.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/xenstored/xsd_client.h"

static char buf[XENSTORE_PAYLOAD_MAX + 1];
static char big[XENSTORE_PAYLOAD_MAX + 64];

/* Another connection still gets answers. */
static bool server_alive(void)
{
	struct tcli *o = tcli_new(0);
	bool ok = o && t_write(o, 0, "/alive", "yes") == 0 &&
		  t_read(o, 0, "/alive", buf) == 0 && !strcmp(buf, "yes");

	tcli_free(o);
	return ok;
}

static void test_oversized_header(void)
{
	struct tcli *c = tcli_new(0);
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	CU_ASSERT_EQUAL(tcli_send_raw(c, &h, NULL, 0), 0);
	CU_ASSERT_TRUE(t_closed(c));
	tcli_free(c);
	c = tcli_new(0);
	h.len = 0xffffffffu;
	CU_ASSERT_EQUAL(tcli_send_raw(c, &h, NULL, 0), 0);
	CU_ASSERT_TRUE(t_closed(c));
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
}

static void test_max_payload_ok(void)
{
	struct tcli *c = tcli_new(0);
	uint32_t plen = 6, vlen = XENSTORE_PAYLOAD_MAX - plen;

	memcpy(big, "/bigv", plen);
	memset(big + plen, 'v', vlen);
	CU_ASSERT_EQUAL(tcli_call(c, XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX),
			0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/bigv", buf), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.len, vlen);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/bigv"), 0);
	tcli_free(c);
}

static void test_truncated_then_close(void)
{
	struct tcli *c = tcli_new(0);
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, 100 };

	CU_ASSERT_EQUAL(tcli_send_raw(c, &h, "/trunc\0abc", 10), 0);
	tcli_free(c);
	c = tcli_new(0);
	CU_ASSERT_EQUAL(send(c->fd, &h, 7, MSG_NOSIGNAL), 7);
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
	c = tcli_new(0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/trunc", buf), ENOENT);
	tcli_free(c);
}

static void test_missing_nuls(void)
{
	struct tcli *c = tcli_new(0);
	static const uint32_t one[] = {
		XS_READ, XS_MKDIR, XS_RM, XS_DIRECTORY, XS_GET_PERMS,
		XS_GET_DOMAIN_PATH, XS_TRANSACTION_END,
	};
	unsigned int i;

	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		CU_ASSERT_EQUAL(tcli_call(c, one[i], 0, "/local", 6), EINVAL);
		CU_ASSERT_EQUAL(tcli_call(c, one[i], 0, "", 0), EINVAL);
		/* Exactly one string, not two. */
		CU_ASSERT_EQUAL(tcli_call(c, one[i], 0, "/a\0/b", 6), EINVAL);
	}
	CU_ASSERT_EQUAL(tcli_call(c, XS_WRITE, 0, "/nonul", 6), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_WATCH, 0, "/a\0tok", 6), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_WATCH, 0, "/a\0", 3), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_WATCH, 0, "/a\0t\0x\0", 7), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_UNWATCH, 0, "/a", 2), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_SET_PERMS, 0, "/local\0n0", 9),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_DIRECTORY_PART, 0, "/local\0" "0", 8),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_INTRODUCE, 0, "1\0" "2\0" "3", 5),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_CONTROL, 0, "help", 4), EINVAL);
	CU_ASSERT_EQUAL(t_read(c, 0, "/nonul", buf), ENOENT);
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
}

static void test_bad_paths(void)
{
	static const char *const bad[] = {
		"//", "/a//b", "/a/", "a/", "/a b", "/a.b", "/a\n",
		"/\xff", "@releaseDomain", "",
	};
	struct tcli *c = tcli_new(0), *u = tcli_new(5);
	static char p[XENSTORE_ABS_PATH_MAX + 2];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(t_read(c, 0, bad[i], buf), EINVAL);
		CU_ASSERT_EQUAL(t_write(c, 0, bad[i], "x"), EINVAL);
		CU_ASSERT_EQUAL(t_rm(c, 0, bad[i]), EINVAL);
	}
	CU_ASSERT_EQUAL(t_watch(c, "/a//b", "t"), EINVAL);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/a/", "n0"), EINVAL);
	p[0] = '/';
	memset(p + 1, 'a', XENSTORE_ABS_PATH_MAX);
	p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(t_write(c, 0, p, "x"), EINVAL);
	/* Relative: its own limit, and the absolute one once expanded. */
	memset(p, 'r', XENSTORE_REL_PATH_MAX + 1);
	p[XENSTORE_REL_PATH_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(t_write(u, 0, p, "x"), EINVAL);
	tcli_free(c);
	tcli_free(u);
	CU_ASSERT_TRUE(server_alive());
}

static void test_deep_path(void)
{
	struct tcli *c = tcli_new(0), *w = tcli_new(0);
	static char p[XENSTORE_ABS_PATH_MAX + 1], t[XENSTORE_PAYLOAD_MAX];
	size_t len = 5;

	memcpy(p, "/deep", 5);
	while (len + 2 <= XENSTORE_ABS_PATH_MAX) {
		memcpy(p + len, "/a", 2);
		len += 2;
	}
	p[len] = '\0';
	CU_ASSERT_EQUAL(t_watch(w, p, "deep"), 0);
	CU_ASSERT_EQUAL(t_event(w, buf, t), 0);
	CU_ASSERT_EQUAL(t_write(c, 0, p, "bottom"), 0);
	CU_ASSERT_EQUAL(t_event(w, buf, t), 0);
	CU_ASSERT_STRING_EQUAL(buf, p);
	CU_ASSERT_EQUAL(t_read(c, 0, p, buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "bottom");
	CU_ASSERT_EQUAL(t_rm(c, 0, "/deep"), 0);
	CU_ASSERT_EQUAL(t_event(w, buf, t), 0);
	CU_ASSERT_STRING_EQUAL(buf, p);
	CU_ASSERT_EQUAL(t_read(c, 0, "/deep/a", buf), ENOENT);
	tcli_free(c);
	tcli_free(w);
}

static void test_unknown_types(void)
{
	static const uint32_t types[] = {
		XS_TYPE_COUNT, XS_INVALID, 0xffffffffu, XS_SET_TARGET + 1,
	};
	struct tcli *c = tcli_new(0);
	unsigned int i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		CU_ASSERT_EQUAL(tcli_call(c, types[i], 0, "/x\0", 3), ENOSYS);
	/* Unknown tx ids, and WATCH ignoring them as the real one does. */
	CU_ASSERT_EQUAL(tcli_callv(c, XS_READ, 77, "/local", NULL, NULL),
			ENOENT);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_WATCH, 77, "/wx", "t", NULL), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/local", buf), 0);
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
}

static void test_watch_flood(void)
{
	struct tcli *c = tcli_new(0);
	char p[32];
	int i, ok = 0, big2 = 0, err;

	for (i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "/wf/%d", i);
		err = t_watch(c, p, "t");
		ok += err == 0;
		big2 += err == E2BIG;
	}
	CU_ASSERT_EQUAL(ok, (int)tsrv_lim.watches_per_conn);
	CU_ASSERT_EQUAL(big2, 300 - ok);
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
}

static void test_tx_flood(void)
{
	struct tcli *c = tcli_new(0);
	int i, ok = 0, nospc = 0, err;
	uint32_t tx;

	for (i = 0; i < 200; i++) {
		err = t_txstart(c, &tx);
		ok += err == 0;
		nospc += err == ENOSPC;
		if (!err)
			CU_ASSERT_EQUAL(t_write(c, tx, "/txf/x", "1"), 0);
	}
	CU_ASSERT_EQUAL(ok, (int)tsrv_lim.tx_per_conn);
	CU_ASSERT_EQUAL(nospc, 200 - ok);
	tcli_free(c);
	CU_ASSERT_TRUE(server_alive());
	c = tcli_new(0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/txf/x", buf), ENOENT);
	tcli_free(c);
}

/* A watcher that never reads: events past the bound are dropped. */
static void test_never_reads_events(void)
{
	struct tcli *lazy = tcli_new(0), *c = tcli_new(0);
	static char p[2100];
	size_t got = 0, sent = 0, bound, evlen;
	int sndbuf = 0, i, events = 0;
	socklen_t sl = sizeof(sndbuf);
	struct xsd_sockmsg h = { XS_GET_DOMAIN_PATH, 4242, 0, 2 };

	getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
	memcpy(p, "/flood/", 7);
	memset(p + 7, 'x', 1990);
	p[1997] = '\0';
	CU_ASSERT_EQUAL(t_watch(lazy, "/flood", "t"), 0);
	evlen = sizeof(h) + strlen(p) + 3;
	for (i = 0; i < 1000; i++) {
		CU_ASSERT_EQUAL_FATAL(t_write(c, 0, p, i & 1 ? "a" : "b"), 0);
		sent += evlen;
	}
	/* One request, answered after whatever events were kept. */
	CU_ASSERT_EQUAL(tcli_send_raw(lazy, &h, "0", 2), 0);
	for (;;) {
		CU_ASSERT_EQUAL_FATAL(tcli_recv(lazy, &lazy->reply), 0);
		if (lazy->reply.hdr.type != XS_WATCH_EVENT)
			break;
		got += sizeof(h) + lazy->reply.hdr.len;
		events++;
	}
	CU_ASSERT_EQUAL(lazy->reply.hdr.req_id, 4242);
	bound = tsrv_lim.max_out_bytes + 2 * (size_t)sndbuf + 2 * evlen;
	CU_ASSERT(events > 0);
	CU_ASSERT(got <= bound);
	CU_ASSERT(got < sent);
	CU_ASSERT_TRUE(server_alive());
	CU_ASSERT_EQUAL(t_rm(c, 0, "/flood"), 0);
	tcli_free(lazy);
	tcli_free(c);
}

/* A client that sends requests and never reads the replies. */
static void test_never_reads_replies(void)
{
	struct tcli *lazy = tcli_new(0), *c = tcli_new(0);
	struct xsd_sockmsg h = { XS_READ, 0, 0, 5 };
	int small = 8192, sent = 0, replies = 0;
	uint32_t vlen = 4000;

	memcpy(big, "/fat", 5);
	memset(big + 5, 'f', vlen);
	CU_ASSERT_EQUAL(tcli_call(c, XS_WRITE, 0, big, 5 + vlen), 0);
	setsockopt(lazy->fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	/* Requests until the socket is full: the daemon stopped reading. */
	while (sent <= 200000) {
		char req[sizeof(h) + 5];

		h.req_id = (uint32_t)sent + 1;
		memcpy(req, &h, sizeof(h));
		memcpy(req + sizeof(h), "/fat", 5);
		if (send(lazy->fd, req, sizeof(req),
			 MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(req))
			break;
		sent++;
	}
	CU_ASSERT(sent > 0);
	CU_ASSERT(sent < 200000);
	/* Held back, not lost: others are served meanwhile. */
	CU_ASSERT_TRUE(server_alive());
	while (replies < sent && !tcli_recv(lazy, &lazy->reply)) {
		if (lazy->reply.hdr.req_id != (uint32_t)replies + 1 ||
		    lazy->reply.hdr.len != vlen)
			break;
		replies++;
	}
	CU_ASSERT_EQUAL(replies, sent);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/fat"), 0);
	tcli_free(lazy);
	tcli_free(c);
}

static void test_garbage(void)
{
	static uint8_t junk[65536];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	struct tcli *c;
	int round;
	size_t i;

	for (round = 0; round < 8; round++) {
		c = tcli_new(round & 1 ? 0 : 3);
		for (i = 0; i < sizeof(junk); i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			junk[i] = (uint8_t)s;
		}
		/* Mostly small lengths, so some messages get handled. */
		for (i = 12; i + 4 <= sizeof(junk); i += 64)
			junk[i + 1] = junk[i + 2] = junk[i + 3] = 0;
		(void)!send(c->fd, junk, sizeof(junk),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
		tcli_free(c);
	}
	CU_ASSERT_TRUE(server_alive());
}

static void test_many_connections(void)
{
	struct tcli *c[64];
	int i, ok = 0;

	for (i = 0; i < 64; i++) {
		c[i] = tcli_new(i % 3 ? 0 : 20 + i);
		if (c[i])
			ok += t_watch(c[i], "/", "all") == 0;
	}
	CU_ASSERT_EQUAL(ok, 64);
	CU_ASSERT_TRUE(server_alive());
	for (i = 0; i < 64; i++)
		tcli_free(c[i]);
	CU_ASSERT_TRUE(server_alive());
}

CU_TestInfo xsd_hostile_tests[] = {
	{ "oversized header", test_oversized_header },
	{ "max payload is fine", test_max_payload_ok },
	{ "truncated message then close", test_truncated_then_close },
	{ "missing NULs", test_missing_nuls },
	{ "bad paths", test_bad_paths },
	{ "deepest path", test_deep_path },
	{ "unknown types and tx ids", test_unknown_types },
	{ "watch flood", test_watch_flood },
	{ "transaction flood", test_tx_flood },
	{ "never reads its events", test_never_reads_events },
	{ "never reads its replies", test_never_reads_replies },
	{ "garbage streams", test_garbage },
	{ "many connections", test_many_connections },
	CU_TEST_INFO_NULL,
};
