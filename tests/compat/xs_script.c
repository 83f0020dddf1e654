// SPDX-License-Identifier: MIT
/*
 * One scripted xenstore session through the <xenstore.h> API, printing a
 * canonical transcript (sorted where the order is not specified).  Built
 * against our libxs and against Debian's libxenstore; the transcripts must
 * match (tests/compat/test_libxs_compat.sh).  XENSTORED_PATH names the
 * daemon.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#define BASE "/xpvtest"
#define MANY 600

static struct xs_handle *h1, *h2;

static const char *err_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EINVAL, "EINVAL" }, { EACCES, "EACCES" },
		{ EEXIST, "EEXIST" }, { EISDIR, "EISDIR" },
		{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ ENOSPC, "ENOSPC" }, { EIO, "EIO" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ENOSYS, "ENOSYS" },
		{ EROFS, "EROFS" }, { EBUSY, "EBUSY" },
		{ EAGAIN, "EAGAIN" }, { EISCONN, "EISCONN" },
		{ E2BIG, "E2BIG" }, { EPERM, "EPERM" },
		{ EBADF, "EBADF" }, { EBADMSG, "EBADMSG" },
	};
	static char other[32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno%d", e);
	return other;
}

static void ok(const char *what, bool res)
{
	if (res)
		printf("%s: ok\n", what);
	else
		printf("%s: fail %s\n", what, err_name(errno));
}

static void show_value(const char *v, unsigned int len)
{
	unsigned int i;

	printf("\"");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\" len %u\n", len);
}

static void do_read(struct xs_handle *h, xs_transaction_t t, const char *p)
{
	unsigned int len = 0;
	char *v;

	errno = 0;
	v = xs_read(h, t, p, &len);
	printf("read %s: ", p);
	if (!v) {
		printf("fail %s\n", err_name(errno));
		return;
	}
	show_value(v, len);
	free(v);
}

static void do_write(struct xs_handle *h, xs_transaction_t t, const char *p,
		     const char *v)
{
	char what[256];

	snprintf(what, sizeof(what), "write %s", p);
	errno = 0;
	ok(what, xs_write(h, t, p, v, (unsigned int)strlen(v)));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void do_dir(struct xs_handle *h, const char *p, bool list)
{
	unsigned int i, num = 0;
	unsigned long sum = 0;
	char **d;

	errno = 0;
	d = xs_directory(h, XBT_NULL, p, &num);
	printf("directory %s: ", p);
	if (!d) {
		printf("fail %s\n", err_name(errno));
		return;
	}
	qsort(d, num, sizeof(*d), cmp_str);
	printf("%u entries", num);
	for (i = 0; i < num; i++) {
		const char *c;

		for (c = d[i]; *c; c++)
			sum = sum * 31 + (unsigned char)*c;
		if (list)
			printf(" %s", d[i]);
	}
	if (!list && num)
		printf(" first %s last %s sum %lu", d[0], d[num - 1], sum);
	printf("\n");
	free(d);
}

static void do_perms(struct xs_handle *h, const char *p)
{
	struct xs_permissions *perms;
	unsigned int i, num = 0;

	errno = 0;
	perms = xs_get_permissions(h, XBT_NULL, p, &num);
	printf("perms %s:", p);
	if (!perms) {
		printf(" fail %s\n", err_name(errno));
		return;
	}
	for (i = 0; i < num; i++)
		printf(" %u/%u", perms[i].id, perms[i].perms);
	printf("\n");
	free(perms);
}

/* ---- sections of the session ----------------------------------------- */

static void nodes(void)
{
	static const char bin[3] = { 'a', '\0', 'b' };

	ok("mkdir " BASE, xs_mkdir(h1, XBT_NULL, BASE));
	ok("mkdir again " BASE, xs_mkdir(h1, XBT_NULL, BASE));
	do_write(h1, XBT_NULL, BASE "/a", "hello");
	do_write(h1, XBT_NULL, BASE "/b", "");
	do_write(h1, XBT_NULL, BASE "/c/d/e", "deep");
	ok("write binary", xs_write(h1, XBT_NULL, BASE "/bin", bin, 3));
	do_read(h1, XBT_NULL, BASE "/a");
	do_read(h2, XBT_NULL, BASE "/b");
	do_read(h1, XBT_NULL, BASE "/c/d/e");
	do_read(h1, XBT_NULL, BASE "/c");
	do_read(h1, XBT_NULL, BASE "/bin");
	do_read(h1, XBT_NULL, BASE "/missing");
	do_read(h1, XBT_NULL, BASE "//bad");
	do_read(h1, XBT_NULL, "relative/path");
	do_dir(h1, BASE, true);
	do_dir(h1, BASE "/c/d", true);
	do_dir(h1, BASE "/missing", true);
	errno = 0;
	ok("rm missing", xs_rm(h1, XBT_NULL, BASE "/missing"));
	errno = 0;
	ok("rm missing parent", xs_rm(h1, XBT_NULL, BASE "/nope/x"));
	ok("rm c", xs_rm(h1, XBT_NULL, BASE "/c"));
	do_read(h1, XBT_NULL, BASE "/c/d/e");
}

static void permissions(void)
{
	struct xs_permissions set[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = 5, .perms = XS_PERM_READ },
	};
	struct xs_permissions parsed[2];

	do_perms(h1, BASE "/a");
	ok("set perms", xs_set_permissions(h1, XBT_NULL, BASE "/a", set, 2));
	do_perms(h2, BASE "/a");
	set[0].id = 3;
	set[0].perms = XS_PERM_READ | XS_PERM_WRITE;
	ok("set owner 3", xs_set_permissions(h1, XBT_NULL, BASE "/a", set, 1));
	do_perms(h1, BASE "/a");
	set[0].perms = XS_PERM_OWNER;
	errno = 0;
	ok("set bad flags", xs_set_permissions(h1, XBT_NULL, BASE "/a", set, 1));
	errno = 0;
	ok("set perms missing",
	   xs_set_permissions(h1, XBT_NULL, BASE "/missing", set, 0));
	do_perms(h1, BASE "/missing");
	ok("strings_to_perms", xs_strings_to_perms(parsed, 2, "r1\0b2"));
	printf("parsed %u/%u %u/%u\n", parsed[0].id, parsed[0].perms,
	       parsed[1].id, parsed[1].perms);
	errno = 0;
	ok("strings_to_perms bad", xs_strings_to_perms(parsed, 1, "z1"));
}

static void many_children(void)
{
	char p[128];
	int i;

	/* Enough names that one DIRECTORY reply cannot hold them. */
	for (i = 0; i < MANY; i++) {
		snprintf(p, sizeof(p), BASE "/many/child-with-a-long-name-%04d",
			 i);
		if (!xs_write(h1, XBT_NULL, p, "x", 1))
			break;
	}
	printf("many: written %d\n", i);
	do_dir(h1, BASE "/many", false);
	do_dir(h2, BASE "/many", false);
}

/* ---- watches ----------------------------------------------------------- */

#define MAX_EVENTS 256

struct events {
	char *item[MAX_EVENTS];
	unsigned int n;
};

/* Adds one event; true when it is the marker @marker of the sync watch. */
static bool take_event(struct events *ev, char **v, const char *marker)
{
	bool done = false;
	char buf[512];

	if (!strcmp(v[XS_WATCH_TOKEN], "sync")) {
		done = !strcmp(v[XS_WATCH_PATH], marker);
	} else if (ev->n < MAX_EVENTS) {
		snprintf(buf, sizeof(buf), "%s %s", v[XS_WATCH_PATH],
			 v[XS_WATCH_TOKEN]);
		ev->item[ev->n++] = strdup(buf);
	}
	free(v);
	return done;
}

/* Polls xs_fileno and drains with xs_check_watch until the marker. */
static bool wait_polling(struct xs_handle *h, struct events *ev,
			 const char *marker)
{
	struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
	char **v;

	for (;;) {
		if (poll(&p, 1, 20000) != 1)
			return false;
		while ((v = xs_check_watch(h)))
			if (take_event(ev, v, marker))
				return true;
		if (errno != EAGAIN)
			return false;
	}
}

static bool wait_blocking(struct xs_handle *h, struct events *ev,
			  const char *marker)
{
	unsigned int num;
	char **v;

	while ((v = xs_read_watch(h, &num))) {
		if (num < 2)
			return false;
		if (take_event(ev, v, marker))
			return true;
	}
	return false;
}

/*
 * Watch events on one connection come in the order of the changes, so
 * once a fresh marker node's event is in, every earlier event is too.
 */
static void collect(struct xs_handle *h, const char *label, bool blocking)
{
	static unsigned int seq;
	struct events ev = { .n = 0 };
	char marker[64];
	unsigned int i;
	bool done;

	snprintf(marker, sizeof(marker), BASE "/sync/%u", ++seq);
	if (!xs_write(h1, XBT_NULL, marker, "", 0)) {
		printf("%s: marker write failed %s\n", label, err_name(errno));
		exit(1);
	}
	done = blocking ? wait_blocking(h, &ev, marker) :
			  wait_polling(h, &ev, marker);
	if (!done) {
		printf("%s: no marker event (%s)\n", label, err_name(errno));
		exit(1);
	}
	qsort(ev.item, ev.n, sizeof(ev.item[0]), cmp_str);
	printf("%s: %u events\n", label, ev.n);
	for (i = 0; i < ev.n; i++) {
		printf("  event %s\n", ev.item[i]);
		free(ev.item[i]);
	}
}

static void watches(void)
{
	ok("watch sync h1", xs_watch(h1, BASE "/sync", "sync"));
	ok("watch sync h2", xs_watch(h2, BASE "/sync", "sync"));
	ok("watch w tokA", xs_watch(h1, BASE "/w", "tokA"));
	ok("watch w/x tokA2", xs_watch(h1, BASE "/w/x", "tokA2"));
	ok("watch w tokB h2", xs_watch(h2, BASE "/w", "tokB"));
	ok("watch @introduceDomain", xs_watch(h1, "@introduceDomain", "tokI"));
	ok("watch @releaseDomain", xs_watch(h1, "@releaseDomain", "tokR"));
	errno = 0;
	ok("watch duplicate", xs_watch(h1, BASE "/w", "tokA"));
	errno = 0;
	ok("watch bad path", xs_watch(h1, BASE "//w", "tokX"));
	collect(h1, "initial h1", false);
	collect(h2, "initial h2", true);
	do_write(h1, XBT_NULL, BASE "/w/x", "1");
	do_write(h2, XBT_NULL, BASE "/w/y", "2");
	ok("mkdir w/z", xs_mkdir(h1, XBT_NULL, BASE "/w/z"));
	ok("rm w/x", xs_rm(h1, XBT_NULL, BASE "/w/x"));
	collect(h1, "changes h1", false);
	collect(h2, "changes h2", true);
	ok("unwatch tokA", xs_unwatch(h1, BASE "/w", "tokA"));
	errno = 0;
	ok("unwatch again", xs_unwatch(h1, BASE "/w", "tokA"));
	do_write(h1, XBT_NULL, BASE "/w/x", "3");
	collect(h1, "after unwatch h1", false);
	collect(h2, "after unwatch h2", true);
}

/* ---- transactions ------------------------------------------------------ */

/* h1 reads, h2 changes the node, h1 writes: the commit must conflict. */
static void conflict(void)
{
	xs_transaction_t t;
	unsigned int len;
	char val[16], *v;
	int tries;

	do_write(h1, XBT_NULL, BASE "/cnt", "0");
	for (tries = 1; tries <= 4; tries++) {
		t = xs_transaction_start(h1);
		v = xs_read(h1, t, BASE "/cnt", &len);
		if (tries == 1)
			do_write(h2, XBT_NULL, BASE "/cnt", "9");
		snprintf(val, sizeof(val), "%d", v ? atoi(v) + 1 : -1);
		free(v);
		do_write(h1, t, BASE "/cnt", val);
		errno = 0;
		if (xs_transaction_end(h1, t, false)) {
			printf("conflict: committed on try %d\n", tries);
			break;
		}
		printf("conflict: try %d failed %s\n", tries, err_name(errno));
		if (errno != EAGAIN)
			break;
	}
	do_read(h2, XBT_NULL, BASE "/cnt");
}

static void transactions(void)
{
	xs_transaction_t t;

	t = xs_transaction_start(h1);
	printf("tx start: %s\n", t ? "ok" : err_name(errno));
	do_read(h1, t, BASE "/a");
	do_write(h1, t, BASE "/tx", "in-tx");
	do_read(h1, t, BASE "/tx");
	do_read(h2, XBT_NULL, BASE "/tx");
	ok("tx commit", xs_transaction_end(h1, t, false));
	do_read(h2, XBT_NULL, BASE "/tx");
	conflict();
	t = xs_transaction_start(h1);
	do_write(h1, t, BASE "/ab", "x");
	ok("tx abort", xs_transaction_end(h1, t, true));
	do_read(h1, XBT_NULL, BASE "/ab");
	errno = 0;
	ok("end unknown tx", xs_transaction_end(h1, 12345, false));
	do_read(h1, 12345, BASE "/a");
}

/* ---- domains and the rest ---------------------------------------------- */

static void introduced(unsigned int domid)
{
	bool yes;

	errno = 0;
	yes = xs_is_domain_introduced(h1, domid);
	printf("introduced %u: %s", domid, yes ? "yes" : "no");
	if (!yes && errno)
		printf(" (%s)", err_name(errno));
	printf("\n");
}

static void domain_path(unsigned int domid)
{
	char *p;

	errno = 0;
	p = xs_get_domain_path(h1, domid);
	printf("domain path %u: %s\n", domid, p ? p : err_name(errno));
	free(p);
}

static void domains(void)
{
	domain_path(0);
	domain_path(7);
	introduced(0);
	errno = 0;
	ok("introduce 5", xs_introduce_domain(h1, 5, 1234, 7));
	introduced(5);
	errno = 0;
	ok("set_target 5 0", xs_set_target(h1, 5, 0));
	errno = 0;
	ok("resume 5", xs_resume_domain(h1, 5));
	errno = 0;
	ok("release 5", xs_release_domain(h1, 5));
	introduced(5);
	errno = 0;
	ok("release 5 again", xs_release_domain(h1, 5));
	collect(h1, "domain events", false);
	do_write(h1, XBT_NULL, "/local/domain/4/device/suspend/event-channel",
		 "17");
	printf("suspend port 4: %d\n", xs_suspend_evtchn_port(4));
	printf("suspend port 99: %d\n", xs_suspend_evtchn_port(99));
	printf("restrict: %s\n", xs_restrict(h1, 5) ? "true" : "false");
}

static void misc(void)
{
	struct xs_handle *h3 = xs_daemon_open();
	char *p;

	printf("daemon_open: %s\n", h3 ? "ok" : err_name(errno));
	if (h3) {
		do_read(h3, XBT_NULL, BASE "/a");
		xs_daemon_close(h3);
	}
	printf("subpath: %d %d %d %d\n", xs_path_is_subpath("/a", "/a/b"),
	       xs_path_is_subpath("/a", "/ab"), xs_path_is_subpath("/a", "/a"),
	       xs_path_is_subpath("/a/b", "/a"));
	errno = 0;
	p = xs_control_command(h1, "print", "hello", 6);
	printf("control print: %s\n", p ? "ok" : err_name(errno));
	free(p);
}

static void cleanup(void)
{
	ok("rm " BASE, xs_rm(h1, XBT_NULL, BASE));
	do_read(h2, XBT_NULL, BASE "/a");
	do_dir(h2, BASE, true);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	h1 = xs_open(0);
	h2 = xs_open(XS_UNWATCH_FILTER);
	if (!h1 || !h2) {
		printf("open: fail %s\n", err_name(errno));
		return 1;
	}
	printf("open: ok\n");
	nodes();
	permissions();
	many_children();
	watches();
	transactions();
	domains();
	misc();
	cleanup();
	xs_close(h2);
	xs_close(h1);
	printf("done\n");
	return 0;
}
