// SPDX-License-Identifier: MIT
/*
 * Node permissions: "r5"-style strings to struct xs_permissions and back.
 * Strings from the daemon go through the codec's strict parser.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/libxs/libxs.h"

static bool libxs_perm_parse(const char *s, struct xs_permissions *out)
{
	struct xpv_xs_perm p;

	if (xpv_xs_perm_parse(s, &p) < 0)
		return false;
	out->id = p.domid;
	out->perms = p.bits;
	return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
			 const char *strings)
{
	const char *p = strings;
	unsigned int i;

	for (i = 0; i < num; i++) {
		if (!libxs_perm_parse(p, &perms[i])) {
			errno = EINVAL;
			return false;
		}
		p += strlen(p) + 1;
	}
	return true;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t, const char *path,
					  unsigned int *num)
{
	struct xs_permissions *perms;
	unsigned int len;
	char *r;
	int n;

	r = xpv_libxs_single(h, t, XS_GET_PERMS, path, &len);
	if (!r)
		return NULL;
	/* At least the owner entry, every entry terminated. */
	n = xpv_xs_count_strings(r, len);
	if (n < 1) {
		xpv_libxs_free(r);
		errno = EBADMSG;
		return NULL;
	}
	perms = malloc((size_t)n * sizeof(*perms));
	if (!perms) {
		xpv_libxs_free(r);
		errno = ENOMEM;
		return NULL;
	}
	if (!xs_strings_to_perms(perms, (unsigned int)n, r)) {
		xpv_libxs_free(perms);
		xpv_libxs_free(r);
		errno = EBADMSG;
		return NULL;
	}
	free(r);
	*num = (unsigned int)n;
	return perms;
}

static int libxs_perm_string(const struct xs_permissions *p, char *buf,
			     size_t size)
{
	static const char letters[] = { 'n', 'r', 'w', 'b' };
	unsigned int bits = p->perms & ~XS_PERM_IGNORE;

	if (bits > (XS_PERM_READ | XS_PERM_WRITE))
		return -EINVAL;
	return snprintf(buf, size, "%c%u", letters[bits], p->id);
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	struct xpv_xs_msg m;
	char s[16];
	unsigned int i;
	void *r;

	xpv_xs_msg_init(&m, XS_SET_PERMS, 0, t);
	if (xpv_xs_msg_append_str(&m, path) < 0) {
		errno = E2BIG;
		return false;
	}
	for (i = 0; i < num_perms; i++) {
		if (libxs_perm_string(&perms[i], s, sizeof(s)) < 0) {
			errno = EINVAL;
			return false;
		}
		if (xpv_xs_msg_append_str(&m, s) < 0) {
			errno = E2BIG;
			return false;
		}
	}
	r = xpv_libxs_talk(h, &m, NULL);
	if (!r)
		return false;
	free(r);
	return true;
}
