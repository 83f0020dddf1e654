// SPDX-License-Identifier: MIT
/*
 * libxs store operations against a scripted daemon: the requests on the
 * wire, good replies, and replies that break the protocol.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "tests/unit/libxs/fake_xsd.h"

/* How often libxs restarts a changing DIRECTORY_PART listing. */
#define XPV_TEST_RESTARTS 16

/* ---- reads, writes and their wire format ----------------------------- */

static void s_read(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_READ && m.hdr.tx_id == 0);
	FAKE_CHECK(f, m.hdr.len == 3 && !memcmp(m.body, "/a", 3));
	/* Values travel without a NUL. */
	fake_send(f, XS_READ, m.hdr.req_id, "hello", 5);
	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_READ && m.hdr.tx_id == 7);
	fake_send(f, XS_READ, m.hdr.req_id, "", 0);
	fake_expect_eof(f);
}

static void test_read(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_read, 0);
	unsigned int len = 99;
	char *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	v = xs_read(h, XBT_NULL, "/a", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(v, "hello");
	free(v);
	v = xs_read(h, 7, "/b", &len);
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_EQUAL(len, 0);
	if (v)
		CU_ASSERT_EQUAL(v[0], '\0');
	free(v);
	fake_close(&f, h);
}

static void s_errors(struct fake_xsd *f)
{
	static const char *const replies[] = { "ENOENT", "EACCES", "EAGAIN",
					       "E2BIG", "BOGUS" };
	struct xpv_xs_msg m;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		FAKE_CHECK(f, fake_recv(f, &m));
		fake_reply(f, &m, XS_ERROR, replies[i]);
	}
	/* An error name without its NUL still counts. */
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_ERROR, m.hdr.req_id, "EPERM", 5);
	fake_expect(f, XS_READ, S("/ok"), XS_READ, "fine");
	fake_expect_eof(f);
}

static void test_errors(void)
{
	static const int want[] = { ENOENT, EACCES, EAGAIN, E2BIG, EINVAL,
				    EPERM };
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_errors, 0);
	unsigned int i, len;
	char *v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	for (i = 0; i < 6; i++) {
		errno = 0;
		v = xs_read(h, XBT_NULL, "/x", &len);
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT_EQUAL(errno, want[i]);
		free(v);
	}
	/* Error replies leave the connection usable. */
	v = xs_read(h, XBT_NULL, "/ok", &len);
	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
	fake_close(&f, h);
}

static void s_write(struct fake_xsd *f)
{
	fake_expect(f, XS_WRITE, "/w\0xyz", 6, XS_WRITE, "OK");
	fake_expect(f, XS_WRITE, "/e\0", 3, XS_WRITE, "OK");
	fake_expect(f, XS_MKDIR, S("/d"), XS_MKDIR, "OK");
	fake_expect(f, XS_RM, S("/d"), XS_RM, "OK");
	fake_expect(f, XS_RM, S("/gone"), XS_ERROR, "ENOENT");
	/* The oversized write never reaches the wire. */
	fake_expect(f, XS_READ, S("/after"), XS_READ, "x");
	fake_expect_eof(f);
}

static void test_write_mkdir_rm(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_write, 0);
	static char big[XENSTORE_PAYLOAD_MAX];
	unsigned int len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_TRUE(xs_write(h, XBT_NULL, "/w", "xyz", 3));
	CU_ASSERT_TRUE(xs_write(h, XBT_NULL, "/e", "", 0));
	CU_ASSERT_TRUE(xs_mkdir(h, XBT_NULL, "/d"));
	CU_ASSERT_TRUE(xs_rm(h, XBT_NULL, "/d"));
	errno = 0;
	CU_ASSERT_FALSE(xs_rm(h, XBT_NULL, "/gone"));
	CU_ASSERT_EQUAL(errno, ENOENT);
	errno = 0;
	CU_ASSERT_FALSE(xs_write(h, XBT_NULL, "/big", big, sizeof(big)));
	CU_ASSERT_EQUAL(errno, E2BIG);
	free(xs_read(h, XBT_NULL, "/after", &len));
	fake_close(&f, h);
}

/* ---- replies that break the protocol --------------------------------- */

static void s_evil(struct fake_xsd *f)
{
	const char *how = f->arg;
	struct xpv_xs_msg m;
	struct xsd_sockmsg hdr = { .type = XS_READ };

	FAKE_CHECK(f, fake_recv(f, &m));
	hdr.req_id = m.hdr.req_id;
	if (!strcmp(how, "req_id")) {
		fake_send(f, XS_READ, m.hdr.req_id + 1, "v", 1);
	} else if (!strcmp(how, "type")) {
		fake_send(f, XS_WRITE, m.hdr.req_id, "OK", 3);
	} else if (!strcmp(how, "len")) {
		hdr.len = XENSTORE_PAYLOAD_MAX + 1;
		fake_send_raw(f, &hdr, sizeof(hdr));
	} else if (!strcmp(how, "truncated")) {
		hdr.len = 10;
		fake_send_raw(f, &hdr, sizeof(hdr));
		fake_send_raw(f, "abc", 3);
		return;
	} else if (!strcmp(how, "twice")) {
		fake_send(f, XS_READ, m.hdr.req_id, "v", 1);
		fake_send(f, XS_READ, m.hdr.req_id, "w", 1);
		FAKE_CHECK(f, fake_recv(f, &m));
	} else if (!strcmp(how, "close")) {
		return;
	}
	fake_expect_eof(f);
}

/* The first read gets @first_err; the handle is dead afterwards. */
static void run_evil(const char *how, int first_err, bool first_ok)
{
	struct fake_xsd f;
	struct xs_handle *h;
	unsigned int len;
	char *v;

	CU_ASSERT_FATAL(fake_start(&f, s_evil, (void *)how) == 0);
	h = xs_open(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	errno = 0;
	v = xs_read(h, XBT_NULL, "/evil", &len);
	if (first_ok) {
		CU_ASSERT_PTR_NOT_NULL(v);
		free(v);
		errno = 0;
		v = xs_read(h, XBT_NULL, "/evil", &len);
	}
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT_EQUAL(errno, first_err);
	free(v);
	/* Nothing more goes out on a broken stream. */
	errno = 0;
	CU_ASSERT_FALSE(xs_write(h, XBT_NULL, "/more", "1", 1));
	CU_ASSERT_EQUAL(errno, first_err);
	fake_close(&f, h);
}

static void test_wrong_req_id(void) { run_evil("req_id", EBADMSG, false); }
static void test_wrong_type(void) { run_evil("type", EBADMSG, false); }
static void test_oversized_len(void) { run_evil("len", EBADMSG, false); }
static void test_truncated(void) { run_evil("truncated", EIO, false); }
static void test_hangup(void) { run_evil("close", EIO, false); }
static void test_two_replies(void) { run_evil("twice", EBADMSG, true); }

/* ---- directories ----------------------------------------------------- */

static void s_dir(struct fake_xsd *f)
{
	struct xpv_xs_msg m;

	fake_expect(f, XS_DIRECTORY, S("/d"), XS_DIRECTORY, "");
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_DIRECTORY, m.hdr.req_id, "a\0bb\0c", 7);
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_DIRECTORY, m.hdr.req_id, "", 0);
	FAKE_CHECK(f, fake_recv(f, &m));
	fake_send(f, XS_DIRECTORY, m.hdr.req_id, "a\0b", 3);
	fake_expect(f, XS_DIRECTORY, S("/none"), XS_ERROR, "ENOENT");
	fake_expect_eof(f);
}

static void test_directory(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_dir, 0);
	unsigned int num = 99;
	char **d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	/* fake_expect's reply "" is one empty name: the wire allows it. */
	d = xs_directory(h, XBT_NULL, "/d", &num);
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_EQUAL(num, 1);
	free(d);
	d = xs_directory(h, XBT_NULL, "/d", &num);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(num, 3);
	CU_ASSERT_STRING_EQUAL(d[0], "a");
	CU_ASSERT_STRING_EQUAL(d[1], "bb");
	CU_ASSERT_STRING_EQUAL(d[2], "c");
	free(d);
	d = xs_directory(h, XBT_NULL, "/d", &num);
	CU_ASSERT_PTR_NOT_NULL(d);
	CU_ASSERT_EQUAL(num, 0);
	free(d);
	errno = 0;
	d = xs_directory(h, XBT_NULL, "/d", &num);
	CU_ASSERT_PTR_NULL(d);
	CU_ASSERT_EQUAL(errno, EBADMSG);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, "/none", &num));
	CU_ASSERT_EQUAL(errno, ENOENT);
	fake_close(&f, h);
}

static void part(struct fake_xsd *f, const char *off, const char *reply,
		 uint32_t rlen)
{
	char want[32];
	struct xpv_xs_msg m;
	size_t n = (size_t)snprintf(want, sizeof(want), "/big%c%s", 0, off);

	FAKE_CHECK(f, fake_recv(f, &m));
	FAKE_CHECK(f, m.hdr.type == XS_DIRECTORY_PART);
	FAKE_CHECK(f, m.hdr.len == n + 1 && !memcmp(m.body, want, n + 1));
	fake_send(f, XS_DIRECTORY_PART, m.hdr.req_id, reply, rlen);
}

static void s_dir_part(struct fake_xsd *f)
{
	int i;

	/* Two chunks. */
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	part(f, "0", "7\0a\0bb\0", 7);
	part(f, "5", "7\0c\0\0", 5);
	/* The generation changes: start again from offset 0. */
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	part(f, "0", "7\0a\0", 4);
	part(f, "2", "8\0zz\0", 5);
	part(f, "0", "8\0x\0y\0\0", 7);
	/* A daemon without DIRECTORY_PART. */
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	fake_expect(f, XS_DIRECTORY_PART, "/big\0" "0", 7, XS_ERROR, "ENOSYS");
	/* A chunk without its generation, then one that does not advance. */
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	part(f, "0", "7", 1);
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	part(f, "0", "7\0", 2);
	/* A generation that never settles: every second chunk restarts. */
	fake_expect(f, XS_DIRECTORY, S("/big"), XS_ERROR, "E2BIG");
	for (i = 0; i < 2 * (XPV_TEST_RESTARTS + 1); i++) {
		char gen[8];
		int n = snprintf(gen, sizeof(gen), "%d", i);

		memcpy(gen + n + 1, "a", 2);
		part(f, i % 2 ? "2" : "0", gen, (uint32_t)n + 3);
	}
	fake_expect_eof(f);
}

static void test_directory_part(void)
{
	struct fake_xsd f;
	struct xs_handle *h = fake_open(&f, s_dir_part, 0);
	unsigned int num = 0;
	char **d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	d = xs_directory(h, XBT_NULL, "/big", &num);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(num, 3);
	CU_ASSERT_STRING_EQUAL(d[0], "a");
	CU_ASSERT_STRING_EQUAL(d[1], "bb");
	CU_ASSERT_STRING_EQUAL(d[2], "c");
	free(d);
	d = xs_directory(h, XBT_NULL, "/big", &num);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(num, 2);
	CU_ASSERT_STRING_EQUAL(d[0], "x");
	CU_ASSERT_STRING_EQUAL(d[1], "y");
	free(d);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, "/big", &num));
	CU_ASSERT_EQUAL(errno, E2BIG);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, "/big", &num));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, "/big", &num));
	CU_ASSERT_EQUAL(errno, EBADMSG);
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_directory(h, XBT_NULL, "/big", &num));
	CU_ASSERT_EQUAL(errno, EAGAIN);
	fake_close(&f, h);
}

CU_TestInfo libxs_ops_tests[] = {
	{ "read", test_read },
	{ "error replies", test_errors },
	{ "write mkdir rm", test_write_mkdir_rm },
	{ "wrong req_id", test_wrong_req_id },
	{ "wrong reply type", test_wrong_type },
	{ "oversized len", test_oversized_len },
	{ "truncated then close", test_truncated },
	{ "hangup", test_hangup },
	{ "two replies", test_two_replies },
	{ "directory", test_directory },
	{ "directory part", test_directory_part },
	CU_TEST_INFO_NULL,
};
