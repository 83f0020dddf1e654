// SPDX-License-Identifier: MIT
/*
 * xenpv-netback: the userspace network backend.  Serves every vif the
 * toolstack puts under /local/domain/<domid>/backend/vif, bridging each to
 * a multi-queue TAP named <prefix><frontend-domid>.<id> (attached to if it
 * exists, made otherwise).  Restarting it is safe: each vif goes back to
 * InitWait and its frontend reconnects.
 *
 *   xenpv-netback [--dir DIR] [--domid D] [--tap-prefix P] [--queues K]
 *                 [--no-offload] [--backend-type T]
 *
 * --backend-type serves backend/T instead of backend/vif, so that a kernel
 * netback in the same domain leaves those vifs alone.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/netback/netback.h"

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: xenpv-netback [--dir DIR] [--domid D] "
		"[--tap-prefix P] [--queues K] [--no-offload]\n"
		"                     [--backend-type T]\n");
	return rc;
}

/* One path element of [a-z0-9_-]. */
static bool nb_type_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_");

	return n > 0 && n <= 16 && s[n] == '\0';
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"domid", required_argument, NULL, 'n'},
		{"tap-prefix", required_argument, NULL, 'p'},
		{"queues", required_argument, NULL, 'q'},
		{"no-offload", no_argument, NULL, 'o'},
		{"backend-type", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xpv_netback_cfg cfg = {.domid = 0, .tap_prefix = "xvif"};
	struct xpv_netback nb;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg.dir = optarg;
			break;
		case 'n':
			cfg.domid = atoi(optarg);
			break;
		case 'p':
			cfg.tap_prefix = optarg;
			break;
		case 'q':
			cfg.max_queues = atoi(optarg);
			break;
		case 'o':
			cfg.no_offload = true;
			break;
		case 't':
			cfg.be_type = optarg;
			break;
		case 'h':
			return usage(0);
		default:
			return usage(2);
		}
	}
	if (optind != argc || cfg.domid < 0 || cfg.domid >= 0x7ff0 ||
	    strlen(cfg.tap_prefix) > 8 ||
	    (cfg.be_type && !nb_type_ok(cfg.be_type)))
		return usage(2);
	setvbuf(stderr, NULL, _IOLBF, 0);
	err = xpv_netback_open(&nb, &cfg);
	if (err) {
		fprintf(stderr, "xenpv-netback: %s\n", strerror(-err));
		return 1;
	}
	fprintf(stderr, "netback: serving %s as domain %u\n", nb.be_root,
		nb.x->self);
	err = xpv_netback_run(&nb);
	xpv_netback_close(&nb);
	return err ? 1 : 0;
}
