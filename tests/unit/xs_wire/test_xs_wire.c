// SPDX-License-Identifier: MIT
/* CUnit suite for core/xs_wire.c: the reader, splitting, building, names. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv/os.h"
#include "xenpv/xs_wire.h"

static struct xpv_xs_reader rd;

/* header + body into @buf; returns the wire length. */
static size_t mkmsg(void *buf, uint32_t type, uint32_t req, uint32_t tx,
		    const void *body, uint32_t len)
{
	struct xsd_sockmsg h = { type, req, tx, len };

	memcpy(buf, &h, sizeof(h));
	memcpy((char *)buf + sizeof(h), body, len);
	return sizeof(h) + len;
}

static void test_reader_whole(void)
{
	char buf[64];
	size_t n = mkmsg(buf, XS_READ, 7, 3, "/a\0", 3);
	bool done;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf, n, &done), (int)n);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.hdr.type, XS_READ);
	CU_ASSERT_EQUAL(rd.msg.hdr.req_id, 7);
	CU_ASSERT_EQUAL(rd.msg.hdr.tx_id, 3);
	CU_ASSERT_EQUAL(rd.msg.hdr.len, 3);
	CU_ASSERT_STRING_EQUAL(rd.msg.body, "/a");
}

static void test_reader_byte_at_a_time(void)
{
	char buf[128];
	size_t n = mkmsg(buf, XS_WRITE, 1, 0, "/x\0value", 8), i;
	bool done = false;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	for (i = 0; i < n; i++) {
		CU_ASSERT_FALSE(done);
		CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf + i, 1, &done), 1);
	}
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.hdr.len, 8);
	CU_ASSERT_EQUAL(memcmp(rd.msg.body, "/x\0value", 8), 0);
	/* Always NUL-terminated one past the body. */
	CU_ASSERT_EQUAL(rd.msg.body[8], '\0');
}

static void test_reader_two_messages(void)
{
	char buf[128];
	size_t a = mkmsg(buf, XS_READ, 1, 0, "/a\0", 3);
	size_t b = mkmsg(buf + a, XS_RM, 2, 0, "/b\0", 3);
	bool done;
	int n;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	n = xpv_xs_reader_feed(&rd, buf, a + b, &done);
	/* Stops at the end of the first message. */
	CU_ASSERT_EQUAL(n, (int)a);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.hdr.req_id, 1);
	/* Without a reset it takes nothing more. */
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf + a, b, &done), 0);
	CU_ASSERT_TRUE(done);
	xpv_xs_reader_reset(&rd);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf + a, b, &done), (int)b);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.hdr.type, XS_RM);
	CU_ASSERT_STRING_EQUAL(rd.msg.body, "/b");
}

static void test_reader_empty_body(void)
{
	char buf[32];
	size_t n = mkmsg(buf, XS_TRANSACTION_START, 9, 0, "", 0);
	bool done;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf, n, &done), (int)n);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.hdr.len, 0);
	CU_ASSERT_EQUAL(rd.msg.body[0], '\0');
}

static void test_reader_oversized(void)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	bool done;
	int n;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, &h, sizeof(h), &done),
			-XPV_E2BIG);
	CU_ASSERT_FALSE(done);
	/* Still refused if fed again: it never buffers past the header. */
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, "xxxx", 4, &done), -XPV_E2BIG);

	/* A smaller limit of the reader's own. */
	h.len = 100;
	xpv_xs_reader_init(&rd, 99);
	n = xpv_xs_reader_feed(&rd, &h, 8, &done);
	CU_ASSERT_EQUAL(n, 8);
	n = xpv_xs_reader_feed(&rd, (char *)&h + 8, 8, &done);
	CU_ASSERT_EQUAL(n, -XPV_E2BIG);
	h.len = 0xffffffffu;
	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, &h, sizeof(h), &done),
			-XPV_E2BIG);
	/* The limit itself is capped at the protocol's. */
	xpv_xs_reader_init(&rd, 1u << 20);
	CU_ASSERT_EQUAL(rd.max_payload, XENSTORE_PAYLOAD_MAX);
}

static void test_reader_max_payload(void)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	static char body[XENSTORE_PAYLOAD_MAX];
	size_t n;
	bool done;

	memset(body, 'v', sizeof(body));
	n = mkmsg(buf, XS_WRITE, 1, 0, body, sizeof(body));
	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf, n, &done), (int)n);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(rd.msg.body[XENSTORE_PAYLOAD_MAX], '\0');
}

static void test_reader_truncated(void)
{
	char buf[64];
	size_t n = mkmsg(buf, XS_READ, 1, 0, "/abc\0", 5);
	bool done;

	xpv_xs_reader_init(&rd, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf, 10, &done), 10);
	CU_ASSERT_FALSE(done);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf + 10, n - 11, &done),
			(int)n - 11);
	CU_ASSERT_FALSE(done);
	CU_ASSERT_EQUAL(rd.have, n - 1);
	CU_ASSERT_EQUAL(xpv_xs_reader_feed(&rd, buf, 0, &done), 0);
	CU_ASSERT_FALSE(done);
}

static void test_check_header(void)
{
	struct xsd_sockmsg h = { XS_READ, 0, 0, 10 };

	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, XENSTORE_PAYLOAD_MAX), 0);
	h.len = XENSTORE_PAYLOAD_MAX + 1;
	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, XENSTORE_PAYLOAD_MAX),
			-XPV_E2BIG);
	h.len = 10;
	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, 9), -XPV_E2BIG);
	h.type = XS_TYPE_COUNT;
	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, 100), -XPV_EINVAL);
	h.type = XS_SET_TARGET + 1; /* the removed XS_RESTRICT */
	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, 100), -XPV_EINVAL);
	h.type = XS_INVALID;
	CU_ASSERT_EQUAL(xpv_xs_check_header(&h, 100), -XPV_EINVAL);
}

static void test_type_names(void)
{
	CU_ASSERT_STRING_EQUAL(xpv_xs_type_name(XS_READ), "READ");
	CU_ASSERT_STRING_EQUAL(xpv_xs_type_name(XS_CONTROL), "CONTROL");
	CU_ASSERT_STRING_EQUAL(xpv_xs_type_name(XS_DIRECTORY_PART),
			       "DIRECTORY_PART");
	CU_ASSERT_STRING_EQUAL(xpv_xs_type_name(XS_RESET_WATCHES),
			       "RESET_WATCHES");
	CU_ASSERT_PTR_NULL(xpv_xs_type_name(XS_SET_TARGET + 1));
	CU_ASSERT_PTR_NULL(xpv_xs_type_name(XS_TYPE_COUNT));
	CU_ASSERT_PTR_NULL(xpv_xs_type_name(0xffffffffu));
}

static void test_split(void)
{
	const char *f[4];

	CU_ASSERT_EQUAL(xpv_xs_split("", 0, f, 4), 0);
	CU_ASSERT_EQUAL(xpv_xs_split("a\0bc\0\0", 6, f, 4), 3);
	CU_ASSERT_STRING_EQUAL(f[0], "a");
	CU_ASSERT_STRING_EQUAL(f[1], "bc");
	CU_ASSERT_STRING_EQUAL(f[2], "");
	/* Unterminated: refused, even if earlier fields are fine. */
	CU_ASSERT_EQUAL(xpv_xs_split("a\0bc", 4, f, 4), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_split("abc", 3, f, 4), -XPV_EINVAL);
	/* More fields than room: counted, only @max stored. */
	f[1] = NULL;
	CU_ASSERT_EQUAL(xpv_xs_split("1\0002\0003\0", 6, f, 1), 3);
	CU_ASSERT_STRING_EQUAL(f[0], "1");
	CU_ASSERT_PTR_NULL(f[1]);
	CU_ASSERT_EQUAL(xpv_xs_count_strings("x\0y\0", 4), 2);
	CU_ASSERT_EQUAL(xpv_xs_count_strings("\0", 1), 1);
	CU_ASSERT_EQUAL(xpv_xs_count_strings("x", 1), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_count_strings(NULL, 0), 0);
}

static void test_build(void)
{
	static struct xpv_xs_msg m;
	static char big[XENSTORE_PAYLOAD_MAX + 1];

	xpv_xs_msg_init(&m, XS_WRITE, 5, 6);
	CU_ASSERT_EQUAL(m.hdr.len, 0);
	CU_ASSERT_EQUAL(xpv_xs_msg_append_str(&m, "/a/b"), 0);
	CU_ASSERT_EQUAL(xpv_xs_msg_append(&m, "xyz", 3), 0);
	CU_ASSERT_EQUAL(m.hdr.len, 8);
	CU_ASSERT_EQUAL(memcmp(m.body, "/a/b\0xyz", 8), 0);
	CU_ASSERT_EQUAL(m.body[8], '\0');
	CU_ASSERT_EQUAL(xpv_xs_msg_wire_len(&m), 24);
	CU_ASSERT_EQUAL(m.hdr.req_id, 5);
	CU_ASSERT_EQUAL(m.hdr.tx_id, 6);

	memset(big, 'a', sizeof(big));
	xpv_xs_msg_init(&m, XS_WRITE, 0, 0);
	CU_ASSERT_EQUAL(xpv_xs_msg_append(&m, big, XENSTORE_PAYLOAD_MAX), 0);
	CU_ASSERT_EQUAL(xpv_xs_msg_append(&m, "x", 1), -XPV_E2BIG);
	CU_ASSERT_EQUAL(m.hdr.len, XENSTORE_PAYLOAD_MAX);
	xpv_xs_msg_init(&m, XS_WRITE, 0, 0);
	CU_ASSERT_EQUAL(xpv_xs_msg_append(&m, big, 0xffffffffu), -XPV_E2BIG);
	big[XENSTORE_PAYLOAD_MAX] = '\0';
	CU_ASSERT_EQUAL(xpv_xs_msg_append_str(&m, big), -XPV_E2BIG);
	CU_ASSERT_EQUAL(m.hdr.len, 0);
}

static void test_errno_names(void)
{
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_ENOENT), "ENOENT");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_EAGAIN), "EAGAIN");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_E2BIG), "E2BIG");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_EPERM), "EPERM");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_EISCONN), "EISCONN");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(XPV_ETIMEDOUT), "EINVAL");
	CU_ASSERT_STRING_EQUAL(xpv_xs_errno_name(-1), "EINVAL");
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("ENOENT", 7), XPV_ENOENT);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("EACCES", 6), XPV_EACCES);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("ENOSPC\0junk", 11),
			XPV_ENOSPC);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("ENOEN", 5), XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("ENOENTX", 7), XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("", 0), XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("EAGAIN", 3), XPV_EINVAL);
	/* The numbers match the host's errno.h, as os.h promises. */
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("EBUSY", 5), EBUSY);
	CU_ASSERT_EQUAL(xpv_xs_errno_from_name("EROFS", 5), EROFS);
}

static void test_path_valid(void)
{
	static char p[XENSTORE_ABS_PATH_MAX + 2];

	CU_ASSERT_TRUE(xpv_xs_path_valid("/"));
	CU_ASSERT_TRUE(xpv_xs_path_valid("/local/domain/0"));
	CU_ASSERT_TRUE(xpv_xs_path_valid("device/vbd/51712"));
	CU_ASSERT_TRUE(xpv_xs_path_valid("@releaseDomain"));
	CU_ASSERT_TRUE(xpv_xs_path_valid("/a-b_c/D9"));
	CU_ASSERT_FALSE(xpv_xs_path_valid(NULL));
	CU_ASSERT_FALSE(xpv_xs_path_valid(""));
	CU_ASSERT_FALSE(xpv_xs_path_valid("//"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/a//b"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/a/"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("a/"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/a b"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/a.b"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/a\nb"));
	CU_ASSERT_FALSE(xpv_xs_path_valid("/\xc3\xa9"));

	p[0] = '/';
	memset(p + 1, 'a', XENSTORE_ABS_PATH_MAX - 1);
	p[XENSTORE_ABS_PATH_MAX] = '\0';
	CU_ASSERT_TRUE(xpv_xs_path_valid(p));
	p[XENSTORE_ABS_PATH_MAX] = 'a';
	p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	CU_ASSERT_FALSE(xpv_xs_path_valid(p));
	memset(p, 'r', XENSTORE_REL_PATH_MAX);
	p[XENSTORE_REL_PATH_MAX] = '\0';
	CU_ASSERT_TRUE(xpv_xs_path_valid(p));
	p[XENSTORE_REL_PATH_MAX] = 'r';
	p[XENSTORE_REL_PATH_MAX + 1] = '\0';
	CU_ASSERT_FALSE(xpv_xs_path_valid(p));
}

static void test_perms(void)
{
	struct xpv_xs_perm p;
	char buf[16];

	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r5", &p), 0);
	CU_ASSERT_EQUAL(p.domid, 5);
	CU_ASSERT_EQUAL(p.bits, XPV_XS_PERM_READ);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("b0", &p), 0);
	CU_ASSERT_EQUAL(p.bits, XPV_XS_PERM_BOTH);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("w65535", &p), 0);
	CU_ASSERT_EQUAL(p.domid, 65535);
	CU_ASSERT_EQUAL(p.bits, XPV_XS_PERM_WRITE);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("n12", &p), 0);
	CU_ASSERT_EQUAL(p.bits, XPV_XS_PERM_NONE);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r65536", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("x1", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r-1", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r1a", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r 1", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r0x10", &p), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xs_perm_parse("r99999999999999999999", &p),
			-XPV_EINVAL);

	p = (struct xpv_xs_perm){ 65535, XPV_XS_PERM_BOTH };
	CU_ASSERT_EQUAL(xpv_xs_perm_format(&p, buf, sizeof(buf)), 6);
	CU_ASSERT_STRING_EQUAL(buf, "b65535");
	p = (struct xpv_xs_perm){ 0, XPV_XS_PERM_NONE };
	CU_ASSERT_EQUAL(xpv_xs_perm_format(&p, buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "n0");
	p = (struct xpv_xs_perm){ 12345, XPV_XS_PERM_WRITE };
	CU_ASSERT_EQUAL(xpv_xs_perm_format(&p, buf, 6), -XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xs_perm_format(&p, buf, 7), 6);
	CU_ASSERT_STRING_EQUAL(buf, "w12345");
	p.bits = 7;
	CU_ASSERT(xpv_xs_perm_format(&p, buf, sizeof(buf)) < 0);
}

static void test_parse_uint(void)
{
	uint64_t v;

	CU_ASSERT_EQUAL(xpv_xs_parse_uint("0", 1, 10, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(xpv_xs_parse_uint("4294967295", 10, UINT32_MAX, &v),
			0);
	CU_ASSERT_EQUAL(v, UINT32_MAX);
	CU_ASSERT(xpv_xs_parse_uint("4294967296", 10, UINT32_MAX, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("18446744073709551616", 20, UINT64_MAX,
				    &v) < 0);
	CU_ASSERT_EQUAL(xpv_xs_parse_uint("18446744073709551615", 20,
					  UINT64_MAX, &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT(xpv_xs_parse_uint("", 0, 10, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("-1", 2, 10, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("+1", 2, 10, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("1 ", 2, 10, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("9", 1, 5, &v) < 0);
	CU_ASSERT(xpv_xs_parse_uint("11", 2, 10, &v) < 0);
	/* Only @len bytes count. */
	CU_ASSERT_EQUAL(xpv_xs_parse_uint("12x", 2, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 12);
}

static CU_TestInfo xs_wire_tests[] = {
	{ "reader whole message", test_reader_whole },
	{ "reader byte at a time", test_reader_byte_at_a_time },
	{ "reader two messages in one feed", test_reader_two_messages },
	{ "reader empty body", test_reader_empty_body },
	{ "reader oversized header", test_reader_oversized },
	{ "reader max payload", test_reader_max_payload },
	{ "reader truncated input", test_reader_truncated },
	{ "check header", test_check_header },
	{ "type names", test_type_names },
	{ "split", test_split },
	{ "build", test_build },
	{ "errno names", test_errno_names },
	{ "path validation", test_path_valid },
	{ "perms parse/format", test_perms },
	{ "strict decimal", test_parse_uint },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "xs_wire", NULL, NULL, NULL, NULL, xs_wire_tests },
	CU_SUITE_INFO_NULL,
};
