// SPDX-License-Identifier: MIT
/*
 * libFuzzer: arbitrary bytes through the xs_wire reader in arbitrary
 * chunks, then every field of each whole message through the splitters and
 * the path, permission, number and error-name parsers.
 */
#include <stdint.h>
#include <string.h>

#include "xenpv/os.h"
#include "xenpv/xs_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void xs_fuzz_fields(const struct xpv_xs_msg *m)
{
	static struct xpv_xs_msg out;
	const char *f[8];
	struct xpv_xs_perm perm;
	char pbuf[16];
	uint64_t v;
	int n, i;

	n = xpv_xs_split(m->body, m->hdr.len, f, 8);
	if (n != xpv_xs_count_strings(m->body, m->hdr.len))
		__builtin_trap();
	xpv_xs_msg_init(&out, m->hdr.type, m->hdr.req_id, m->hdr.tx_id);
	for (i = 0; i < n && i < 8; i++) {
		size_t len = strlen(f[i]);

		if (f[i] < m->body || f[i] + len >= m->body + m->hdr.len + 1)
			__builtin_trap();
		xpv_xs_path_valid(f[i]);
		/* What parses formats back to a valid permission. */
		if (!xpv_xs_perm_parse(f[i], &perm) &&
		    (xpv_xs_perm_format(&perm, pbuf, sizeof(pbuf)) < 0 ||
		     xpv_xs_perm_parse(pbuf, &perm)))
			__builtin_trap();
		xpv_xs_parse_uint(f[i], (uint32_t)len, UINT32_MAX, &v);
		xpv_xs_errno_from_name(f[i], (uint32_t)len);
		if (xpv_xs_msg_append_str(&out, f[i]) == 0 &&
		    out.body[out.hdr.len] != '\0')
			__builtin_trap();
	}
	if (xpv_xs_msg_wire_len(&out) != XPV_XS_HDR_SIZE + out.hdr.len)
		__builtin_trap();
	xpv_xs_errno_name(n);
	xpv_xs_type_name(m->hdr.type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xpv_xs_reader r;
	size_t off = 1, chunk;
	bool done;
	int n;

	if (size < 1)
		return 0;
	xpv_xs_reader_init(&r, data[0] & 1 ? XENSTORE_PAYLOAD_MAX : data[0]);
	chunk = (data[0] >> 1) + 1;
	while (off < size) {
		n = xpv_xs_reader_feed(&r, data + off,
				       size - off < chunk ? size - off : chunk,
				       &done);
		if (n < 0)
			return 0;
		off += (size_t)n;
		if (r.have > XPV_XS_HDR_SIZE + r.max_payload)
			__builtin_trap();
		if (!done)
			continue;
		if (r.msg.body[r.msg.hdr.len] != '\0' ||
		    xpv_xs_check_header(&r.msg.hdr, r.max_payload) ==
			    -XPV_E2BIG)
			__builtin_trap();
		xs_fuzz_fields(&r.msg);
		xpv_xs_reader_reset(&r);
	}
	return 0;
}
