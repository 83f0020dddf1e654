// SPDX-License-Identifier: MIT
/*
 * CUnit suites for the loopback xenstored: every request, permissions seen
 * from domU connections, transactions, watches and quotas, all through a
 * raw client on socketpairs to an in-process daemon.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/xenstored/xsd_client.h"

extern CU_TestInfo xsd_hostile_tests[];

static char buf[XENSTORE_PAYLOAD_MAX + 1];
static char p[XENSTORE_PAYLOAD_MAX], t[XENSTORE_PAYLOAD_MAX];

static int suite_init(void)
{
	xsd_limits_default(&tsrv_lim);
	tsrv_lim.nodes_per_domain = 20;
	tsrv_lim.watches_per_conn = 8;
	tsrv_lim.tx_per_conn = 4;
	tsrv_lim.max_out_bytes = 64 * 1024;
	return tsrv_start();
}

static int suite_fini(void)
{
	return tsrv_stop();
}

/* A request whose body is a string literal with its NULs spelled out. */
#define CALLB(c, type, lit) tcli_call(c, type, 0, lit, sizeof(lit) - 1)

static bool body_is(const struct tcli *c, const void *want, uint32_t len)
{
	return c->reply.hdr.len == len && !memcmp(c->reply.body, want, len);
}

static void test_initial_tree(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/", NULL, NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "local\0tool\0", 11));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/local", NULL, NULL),
			0);
	CU_ASSERT_TRUE(body_is(c, "domain\0", 7));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_PERMS, 0, "/tool", NULL, NULL),
			0);
	CU_ASSERT_TRUE(body_is(c, "n0\0", 3));
	CU_ASSERT_EQUAL(t_read(c, 0, "/", buf), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.len, 0);
	tcli_free(c);
}

static void test_write_read(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(t_write(c, 0, "/t/a/b", "hello"), 0);
	CU_ASSERT_TRUE(body_is(c, "OK", 3));
	CU_ASSERT_EQUAL(t_read(c, 0, "/t/a/b", buf), 0);
	CU_ASSERT_TRUE(body_is(c, "hello", 5));
	/* Missing parents were created, empty. */
	CU_ASSERT_EQUAL(t_read(c, 0, "/t/a", buf), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.len, 0);
	CU_ASSERT_EQUAL(t_write(c, 0, "/t/a/b", ""), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/t/a/b", buf), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.len, 0);
	/* Values are bytes, NULs included. */
	CU_ASSERT_EQUAL(tcli_call(c, XS_WRITE, 0, "/t/bin\0a\0b", 10), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/t/bin", buf), 0);
	CU_ASSERT_TRUE(body_is(c, "a\0b", 3));
	CU_ASSERT_EQUAL(t_read(c, 0, "/t/none", buf), ENOENT);
	CU_ASSERT_TRUE(body_is(c, "ENOENT", 7));
	CU_ASSERT_EQUAL(c->reply.hdr.type, XS_ERROR);
	/* Relative to /local/domain/<domid>. */
	CU_ASSERT_EQUAL(t_write(c, 0, "rel/x", "1"), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/local/domain/0/rel/x", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	CU_ASSERT_EQUAL(t_rm(c, 0, "/t"), 0);
	tcli_free(c);
}

static void test_mkdir_rm(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(t_write(c, 0, "/m/keep", "v"), 0);
	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/m/keep"), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/m/keep", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "v");
	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/m/d/e/f"), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/m", NULL, NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "keep\0d\0", 7));
	CU_ASSERT_EQUAL(t_rm(c, 0, "/m/d"), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/m/d/e/f", buf), ENOENT);
	CU_ASSERT_EQUAL(t_read(c, 0, "/m/d", buf), ENOENT);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/m", NULL, NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "keep\0", 5));
	/* Missing node, parent there: fine.  Parent missing too: not. */
	CU_ASSERT_EQUAL(t_rm(c, 0, "/m/nothing"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/m/no/thing"), ENOENT);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/"), EINVAL);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/m"), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/", NULL, NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "local\0tool\0", 11));
	tcli_free(c);
}

static void test_directory_part(void)
{
	struct tcli *c = tcli_new(0);
	static char want[16384], got[16384];
	size_t wlen = 0, glen = 0, gl;
	char gen[32] = "", off[16];
	int i, rounds = 0;
	bool done = false;

	for (i = 0; i < 60; i++) {
		snprintf(p, sizeof(p), "/dp/child-%03d-%0100d", i, i);
		CU_ASSERT_EQUAL_FATAL(t_write(c, 0, p, ""), 0);
		wlen += sprintf(want + wlen, "%s", strrchr(p, '/') + 1) + 1;
	}
	/* Too long for one DIRECTORY reply. */
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY, 0, "/dp", NULL, NULL),
			E2BIG);
	while (!done && rounds++ < 10) {
		snprintf(off, sizeof(off), "%zu", glen);
		CU_ASSERT_EQUAL_FATAL(tcli_callv(c, XS_DIRECTORY_PART, 0,
						 "/dp", off, NULL), 0);
		gl = strlen(c->reply.body) + 1;
		if (gen[0])
			CU_ASSERT_STRING_EQUAL(gen, c->reply.body);
		strcpy(gen, c->reply.body);
		CU_ASSERT(c->reply.hdr.len <= XENSTORE_PAYLOAD_MAX);
		memcpy(got + glen, c->reply.body + gl, c->reply.hdr.len - gl);
		glen += c->reply.hdr.len - gl;
		/* The last chunk ends in an extra NUL (an empty name). */
		done = glen >= 2 && got[glen - 1] == '\0' &&
		       got[glen - 2] == '\0';
	}
	CU_ASSERT_TRUE(done);
	CU_ASSERT(rounds > 1);
	CU_ASSERT_EQUAL(glen, wlen + 1);
	CU_ASSERT_EQUAL(memcmp(got, want, wlen), 0);
	/* Past the end: generation and an empty list. */
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY_PART, 0, "/dp", "99999",
				   NULL), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.len, strlen(gen) + 2);
	CU_ASSERT_EQUAL(c->reply.body[strlen(gen) + 1], '\0');
	/* A change moves the generation. */
	CU_ASSERT_EQUAL(t_write(c, 0, "/dp/new", ""), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY_PART, 0, "/dp", "0", NULL),
			0);
	CU_ASSERT_STRING_NOT_EQUAL(c->reply.body, gen);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY_PART, 0, "/dp", "x1",
				   NULL), EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_DIRECTORY_PART, 0, "/dp", NULL,
				   NULL), EINVAL);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/dp"), 0);
	tcli_free(c);
}

static void test_perms_ops(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(t_write(c, 0, "/pp", ""), 0);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/pp", "n0 r5 w6 b7"), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_PERMS, 0, "/pp", NULL, NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "n0\0r5\0w6\0b7\0", 12));
	CU_ASSERT_EQUAL(t_perms(c, 0, "/pp", "q5"), EINVAL);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/pp", "r70000"), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_SET_PERMS, 0, "/pp\0", 4), EINVAL);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/nope", "n0"), ENOENT);
	/* Children inherit; dom0's keep the parent's owner. */
	CU_ASSERT_EQUAL(t_write(c, 0, "/pp/kid", ""), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_PERMS, 0, "/pp/kid", NULL, NULL),
			0);
	CU_ASSERT_TRUE(body_is(c, "n0\0r5\0w6\0b7\0", 12));
	/* Special nodes have perms too. */
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_PERMS, 0, "@releaseDomain", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "n0\0", 3));
	CU_ASSERT_EQUAL(t_rm(c, 0, "/pp"), 0);
	tcli_free(c);
}

static void test_domu_perms(void)
{
	struct tcli *c = tcli_new(0), *u = tcli_new(5), *v = tcli_new(6);

	CU_ASSERT_EQUAL(t_write(c, 0, "/sec/hidden/x", "s"), 0);
	CU_ASSERT_EQUAL(t_read(u, 0, "/sec/hidden/x", buf), EACCES);
	/* Absence must not leak through an unreadable parent either. */
	CU_ASSERT_EQUAL(t_read(u, 0, "/sec/hidden/nope", buf), EACCES);
	CU_ASSERT_EQUAL(t_write(u, 0, "/sec/new", "x"), EACCES);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/sec", "n0 r5"), 0);
	CU_ASSERT_EQUAL(t_read(u, 0, "/sec", buf), 0);
	CU_ASSERT_EQUAL(t_read(u, 0, "/sec/nope", buf), ENOENT);
	CU_ASSERT_EQUAL(t_write(u, 0, "/sec", "x"), EACCES);
	CU_ASSERT_EQUAL(t_read(v, 0, "/sec", buf), EACCES);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/sec", "n0 b5"), 0);
	CU_ASSERT_EQUAL(t_write(u, 0, "/sec/mine/leaf", "m"), 0);
	/* Domains own what they create. */
	CU_ASSERT_EQUAL(tcli_callv(u, XS_GET_PERMS, 0, "/sec/mine/leaf", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(u, "n5\0b5\0", 6));
	CU_ASSERT_EQUAL(t_perms(u, 0, "/sec/mine", "n5 r6"), 0);
	CU_ASSERT_EQUAL(t_read(v, 0, "/sec/mine", buf), 0);
	CU_ASSERT_EQUAL(t_perms(u, 0, "/sec/mine", "n6"), EPERM);
	CU_ASSERT_EQUAL(t_perms(u, 0, "/sec", "n0 b5"), EACCES);
	CU_ASSERT_EQUAL(t_perms(v, 0, "/sec/mine", "n6"), EACCES);
	CU_ASSERT_EQUAL(t_rm(v, 0, "/sec/mine"), EACCES);
	CU_ASSERT_EQUAL(t_rm(u, 0, "/sec/mine"), 0);
	/* Relative paths are the domain's own. */
	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/local/domain/5"), 0);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/local/domain/5", "n5"), 0);
	CU_ASSERT_EQUAL(t_write(u, 0, "device/vif/0", "up"), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/local/domain/5/device/vif/0", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "up");
	/* dom0-only requests. */
	CU_ASSERT_EQUAL(tcli_callv(u, XS_INTRODUCE, 0, "7", "1", "1"),
			EACCES);
	CU_ASSERT_EQUAL(tcli_callv(u, XS_CONTROL, 0, "help", NULL, NULL),
			EACCES);
	CU_ASSERT_EQUAL(tcli_callv(u, XS_GET_DOMAIN_PATH, 0, "5", NULL, NULL),
			0);
	CU_ASSERT_TRUE(body_is(u, "/local/domain/5", 16));
	CU_ASSERT_EQUAL(t_rm(c, 0, "/sec"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/local/domain/5"), 0);
	tcli_free(c);
	tcli_free(u);
	tcli_free(v);
}

static void test_node_quota(void)
{
	struct tcli *c = tcli_new(0), *u = tcli_new(9);
	int i, err = 0;

	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/local/domain/9"), 0);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/local/domain/9", "n9"), 0);
	/* The domain owns the node made for it: 1 of its 20. */
	for (i = 0; i < 19 && !err; i++) {
		snprintf(p, sizeof(p), "q%d", i);
		err = t_write(u, 0, p, "x");
	}
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(t_write(u, 0, "one-more", "x"), ENOSPC);
	CU_ASSERT_EQUAL(t_write(u, 0, "q0", "rewrite is fine"), 0);
	/* Creating parents counts them all, up front. */
	CU_ASSERT_EQUAL(t_rm(u, 0, "q0"), 0);
	CU_ASSERT_EQUAL(t_write(u, 0, "a/b", "x"), ENOSPC);
	CU_ASSERT_EQUAL(t_read(u, 0, "a", buf), ENOENT);
	CU_ASSERT_EQUAL(t_write(u, 0, "a", "x"), 0);
	/* dom0 has no quota. */
	for (i = 0; i < 30 && !err; i++) {
		snprintf(p, sizeof(p), "/qd0/n%d", i);
		err = t_write(c, 0, p, "x");
	}
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/qd0"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/local/domain/9"), 0);
	/* Removing them gave the quota back. */
	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/local/domain/9"), 0);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/local/domain/9", "n9"), 0);
	CU_ASSERT_EQUAL(t_write(u, 0, "again", "x"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/local/domain/9"), 0);
	tcli_free(c);
	tcli_free(u);
}

static void test_domain_ops(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_DOMAIN_PATH, 0, "7", NULL, NULL),
			0);
	CU_ASSERT_TRUE(body_is(c, "/local/domain/7", 16));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_DOMAIN_PATH, 0, "x", NULL, NULL),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_GET_DOMAIN_PATH, 0, "65536", NULL,
				   NULL), EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "F", 2));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_IS_DOMAIN_INTRODUCED, 0, "0", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "T", 2));
	CU_ASSERT_EQUAL(CALLB(c, XS_INTRODUCE, "7\0" "-12\0" "3\0"), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "T", 2));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_RESUME, 0, "7", NULL, NULL), 0);
	CU_ASSERT_EQUAL(CALLB(c, XS_INTRODUCE, "0\0" "1\0" "3\0"),
			EINVAL);
	CU_ASSERT_EQUAL(CALLB(c, XS_INTRODUCE, "500\0" "1\0" "3\0"),
			ENOENT);
	CU_ASSERT_EQUAL(CALLB(c, XS_INTRODUCE, "8\0" "1x\0" "3\0"),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_INTRODUCE, 0, "8", "1", NULL),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_RELEASE, 0, "7", NULL, NULL), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_RELEASE, 0, "7", NULL, NULL), ENOENT);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_RESUME, 0, "7", NULL, NULL), ENOENT);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL,
				   NULL), 0);
	CU_ASSERT_TRUE(body_is(c, "F", 2));
	CU_ASSERT_EQUAL(tcli_callv(c, XS_CONTROL, 0, "help", NULL, NULL), 0);
	CU_ASSERT(c->reply.hdr.len > 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_CONTROL, 0, "bogus", NULL, NULL),
			EINVAL);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_SET_TARGET, 0, "1", "2", NULL),
			ENOSYS);
	tcli_free(c);
}

static void test_tx_basic(void)
{
	struct tcli *c = tcli_new(0), *o = tcli_new(0);
	uint32_t tx, tx2;

	CU_ASSERT_EQUAL(t_write(c, 0, "/tx/a", "0"), 0);
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT(tx != 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/tx/a", "1"), 0);
	CU_ASSERT_EQUAL(c->reply.hdr.tx_id, tx);
	CU_ASSERT_EQUAL(t_write(c, tx, "/tx/new/deep", "n"), 0);
	CU_ASSERT_EQUAL(t_read(c, tx, "/tx/a", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	/* Invisible outside until committed. */
	CU_ASSERT_EQUAL(t_read(o, 0, "/tx/a", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "0");
	CU_ASSERT_EQUAL(t_read(c, 0, "/tx/new", buf), ENOENT);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), 0);
	CU_ASSERT_EQUAL(t_read(o, 0, "/tx/a", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	CU_ASSERT_EQUAL(t_read(o, 0, "/tx/new/deep", buf), 0);
	/* The id is gone. */
	CU_ASSERT_EQUAL(t_read(c, tx, "/tx/a", buf), ENOENT);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), ENOENT);

	/* Aborted: nothing happened. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_rm(c, tx, "/tx/new"), 0);
	CU_ASSERT_EQUAL(t_read(c, tx, "/tx/new/deep", buf), ENOENT);
	CU_ASSERT_EQUAL(t_txend(c, tx, false), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/tx/new/deep", buf), 0);

	/* Transactions are per connection, ids not shared. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_read(o, tx, "/tx/a", buf), ENOENT);
	CU_ASSERT_EQUAL(tcli_call(c, XS_TRANSACTION_START, tx, "", 1), EBUSY);
	CU_ASSERT_EQUAL(tcli_call(c, XS_TRANSACTION_END, tx, "X", 2), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_TRANSACTION_END, tx, "T", 1), EINVAL);
	CU_ASSERT_EQUAL(tcli_call(c, XS_TRANSACTION_END, 0, "T", 2), ENOENT);
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx2), 0);
	CU_ASSERT(tx2 != tx);
	CU_ASSERT_EQUAL(t_txend(c, tx2, true), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/tx"), 0);
	tcli_free(c);
	tcli_free(o);
}

static void test_tx_conflict(void)
{
	struct tcli *c = tcli_new(0), *o = tcli_new(0);
	uint32_t tx, ty;

	CU_ASSERT_EQUAL(t_write(c, 0, "/cf/x", "0"), 0);
	CU_ASSERT_EQUAL(t_write(c, 0, "/cf/z", "0"), 0);
	/* Read what another then changes: EAGAIN, nothing applied. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_read(c, tx, "/cf/x", buf), 0);
	CU_ASSERT_EQUAL(t_write(o, 0, "/cf/x", "other"), 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/cf/z", "mine"), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), EAGAIN);
	CU_ASSERT_EQUAL(t_read(o, 0, "/cf/z", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "0");
	/* A node that appears after the transaction saw it absent. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_read(c, tx, "/cf/later", buf), ENOENT);
	CU_ASSERT_EQUAL(t_write(o, 0, "/cf/later", "1"), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), EAGAIN);
	/* Two transactions on the same node: the second commit loses. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL_FATAL(t_txstart(o, &ty), 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/cf/x", "c"), 0);
	CU_ASSERT_EQUAL(t_write(o, ty, "/cf/x", "o"), 0);
	CU_ASSERT_EQUAL(t_txend(o, ty, true), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), EAGAIN);
	CU_ASSERT_EQUAL(t_read(c, 0, "/cf/x", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "o");
	/* Disjoint nodes: both commit. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL_FATAL(t_txstart(o, &ty), 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/cf/x", "cx"), 0);
	CU_ASSERT_EQUAL(t_write(o, ty, "/cf/z", "oz"), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, true), 0);
	CU_ASSERT_EQUAL(t_txend(o, ty, true), 0);
	CU_ASSERT_EQUAL(t_read(c, 0, "/cf/z", buf), 0);
	CU_ASSERT_STRING_EQUAL(buf, "oz");
	CU_ASSERT_EQUAL(t_rm(c, 0, "/cf"), 0);
	tcli_free(c);
	tcli_free(o);
}

static void test_tx_limit(void)
{
	struct tcli *c = tcli_new(0);
	uint32_t tx[5];
	int i;

	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(t_txstart(c, &tx[i]), 0);
	CU_ASSERT_EQUAL(t_txstart(c, &tx[4]), ENOSPC);
	CU_ASSERT_EQUAL(t_txend(c, tx[0], false), 0);
	CU_ASSERT_EQUAL(t_txstart(c, &tx[4]), 0);
	/* Closing with transactions open just drops them. */
	tcli_free(c);
}

static void test_watch_basic(void)
{
	struct tcli *c = tcli_new(0), *w = tcli_new(0);

	CU_ASSERT_EQUAL(t_watch(w, "/wb", "tok"), 0);
	CU_ASSERT_TRUE(body_is(w, "OK", 3));
	/* Fired once up front, even for a node that does not exist. */
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb");
	CU_ASSERT_STRING_EQUAL(t, "tok");
	CU_ASSERT_EQUAL(t_write(c, 0, "/wb/a", "1"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb/a");
	CU_ASSERT_EQUAL(t_write(c, 0, "/wbx", "1"), 0);
	CU_ASSERT_EQUAL(t_write(c, 0, "/other/wb", "1"), 0);
	CU_ASSERT_TRUE(t_no_event(w));
	CU_ASSERT_EQUAL(t_watch(w, "/wb", "tok"), EEXIST);
	CU_ASSERT_EQUAL(t_watch(w, "/wb", "tok2"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(t, "tok2");
	CU_ASSERT_EQUAL(t_unwatch(w, "/wb", "tok2"), 0);
	CU_ASSERT_EQUAL(t_unwatch(w, "/wb", "tok2"), ENOENT);
	/* Removal: the removed node, and watchers below hear their path. */
	CU_ASSERT_EQUAL(t_watch(w, "/wb/a/deep", "d"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_EQUAL(t_write(c, 0, "/wb/a/deep", "1"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb/a/deep");
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb/a/deep");
	CU_ASSERT_TRUE(t_no_event(w));
	CU_ASSERT_EQUAL(t_rm(c, 0, "/wb/a"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb/a/deep");
	CU_ASSERT_STRING_EQUAL(t, "d");
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wb/a");
	CU_ASSERT_STRING_EQUAL(t, "tok");
	CU_ASSERT_TRUE(t_no_event(w));
	CU_ASSERT_EQUAL(tcli_call(w, XS_RESET_WATCHES, 0, "", 0), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/wb"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/other"), 0);
	CU_ASSERT_TRUE(t_no_event(w));
	tcli_free(c);
	tcli_free(w);
}

static void test_watch_relative_perms(void)
{
	struct tcli *c = tcli_new(0), *u = tcli_new(4);

	CU_ASSERT_EQUAL(t_mkdir(c, 0, "/local/domain/4"), 0);
	CU_ASSERT_EQUAL(t_perms(c, 0, "/local/domain/4", "n4"), 0);
	CU_ASSERT_EQUAL(t_watch(u, "data", "rel"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "data");
	CU_ASSERT_EQUAL(t_write(c, 0, "/local/domain/4/data/k", "v"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "data/k");
	/* Nodes the domain cannot read: no event (after the first). */
	CU_ASSERT_EQUAL(t_write(c, 0, "/hid/x", ""), 0);
	CU_ASSERT_EQUAL(t_watch(u, "/hid", "h"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_EQUAL(t_write(c, 0, "/hid/x", "secret"), 0);
	CU_ASSERT_TRUE(t_no_event(u));
	CU_ASSERT_EQUAL(t_perms(c, 0, "/hid/x", "n0 r4"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/hid/x");
	CU_ASSERT_EQUAL(t_write(c, 0, "/hid/x", "seen"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/hid"), 0);
	CU_ASSERT_EQUAL(t_rm(c, 0, "/local/domain/4"), 0);
	tcli_free(c);
	tcli_free(u);
}

static void test_watch_special(void)
{
	struct tcli *c = tcli_new(0), *d = tcli_new(3), *u;

	CU_ASSERT_EQUAL(t_watch(c, "@introduceDomain", "i"), 0);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "@introduceDomain");
	CU_ASSERT_EQUAL(t_watch(c, "@releaseDomain", "r"), 0);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_EQUAL(t_watch(d, "@releaseDomain", "dr"), 0);
	CU_ASSERT_EQUAL(t_event(d, p, t), 0);
	CU_ASSERT_EQUAL(t_watch(c, "/", "root"), 0);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_EQUAL(CALLB(c, XS_INTRODUCE, "11\0" "5\0" "6\0"), 0);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "@introduceDomain");
	CU_ASSERT_STRING_EQUAL(t, "i");
	/* Special events do not reach path watches, even "/". */
	CU_ASSERT_TRUE(t_no_event(c));
	u = tcli_new(11);
	CU_ASSERT_EQUAL(t_watch(u, "@introduceDomain", "u"), 0);
	CU_ASSERT_EQUAL(t_event(u, p, t), 0);
	CU_ASSERT_EQUAL(tcli_callv(c, XS_RELEASE, 0, "11", NULL, NULL), 0);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "@releaseDomain");
	CU_ASSERT_EQUAL(t_event(d, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "@releaseDomain");
	/* The released domain's connection is gone. */
	CU_ASSERT_TRUE(t_closed(u));
	tcli_free(u);
	/* Released by the host (another thread). */
	u = tcli_new(12);
	CU_ASSERT_EQUAL(t_read(u, 0, "/local", buf), EACCES);
	xsd_domain_released(tsrv, 12);
	CU_ASSERT_EQUAL(t_event(c, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "@releaseDomain");
	CU_ASSERT_TRUE(t_closed(u));
	tcli_free(u);
	CU_ASSERT_EQUAL(t_event(d, p, t), 0);
	CU_ASSERT_TRUE(t_no_event(c));
	tcli_free(c);
	tcli_free(d);
}

static void test_watch_tx(void)
{
	struct tcli *c = tcli_new(0), *w = tcli_new(0);
	uint32_t tx;

	CU_ASSERT_EQUAL(t_watch(w, "/wt", "t"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/wt/a", "1"), 0);
	CU_ASSERT_TRUE(t_no_event(w));
	CU_ASSERT_EQUAL(t_txend(c, tx, true), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wt/a");
	/* Aborted or failed: never heard of. */
	CU_ASSERT_EQUAL_FATAL(t_txstart(c, &tx), 0);
	CU_ASSERT_EQUAL(t_write(c, tx, "/wt/b", "1"), 0);
	CU_ASSERT_EQUAL(t_txend(c, tx, false), 0);
	CU_ASSERT_TRUE(t_no_event(w));
	CU_ASSERT_EQUAL(t_rm(c, 0, "/wt"), 0);
	CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	CU_ASSERT_STRING_EQUAL(p, "/wt");
	CU_ASSERT_TRUE(t_no_event(w));
	tcli_free(c);
	tcli_free(w);
}

static void test_watch_limit(void)
{
	struct tcli *w = tcli_new(0);
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "/wl/%d", i);
		CU_ASSERT_EQUAL(t_watch(w, p, "x"), 0);
		CU_ASSERT_EQUAL(t_event(w, p, t), 0);
	}
	CU_ASSERT_EQUAL(t_watch(w, "/wl/8", "x"), E2BIG);
	CU_ASSERT_EQUAL(t_unwatch(w, "/wl/0", "x"), 0);
	CU_ASSERT_EQUAL(t_watch(w, "/wl/8", "x"), 0);
	tcli_free(w);
}

static void test_unknown_type(void)
{
	struct tcli *c = tcli_new(0);

	CU_ASSERT_EQUAL(tcli_call(c, 999, 0, "x", 2), ENOSYS);
	CU_ASSERT_TRUE(body_is(c, "ENOSYS", 7));
	CU_ASSERT_EQUAL(tcli_call(c, XS_WATCH_EVENT, 0, "/a\0t", 5), ENOSYS);
	CU_ASSERT_EQUAL(tcli_call(c, XS_ERROR, 0, "EINVAL", 7), ENOSYS);
	CU_ASSERT_EQUAL(tcli_call(c, XS_SET_TARGET + 1, 0, "", 0), ENOSYS);
	CU_ASSERT_EQUAL(t_read(c, 0, "/local", buf), 0);
	tcli_free(c);
}

static CU_TestInfo xsd_tests[] = {
	{ "initial tree", test_initial_tree },
	{ "write and read", test_write_read },
	{ "mkdir and rm", test_mkdir_rm },
	{ "directory_part", test_directory_part },
	{ "get/set perms", test_perms_ops },
	{ "perms seen by domUs", test_domu_perms },
	{ "node quota", test_node_quota },
	{ "domain requests", test_domain_ops },
	{ "transactions", test_tx_basic },
	{ "transaction conflicts", test_tx_conflict },
	{ "transaction limit", test_tx_limit },
	{ "watches", test_watch_basic },
	{ "relative watches and perms", test_watch_relative_perms },
	{ "special watches", test_watch_special },
	{ "watches and transactions", test_watch_tx },
	{ "watch limit", test_watch_limit },
	{ "unknown types", test_unknown_type },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "xenstored", suite_init, suite_fini, NULL, NULL, xsd_tests },
	{ "xenstored hostile", suite_init, suite_fini, NULL, NULL,
	  xsd_hostile_tests },
	CU_SUITE_INFO_NULL,
};
