/* SPDX-License-Identifier: MIT */
/*
 * xs_wire codec shared by the xenstore client (backend/libxs, the core's
 * xenbus client) and server (loopback/xenstored).  The layout and the type
 * numbers are the real ones from <xen/io/xs_wire.h>; this adds the checks a
 * reader of hostile bytes needs.  Pure functions: no OS calls, no allocation.
 */
#ifndef XENPV_XS_WIRE_H
#define XENPV_XS_WIRE_H

#include "xenpv/os.h"

#define XPV_XS_HDR_SIZE ((uint32_t)sizeof(struct xsd_sockmsg))

/* One whole message; body is always NUL-terminated one past hdr.len. */
struct xpv_xs_msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/*
 * Incremental reader for a byte stream (a socket or the store ring).  A
 * header whose len exceeds max_payload is refused before any body is read,
 * so a peer can never make the reader buffer more than one message.
 */
struct xpv_xs_reader {
	uint32_t have;		/* bytes of header + body received so far */
	uint32_t max_payload;	/* <= XENSTORE_PAYLOAD_MAX */
	struct xpv_xs_msg msg;
};

void xpv_xs_reader_init(struct xpv_xs_reader *r, uint32_t max_payload);
/*
 * Consumes up to @len bytes of @data.  Returns the number of bytes consumed
 * (>= 0) and sets *complete when r->msg holds a whole message (the caller
 * handles it, then calls xpv_xs_reader_reset before feeding more), or a
 * negative errno when the header is bad: -XPV_E2BIG for an oversized len.
 * After an error the stream cannot be resynchronised: drop the connection.
 */
int xpv_xs_reader_feed(struct xpv_xs_reader *r, const void *data, size_t len,
		       bool *complete);
void xpv_xs_reader_reset(struct xpv_xs_reader *r);

/* Header check for a complete message: 0 or -XPV_E2BIG / -XPV_EINVAL. */
int xpv_xs_check_header(const struct xsd_sockmsg *hdr, uint32_t max_payload);

/* The request type's name ("READ"), or NULL for a type we do not know. */
const char *xpv_xs_type_name(uint32_t type);

/*
 * Splits a body into NUL-terminated fields.  Stores up to @max pointers into
 * @fields and returns how many fields there are, or -XPV_EINVAL if the body
 * does not end in NUL (every string field must be terminated).  An empty
 * body has 0 fields.
 */
int xpv_xs_split(const char *body, uint32_t len, const char **fields,
		 unsigned int max);
/* Number of NUL-terminated strings in @body (0 if len == 0); -XPV_EINVAL if unterminated. */
int xpv_xs_count_strings(const char *body, uint32_t len);

/* ---- building messages ----------------------------------------------- */

void xpv_xs_msg_init(struct xpv_xs_msg *m, uint32_t type, uint32_t req_id,
		     uint32_t tx_id);
/* Append raw bytes / a string with its NUL.  -XPV_E2BIG if it won't fit. */
int xpv_xs_msg_append(struct xpv_xs_msg *m, const void *data, uint32_t len);
int xpv_xs_msg_append_str(struct xpv_xs_msg *m, const char *s);
/* Bytes on the wire: header plus body. */
uint32_t xpv_xs_msg_wire_len(const struct xpv_xs_msg *m);

/* ---- errors: the strings of xsd_errors[] ----------------------------- */

/* "ENOENT" for XPV_ENOENT (positive errno); "EINVAL" for anything unknown. */
const char *xpv_xs_errno_name(int err);
/* Positive errno for an ERROR reply body, XPV_EINVAL if unknown. */
int xpv_xs_errno_from_name(const char *name, uint32_t len);

/* ---- paths and permissions ------------------------------------------- */

/*
 * A valid path: absolute ("/...") or relative, or a special "@name" watch
 * path; characters [A-Za-z0-9-/_@]; no "//", no trailing "/" except the
 * root; length within XENSTORE_ABS_PATH_MAX / XENSTORE_REL_PATH_MAX.
 */
bool xpv_xs_path_valid(const char *path);

enum xpv_xs_perm_bits {
	XPV_XS_PERM_NONE = 0,
	XPV_XS_PERM_READ = 1,
	XPV_XS_PERM_WRITE = 2,
	XPV_XS_PERM_BOTH = 3,
};

struct xpv_xs_perm {
	uint32_t domid;
	uint32_t bits; /* enum xpv_xs_perm_bits */
};

/* Parses "r5" (n, r, w, b + decimal domid < 65536); 0 or -XPV_EINVAL. */
int xpv_xs_perm_parse(const char *s, struct xpv_xs_perm *out);
/* Formats into @buf (at least 8 bytes); returns its length or -XPV_E2BIG. */
int xpv_xs_perm_format(const struct xpv_xs_perm *p, char *buf, size_t size);

/* Strict decimal: digits only, no sign, no overflow past @max. */
int xpv_xs_parse_uint(const char *s, uint32_t len, uint64_t max, uint64_t *out);

#endif
