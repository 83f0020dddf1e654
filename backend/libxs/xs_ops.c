// SPDX-License-Identifier: MIT
/*
 * The store operations of <xenstore.h>: each builds one request, sends it
 * through xpv_libxs_talk and checks the shape of the reply before handing
 * anything to the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/libxs/libxs.h"

static bool libxs_bool(void *reply)
{
	if (!reply)
		return false;
	free(reply);
	return true;
}

/* ---- directories ----------------------------------------------------- */

/* Turns "a\0b\0" into a vector in one malloc block; frees @strings. */
static char **libxs_dir_vector(char *strings, uint32_t len, unsigned int *num)
{
	int n = xpv_xs_count_strings(strings, len);
	char **vec, *p;
	int i;

	if (n < 0) {
		xpv_libxs_free(strings);
		errno = EBADMSG;
		return NULL;
	}
	vec = malloc((size_t)n * sizeof(char *) + len + 1);
	if (!vec) {
		xpv_libxs_free(strings);
		errno = ENOMEM;
		return NULL;
	}
	p = (char *)(vec + n);
	memcpy(p, strings, len);
	free(strings);
	for (i = 0; i < n; i++) {
		vec[i] = p;
		p += strlen(p) + 1;
	}
	*num = (unsigned int)n;
	return vec;
}

struct libxs_dirpart {
	char *buf;
	uint32_t off;
	char gen[24];
	bool done;
};

/*
 * Adds one DIRECTORY_PART reply: "generation\0" then children, each
 * terminated, and one more "\0" on the last chunk.  0, 1 when the listing
 * changed under us (start again), or a positive errno.
 */
static int libxs_dirpart_add(struct libxs_dirpart *dp, const char *r,
			     uint32_t rlen)
{
	const char *nul = memchr(r, '\0', rlen);
	uint32_t glen, dlen;
	char *nbuf;

	if (!nul || (glen = (uint32_t)(nul - r)) >= sizeof(dp->gen))
		return EBADMSG;
	if (dp->off && strcmp(dp->gen, r))
		return 1;
	memcpy(dp->gen, r, glen + 1);
	r += glen + 1;
	dlen = rlen - glen - 1;
	/* Every chunk moves forward and ends with a terminated child. */
	if (!dlen || r[dlen - 1] != '\0')
		return EBADMSG;
	dp->done = (dlen == 1 || r[dlen - 2] == '\0');
	if (dp->done)
		dlen--;
	if (dlen > XPV_LIBXS_DIR_PART_MAX - dp->off)
		return E2BIG;
	nbuf = realloc(dp->buf, dp->off + dlen + 1);
	if (!nbuf)
		return ENOMEM;
	dp->buf = nbuf;
	memcpy(dp->buf + dp->off, r, dlen);
	dp->off += dlen;
	return 0;
}

static int libxs_dirpart_fetch(struct xs_handle *h, xs_transaction_t t,
			       const char *path, struct libxs_dirpart *dp)
{
	struct xpv_xs_msg m;
	char offstr[16];
	unsigned int rlen;
	char *r;
	int err;

	snprintf(offstr, sizeof(offstr), "%u", dp->off);
	xpv_xs_msg_init(&m, XS_DIRECTORY_PART, 0, t);
	if (xpv_xs_msg_append_str(&m, path) < 0 ||
	    xpv_xs_msg_append_str(&m, offstr) < 0)
		return E2BIG;
	r = xpv_libxs_talk(h, &m, &rlen);
	if (!r)
		return errno == ENOSYS ? E2BIG : errno;
	err = libxs_dirpart_add(dp, r, rlen);
	free(r);
	return err;
}

static char **libxs_directory_part(struct xs_handle *h, xs_transaction_t t,
				   const char *path, unsigned int *num)
{
	struct libxs_dirpart dp = { 0 };
	int restarts = 0, err = 0;

	while (!dp.done) {
		err = libxs_dirpart_fetch(h, t, path, &dp);
		if (err == 1) {
			/* The directory changed between chunks. */
			if (++restarts > XPV_LIBXS_DIR_PART_RESTARTS) {
				err = EAGAIN;
				break;
			}
			dp.off = 0;
			continue;
		}
		if (err)
			break;
	}
	if (!dp.done) {
		free(dp.buf);
		errno = err;
		return NULL;
	}
	if (!dp.buf) {
		dp.buf = malloc(1);
		if (!dp.buf) {
			errno = ENOMEM;
			return NULL;
		}
	}
	return libxs_dir_vector(dp.buf, dp.off, num);
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
		    unsigned int *num)
{
	unsigned int len;
	char *strings;

	strings = xpv_libxs_single(h, t, XS_DIRECTORY, path, &len);
	if (!strings) {
		/* Too many children for one reply: fetch them in parts. */
		if (errno == E2BIG)
			return libxs_directory_part(h, t, path, num);
		return NULL;
	}
	return libxs_dir_vector(strings, len, num);
}

/* ---- nodes ----------------------------------------------------------- */

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	return xpv_libxs_single(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	struct xpv_xs_msg m;

	xpv_xs_msg_init(&m, XS_WRITE, 0, t);
	if (len > XENSTORE_PAYLOAD_MAX || xpv_xs_msg_append_str(&m, path) < 0 ||
	    xpv_xs_msg_append(&m, data, len) < 0) {
		errno = E2BIG;
		return false;
	}
	return libxs_bool(xpv_libxs_talk(h, &m, NULL));
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return libxs_bool(xpv_libxs_single(h, t, XS_MKDIR, path, NULL));
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return libxs_bool(xpv_libxs_single(h, t, XS_RM, path, NULL));
}

/* ---- transactions ---------------------------------------------------- */

/* A reply that must be one decimal number, with or without its NUL. */
static int libxs_reply_uint(const char *r, uint32_t len, uint64_t max,
			    uint64_t *out)
{
	if (len && r[len - 1] == '\0')
		len--;
	if (xpv_xs_parse_uint(r, len, max, out) < 0)
		return EBADMSG;
	return 0;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	unsigned int len;
	uint64_t id = 0;
	char *r;
	int err;

	r = xpv_libxs_single(h, XBT_NULL, XS_TRANSACTION_START, "", &len);
	if (!r)
		return XBT_NULL;
	err = libxs_reply_uint(r, len, UINT32_MAX, &id);
	free(r);
	if (!err && id == XBT_NULL)
		err = EBADMSG;
	if (err) {
		errno = err;
		return XBT_NULL;
	}
	return (xs_transaction_t)id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	return libxs_bool(xpv_libxs_single(h, t, XS_TRANSACTION_END,
					   abort ? "F" : "T", NULL));
}

/* ---- domains --------------------------------------------------------- */

static void *libxs_domid_op(struct xs_handle *h, uint32_t type,
			    unsigned int domid, unsigned int *len)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", domid);
	return xpv_libxs_single(h, XBT_NULL, type, s, len);
}

static bool libxs_numbers_op(struct xs_handle *h, uint32_t type,
			     const unsigned long *v, unsigned int n)
{
	struct xpv_xs_msg m;
	char s[24];
	unsigned int i;

	xpv_xs_msg_init(&m, type, 0, XBT_NULL);
	for (i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "%lu", v[i]);
		if (xpv_xs_msg_append_str(&m, s) < 0) {
			errno = E2BIG;
			return false;
		}
	}
	return libxs_bool(xpv_libxs_talk(h, &m, NULL));
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
			 unsigned long mfn, unsigned int eventchn)
{
	unsigned long v[3] = { domid, mfn, eventchn };

	return libxs_numbers_op(h, XS_INTRODUCE, v, 3);
}

bool xs_set_target(struct xs_handle *h, unsigned int domid,
		   unsigned int target)
{
	unsigned long v[2] = { domid, target };

	return libxs_numbers_op(h, XS_SET_TARGET, v, 2);
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
	return libxs_bool(libxs_domid_op(h, XS_RESUME, domid, NULL));
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
	return libxs_bool(libxs_domid_op(h, XS_RELEASE, domid, NULL));
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
	unsigned int len;
	char *r = libxs_domid_op(h, XS_GET_DOMAIN_PATH, domid, &len);

	if (r && !xpv_libxs_one_string(r, len)) {
		xpv_libxs_free(r);
		errno = EBADMSG;
		return NULL;
	}
	return r;
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
	unsigned int len;
	char *r = libxs_domid_op(h, XS_IS_DOMAIN_INTRODUCED, domid, &len);
	bool yes;

	if (!r)
		return false;
	if (!xpv_libxs_one_string(r, len) ||
	    (strcmp(r, "T") && strcmp(r, "F"))) {
		xpv_libxs_free(r);
		errno = EBADMSG;
		return false;
	}
	yes = r[0] == 'T';
	free(r);
	return yes;
}

/* Removed from xenstored in Xen 4.9: always fails, like libxenstore. */
bool xs_restrict(struct xs_handle *h, unsigned domid)
{
	return false;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
			 unsigned int len)
{
	struct xpv_xs_msg m;

	xpv_xs_msg_init(&m, XS_CONTROL, 0, XBT_NULL);
	if (len > XENSTORE_PAYLOAD_MAX || xpv_xs_msg_append_str(&m, cmd) < 0 ||
	    xpv_xs_msg_append(&m, data, len) < 0) {
		errno = E2BIG;
		return NULL;
	}
	return xpv_libxs_talk(h, &m, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
		       unsigned int len)
{
	return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
	char path[64];
	struct xs_handle *h;
	unsigned int len = 0;
	uint64_t port;
	char *r;
	int err;

	snprintf(path, sizeof(path),
		 "/local/domain/%d/device/suspend/event-channel", domid);
	h = xs_daemon_open();
	if (!h)
		return -1;
	r = xs_read(h, XBT_NULL, path, &len);
	xs_daemon_close(h);
	if (!r)
		return -1;
	err = libxs_reply_uint(r, len, INT32_MAX, &port);
	free(r);
	return err ? -1 : (int)port;
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
	size_t plen = strlen(parent);

	if (strncmp(child, parent, plen))
		return false;
	return child[plen] == '\0' || child[plen] == '/';
}
