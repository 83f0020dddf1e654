// SPDX-License-Identifier: MIT
/*
 * libxs: permissions, transactions, domain requests, and the pure helpers
 * (socket path rules, subpaths, permission strings).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "tests/unit/libxs/fake_xsd.h"

/* ---- permissions ----------------------------------------------------- */

static void s_perms(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_GET_PERMS && m.hdr.tx_id == 3);
	fake_send(f, XS_GET_PERMS, m.hdr.req_id, "b0\0r5\0n65535", 13);
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_GET_PERMS, m.hdr.req_id, "x1\0", 3);
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_GET_PERMS, m.hdr.req_id, "r70000\0", 7);
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_GET_PERMS, m.hdr.req_id, "", 0);
	fake_expect(f, XS_SET_PERMS, "/p\0n0\0r5\0b7", 12, XS_SET_PERMS, "OK");
	fake_expect(f, XS_SET_PERMS, "/p\0w1", 6, XS_ERROR, "EACCES");
	fake_expect_eof(f);
}

static void test_permissions(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_perms, 0);
	struct xs_permissions set[3] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = 5, .perms = XS_PERM_READ },
		{ .id = 7, .perms = XS_PERM_READ | XS_PERM_WRITE },
	};
	struct xs_permissions *p;
	unsigned int i, num = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	p = xs_get_permissions(h, 3, "/p", &num);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(num, 3);
	CU_ASSERT(p[0].id == 0 && p[0].perms == (XS_PERM_READ | XS_PERM_WRITE));
	CU_ASSERT(p[1].id == 5 && p[1].perms == XS_PERM_READ);
	CU_ASSERT(p[2].id == 65535 && p[2].perms == XS_PERM_NONE);
	free(p);
	for (i = 0; i < 3; i++) {
		errno = 0;
		CU_ASSERT_PTR_NULL(xs_get_permissions(h, 0, "/p", &num));
		CU_ASSERT_EQUAL(errno, EBADMSG);
	}
	CU_ASSERT_TRUE(xs_set_permissions(h, 0, "/p", set, 3));
	/* Flags the wire cannot carry never leave the library. */
	set[0].perms = XS_PERM_OWNER;
	errno = 0;
	CU_ASSERT_FALSE(xs_set_permissions(h, 0, "/p", set, 1));
	CU_ASSERT_EQUAL(errno, EINVAL);
	set[0].id = 1;
	set[0].perms = XS_PERM_WRITE | XS_PERM_IGNORE;
	errno = 0;
	CU_ASSERT_FALSE(xs_set_permissions(h, 0, "/p", set, 1));
	CU_ASSERT_EQUAL(errno, EACCES);
	fake_close(&f, h);
}

static void test_strings_to_perms(void)
{
	struct xs_permissions p[3];

	CU_ASSERT_TRUE(xs_strings_to_perms(p, 3, "w3\0n0\0b12"));
	CU_ASSERT(p[0].id == 3 && p[0].perms == XS_PERM_WRITE);
	CU_ASSERT(p[1].id == 0 && p[1].perms == XS_PERM_NONE);
	CU_ASSERT(p[2].id == 12 && p[2].perms == (XS_PERM_READ | XS_PERM_WRITE));
	errno = 0;
	CU_ASSERT_FALSE(xs_strings_to_perms(p, 1, "q3"));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_FALSE(xs_strings_to_perms(p, 1, "r"));
	CU_ASSERT_FALSE(xs_strings_to_perms(p, 1, "r1x"));
	CU_ASSERT_FALSE(xs_strings_to_perms(p, 2, "r1\0-2"));
}

/* ---- transactions ---------------------------------------------------- */

static void s_tx(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_TRANSACTION_START && m.hdr.tx_id == 0);
	FAKE_CHECK(f, m.hdr.len == 1 && m.body[0] == '\0');
	fake_reply(f, &m, XS_TRANSACTION_START, "12");
	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_TRANSACTION_END && m.hdr.tx_id == 12);
	FAKE_CHECK(f, m.hdr.len == 2 && !strcmp(m.body, "T"));
	fake_reply(f, &m, XS_ERROR, "EAGAIN");
	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.tx_id == 13 && !strcmp(m.body, "F"));
	fake_reply(f, &m, XS_TRANSACTION_END, "OK");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_reply(f, &m, XS_TRANSACTION_START, "abc");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_reply(f, &m, XS_TRANSACTION_START, "0");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_reply(f, &m, XS_TRANSACTION_START, "4294967296");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_TRANSACTION_START, m.hdr.req_id, "9", 1);
	fake_expect_eof(f);
}

static void test_transactions(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_tx, 0);
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(xs_transaction_start(h), 12);
	errno = 0;
	CU_ASSERT_FALSE(xs_transaction_end(h, 12, false));
	CU_ASSERT_EQUAL(errno, EAGAIN);
	CU_ASSERT_TRUE(xs_transaction_end(h, 13, true));
	for (i = 0; i < 3; i++) {
		errno = 0;
		CU_ASSERT_EQUAL(xs_transaction_start(h), XBT_NULL);
		CU_ASSERT_EQUAL(errno, EBADMSG);
	}
	CU_ASSERT_EQUAL(xs_transaction_start(h), 9);
	fake_close(&f, h);
}

/* ---- domains and control --------------------------------------------- */

static void s_domains(struct fake_xsd *f)
{
	fake_expect(f, XS_INTRODUCE, "5\0" "1234\0" "7", 9, XS_INTRODUCE, "OK");
	fake_expect(f, XS_IS_DOMAIN_INTRODUCED, S("5"), XS_IS_DOMAIN_INTRODUCED,
		    "T");
	fake_expect(f, XS_IS_DOMAIN_INTRODUCED, S("6"), XS_IS_DOMAIN_INTRODUCED,
		    "F");
	fake_expect(f, XS_IS_DOMAIN_INTRODUCED, S("7"), XS_IS_DOMAIN_INTRODUCED,
		    "maybe");
	fake_expect(f, XS_GET_DOMAIN_PATH, S("5"), XS_GET_DOMAIN_PATH,
		    "/local/domain/5");
	fake_expect(f, XS_SET_TARGET, "5\0" "6", 4, XS_SET_TARGET, "OK");
	fake_expect(f, XS_RESUME, S("5"), XS_RESUME, "OK");
	fake_expect(f, XS_RELEASE, S("5"), XS_RELEASE, "OK");
	fake_expect(f, XS_RELEASE, S("9"), XS_ERROR, "ENOENT");
	fake_expect(f, XS_CONTROL, "log\0on", 6, XS_CONTROL, "done");
	fake_expect(f, XS_CONTROL, S("print"), XS_CONTROL, "ok");
	fake_expect_eof(f);
}

static void test_domains(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_domains, 0);
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE(xs_introduce_domain(h, 5, 1234, 7));
	CU_ASSERT_TRUE(xs_is_domain_introduced(h, 5));
	CU_ASSERT_FALSE(xs_is_domain_introduced(h, 6));
	errno = 0;
	CU_ASSERT_FALSE(xs_is_domain_introduced(h, 7));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	s = xs_get_domain_path(h, 5);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s)
		CU_ASSERT_STRING_EQUAL(s, "/local/domain/5");
	free(s);
	CU_ASSERT_TRUE(xs_set_target(h, 5, 6));
	CU_ASSERT_TRUE(xs_resume_domain(h, 5));
	CU_ASSERT_TRUE(xs_release_domain(h, 5));
	errno = 0;
	CU_ASSERT_FALSE(xs_release_domain(h, 9));
	CU_ASSERT_EQUAL(errno, ENOENT);
	s = xs_control_command(h, "log", "on", 2);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s)
		CU_ASSERT_STRING_EQUAL(s, "done");
	free(s);
	s = xs_debug_command(h, "print", NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(s);
	free(s);
	CU_ASSERT_FALSE(xs_restrict(h, 5));
	fake_close(&f, h);
}

static void s_suspend(struct fake_xsd *f)
{
	fake_expect(f, XS_READ, S("/local/domain/3/device/suspend/event-channel"),
		    XS_READ, "42");
}

static void test_suspend_evtchn_port(void)
{
	struct fake_xsd f;

	CU_ASSERT_FATAL(fake_start(&f, s_suspend, NULL) == 0);
	CU_ASSERT_EQUAL(xs_suspend_evtchn_port(3), 42);
	CU_ASSERT_EQUAL(fake_finish(&f), 0);
}

/* ---- pure helpers ---------------------------------------------------- */

static void test_socket_paths(void)
{
	unsetenv("XENSTORED_PATH");
	unsetenv("XENSTORED_RUNDIR");
	CU_ASSERT_STRING_EQUAL(xs_daemon_rundir(), "/var/run/xenstored");
	CU_ASSERT_STRING_EQUAL(xs_daemon_socket(), "/var/run/xenstored/socket");
	setenv("XENSTORED_RUNDIR", "/tmp/rd", 1);
	CU_ASSERT_STRING_EQUAL(xs_daemon_rundir(), "/tmp/rd");
	CU_ASSERT_STRING_EQUAL(xs_daemon_socket(), "/tmp/rd/socket");
	CU_ASSERT_STRING_EQUAL(xs_daemon_socket_ro(), "/tmp/rd/socket");
	setenv("XENSTORED_PATH", "/tmp/elsewhere", 1);
	CU_ASSERT_STRING_EQUAL(xs_daemon_socket(), "/tmp/elsewhere");
	CU_ASSERT_STRING_EQUAL(xs_daemon_socket_ro(), "/tmp/elsewhere");
	unsetenv("XENSTORED_RUNDIR");
	setenv("XENSTORED_PATH", "/nonexistent/xenstored-socket", 1);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_open(0));
	CU_ASSERT_EQUAL(errno, ENOENT);
	unsetenv("XENSTORED_PATH");
	xs_close(NULL);
}

static void test_subpath(void)
{
	CU_ASSERT_TRUE(xs_path_is_subpath("/a", "/a"));
	CU_ASSERT_TRUE(xs_path_is_subpath("/a", "/a/b"));
	CU_ASSERT_FALSE(xs_path_is_subpath("/a", "/ab"));
	CU_ASSERT_FALSE(xs_path_is_subpath("/a/b", "/a"));
	CU_ASSERT_FALSE(xs_path_is_subpath("/a", "a/b"));
	CU_ASSERT_FALSE(xs_path_is_subpath("/", "/a"));
}

static void test_write_all(void)
{
	int p[2];
	char buf[8] = { 0 };

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_TRUE(xs_write_all(p[1], "abcdef", 6));
	CU_ASSERT_EQUAL(read(p[0], buf, sizeof(buf)), 6);
	CU_ASSERT_STRING_EQUAL(buf, "abcdef");
	close(p[0]);
	close(p[1]);
	CU_ASSERT_FALSE(xs_write_all(-1, "x", 1));
}

CU_TestInfo libxs_misc_tests[] = {
	{ "permissions", test_permissions },
	{ "strings to perms", test_strings_to_perms },
	{ "transactions", test_transactions },
	{ "domains and control", test_domains },
	{ "suspend evtchn port", test_suspend_evtchn_port },
	{ "socket paths", test_socket_paths },
	{ "subpath", test_subpath },
	{ "write_all", test_write_all },
	CU_TEST_INFO_NULL,
};
