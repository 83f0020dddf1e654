// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the input is everything a hostile xenstored says to libxs.
 * It goes into one end of a socketpair, followed by EOF; the library makes
 * a fixed series of calls on the other end.  Request ids are 1, 2, 3... in
 * call order, so the fuzzer can learn replies that match.  Every call must
 * return (EOF ends every wait) and nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/libxs/libxs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void libxs_fuzz_calls(struct xs_handle *h)
{
	struct xs_permissions *p;
	unsigned int n;
	char **v;

	free(xs_read(h, XBT_NULL, "/a", &n));
	free(xs_directory(h, XBT_NULL, "/d", &n));
	p = xs_get_permissions(h, XBT_NULL, "/p", &n);
	free(p);
	xs_transaction_start(h);
	xs_is_domain_introduced(h, 1);
	free(xs_get_domain_path(h, 1));
	while ((v = xs_check_watch(h)))
		free(v);
	xs_watch(h, "/w", "t");
	while ((v = xs_read_watch(h, &n)))
		free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_handle *h;
	int sv[2];

	/* Stay within one socket buffer: the writer must never block. */
	if (size > 65536)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	if (size && write(sv[1], data, size) != (ssize_t)size)
		goto out;
	shutdown(sv[1], SHUT_WR);
	h = xpv_libxs_open_fd(sv[0], true);
	if (!h)
		goto out;
	sv[0] = -1;
	libxs_fuzz_calls(h);
	xs_close(h);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	close(sv[1]);
	return 0;
}
