// SPDX-License-Identifier: MIT
/*
 * libFuzzer: arbitrary bytes as one connection's stream into a fresh
 * in-process xenstored, beside a dom0 connection that watches everything.
 * The first byte picks the fuzzed peer's domain and how the stream is cut.
 */
#include <stdint.h>
#include <string.h>

#include "loopback/xenstored/xenstored.h"
#include "xenpv/xs_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void xsd_fuzz_send(struct xsd *x, struct xsd_conn *c, uint32_t type,
			  const char *a, const char *b)
{
	static struct xpv_xs_msg m;

	xpv_xs_msg_init(&m, type, 1, 0);
	xpv_xs_msg_append_str(&m, a);
	if (b)
		xpv_xs_msg_append_str(&m, b);
	xsd_feed(x, c, &m, xpv_xs_msg_wire_len(&m));
}

/* A small tree with a domain home, a hidden node and a shared one. */
static void xsd_fuzz_setup(struct xsd *x, struct xsd_conn *c)
{
	static const char wr[] = "/local/domain/5/device/vif/0/state\0004";

	xsd_feed(x, c, &(struct xsd_sockmsg){ XS_WRITE, 1, 0, sizeof(wr) },
		 sizeof(struct xsd_sockmsg));
	xsd_feed(x, c, wr, sizeof(wr));
	xsd_fuzz_send(x, c, XS_SET_PERMS, "/local/domain/5", "n5");
	xsd_fuzz_send(x, c, XS_MKDIR, "/hidden/x", NULL);
	xsd_fuzz_send(x, c, XS_MKDIR, "/shared", NULL);
	xsd_fuzz_send(x, c, XS_SET_PERMS, "/shared", "b0");
	xsd_fuzz_send(x, c, XS_WATCH, "/", "all");
	xsd_fuzz_send(x, c, XS_WATCH, "@releaseDomain", "rel");
	xsd_drain(x, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_limits lim;
	struct xsd_conn *dom0, *peer;
	struct xsd *x;
	size_t chunk, off = 1, n;

	if (size < 1)
		return 0;
	xsd_limits_default(&lim);
	lim.max_out_bytes = 16384;
	lim.nodes_per_domain = 64;
	x = xsd_new(&lim, NULL);
	if (!x)
		return 0;
	dom0 = xsd_conn_virtual(x, 0);
	xsd_fuzz_setup(x, dom0);
	peer = xsd_conn_virtual(x, data[0] & 1 ? 5 : 0);
	chunk = (data[0] >> 1) * 16 + 1;
	while (off < size) {
		n = size - off < chunk ? size - off : chunk;
		if (xsd_feed(x, peer, data + off, n))
			break;
		off += n;
		xsd_drain(x, dom0);
	}
	xsd_free(x);
	return 0;
}
