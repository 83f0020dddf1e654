// SPDX-License-Identifier: MIT
/*
 * xenpv-xen-peer: the dom0 half of xenpv-selftest.ko (see the exchange in
 * tests/xen/selftest_linux.c), on the backends' own stack: the xenops "xen"
 * provider (libxengnttab, libxenevtchn) and our libxs against dom0's real
 * xenstored.  Everything the guest wrote is parsed strictly.
 *
 * usage: xenpv-xen-peer DOMID [TIMEOUT_S]; ends with "N passed, N failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "backend/xenops.h"

#define HALF 2048u

static unsigned int passed, failed;
static struct xs_handle *xs;
static char base[96];
static unsigned int timeout_s = 60;

static bool check(const char *what, bool ok)
{
	printf("peer %s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
	fflush(stdout);
	return ok;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The guest's node @name, or NULL; the caller frees it. */
static char *get(const char *name)
{
	char path[160];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", base, name);
	return xs_read(xs, XBT_NULL, path, &len);
}

static bool put(const char *name, const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", base, name);
	return xs_write(xs, XBT_NULL, path, value, strlen(value));
}

/* Polls the guest's state node until it reads @want. */
static bool wait_state(const char *want)
{
	uint64_t end = now_ms() + (uint64_t)timeout_s * 1000;
	char *v;
	bool ok;

	do {
		v = get("state");
		ok = v && !strcmp(v, want);
		free(v);
		if (ok)
			return true;
		usleep(50000);
	} while (now_ms() < end);
	return false;
}

/* A decimal below @max, nothing else. */
static bool get_uint(const char *name, unsigned long max, unsigned long *out)
{
	char *v = get(name), *end;
	bool ok;

	if (!v)
		return false;
	errno = 0;
	*out = strtoul(v, &end, 10);
	ok = v[0] >= '0' && v[0] <= '9' && !*end && !errno && *out < max;
	free(v);
	return ok;
}

static bool wait_event(struct xpv_xenops *x, evtchn_port_t want)
{
	struct pollfd pfd = { .fd = xpv_xenops_evtchn_fd(x), .events = POLLIN };
	uint64_t end = now_ms() + (uint64_t)timeout_s * 1000;
	evtchn_port_t p;

	while (now_ms() < end) {
		if (xpv_xenops_pending(x, &p) == 0) {
			xpv_xenops_unmask(x, p);
			if (p == want)
				return true;
			continue;
		}
		poll(&pfd, 1, 100);
	}
	return false;
}

static bool check_page(uint8_t *pg)
{
	unsigned int i, bad = 0;

	for (i = 0; i < HALF; i++)
		bad += pg[i] != (uint8_t)(i * 7 + 3);
	for (i = HALF; i < 2 * HALF; i++)
		pg[i] = (uint8_t)(i * 13 + 5);
	return bad == 0;
}

static void exchange(struct xpv_xenops *x, domid_t dom)
{
	unsigned long gref, rport;
	evtchn_port_t local;
	grant_ref_t ref;
	uint8_t *pg;
	int err = 0;

	if (!check("guest offered a grant and a port", wait_state("ready")) ||
	    !check("gref and port parse", get_uint("gref", UINT32_MAX, &gref) &&
						 get_uint("port", 1u << 17, &rport)))
		return;
	ref = gref;
	pg = xpv_xenops_map(x, dom, 1, &ref, true, &err);
	if (!check("map the guest's grant", pg != NULL)) {
		fprintf(stderr, "peer: map: %s\n", strerror(-err));
		return;
	}
	check("the guest's pattern is in the page", check_page(pg));
	if (!check("bind the guest's port",
		   xpv_xenops_bind(x, dom, rport, &local) == 0))
		return;
	check("notify", xpv_xenops_notify(x, local) == 0);
	put("reply", "mapped");
	check("guest saw the event and our writes", wait_state("end-busy"));
	check("unmap", xpv_xenops_unmap(x, pg, 1) == 0);
	put("reply", "unmapped");
	check("guest revoked and notified", wait_state("notified"));
	check("the guest's event arrived", wait_event(x, local));
	put("reply", "event");
	check("guest finished", wait_state("done"));
	xpv_xenops_unbind(x, local);
}

int main(int argc, char **argv)
{
	struct xpv_xenops *x;
	unsigned long dom;
	int err = 0;

	if (argc < 2 || (dom = strtoul(argv[1], NULL, 10)) == 0 ||
	    dom >= DOMID_FIRST_RESERVED) {
		fprintf(stderr, "usage: %s DOMID [TIMEOUT_S]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		timeout_s = strtoul(argv[2], NULL, 10);
	snprintf(base, sizeof(base), "/local/domain/%lu/data/xenpv-selftest",
		 dom);
	xs = xs_open(0);
	x = xpv_xenops_open("xen", NULL, 0, &err);
	if (check("xenstore and xenops open", xs && x))
		exchange(x, (domid_t)dom);
	else
		fprintf(stderr, "peer: open: %s\n", strerror(errno ?: -err));
	if (x)
		xpv_xenops_close(x);
	if (xs)
		xs_close(xs);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
