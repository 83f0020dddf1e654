// SPDX-License-Identifier: MIT
/*
 * The balloon's xenstore side: memory/target and memory/static-max of this
 * domain, in KiB, as the toolstack writes them.  The watches only mark the
 * values stale and kick the host; the work context reads and parses them.
 * The values are the toolstack's, but parsed strictly all the same: a
 * malformed one is logged and ignored, the balloon keeps its last target.
 */
#include "drivers/balloon/balloon.h"
#include "xenpv/compiler.h"

#define XS_TARGET "memory/target"
#define XS_STATIC_MAX "memory/static-max"
/* Xen's toolstack can't address more than 2^32 pages of KiB values either. */
#define KIB_MAX (1ull << 44)

int xpv_balloon_parse_kib(const char *s, uint64_t *kib)
{
	uint64_t v = 0;
	unsigned int i;

	if (!s || !s[0])
		return -XPV_EINVAL;
	for (i = 0; s[i]; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		/* A trailing newline is how some tools write; nothing else. */
		if (s[i] == '\n' && !s[i + 1] && i > 0)
			break;
		if (d > 9)
			return -XPV_EINVAL;
		if (v > (KIB_MAX - d) / 10)
			return -XPV_ERANGE;
		v = v * 10 + d;
	}
	*kib = v;
	return 0;
}

/* Reads and parses one node; 0, -XPV_ENOENT or a parse error (logged). */
static int read_kib(struct xpv_balloon *b, const char *path, uint64_t *kib)
{
	char buf[32];
	int n = xpv_os_xs_read(XPV_XBT_NIL, path, buf, sizeof(buf));

	if (n < 0) {
		if (n != -XPV_ENOENT)
			xpv_warn("balloon: %s: read failed (%d)", path, n);
		return n == -XPV_E2BIG ? -XPV_ERANGE : n;
	}
	n = xpv_balloon_parse_kib(buf, kib);
	if (n)
		__atomic_fetch_add(&b->st.bad_values, 1, __ATOMIC_RELAXED);
	if (n)
		xpv_warn("balloon: %s: \"%.31s\" is not a KiB count: ignored",
			 path, buf);
	return n;
}

void xpv_balloon_xs_refresh(struct xpv_balloon *b)
{
	uint64_t kib;

	if (!__atomic_exchange_n(&b->xs_stale, 0, __ATOMIC_ACQ_REL))
		return;
	/* static-max first: the target is clamped against it. */
	if (read_kib(b, XS_STATIC_MAX, &kib) == 0)
		xpv_balloon_set_static_max_kib(b, kib);
	if (read_kib(b, XS_TARGET, &kib) == 0)
		xpv_balloon_set_target_kib(b, kib);
}

static void node_changed(const char *path, void *arg)
{
	struct xpv_balloon *b = arg;

	__atomic_store_n(&b->xs_stale, 1, __ATOMIC_RELEASE);
	if (b->cfg.kick)
		b->cfg.kick(b->cfg.kick_arg);
}

int xpv_balloon_xs_start(struct xpv_balloon *b)
{
	b->w_static_max = xpv_os_xs_watch(XS_STATIC_MAX, node_changed, b);
	b->w_target = xpv_os_xs_watch(XS_TARGET, node_changed, b);
	if (!b->w_static_max || !b->w_target) {
		xpv_balloon_xs_stop(b);
		return -XPV_EIO;
	}
	/* A watch fires once when set, but read now in case the host is idle.
	 */
	node_changed(NULL, b);
	return 0;
}

void xpv_balloon_xs_stop(struct xpv_balloon *b)
{
	xpv_os_xs_unwatch(b->w_target);
	xpv_os_xs_unwatch(b->w_static_max);
	b->w_target = NULL;
	b->w_static_max = NULL;
	__atomic_store_n(&b->xs_stale, 0, __ATOMIC_RELEASE);
}
