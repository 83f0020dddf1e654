// SPDX-License-Identifier: MIT
/*
 * xs_wire codec: incremental reader, body splitting, message building, the
 * xsd_errors[] names, path and permission syntax.  Every input here may come
 * from a hostile peer; nothing allocates and nothing trusts a length.
 */

/*
 * <xen/io/xs_wire.h> only defines xsd_errors[] where the errno names exist;
 * the core has no errno.h, so give the names it lists their Linux values
 * before the header is first seen (checked against os.h below).
 */
#define EINVAL 22
#define EACCES 13
#define EEXIST 17
#define EISDIR 21
#define ENOENT 2
#define ENOMEM 12
#define ENOSPC 28
#define EIO 5
#define ENOTEMPTY 39
#define ENOSYS 38
#define EROFS 30
#define EBUSY 16
#define EAGAIN 11
#define EISCONN 106
#define E2BIG 7
#define EPERM 1

#include "xenpv/xs_wire.h"
#include "xenpv/compiler.h"
#include "xenpv/os.h"

XPV_BUILD_BUG_ON(EINVAL != XPV_EINVAL || EACCES != XPV_EACCES);
XPV_BUILD_BUG_ON(EEXIST != XPV_EEXIST || EISDIR != XPV_EISDIR);
XPV_BUILD_BUG_ON(ENOENT != XPV_ENOENT || ENOMEM != XPV_ENOMEM);
XPV_BUILD_BUG_ON(ENOSPC != XPV_ENOSPC || EIO != XPV_EIO);
XPV_BUILD_BUG_ON(ENOTEMPTY != XPV_ENOTEMPTY || ENOSYS != XPV_ENOSYS);
XPV_BUILD_BUG_ON(EROFS != XPV_EROFS || EBUSY != XPV_EBUSY);
XPV_BUILD_BUG_ON(EAGAIN != XPV_EAGAIN || EISCONN != XPV_EISCONN);
XPV_BUILD_BUG_ON(E2BIG != XPV_E2BIG || EPERM != XPV_EPERM);
XPV_BUILD_BUG_ON(sizeof(struct xsd_sockmsg) != 16);

/* ---- reader ---------------------------------------------------------- */

void xpv_xs_reader_init(struct xpv_xs_reader *r, uint32_t max_payload)
{
	if (max_payload > XENSTORE_PAYLOAD_MAX)
		max_payload = XENSTORE_PAYLOAD_MAX;
	r->max_payload = max_payload;
	xpv_xs_reader_reset(r);
}

void xpv_xs_reader_reset(struct xpv_xs_reader *r)
{
	r->have = 0;
	xpv_memset(&r->msg.hdr, 0, sizeof(r->msg.hdr));
	r->msg.body[0] = '\0';
}

static uint32_t xs_min(uint32_t a, size_t b)
{
	return b < a ? (uint32_t)b : a;
}

int xpv_xs_reader_feed(struct xpv_xs_reader *r, const void *data, size_t len,
		       bool *complete)
{
	const uint8_t *p = data;
	uint32_t used = 0, n, want;

	*complete = false;
	if (r->have < XPV_XS_HDR_SIZE) {
		n = xs_min(XPV_XS_HDR_SIZE - r->have, len);
		xpv_memcpy((uint8_t *)&r->msg.hdr + r->have, p, n);
		r->have += n;
		used = n;
		if (r->have < XPV_XS_HDR_SIZE)
			return (int)used;
	}
	/* Refuse before buffering: the peer chose this length. */
	if (r->msg.hdr.len > r->max_payload)
		return -XPV_E2BIG;
	want = XPV_XS_HDR_SIZE + r->msg.hdr.len - r->have;
	n = xs_min(want, len - used);
	xpv_memcpy(r->msg.body + (r->have - XPV_XS_HDR_SIZE), p + used, n);
	r->have += n;
	used += n;
	if (r->have == XPV_XS_HDR_SIZE + r->msg.hdr.len) {
		r->msg.body[r->msg.hdr.len] = '\0';
		*complete = true;
	}
	return (int)used;
}

int xpv_xs_check_header(const struct xsd_sockmsg *hdr, uint32_t max_payload)
{
	if (max_payload > XENSTORE_PAYLOAD_MAX)
		max_payload = XENSTORE_PAYLOAD_MAX;
	if (hdr->len > max_payload)
		return -XPV_E2BIG;
	if (!xpv_xs_type_name(hdr->type))
		return -XPV_EINVAL;
	return 0;
}

static const char *const xs_type_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *xpv_xs_type_name(uint32_t type)
{
	if (type >= XPV_ARRAY_SIZE(xs_type_names))
		return NULL;
	return xs_type_names[type];
}

/* ---- splitting ------------------------------------------------------- */

int xpv_xs_split(const char *body, uint32_t len, const char **fields,
		 unsigned int max)
{
	uint32_t i, start = 0;
	int n = 0;

	if (len == 0)
		return 0;
	if (body[len - 1] != '\0')
		return -XPV_EINVAL;
	for (i = 0; i < len; i++) {
		if (body[i] != '\0')
			continue;
		if ((unsigned int)n < max)
			fields[n] = body + start;
		n++;
		start = i + 1;
	}
	return n;
}

int xpv_xs_count_strings(const char *body, uint32_t len)
{
	return xpv_xs_split(body, len, NULL, 0);
}

/* ---- building -------------------------------------------------------- */

void xpv_xs_msg_init(struct xpv_xs_msg *m, uint32_t type, uint32_t req_id,
		     uint32_t tx_id)
{
	m->hdr.type = type;
	m->hdr.req_id = req_id;
	m->hdr.tx_id = tx_id;
	m->hdr.len = 0;
	m->body[0] = '\0';
}

int xpv_xs_msg_append(struct xpv_xs_msg *m, const void *data, uint32_t len)
{
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX ||
	    len > XENSTORE_PAYLOAD_MAX - m->hdr.len)
		return -XPV_E2BIG;
	if (len)
		xpv_memcpy(m->body + m->hdr.len, data, len);
	m->hdr.len += len;
	m->body[m->hdr.len] = '\0';
	return 0;
}

int xpv_xs_msg_append_str(struct xpv_xs_msg *m, const char *s)
{
	size_t n = xpv_strlen(s);

	if (n >= XENSTORE_PAYLOAD_MAX)
		return -XPV_E2BIG;
	return xpv_xs_msg_append(m, s, (uint32_t)n + 1);
}

uint32_t xpv_xs_msg_wire_len(const struct xpv_xs_msg *m)
{
	return XPV_XS_HDR_SIZE + m->hdr.len;
}

/* ---- errors ---------------------------------------------------------- */

const char *xpv_xs_errno_name(int err)
{
	unsigned int i;

	for (i = 0; i < XPV_ARRAY_SIZE(xsd_errors); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EINVAL";
}

int xpv_xs_errno_from_name(const char *name, uint32_t len)
{
	unsigned int i;
	uint32_t n = 0;

	/* The name ends at its NUL or at the end of the body. */
	while (n < len && name[n] != '\0')
		n++;
	for (i = 0; i < XPV_ARRAY_SIZE(xsd_errors); i++) {
		const char *s = xsd_errors[i].errstring;

		if (xpv_strlen(s) == n && xpv_memcmp(s, name, n) == 0)
			return xsd_errors[i].errnum;
	}
	return XPV_EINVAL;
}

/* ---- paths and permissions ------------------------------------------- */

static bool xs_path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

bool xpv_xs_path_valid(const char *path)
{
	size_t i, max;

	if (!path || path[0] == '\0')
		return false;
	max = path[0] == '/' ? XENSTORE_ABS_PATH_MAX : XENSTORE_REL_PATH_MAX;
	for (i = 0; path[i] != '\0'; i++) {
		if (i >= max || !xs_path_char(path[i]))
			return false;
		if (path[i] == '/' && path[i + 1] == '/')
			return false;
	}
	return !(i > 1 && path[i - 1] == '/');
}

int xpv_xs_parse_uint(const char *s, uint32_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	uint32_t i;

	if (len == 0)
		return -XPV_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -XPV_EINVAL;
		if (d > max || v > (max - d) / 10)
			return -XPV_ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static const char xs_perm_letters[4] = { 'n', 'r', 'w', 'b' };

int xpv_xs_perm_parse(const char *s, struct xpv_xs_perm *out)
{
	uint64_t id;
	unsigned int bits;
	size_t n;

	for (bits = 0; bits < 4; bits++)
		if (s[0] == xs_perm_letters[bits])
			break;
	if (bits == 4)
		return -XPV_EINVAL;
	n = xpv_strlen(s + 1);
	if (n > 5 || xpv_xs_parse_uint(s + 1, (uint32_t)n, 65535, &id))
		return -XPV_EINVAL;
	out->domid = (uint32_t)id;
	out->bits = bits;
	return 0;
}

int xpv_xs_perm_format(const struct xpv_xs_perm *p, char *buf, size_t size)
{
	char digits[10];
	uint32_t v = p->domid;
	int nd = 0, i;

	if (p->bits > XPV_XS_PERM_BOTH)
		return -XPV_EINVAL;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (size < (size_t)nd + 2)
		return -XPV_E2BIG;
	buf[0] = xs_perm_letters[p->bits];
	for (i = 0; i < nd; i++)
		buf[1 + i] = digits[nd - 1 - i];
	buf[1 + nd] = '\0';
	return nd + 1;
}
