// SPDX-License-Identifier: MIT
/*
 * The xenbus state machine: every cell of both transition tables, every
 * interleaving of a frontend and a backend (reconnect and error paths
 * included), the state-node parser and the path builders.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "xenpv/compiler.h"
#include "xenpv/xenbus.h"
#include "tests/unit/core/fake_os.h"

#define NSTATES 9
#define FE XPV_XENBUS_FRONTEND
#define BE XPV_XENBUS_BACKEND

/*
 * The tables again, written independently of core/xenbus.c: one string per
 * row (local state 1..6), one cell per other-end state 0..8:
 * next state digit + action letter (n none, c connect, y ready,
 * d disconnect, r reset, f fail); "." = stay, no action.
 */
static const char *const front_rows[7] = {
	[1] = ". . 3c . . 6n . . .",
	[2] = "5f 5f 5f 5f 5f 5f 5f 5f 5f",
	[3] = "6d 1r . . 4y 6d 1r . .",
	[4] = "6d 1r 1r . . 6d 1r . .",
	[5] = "6n . . . . 6n 6n . .",
	[6] = ". . 1r . . . . . .",
};

static const char *const back_rows[7] = {
	[1] = "2n 2n 2n 2n 2n 5n 2n 2n 2n",
	[2] = ". . . 4c 4c 5n . . .",
	[3] = "5f 5f 5f 5f 5f 5f 5f 5f 5f",
	[4] = "6d 2r . . . 5d 6d . .",
	[5] = "6n . . . . . 6n . .",
	[6] = ". 2r . . . . . . .",
};

static enum xpv_xenbus_action action_of(char c)
{
	switch (c) {
	case 'c': return XPV_XENBUS_CONNECT;
	case 'y': return XPV_XENBUS_READY;
	case 'd': return XPV_XENBUS_DISCONNECT;
	case 'r': return XPV_XENBUS_RESET;
	case 'f': return XPV_XENBUS_FAIL;
	default: return XPV_XENBUS_NONE;
	}
}

/* @cell: "." or next-state digit + action letter. */
static void check_cell(enum xpv_xenbus_role role, int local, int other,
		       const char *cell)
{
	struct xpv_xenbus_step st = xpv_xenbus_step(role, local, other);
	int want = cell[0] == '.' ? local : cell[0] - '0';
	enum xpv_xenbus_action act = action_of(cell[0] == '.' ? 'n' : cell[1]);

	if ((int)st.next != want || st.action != act)
		fprintf(stderr, "%s local %d other %d: got %s/%s\n",
			role == FE ? "front" : "back", local, other,
			xpv_xenbus_state_name(st.next),
			xpv_xenbus_action_name(st.action));
	CU_ASSERT_EQUAL(st.next, want);
	CU_ASSERT_EQUAL(st.action, act);
}

static void check_rows(enum xpv_xenbus_role role, const char *const *rows)
{
	const char *p;
	char cell[4];
	int local, other, n;

	for (local = 1; local <= 6; local++) {
		p = rows[local];
		for (other = 0; other < NSTATES; other++) {
			CU_ASSERT_EQUAL_FATAL(sscanf(p, "%3s%n", cell, &n), 1);
			p += n;
			check_cell(role, local, other, cell);
		}
	}
}

static void test_front_table(void)
{
	check_rows(FE, front_rows);
}

static void test_back_table(void)
{
	check_rows(BE, back_rows);
}

static bool state_ok(enum xenbus_state s)
{
	return s >= XenbusStateInitialising && s <= XenbusStateClosed;
}

/* Garbage in, a valid state out; peers' garbage fails the device. */
static void test_invalid_inputs(void)
{
	static const int odd[] = { -1, 0, 7, 8, 9, 100, 0x7fffffff };
	struct xpv_xenbus_step st;
	int role, l, o;

	for (role = FE; role <= BE; role++) {
		for (l = -2; l < 20; l++) {
			for (o = -2; o < 20; o++) {
				st = xpv_xenbus_step(role, l, o);
				CU_ASSERT_TRUE(state_ok(st.next));
				CU_ASSERT_TRUE(xpv_xenbus_state_valid(role,
								      st.next));
			}
		}
		for (o = 9; o < 12; o++) {
			st = xpv_xenbus_step(role, XenbusStateConnected, o);
			CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
			CU_ASSERT_EQUAL(st.action, XPV_XENBUS_FAIL);
			st = xpv_xenbus_step(role, XenbusStateClosing, o);
			CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
			CU_ASSERT_EQUAL(st.action, XPV_XENBUS_NONE);
		}
		for (l = 0; l < (int)XPV_ARRAY_SIZE(odd); l++) {
			st = xpv_xenbus_step(role, odd[l],
					     XenbusStateConnected);
			CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
			CU_ASSERT_EQUAL(st.action, XPV_XENBUS_FAIL);
		}
	}
	st = xpv_xenbus_step(7, XenbusStateConnected, XenbusStateConnected);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_FAIL);
}

/* With the other end still, a driver re-asking settles quickly. */
static void test_settles(void)
{
	struct xpv_xenbus_step st;
	int role, l, o, n;
	enum xenbus_state cur;

	for (role = FE; role <= BE; role++) {
		for (l = 1; l <= 6; l++) {
			if (!xpv_xenbus_state_valid(role, l))
				continue;
			for (o = 0; o < 12; o++) {
				cur = l;
				for (n = 0; n <= XPV_XENBUS_MAX_STEPS; n++) {
					st = xpv_xenbus_step(role, cur, o);
					if (st.next == cur &&
					    st.action == XPV_XENBUS_NONE)
						break;
					cur = st.next;
				}
				CU_ASSERT(n <= XPV_XENBUS_MAX_STEPS);
			}
		}
	}
}

static void test_fail_close(void)
{
	struct xpv_xenbus_step st;

	st = xpv_xenbus_fail(XenbusStateConnected);
	CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_FAIL);
	st = xpv_xenbus_fail(XenbusStateInitialising);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_FAIL);
	st = xpv_xenbus_fail(XenbusStateClosing);
	CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_NONE);
	st = xpv_xenbus_fail(XenbusStateClosed);
	CU_ASSERT_EQUAL(st.next, XenbusStateClosed);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_NONE);
	st = xpv_xenbus_close(XenbusStateConnected);
	CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_DISCONNECT);
	st = xpv_xenbus_close(XenbusStateClosed);
	CU_ASSERT_EQUAL(st.action, XPV_XENBUS_NONE);
	st = xpv_xenbus_close(99);
	CU_ASSERT_EQUAL(st.next, XenbusStateClosing);
}

/* ---- two ends, every interleaving ------------------------------------ */

#define NODE(f, b) ((f) * NSTATES + (b))
enum { WHITE, GREY, BLACK };

struct explore {
	unsigned char colour[NSTATES * NSTATES];
	bool terminal[NSTATES * NSTATES];
	bool cycle;
	unsigned int connects, readies;
};

static bool moves(enum xpv_xenbus_role role, int me, int other,
		  struct xpv_xenbus_step *st)
{
	*st = xpv_xenbus_step(role, me, other);
	return (int)st->next != me || st->action != XPV_XENBUS_NONE;
}

/* Depth-first over the joint states; a grey node seen again is a cycle. */
static void explore(struct explore *x, int f, int b)
{
	struct xpv_xenbus_step sf, sb;
	bool mf, mb;

	if (x->colour[NODE(f, b)] == GREY)
		x->cycle = true;
	if (x->colour[NODE(f, b)] != WHITE)
		return;
	x->colour[NODE(f, b)] = GREY;
	mf = moves(FE, f, b, &sf);
	mb = moves(BE, b, f, &sb);
	CU_ASSERT_TRUE(state_ok(sf.next) && state_ok(sb.next));
	x->connects += sf.action == XPV_XENBUS_CONNECT;
	x->readies += sf.action == XPV_XENBUS_READY;
	if (!mf && !mb)
		x->terminal[NODE(f, b)] = true;
	if (mf)
		explore(x, sf.next, b);
	if (mb)
		explore(x, f, sb.next);
	x->colour[NODE(f, b)] = BLACK;
}

/* Every run from (f, b) ends at (want_f, want_b), whatever the order. */
static void check_outcome(int f, int b, int want_f, int want_b)
{
	struct explore x;
	int i;

	memset(&x, 0, sizeof(x));
	explore(&x, f, b);
	CU_ASSERT_FALSE(x.cycle);
	for (i = 0; i < NSTATES * NSTATES; i++) {
		if (!x.terminal[i])
			continue;
		if (i != NODE(want_f, want_b))
			fprintf(stderr, "from %d/%d: ends at %d/%d\n", f, b,
				i / NSTATES, i % NSTATES);
		CU_ASSERT_EQUAL(i, NODE(want_f, want_b));
	}
	CU_ASSERT_TRUE(x.terminal[NODE(want_f, want_b)]);
}

#define C XenbusStateConnected
#define X XenbusStateClosed

static void test_connect(void)
{
	check_outcome(XenbusStateInitialising, XenbusStateInitialising, C, C);
	check_outcome(XenbusStateInitialising, XenbusStateInitWait, C, C);
}

/* The backend restarts: reported as Initialising, InitWait or Closed. */
static void test_backend_restart(void)
{
	check_outcome(C, XenbusStateInitialising, C, C);
	check_outcome(C, XenbusStateInitWait, C, C);
	check_outcome(C, X, C, C);
	check_outcome(XenbusStateInitialised, XenbusStateInitialising, C, C);
	check_outcome(XenbusStateInitialised, X, C, C);
	/* A frontend closed by an earlier backend comes back. */
	check_outcome(X, XenbusStateInitialising, C, C);
	check_outcome(X, XenbusStateInitWait, C, C);
}

/* The frontend restarts (guest reboot, kexec, driver reload). */
static void test_frontend_restart(void)
{
	check_outcome(XenbusStateInitialising, C, C, C);
	check_outcome(XenbusStateInitialising, X, C, C);
}

/* An error or an unplug on either side ends with both Closed. */
static void test_error_and_close(void)
{
	int f, b;

	check_outcome(xpv_xenbus_fail(C).next, C, X, X);
	check_outcome(C, xpv_xenbus_fail(C).next, X, X);
	check_outcome(C, xpv_xenbus_close(C).next, X, X);
	check_outcome(XenbusStateInitialised, xpv_xenbus_fail(
			      XenbusStateInitWait).next, X, X);
	for (f = 1; f <= 6; f++)
		for (b = 1; b <= 6; b++)
			if (xpv_xenbus_state_valid(FE, f) &&
			    xpv_xenbus_state_valid(BE, b) &&
			    (f == XenbusStateClosing ||
			     b == XenbusStateClosing))
				check_outcome(f, b, X, X);
	check_outcome(X, C, X, X);
	check_outcome(X, X, X, X);
}

/* From any pair, no livelock, and only the two expected resting points. */
static void test_all_pairs(void)
{
	struct explore x;
	int f, b, i;

	for (f = 1; f <= 6; f++) {
		for (b = 1; b <= 6; b++) {
			if (!xpv_xenbus_state_valid(FE, f) ||
			    !xpv_xenbus_state_valid(BE, b))
				continue;
			memset(&x, 0, sizeof(x));
			explore(&x, f, b);
			CU_ASSERT_FALSE(x.cycle);
			for (i = 0; i < NSTATES * NSTATES; i++)
				if (x.terminal[i])
					CU_ASSERT(i == NODE(C, C) ||
						  i == NODE(X, X));
		}
	}
}

/* One full handshake: the frontend connects once, then is ready once. */
static void test_handshake_actions(void)
{
	struct explore x;

	memset(&x, 0, sizeof(x));
	explore(&x, XenbusStateInitialising, XenbusStateInitialising);
	CU_ASSERT_EQUAL(x.connects, 1);
	CU_ASSERT_EQUAL(x.readies, 1);
}

#undef C
#undef X

/* ---- parser, names, paths --------------------------------------------- */

static void test_parse_state(void)
{
	static const char *const bad[] = {
		"", "9", "10", "04", "00", "+4", "-1", " 4", "4 ", "4\n",
		"a", "4x", "x4", "\xff", "44",
	};
	enum xenbus_state st = XenbusStateUnknown;
	char v[2];
	unsigned int i;

	for (i = 0; i <= 8; i++) {
		v[0] = (char)('0' + i);
		v[1] = '\0';
		CU_ASSERT_EQUAL(xpv_xenbus_parse_state(v, 1, &st), 0);
		CU_ASSERT_EQUAL(st, i);
	}
	st = XenbusStateClosing;
	for (i = 0; i < XPV_ARRAY_SIZE(bad); i++)
		CU_ASSERT_EQUAL(xpv_xenbus_parse_state(bad[i], strlen(bad[i]),
						       &st),
				-XPV_EINVAL);
	CU_ASSERT_EQUAL(st, XenbusStateClosing);
	CU_ASSERT_EQUAL(xpv_xenbus_parse_state("4\0", 2, &st), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xenbus_parse_state("4", 0, &st), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xenbus_parse_state(NULL, 1, &st), -XPV_EINVAL);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(xpv_xenbus_state_name(XenbusStateConnected),
			       "Connected");
	CU_ASSERT_STRING_EQUAL(xpv_xenbus_state_name(9), "invalid");
	CU_ASSERT_STRING_EQUAL(xpv_xenbus_state_name(-1), "invalid");
	CU_ASSERT_STRING_EQUAL(xpv_xenbus_action_name(XPV_XENBUS_RESET),
			       "reset");
	CU_ASSERT_STRING_EQUAL(xpv_xenbus_action_name(42), "invalid");
}

static void test_paths(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, sizeof(buf), "vbd",
						 51712),
			16);
	CU_ASSERT_STRING_EQUAL(buf, "device/vbd/51712");
	CU_ASSERT_EQUAL(xpv_xenbus_frontend_abs_path(buf, sizeof(buf), 3,
						     "vif", 0),
			28);
	CU_ASSERT_STRING_EQUAL(buf, "/local/domain/3/device/vif/0");
	CU_ASSERT_TRUE(xpv_xenbus_backend_path(buf, sizeof(buf), 0, "vbd",
					       65535, 4294967295u) > 0);
	CU_ASSERT_STRING_EQUAL(buf,
			       "/local/domain/0/backend/vbd/65535/4294967295");
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, sizeof(buf), "device/vbd/1",
					"state"),
			18);
	CU_ASSERT_STRING_EQUAL(buf, "device/vbd/1/state");
}

static void test_path_truncation(void)
{
	char buf[17];

	CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, 17, "vbd", 51712), 16);
	CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, 16, "vbd", 51712),
			-XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, 0, "vbd", 1), -XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xenbus_frontend_abs_path(buf, sizeof(buf), 0,
						     "vbd", 1),
			-XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xenbus_backend_path(buf, sizeof(buf), 0, "vbd", 1,
						1),
			-XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, 8, "device", "x"), -XPV_E2BIG);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, 9, "device", "x"), 8);
}

static void test_path_invalid(void)
{
	static const char *const types[] = {
		"", "VBD", "v/d", "v d", "vbd\n", "../x",
		"abcdefghijabcdefghijabcdefghijabc",
	};
	char buf[128];
	unsigned int i;

	for (i = 0; i < XPV_ARRAY_SIZE(types); i++) {
		CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, sizeof(buf),
							 types[i], 1),
				-XPV_EINVAL);
		CU_ASSERT_EQUAL(xpv_xenbus_backend_path(buf, sizeof(buf), 0,
							types[i], 1, 1),
				-XPV_EINVAL);
	}
	CU_ASSERT_EQUAL(xpv_xenbus_frontend_path(buf, sizeof(buf), NULL, 1),
			-XPV_EINVAL);
	CU_ASSERT_TRUE(xpv_xenbus_frontend_path(buf, sizeof(buf), "vbd_2-x",
						1) > 0);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, sizeof(buf), "a", "b/c"),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, sizeof(buf), "a/", "b"),
			-XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, 8, "", "b"), -XPV_EINVAL);
	CU_ASSERT_EQUAL(xpv_xenbus_join(buf, 8, "a", ""), -XPV_EINVAL);
}

static int suite_init(void)
{
	fake_os_reset();
	return 0;
}

/* The other end's state node: missing, a state, garbage, no answer. */
static void test_read_state(void)
{
	static const char *const bad[] = { "", "x", "44", "9", "1234567890" };
	const char *p = "/local/domain/0/backend/vbd/1/51712/state";
	enum xenbus_state s = XenbusStateClosed;
	unsigned int i;

	fake_os_reset();
	CU_ASSERT_EQUAL(xpv_xenbus_read_state(p, &s), 0);
	CU_ASSERT_EQUAL(s, XenbusStateUnknown);
	xpv_os_xs_write(XPV_XBT_NIL, p, "4");
	CU_ASSERT_EQUAL(xpv_xenbus_read_state(p, &s), 0);
	CU_ASSERT_EQUAL(s, XenbusStateConnected);
	for (i = 0; i < XPV_ARRAY_SIZE(bad); i++) {
		xpv_os_xs_write(XPV_XBT_NIL, p, bad[i]);
		CU_ASSERT_EQUAL(xpv_xenbus_read_state(p, &s), -XPV_EINVAL);
		CU_ASSERT_EQUAL(s, XenbusStateUnknown);
	}
	xpv_os_xs_write(XPV_XBT_NIL, p, "5");
	fake_os_xs_fail_next_read(-XPV_EIO);
	CU_ASSERT_EQUAL(xpv_xenbus_read_state(p, &s), -XPV_EIO);
	CU_ASSERT_EQUAL(s, XenbusStateUnknown);
	CU_ASSERT_EQUAL(xpv_xenbus_read_state(p, &s), 0);
	CU_ASSERT_EQUAL(s, XenbusStateClosing);
	fake_os_reset();
}

static CU_TestInfo xenbus_tests[] = {
	{ "frontend table", test_front_table },
	{ "backend table", test_back_table },
	{ "invalid inputs", test_invalid_inputs },
	{ "settles", test_settles },
	{ "fail and close", test_fail_close },
	{ "connect", test_connect },
	{ "backend restart", test_backend_restart },
	{ "frontend restart", test_frontend_restart },
	{ "error and close", test_error_and_close },
	{ "all pairs", test_all_pairs },
	{ "handshake actions", test_handshake_actions },
	{ "parse state", test_parse_state },
	{ "read the other end's state", test_read_state },
	{ "state and action names", test_names },
	{ "paths", test_paths },
	{ "path truncation", test_path_truncation },
	{ "invalid path parts", test_path_invalid },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo xpv_test_suites[] = {
	{ "xenbus", suite_init, NULL, NULL, NULL, xenbus_tests },
	CU_SUITE_INFO_NULL,
};
